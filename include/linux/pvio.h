/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio guest API: queue port and MMIO accesses, then flush them to the host
 * with one hypercall (or execute them in place where the host cannot).
 *
 * A batch belongs to one user (a driver instance, an ATA port, ...) and the
 * caller serialises all access to it, as drivers already do with their port
 * or register locks.  Ops run in the order they were queued.  Read results
 * are stored through the pointer given at queue time once pv_io_flush()
 * returns 0.
 */
#ifndef _LINUX_PVIO_H
#define _LINUX_PVIO_H

#include <linux/types.h>
#include <linux/compiler_types.h>
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

int pv_io_outb(struct pv_io_batch *b, u8 val, u16 port);
int pv_io_outw(struct pv_io_batch *b, u16 val, u16 port);
int pv_io_outl(struct pv_io_batch *b, u32 val, u16 port);
int pv_io_inb(struct pv_io_batch *b, u16 port, u8 *result);
int pv_io_inw(struct pv_io_batch *b, u16 port, u16 *result);
int pv_io_inl(struct pv_io_batch *b, u16 port, u32 *result);

int pv_io_writeb(struct pv_io_batch *b, u8 val, void __iomem *addr);
int pv_io_writew(struct pv_io_batch *b, u16 val, void __iomem *addr);
int pv_io_writel(struct pv_io_batch *b, u32 val, void __iomem *addr);
int pv_io_writeq(struct pv_io_batch *b, u64 val, void __iomem *addr);
int pv_io_readb(struct pv_io_batch *b, void __iomem *addr, u8 *result);
int pv_io_readw(struct pv_io_batch *b, void __iomem *addr, u16 *result);
int pv_io_readl(struct pv_io_batch *b, void __iomem *addr, u32 *result);
int pv_io_readq(struct pv_io_batch *b, void __iomem *addr, u64 *result);

int pv_io_flush(struct pv_io_batch *b);
void pv_io_discard(struct pv_io_batch *b);

unsigned int pv_io_pending(const struct pv_io_batch *b);
unsigned int pv_io_capacity(const struct pv_io_batch *b);
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
