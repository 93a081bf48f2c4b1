// SPDX-License-Identifier: GPL-2.0
/*
 * pv_io_batch: queue port and MMIO accesses, flush them in order.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

/*
 * kmalloc() aligns power-of-two sizes to their size, so an array rounded up
 * to a power of two no larger than a page never crosses a page boundary,
 * which the host requires.  The stack is no place for it: with
 * CONFIG_VMAP_STACK virt_to_phys() of a stack address is silently wrong.
 */
static struct pvio_op *pvio_alloc_ops(unsigned int cap)
{
	size_t size = roundup_pow_of_two(cap * sizeof(struct pvio_op));
	struct pvio_op *ops;

	BUILD_BUG_ON(sizeof(struct pvio_op) != PVIO_OP_SIZE);
	BUILD_BUG_ON(PVIO_ARRAY_MAX_BYTES > PAGE_SIZE);
	ops = kzalloc(size, GFP_KERNEL);
	if (!ops)
		return NULL;
	if (WARN_ON_ONCE(offset_in_page(ops) + size > PAGE_SIZE)) {
		kfree(ops);
		return NULL;
	}
	return ops;
}

/**
 * pv_io_batch_alloc - allocate a batch for one user
 * @user: short name shown under /sys/kernel/debug/pvio/batches/
 * @max_ops: capacity, 1..PVIO_MAX_OPS
 *
 * Return: the batch, or ERR_PTR(-EINVAL / -ENOMEM).  May sleep.
 */
struct pv_io_batch *pv_io_batch_alloc(const char *user, unsigned int max_ops)
{
	struct pv_io_batch *b;

	if (!user || !*user || max_ops == 0 || max_ops > PVIO_MAX_OPS)
		return ERR_PTR(-EINVAL);

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->ops = pvio_alloc_ops(max_ops);
	if (!b->ops)
		goto err_free_batch;
	b->slots = kcalloc(max_ops, sizeof(*b->slots), GFP_KERNEL);
	if (!b->slots)
		goto err_free_ops;

	b->h.cap = max_ops;
	b->transport = pvio_transport_of_load();
	b->h.inplace = b->transport == PV_IO_NATIVE;
	b->h.room = b->h.inplace ? max_ops : 0;
	strscpy(b->name, user, sizeof(b->name));
	mutex_lock(&pvio_batches_lock);
	list_add(&b->node, &pvio_batches);
	mutex_unlock(&pvio_batches_lock);
	pvio_debugfs_add_batch(b);
	return b;

err_free_ops:
	kfree(b->ops);
err_free_batch:
	kfree(b);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_GPL(pv_io_batch_alloc);

/**
 * pv_io_batch_free - free a batch; ops still queued are dropped
 * @b: the batch, or NULL
 */
void pv_io_batch_free(struct pv_io_batch *b)
{
	if (!b)
		return;
	pvio_debugfs_del_batch(b);
	mutex_lock(&pvio_batches_lock);
	list_del(&b->node);
	/* keep what the in-place path counted in the global totals */
	atomic64_add(b->h.inplace_ops, &pvio_global.c[PVIO_OPS_QUEUED]);
	atomic64_add(b->h.inplace_ops, &pvio_global.c[PVIO_OPS_NATIVE]);
	atomic64_add(b->h.inplace_flushes, &pvio_global.c[PVIO_FLUSHES]);
	mutex_unlock(&pvio_batches_lock);
	kfree(b->slots);
	kfree(b->ops);
	kfree(b);
}
EXPORT_SYMBOL_GPL(pv_io_batch_free);

int pv_io_refuse_full(struct pv_io_batch *b)
{
	pvio_inc(b, PVIO_QUEUE_FULL, 1);
	return -E2BIG;
}
EXPORT_SYMBOL_GPL(pv_io_refuse_full);

static int pvio_queue(struct pv_io_batch *b, u8 kind, u8 width, u64 addr,
		      u64 value, void __iomem *va, void *result)
{
	struct pvio_op *op;

	/* in place and out of room, or queued and full */
	if (b->h.inplace || b->h.len == b->h.cap)
		return pv_io_refuse_full(b);
	op = &b->ops[b->h.len];
	pvio_op_encode(op, kind, width, addr, value);
	if (WARN_ON_ONCE(pvio_op_check(op)))
		return -EINVAL;
	b->slots[b->h.len].result = result;
	b->slots[b->h.len].va = va;
	b->h.len++;
	pvio_inc(b, PVIO_OPS_QUEUED, 1);
	return 0;
}

/* Queues a port op (called by the inline pv_io_out*()/in*() when not in place). */
int pv_io_queue_pio(struct pv_io_batch *b, u8 kind, u8 width, u16 port,
		    u32 val, void *result)
{
	return pvio_queue(b, kind, width, port, val, NULL, result);
}
EXPORT_SYMBOL_GPL(pv_io_queue_pio);

/*
 * Queues an MMIO op.  The host needs the guest-physical address of the
 * driver's ioremap() mapping; the page walk is cached per batch, since
 * drivers hit the same register page again and again.
 */
int pv_io_queue_mmio(struct pv_io_batch *b, u8 kind, u8 width,
		     void __iomem *addr, u64 val, void *result)
{
	unsigned long va = (unsigned long __force)addr;

	if ((va & PAGE_MASK) != b->mmio_page_va) {
		b->mmio_page_pa = slow_virt_to_phys((void *)(va & PAGE_MASK));
		b->mmio_page_va = va & PAGE_MASK;
	}
	return pvio_queue(b, kind, width, b->mmio_page_pa + offset_in_page(va),
			  val, addr, result);
}
EXPORT_SYMBOL_GPL(pv_io_queue_mmio);

static bool pvio_take_injection(struct pv_io_batch *b)
{
	return atomic_add_unless(&b->inject, -1, 0) ||
	       atomic_add_unless(&pvio_inject_pending, -1, 0);
}

/*
 * The host ran ops [first, first + n) but could not write the read results
 * back (-PVIO_ELOST).  Running them again would repeat every OUT and consume
 * every FIFO read twice, so the reads give all ones, like a read that no
 * device answers.
 */
static void pvio_results_lost(struct pv_io_batch *b, unsigned int first,
			      unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		if (pvio_op_is_read(&b->ops[i]))
			b->ops[i].value = pvio_width_mask(b->ops[i].width);
	pvio_store_results(b, first, n);
	pvio_inc(b, PVIO_OPS_HYPERCALL, n);
	pvio_inc(b, PVIO_HOST_ERRORS, 1);
	pr_warn_ratelimited("pvio: %s: host ran %u ops but lost their results\n",
			    b->name, n);
}

/*
 * One hypercall for ops [first, first + n).  A refused chunk ran no op on
 * the host (it validates the whole array first), so it is safe to run it
 * natively: the I/O is never lost.  A chunk that ran is never run again.
 */
static void pvio_flush_chunk(struct pv_io_batch *b, unsigned int first,
			     unsigned int n, bool inject)
{
	long ret = pvio_call_host(b, first, n, inject);

	if (ret == n) {
		pvio_store_results(b, first, n);
		pvio_inc(b, PVIO_OPS_HYPERCALL, n);
		return;
	}
	if (pvio_batch_ran(ret, n)) {
		pvio_results_lost(b, first, n);
		return;
	}
	pvio_inc(b, PVIO_HOST_ERRORS, 1);
	pvio_inc(b, PVIO_FALLBACKS, 1);
	pr_debug("pvio: %s: host refused %u ops (%ld), running them natively\n",
		 b->name, n, ret);
	pvio_run_native(b, first, n);
}

/*
 * The queued path of pv_io_flush(): with the hypercall transport the ops
 * leave in chunks of at most max_batch (module parameter), one hypercall
 * each, and a chunk the host refuses runs natively instead.  A native batch
 * only gets here while an injected host error is armed.
 */
int pv_io_flush_queued(struct pv_io_batch *b)
{
	unsigned int first, n, chunk;
	unsigned int len = b->h.len;

	if (!len)
		return 0;
	pvio_inc(b, PVIO_FLUSHES, 1);
	chunk = b->transport == PV_IO_NATIVE ? len : READ_ONCE(pvio_max_batch);
	for (first = 0; first < len; first += n) {
		bool inject = pvio_take_injection(b);

		n = min(chunk, len - first);
		if (b->transport == PV_IO_NATIVE && !inject)
			pvio_run_native(b, first, n);
		else
			pvio_flush_chunk(b, first, n, inject);
	}
	b->h.len = 0;
	b->h.inplace = b->transport == PV_IO_NATIVE && !atomic_read(&b->inject) &&
		       !atomic_read(&pvio_inject_pending);
	b->h.room = b->h.inplace ? b->h.cap : 0;
	return 0;
}
EXPORT_SYMBOL_GPL(pv_io_flush_queued);

/*
 * Called by pv_io_flush() on an idle in-place batch while host errors are
 * armed: its next ops are queued, so that the next flush can be refused
 * and take the fallback path like a hypercall batch would.
 */
void pv_io_leave_inplace(struct pv_io_batch *b)
{
	b->h.inplace = false;
	b->h.room = 0;
}
EXPORT_SYMBOL_GPL(pv_io_leave_inplace);

enum pv_io_transport pv_io_batch_transport(const struct pv_io_batch *b)
{
	return b->transport;
}
EXPORT_SYMBOL_GPL(pv_io_batch_transport);

static void pvio_snapshot(const struct pvio_counters *c, struct pv_io_stats *out)
{
	out->ops_queued = atomic64_read(&c->c[PVIO_OPS_QUEUED]);
	out->queue_full = atomic64_read(&c->c[PVIO_QUEUE_FULL]);
	out->flushes = atomic64_read(&c->c[PVIO_FLUSHES]);
	out->hypercalls = atomic64_read(&c->c[PVIO_HYPERCALLS]);
	out->ops_hypercall = atomic64_read(&c->c[PVIO_OPS_HYPERCALL]);
	out->ops_native = atomic64_read(&c->c[PVIO_OPS_NATIVE]);
	out->host_errors = atomic64_read(&c->c[PVIO_HOST_ERRORS]);
	out->fallbacks = atomic64_read(&c->c[PVIO_FALLBACKS]);
}

static void pvio_add_inplace(const struct pv_io_batch *b, struct pv_io_stats *out)
{
	u64 ops = READ_ONCE(b->h.inplace_ops);

	out->ops_queued += ops;
	out->ops_native += ops;
	out->flushes += READ_ONCE(b->h.inplace_flushes);
}

void pv_io_batch_stats(const struct pv_io_batch *b, struct pv_io_stats *out)
{
	pvio_snapshot(&b->cnt, out);
	pvio_add_inplace(b, out);
}
EXPORT_SYMBOL_GPL(pv_io_batch_stats);

/* Every batch ever allocated, freed ones included.  May sleep. */
void pv_io_global_stats(struct pv_io_stats *out)
{
	struct pv_io_batch *b;

	mutex_lock(&pvio_batches_lock);
	pvio_snapshot(&pvio_global, out);
	list_for_each_entry(b, &pvio_batches, node)
		pvio_add_inplace(b, out);
	mutex_unlock(&pvio_batches_lock);
}
EXPORT_SYMBOL_GPL(pv_io_global_stats);

/*
 * Arms injected host errors.  The batch leaves the in-place path until
 * they are used up, so that there is a queued flush to refuse.  Call it
 * with the batch idle (nothing queued), like every other batch call.
 */
void pv_io_batch_inject_host_error(struct pv_io_batch *b, unsigned int count)
{
	atomic_add(count, &b->inject);
	if (count && b->h.inplace && b->h.room == b->h.cap) {
		b->h.inplace = false;
		b->h.room = 0;
	}
}
EXPORT_SYMBOL_GPL(pv_io_batch_inject_host_error);
