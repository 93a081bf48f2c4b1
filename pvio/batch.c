// SPDX-License-Identifier: GPL-2.0
/*
 * pv_io_batch: queue port and MMIO accesses, flush them in order.
 */
#include <linux/err.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched/clock.h>
#include <linux/string.h>

#include "internal.h"
#include "trace.h"

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

#ifdef CONFIG_PVIO_FAULT_INJECTION
static bool pvio_take_injection(struct pv_io_batch *b)
{
	if (b->inject) {
		b->inject--;
		return true;
	}
	return atomic_add_unless(&b->pvio->inject_pending, -1, 0);
}
#else
static bool pvio_take_injection(struct pv_io_batch *b) { return false; }
#endif

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
	strscpy(b->name, user, sizeof(b->name));
	pvio_attach(b);		/* sets b->pvio */
	b->transport = b->pvio->transport;
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
	pvio_detach(b);
	kfree(b->slots);
	kfree(b->ops);
	kfree(b);
}
EXPORT_SYMBOL_GPL(pv_io_batch_free);

/*
 * The slow path of every queueing call.  A full queue is flushed first,
 * which keeps the order since everything in it goes before the new op.
 */
static void pvio_flush(struct pv_io_batch *b, bool auto_flush);

static void pvio_queue(struct pv_io_batch *b, u8 kind, u8 width, u64 addr,
		       u64 value, void __iomem *va, void *result)
{
	unsigned int i = b->h.len;

	if (i == b->h.cap) {
		b->h.st.c[PV_IO_AUTO_FLUSHES]++;
		pvio_flush(b, true);
		i = 0;
	}
	pvio_op_encode(&b->ops[i], kind, width, addr, value);
	/* a bad op makes the host refuse the chunk, which then runs natively */
	WARN_ON_ONCE(pvio_op_check(&b->ops[i]));
	b->slots[i].result = result;
	b->slots[i].va = va;
	b->h.len = i + 1;
	b->h.st.c[PV_IO_OPS_QUEUED]++;
}

/* Queues a port op (called by the inline pv_io_out*()/in*() when not in place). */
void pv_io_queue_pio(struct pv_io_batch *b, u8 kind, u8 width, u16 port,
		     u32 val, void *result)
{
	pvio_queue(b, kind, width, port, val, NULL, result);
}
EXPORT_SYMBOL_GPL(pv_io_queue_pio);

/*
 * Queues an MMIO op.  The host needs the guest-physical address of the
 * driver's ioremap() mapping; the page walk is cached per batch, since
 * drivers hit the same register page again and again.
 */
void pv_io_queue_mmio(struct pv_io_batch *b, u8 kind, u8 width,
		      void __iomem *addr, u64 val, void *result)
{
	unsigned long va = (unsigned long __force)addr;

	if ((va & PAGE_MASK) != b->mmio_page_va) {
		b->mmio_page_pa = slow_virt_to_phys((void *)(va & PAGE_MASK));
		b->mmio_page_va = va & PAGE_MASK;
	}
	pvio_queue(b, kind, width, b->mmio_page_pa + offset_in_page(va),
		   val, addr, result);
}
EXPORT_SYMBOL_GPL(pv_io_queue_mmio);

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
	b->h.st.c[PV_IO_OPS_HYPERCALL] += n;
	b->h.st.c[PV_IO_RESULTS_LOST]++;
	pr_warn_ratelimited("pvio: %s: host ran %u ops but lost their results\n",
			    b->name, n);
}

/*
 * One hypercall for ops [first, first + n).  A refused chunk ran no op on
 * the host (it validates the whole array first), so it is safe to run it
 * natively: the I/O is never lost.  A chunk that ran is never run again.
 * Returns 0, or the host's error (the chunk then ran natively, or its
 * reads were lost).
 */
static long pvio_flush_chunk(struct pv_io_batch *b, unsigned int first,
			     unsigned int n, bool inject)
{
	long ret = pvio_call_host(b, first, n, inject);

	if (ret == n) {
		pvio_store_results(b, first, n);
		b->h.st.c[PV_IO_OPS_HYPERCALL] += n;
		return 0;
	}
	if (pvio_batch_ran(ret, n)) {
		pvio_results_lost(b, first, n);
		return ret;
	}
	b->h.st.c[PV_IO_FALLBACKS]++;
	trace_pvio_fallback(b, first, n, ret, inject);
	pr_debug("pvio: %s: host refused %u ops (%ld), running them natively\n",
		 b->name, n, ret);
	pvio_run_native(b, first, n);
	return ret;
}

/*
 * With the hypercall transport the ops leave in chunks of at most
 * max_batch (module parameter), one hypercall each, and a chunk the host
 * refuses runs natively instead.  A native batch queues only while its
 * in-place path is off (a test build's injected error, or tracing).
 */
static void pvio_flush(struct pv_io_batch *b, bool auto_flush)
{
	unsigned int first, n, chunk;
	unsigned int len = b->h.len;
	bool native = b->transport == PV_IO_NATIVE;
	u64 calls = b->h.st.c[PV_IO_HYPERCALLS];
	long ret, result = 0;
	u64 t0;

	if (!len)
		return;
	t0 = trace_pvio_flush_enabled() ? local_clock() : 0;
	b->h.st.c[PV_IO_FLUSHES]++;
	chunk = native ? len : READ_ONCE(b->pvio->max_batch);
	for (first = 0; first < len; first += n) {
		bool inject = pvio_take_injection(b);

		n = min(chunk, len - first);
		if (native && !inject) {
			pvio_run_native(b, first, n);
			continue;
		}
		ret = pvio_flush_chunk(b, first, n, inject);
		if (!result)
			result = ret;
	}
	b->h.len = 0;
	trace_pvio_flush(b, len, auto_flush,
			 b->h.st.c[PV_IO_HYPERCALLS] - calls, result, t0);
}

/* The queued path of pv_io_flush(), out of line. */
void pv_io_flush_queued(struct pv_io_batch *b)
{
	pvio_flush(b, false);
}
EXPORT_SYMBOL_GPL(pv_io_flush_queued);

enum pv_io_transport pv_io_batch_transport(const struct pv_io_batch *b)
{
	return b->transport;
}
EXPORT_SYMBOL_GPL(pv_io_batch_transport);

#ifdef CONFIG_PVIO_FAULT_INJECTION
void pv_io_batch_inject_host_error(struct pv_io_batch *b, unsigned int count)
{
	if (!count)
		return;
	pvio_inplace_off();
	b->inject += count;
}
EXPORT_SYMBOL_GPL(pv_io_batch_inject_host_error);
#endif
