/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio guest API: queue port and MMIO accesses, then flush them to the host
 * with one hypercall (or execute them in place where the host cannot).
 *
 * A batch belongs to one user (a driver instance, an ATA port, ...) and the
 * caller serialises all access to it, as drivers already do with their port
 * or register locks.  Ops run in the order they were queued.  Read results
 * are stored through the pointer given at queue time, at the latest when
 * pv_io_flush() returns.  A full batch refuses more ops with -E2BIG.
 */
#ifndef _LINUX_PVIO_H
#define _LINUX_PVIO_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/io.h>
#include <uapi/linux/pvio.h>

struct pv_io_batch;

/* Counters of one batch user, or of all users together (pv_io_global_stats). */
struct pv_io_stats {
	u64 ops_queued;		/* ops accepted by pv_io_out*()/in*()/write*()/read*() */
	u64 queue_full;		/* ops refused with -E2BIG: the batch was full */
	u64 flushes;		/* pv_io_flush() calls that had ops to run */
	u64 hypercalls;		/* KVM_HC_PVIO batch calls issued */
	u64 ops_hypercall;	/* ops the host executed */
	u64 ops_native;		/* ops executed in place (native transport or fallback) */
	u64 host_errors;	/* hypercalls the host refused */
	u64 fallbacks;		/* flush chunks re-run natively after a host error */
};

/* Transports a batch can be flushed with. */
enum pv_io_transport {
	PV_IO_NATIVE,		/* execute each op in place (bare metal, TCG, stock KVM) */
	PV_IO_HYPERCALL,	/* one KVM_HC_PVIO call per flush (patched KVM) */
};

struct pv_io_batch *pv_io_batch_alloc(const char *user, unsigned int max_ops);
void pv_io_batch_free(struct pv_io_batch *b);

/*
 * The part of a batch the inline fast path touches; the rest is private to
 * pvio.  With the native transport ops run as they are queued, so queueing
 * costs one compare on top of the access itself; the counters of that path
 * are plain because the caller serialises the batch.
 */
struct pv_io_batch_head {
	unsigned int room;	/* in place: ops that may still run before a flush */
	bool inplace;		/* native transport: run each op as it is queued */
	unsigned int len;	/* queued path: ops waiting for the flush */
	unsigned int cap;	/* capacity given to pv_io_batch_alloc() */
	u64 inplace_ops;	/* ops run in place, counted at flush */
	u64 inplace_flushes;
};

static __always_inline struct pv_io_batch_head *pv_io_head(struct pv_io_batch *b)
{
	return (struct pv_io_batch_head *)b;	/* the head is the first member */
}

/* Slow paths of the inline functions below; drivers call those instead. */
int pv_io_queue_pio(struct pv_io_batch *b, u8 kind, u8 width, u16 port,
		    u32 val, void *result);
int pv_io_queue_mmio(struct pv_io_batch *b, u8 kind, u8 width,
		     void __iomem *addr, u64 val, void *result);
int pv_io_refuse_full(struct pv_io_batch *b);
int pv_io_flush_queued(struct pv_io_batch *b);
void pv_io_leave_inplace(struct pv_io_batch *b);

/* Host errors armed through debugfs (inject_host_error), for tests. */
extern atomic_t pvio_inject_pending;

/*
 * True when the op may run now.  False sends it to the slow path, which
 * queues it for the hypercall or refuses it because the batch is full.
 */
static __always_inline bool pv_io_run_now(struct pv_io_batch *b)
{
	struct pv_io_batch_head *h = pv_io_head(b);

	if (likely(h->room)) {
		h->room--;
		return true;
	}
	return false;
}

static __always_inline int pv_io_outb(struct pv_io_batch *b, u8 val, u16 port)
{
	if (pv_io_run_now(b)) {
		outb(val, port);
		return 0;
	}
	return pv_io_queue_pio(b, PVIO_OP_PIO_OUT, 1, port, val, NULL);
}

static __always_inline int pv_io_outw(struct pv_io_batch *b, u16 val, u16 port)
{
	if (pv_io_run_now(b)) {
		outw(val, port);
		return 0;
	}
	return pv_io_queue_pio(b, PVIO_OP_PIO_OUT, 2, port, val, NULL);
}

static __always_inline int pv_io_outl(struct pv_io_batch *b, u32 val, u16 port)
{
	if (pv_io_run_now(b)) {
		outl(val, port);
		return 0;
	}
	return pv_io_queue_pio(b, PVIO_OP_PIO_OUT, 4, port, val, NULL);
}

static __always_inline int pv_io_inb(struct pv_io_batch *b, u16 port, u8 *result)
{
	if (pv_io_run_now(b)) {
		*result = inb(port);
		return 0;
	}
	return pv_io_queue_pio(b, PVIO_OP_PIO_IN, 1, port, 0, result);
}

static __always_inline int pv_io_inw(struct pv_io_batch *b, u16 port, u16 *result)
{
	if (pv_io_run_now(b)) {
		*result = inw(port);
		return 0;
	}
	return pv_io_queue_pio(b, PVIO_OP_PIO_IN, 2, port, 0, result);
}

static __always_inline int pv_io_inl(struct pv_io_batch *b, u16 port, u32 *result)
{
	if (pv_io_run_now(b)) {
		*result = inl(port);
		return 0;
	}
	return pv_io_queue_pio(b, PVIO_OP_PIO_IN, 4, port, 0, result);
}

static __always_inline int pv_io_writeb(struct pv_io_batch *b, u8 val, void __iomem *addr)
{
	if (pv_io_run_now(b)) {
		writeb(val, addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_WRITE, 1, addr, val, NULL);
}

static __always_inline int pv_io_writew(struct pv_io_batch *b, u16 val, void __iomem *addr)
{
	if (pv_io_run_now(b)) {
		writew(val, addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_WRITE, 2, addr, val, NULL);
}

static __always_inline int pv_io_writel(struct pv_io_batch *b, u32 val, void __iomem *addr)
{
	if (pv_io_run_now(b)) {
		writel(val, addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_WRITE, 4, addr, val, NULL);
}

static __always_inline int pv_io_writeq(struct pv_io_batch *b, u64 val, void __iomem *addr)
{
	if (pv_io_run_now(b)) {
		writeq(val, addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_WRITE, 8, addr, val, NULL);
}

static __always_inline int pv_io_readb(struct pv_io_batch *b, void __iomem *addr, u8 *result)
{
	if (pv_io_run_now(b)) {
		*result = readb(addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_READ, 1, addr, 0, result);
}

static __always_inline int pv_io_readw(struct pv_io_batch *b, void __iomem *addr, u16 *result)
{
	if (pv_io_run_now(b)) {
		*result = readw(addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_READ, 2, addr, 0, result);
}

static __always_inline int pv_io_readl(struct pv_io_batch *b, void __iomem *addr, u32 *result)
{
	if (pv_io_run_now(b)) {
		*result = readl(addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_READ, 4, addr, 0, result);
}

static __always_inline int pv_io_readq(struct pv_io_batch *b, void __iomem *addr, u64 *result)
{
	if (pv_io_run_now(b)) {
		*result = readq(addr);
		return 0;
	}
	return pv_io_queue_mmio(b, PVIO_OP_MMIO_READ, 8, addr, 0, result);
}

/**
 * pv_io_flush - make sure every queued op has run, in order; empty the batch
 * @b: the batch
 *
 * Ops run in queue order.  With the native transport each one already ran
 * when it was queued; with the hypercall transport they run here.  Either
 * way, when this returns every op has run and every read result is stored.
 * Do not touch the device directly between queueing and flushing.
 * Does not sleep.  Return: 0.
 */
static __always_inline int pv_io_flush(struct pv_io_batch *b)
{
	struct pv_io_batch_head *h = pv_io_head(b);

	if (h->inplace) {
		if (h->room != h->cap) {
			h->inplace_ops += h->cap - h->room;
			h->inplace_flushes++;
			h->room = h->cap;
		}
		/* queue the next ops, so there is a flush for the error to hit */
		if (unlikely(atomic_read(&pvio_inject_pending)))
			pv_io_leave_inplace(b);
		return 0;
	}
	return pv_io_flush_queued(b);
}

static inline unsigned int pv_io_pending(struct pv_io_batch *b)
{
	struct pv_io_batch_head *h = pv_io_head(b);

	return h->inplace ? h->cap - h->room : h->len;
}

static inline unsigned int pv_io_capacity(struct pv_io_batch *b)
{
	return pv_io_head(b)->cap;
}

enum pv_io_transport pv_io_batch_transport(const struct pv_io_batch *b);

void pv_io_batch_stats(const struct pv_io_batch *b, struct pv_io_stats *out);
void pv_io_global_stats(struct pv_io_stats *out);

/*
 * Fault injection for tests: the next @count flushes of @b (after those
 * already armed) behave as if the host refused the hypercall.  On a host
 * with the handler the call really goes out with an invalid function and
 * the host rejects it; without one the refusal is simulated.  Either way
 * the ops then run natively, which is what the tests check.
 */
void pv_io_batch_inject_host_error(struct pv_io_batch *b, unsigned int count);

/* The transport pvio chose at load time (probe result or module parameter). */
enum pv_io_transport pv_io_default_transport(void);

#endif /* _LINUX_PVIO_H */
