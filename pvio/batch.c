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

	b->cap = max_ops;
	b->transport = pvio_transport_of_load();
	strscpy(b->name, user, sizeof(b->name));
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
	kfree(b->slots);
	kfree(b->ops);
	kfree(b);
}
EXPORT_SYMBOL_GPL(pv_io_batch_free);

static int pvio_queue(struct pv_io_batch *b, u8 kind, u8 width, u64 addr,
		      u64 value, void __iomem *va, void *result)
{
	struct pvio_op *op;

	if (b->len == b->cap) {
		pvio_inc(b, PVIO_QUEUE_FULL, 1);
		return -E2BIG;
	}
	op = &b->ops[b->len];
	pvio_op_encode(op, kind, width, addr, value);
	if (WARN_ON_ONCE(pvio_op_check(op)))
		return -EINVAL;
	b->slots[b->len].result = result;
	b->slots[b->len].va = va;
	b->len++;
	pvio_inc(b, PVIO_OPS_QUEUED, 1);
	return 0;
}

static int pvio_queue_mmio(struct pv_io_batch *b, u8 kind, u8 width,
			   void __iomem *va, u64 value, void *result)
{
	/* the host needs the guest-physical address; ioremap()ed memory has one */
	phys_addr_t pa = slow_virt_to_phys((void __force *)va);

	return pvio_queue(b, kind, width, pa, value, va, result);
}

int pv_io_outb(struct pv_io_batch *b, u8 val, u16 port)
{
	return pvio_queue(b, PVIO_OP_PIO_OUT, 1, port, val, NULL, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_outb);

int pv_io_outw(struct pv_io_batch *b, u16 val, u16 port)
{
	return pvio_queue(b, PVIO_OP_PIO_OUT, 2, port, val, NULL, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_outw);

int pv_io_outl(struct pv_io_batch *b, u32 val, u16 port)
{
	return pvio_queue(b, PVIO_OP_PIO_OUT, 4, port, val, NULL, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_outl);

int pv_io_inb(struct pv_io_batch *b, u16 port, u8 *result)
{
	return pvio_queue(b, PVIO_OP_PIO_IN, 1, port, 0, NULL, result);
}
EXPORT_SYMBOL_GPL(pv_io_inb);

int pv_io_inw(struct pv_io_batch *b, u16 port, u16 *result)
{
	return pvio_queue(b, PVIO_OP_PIO_IN, 2, port, 0, NULL, result);
}
EXPORT_SYMBOL_GPL(pv_io_inw);

int pv_io_inl(struct pv_io_batch *b, u16 port, u32 *result)
{
	return pvio_queue(b, PVIO_OP_PIO_IN, 4, port, 0, NULL, result);
}
EXPORT_SYMBOL_GPL(pv_io_inl);

int pv_io_writeb(struct pv_io_batch *b, u8 val, void __iomem *addr)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_WRITE, 1, addr, val, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_writeb);

int pv_io_writew(struct pv_io_batch *b, u16 val, void __iomem *addr)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_WRITE, 2, addr, val, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_writew);

int pv_io_writel(struct pv_io_batch *b, u32 val, void __iomem *addr)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_WRITE, 4, addr, val, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_writel);

int pv_io_writeq(struct pv_io_batch *b, u64 val, void __iomem *addr)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_WRITE, 8, addr, val, NULL);
}
EXPORT_SYMBOL_GPL(pv_io_writeq);

int pv_io_readb(struct pv_io_batch *b, void __iomem *addr, u8 *result)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_READ, 1, addr, 0, result);
}
EXPORT_SYMBOL_GPL(pv_io_readb);

int pv_io_readw(struct pv_io_batch *b, void __iomem *addr, u16 *result)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_READ, 2, addr, 0, result);
}
EXPORT_SYMBOL_GPL(pv_io_readw);

int pv_io_readl(struct pv_io_batch *b, void __iomem *addr, u32 *result)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_READ, 4, addr, 0, result);
}
EXPORT_SYMBOL_GPL(pv_io_readl);

int pv_io_readq(struct pv_io_batch *b, void __iomem *addr, u64 *result)
{
	return pvio_queue_mmio(b, PVIO_OP_MMIO_READ, 8, addr, 0, result);
}
EXPORT_SYMBOL_GPL(pv_io_readq);

static bool pvio_take_injection(struct pv_io_batch *b)
{
	return atomic_add_unless(&b->inject, -1, 0) ||
	       atomic_add_unless(&pvio_global_inject, -1, 0);
}

/*
 * One hypercall for ops [first, first + n).  A refused chunk ran no op on
 * the host (it validates the whole array first), so it is safe to run it
 * natively: the I/O is never lost.
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
	pvio_inc(b, PVIO_HOST_ERRORS, 1);
	pvio_inc(b, PVIO_FALLBACKS, 1);
	pr_debug("pvio: %s: host refused %u ops (%ld), running them natively\n",
		 b->name, n, ret);
	pvio_run_native(b, first, n);
}

/**
 * pv_io_flush - run every queued op, in order, and empty the batch
 * @b: the batch
 *
 * With the hypercall transport the ops leave in chunks of at most
 * max_batch (module parameter), one hypercall each; on any host error a
 * chunk runs natively instead.  Read results are stored on return.
 * Does not sleep.  Return: 0 (an empty batch is a no-op).
 */
int pv_io_flush(struct pv_io_batch *b)
{
	unsigned int first, n, chunk;

	if (!b->len)
		return 0;
	pvio_inc(b, PVIO_FLUSHES, 1);

	if (b->transport == PV_IO_NATIVE) {
		/* injected errors still exercise the fallback path without a host */
		if (pvio_take_injection(b)) {
			pvio_flush_chunk(b, 0, b->len, true);
			b->len = 0;
			return 0;
		}
		pvio_run_native(b, 0, b->len);
		b->len = 0;
		return 0;
	}

	chunk = READ_ONCE(pvio_max_batch);
	for (first = 0; first < b->len; first += n) {
		n = min(chunk, b->len - first);
		pvio_flush_chunk(b, first, n, pvio_take_injection(b));
	}
	b->len = 0;
	return 0;
}
EXPORT_SYMBOL_GPL(pv_io_flush);

/** pv_io_discard - drop every queued op without running it */
void pv_io_discard(struct pv_io_batch *b)
{
	b->len = 0;
}
EXPORT_SYMBOL_GPL(pv_io_discard);

unsigned int pv_io_pending(const struct pv_io_batch *b)
{
	return b->len;
}
EXPORT_SYMBOL_GPL(pv_io_pending);

unsigned int pv_io_capacity(const struct pv_io_batch *b)
{
	return b->cap;
}
EXPORT_SYMBOL_GPL(pv_io_capacity);

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

void pv_io_batch_stats(const struct pv_io_batch *b, struct pv_io_stats *out)
{
	pvio_snapshot(&b->cnt, out);
}
EXPORT_SYMBOL_GPL(pv_io_batch_stats);

void pv_io_global_stats(struct pv_io_stats *out)
{
	pvio_snapshot(&pvio_global, out);
}
EXPORT_SYMBOL_GPL(pv_io_global_stats);

void pv_io_batch_inject_host_error(struct pv_io_batch *b, unsigned int count)
{
	atomic_add(count, &b->inject);
}
EXPORT_SYMBOL_GPL(pv_io_batch_inject_host_error);
