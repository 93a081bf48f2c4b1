/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio.ko internals shared by its files; nothing here is exported.  The
 * module's state lives in one struct pvio_state, owned by main.c and
 * reached through each batch (b->pvio), never through a global.
 */
#ifndef _PVIO_INTERNAL_H
#define _PVIO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pvio.h>

struct dentry;

struct pvio_state {
	enum pv_io_transport transport;	/* chosen at load */
	int host_abi;			/* host handler ABI version, or -errno */
	unsigned int max_batch;		/* most ops per hypercall (parameter) */
	struct mutex lock;		/* guards batches and retired */
	struct list_head batches;	/* live batches, for the totals */
	struct pv_io_stats retired;	/* counters of the batches freed */
	struct dentry *dir;		/* debugfs pvio/, or an error */
	struct dentry *batches_dir;
#ifdef CONFIG_PVIO_FAULT_INJECTION
	atomic_t inject_pending;	/* debugfs inject_host_error: any batch */
#endif
};

/* Where a queued op's result goes and how to run it natively. */
struct pvio_slot {
	void *result;		/* u8/u16/u32/u64 of the op's width, reads only */
	void __iomem *va;	/* MMIO ops: the driver's mapping */
};

struct pv_io_batch {
	struct pv_io_batch_head h;	/* first: the inline fast path reads it */
	struct pvio_state *pvio;
	struct pvio_op *ops;	/* shared with the host: kmalloc, never crosses a page */
	struct pvio_slot *slots;
	enum pv_io_transport transport;
	unsigned long mmio_page_va;	/* last MMIO page translated, and */
	phys_addr_t mmio_page_pa;	/* its guest-physical address */
#ifdef CONFIG_PVIO_FAULT_INJECTION
	unsigned int inject;	/* flush chunks left that must see a host error */
#endif
	struct dentry *dir;
	struct list_head node;	/* on pvio->batches */
	char name[32];
};

/* main.c: the batch registry */
void pvio_attach(struct pv_io_batch *b);
void pvio_detach(struct pv_io_batch *b);
void pvio_inplace_off(void);

/* trace.c: pvio:pvio_flush probes come and go */
int pvio_trace_flush_reg(void);
void pvio_trace_flush_unreg(void);

/* stats.c */
void pvio_stats_add(struct pv_io_stats *sum, const struct pv_io_stats *st);
void pvio_sum_stats(struct pvio_state *pvio, struct pv_io_stats *out);

/* transport.c */
int pvio_probe_host(void);
const char *pvio_transport_name(enum pv_io_transport t);
void pvio_run_native(struct pv_io_batch *b, unsigned int first, unsigned int n);
long pvio_call_host(struct pv_io_batch *b, unsigned int first, unsigned int n,
		    bool inject);
void pvio_store_results(struct pv_io_batch *b, unsigned int first, unsigned int n);

/* debugfs.c */
void pvio_debugfs_init(struct pvio_state *pvio);
void pvio_debugfs_exit(struct pvio_state *pvio);
void pvio_debugfs_add_batch(struct pv_io_batch *b);
void pvio_debugfs_del_batch(struct pv_io_batch *b);

#endif /* _PVIO_INTERNAL_H */
