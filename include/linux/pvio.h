/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio guest API: queue port and MMIO accesses, then flush them to the host
 * with one hypercall (or execute them in place where the host cannot).
 *
 * A batch belongs to one user (a driver instance, an ATA port, ...) and the
 * caller serialises all access to it, as drivers already do with their port
 * or register locks.  Ops run in the order they were queued.  Queueing never
 * fails: an op queued into a full batch first flushes what is there, so the
 * order is kept.  Read results are stored through the pointer given at
 * queue time, at the latest when pv_io_flush() returns.
 *
 * Names: pv_io_* is the API drivers call (this header); pvio_* is private
 * to pvio.ko (pvio/internal.h) or part of the host ABI (uapi/linux/pvio.h).
 */
#ifndef _LINUX_PVIO_H
#define _LINUX_PVIO_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/io.h>
#include <linux/jump_label.h>
#include <uapi/linux/pvio.h>

struct pv_io_batch;

/*
 * The counters of a batch, defined once: this enum and, in the same order,
 * pv_io_counter_names[] (debugfs, ethtool and pvio-stat show those names).
 */
enum pv_io_counter {
	PV_IO_OPS_QUEUED,	/* ops queued, whatever path ran them */
	PV_IO_FLUSHES,		/* flushes that had ops, auto flushes included */
	PV_IO_AUTO_FLUSHES,	/* flushes forced by queueing into a full batch */
	PV_IO_HYPERCALLS,	/* KVM_HC_PVIO batch calls issued */
	PV_IO_OPS_HYPERCALL,	/* ops the host executed */
	PV_IO_OPS_NATIVE,	/* ops executed in place (native transport or fallback) */
	PV_IO_FALLBACKS,	/* chunks the host refused, then run natively */
	PV_IO_RESULTS_LOST,	/* chunks the host ran but lost the reads of */
	PV_IO_NR_COUNTERS
};

extern const char * const pv_io_counter_names[PV_IO_NR_COUNTERS];

/* Counters of one batch user, or of all users together. */
struct pv_io_stats {
	u64 c[PV_IO_NR_COUNTERS];
};

/* Transports a batch can be flushed with. */
enum pv_io_transport {
	PV_IO_NATIVE,		/* execute each op in place (bare metal, TCG, stock KVM) */
	PV_IO_HYPERCALL,	/* one KVM_HC_PVIO call per flush (patched KVM) */
};

struct pv_io_batch *pv_io_batch_alloc(const char *user, unsigned int max_ops);
void pv_io_batch_free(struct pv_io_batch *b);

/*
 * On while every batch runs its ops in place: the native transport, and (in
 * test builds) no injected host error armed yet.  Then queueing an op is
 * the access plus one counter increment, with no branch: the key is patched
 * into the code.  Off, every op is queued and runs at the flush (natively,
 * or with the hypercall).
 */
DECLARE_STATIC_KEY_FALSE(pv_io_all_inplace);

/*
 * The part of a batch the inline code touches; the rest is private to
 * pvio.  Plain fields: the caller serialises the batch.
 */
struct pv_io_batch_head {
	u64 inplace_ops;	/* ops run in place (key on) */
	u64 inplace_mark;	/* inplace_ops at the last flush */
	unsigned int len;	/* ops queued, waiting for the flush */
	unsigned int cap;	/* capacity given to pv_io_batch_alloc() */
	struct pv_io_stats st;
};

static __always_inline struct pv_io_batch_head *pv_io_head(struct pv_io_batch *b)
{
	return (struct pv_io_batch_head *)b;	/* the head is the first member */
}

/*
 * Slow paths of the inline functions below; drivers call those instead.
 * __cold keeps their call sites out of the straight line of a native run.
 */
void __cold pv_io_queue_pio(struct pv_io_batch *b, u8 kind, u8 width,
			    u16 port, u32 val, void *result);
void __cold pv_io_queue_mmio(struct pv_io_batch *b, u8 kind, u8 width,
			     void __iomem *addr, u64 val, void *result);
void pv_io_flush_queued(struct pv_io_batch *b);

/* True when the op runs now, in place; false sends it to the queue. */
static __always_inline bool pv_io_run_now(struct pv_io_batch *b)
{
	if (static_branch_likely(&pv_io_all_inplace)) {
		pv_io_head(b)->inplace_ops++;
		return true;
	}
	return false;
}

/*
 * pv_io_outb/w/l(b, val, port) and pv_io_inb/w/l(b, port, &result);
 * pv_io_writeb/w/l/q(b, val, addr) and pv_io_readb/w/l/q(b, addr, &result),
 * addr being the driver's ioremap() mapping.  A read's result is stored by
 * the time the next pv_io_flush() returns; in place it is stored at once.
 */
#define PV_IO_DEFINE_PIO(sfx, type)					\
static __always_inline void pv_io_out##sfx(struct pv_io_batch *b,	\
					   type val, u16 port)		\
{									\
	if (pv_io_run_now(b))						\
		out##sfx(val, port);					\
	else								\
		pv_io_queue_pio(b, PVIO_OP_PIO_OUT, sizeof(type), port,	\
				val, NULL);				\
}									\
static __always_inline void pv_io_in##sfx(struct pv_io_batch *b,	\
					  u16 port, type *result)	\
{									\
	if (pv_io_run_now(b))						\
		*result = in##sfx(port);				\
	else								\
		pv_io_queue_pio(b, PVIO_OP_PIO_IN, sizeof(type), port,	\
				0, result);				\
}

#define PV_IO_DEFINE_MMIO(sfx, type)					\
static __always_inline void pv_io_write##sfx(struct pv_io_batch *b,	\
					     type val, void __iomem *addr) \
{									\
	if (pv_io_run_now(b))						\
		write##sfx(val, addr);					\
	else								\
		pv_io_queue_mmio(b, PVIO_OP_MMIO_WRITE, sizeof(type),	\
				 addr, val, NULL);			\
}									\
static __always_inline void pv_io_read##sfx(struct pv_io_batch *b,	\
					    void __iomem *addr, type *result) \
{									\
	if (pv_io_run_now(b))						\
		*result = read##sfx(addr);				\
	else								\
		pv_io_queue_mmio(b, PVIO_OP_MMIO_READ, sizeof(type),	\
				 addr, 0, result);			\
}

PV_IO_DEFINE_PIO(b, u8)
PV_IO_DEFINE_PIO(w, u16)
PV_IO_DEFINE_PIO(l, u32)
PV_IO_DEFINE_MMIO(b, u8)
PV_IO_DEFINE_MMIO(w, u16)
PV_IO_DEFINE_MMIO(l, u32)
PV_IO_DEFINE_MMIO(q, u64)

/**
 * pv_io_flush - make sure every queued op has run, in order; empty the batch
 * @b: the batch
 *
 * Ops run in queue order.  With the native transport each one already ran
 * when it was queued; with the hypercall transport they run here.  Either
 * way, when this returns every op has run and every read result is stored;
 * a chunk the host refuses runs natively, so nothing is lost.  Do not touch
 * the device directly between queueing and flushing.  Does not sleep.
 */
static __always_inline void pv_io_flush(struct pv_io_batch *b)
{
	struct pv_io_batch_head *h = pv_io_head(b);
	u64 ops;

	/*
	 * A flush counts only when ops ran since the last one; no branch for
	 * that test, since under binary translation a branch ends a block.
	 */
	if (static_branch_likely(&pv_io_all_inplace)) {
		ops = h->inplace_ops;
		h->st.c[PV_IO_FLUSHES] += ops != h->inplace_mark;
		h->inplace_mark = ops;
		return;
	}
	pv_io_flush_queued(b);
}

/* Ops queued that have not run yet (in place: none, they ran when queued). */
static inline unsigned int pv_io_pending(struct pv_io_batch *b)
{
	return pv_io_head(b)->len;
}

static inline unsigned int pv_io_capacity(struct pv_io_batch *b)
{
	return pv_io_head(b)->cap;
}

enum pv_io_transport pv_io_batch_transport(const struct pv_io_batch *b);

/* The transport pvio chose at load time (probe result or module parameter). */
enum pv_io_transport pv_io_default_transport(void);

/*
 * The batch's counters.  Call it where the batch is serialised (the
 * driver's lock) for an exact answer; elsewhere each counter is read
 * whole but they may come from different moments.
 */
void pv_io_batch_stats(const struct pv_io_batch *b, struct pv_io_stats *out);

#ifdef CONFIG_PVIO_FAULT_INJECTION
/*
 * Test builds only (PVIO_FAULT_INJECTION=1): the next @count flush chunks
 * of @b behave as if the host refused the hypercall.  On a host with the
 * handler the call really goes out with an invalid function and the host
 * rejects it; without one the refusal is simulated.  Either way the ops
 * then run natively, which is what the tests check.  Call with @b idle;
 * may sleep.  From then on no batch takes the branch-free in-place path.
 */
void pv_io_batch_inject_host_error(struct pv_io_batch *b, unsigned int count);
#endif

#endif /* _LINUX_PVIO_H */
