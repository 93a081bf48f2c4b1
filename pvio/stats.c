// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the counters: a batch's own, and the totals over every batch
 * (the live ones plus what the freed ones left in pvio->retired).
 */
#include <linux/export.h>

#include "internal.h"

const char * const pv_io_counter_names[PV_IO_NR_COUNTERS] = {
	[PV_IO_OPS_QUEUED] = "ops_queued",
	[PV_IO_FLUSHES] = "flushes",
	[PV_IO_AUTO_FLUSHES] = "auto_flushes",
	[PV_IO_HYPERCALLS] = "hypercalls",
	[PV_IO_OPS_HYPERCALL] = "ops_hypercall",
	[PV_IO_OPS_NATIVE] = "ops_native",
	[PV_IO_FALLBACKS] = "fallbacks",
	[PV_IO_RESULTS_LOST] = "results_lost",
};
EXPORT_SYMBOL_GPL(pv_io_counter_names);

/* @st may belong to a batch in use elsewhere: each counter is read whole. */
void pvio_stats_add(struct pv_io_stats *sum, const struct pv_io_stats *st)
{
	unsigned int i;

	for (i = 0; i < PV_IO_NR_COUNTERS; i++)
		sum->c[i] += READ_ONCE(st->c[i]);
}

/**
 * pv_io_batch_stats - the counters of one batch
 * @b: the batch
 * @out: filled with the counters
 */
void pv_io_batch_stats(const struct pv_io_batch *b, struct pv_io_stats *out)
{
	u64 inplace = READ_ONCE(b->h.inplace_ops);

	memset(out, 0, sizeof(*out));
	pvio_stats_add(out, &b->h.st);
	out->c[PV_IO_OPS_QUEUED] += inplace;
	out->c[PV_IO_OPS_NATIVE] += inplace;
}
EXPORT_SYMBOL_GPL(pv_io_batch_stats);

/* Totals over every batch ever allocated, freed ones included.  May sleep. */
void pvio_sum_stats(struct pvio_state *pvio, struct pv_io_stats *out)
{
	struct pv_io_batch *b;
	struct pv_io_stats st;

	mutex_lock(&pvio->lock);
	*out = pvio->retired;
	list_for_each_entry(b, &pvio->batches, node) {
		pv_io_batch_stats(b, &st);
		pvio_stats_add(out, &st);
	}
	mutex_unlock(&pvio->lock);
}
