/* SPDX-License-Identifier: GPL-2.0 */
/* pvio.ko internals shared by its files; nothing here is exported. */
#ifndef _PVIO_INTERNAL_H
#define _PVIO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pvio.h>

struct dentry;

/* Counter indices; the meaning of each is in struct pv_io_stats. */
enum pvio_counter {
	PVIO_OPS_QUEUED,
	PVIO_QUEUE_FULL,
	PVIO_FLUSHES,
	PVIO_HYPERCALLS,
	PVIO_OPS_HYPERCALL,
	PVIO_OPS_NATIVE,
	PVIO_HOST_ERRORS,
	PVIO_FALLBACKS,
	PVIO_NR_COUNTERS
};

/* One counter set; atomic so debugfs can read while a driver flushes. */
struct pvio_counters {
	atomic64_t c[PVIO_NR_COUNTERS];
};

/* Where a queued op's result goes and how to run it natively. */
struct pvio_slot {
	void *result;		/* u8/u16/u32/u64 of the op's width, reads only */
	void __iomem *va;	/* MMIO ops: the driver's mapping */
};

struct pv_io_batch {
	struct pv_io_batch_head h;	/* first: the inline fast path reads it */
	struct pvio_op *ops;	/* shared with the host: kmalloc, never crosses a page */
	struct pvio_slot *slots;
	enum pv_io_transport transport;
	unsigned long mmio_page_va;	/* last MMIO page translated, and */
	phys_addr_t mmio_page_pa;	/* its guest-physical address */
	atomic_t inject;	/* flushes left that must see a host error */
	struct pvio_counters cnt;
	struct dentry *dir;
	struct list_head node;	/* on pvio_batches, for the global counters */
	char name[32];
};

/* main.c */
extern unsigned int pvio_max_batch;
extern struct pvio_counters pvio_global;
extern int pvio_host_abi;
extern struct list_head pvio_batches;
extern struct mutex pvio_batches_lock;	/* host ABI version, or -errno when no handler */
enum pv_io_transport pvio_transport_of_load(void);
const char *pvio_transport_name(enum pv_io_transport t);

/* transport.c */
int pvio_probe_host(void);
void pvio_run_native(struct pv_io_batch *b, unsigned int first, unsigned int n);
long pvio_call_host(struct pv_io_batch *b, unsigned int first, unsigned int n,
		    bool inject);
void pvio_store_results(struct pv_io_batch *b, unsigned int first, unsigned int n);

/* debugfs.c */
int pvio_debugfs_init(void);
void pvio_debugfs_exit(void);
void pvio_debugfs_add_batch(struct pv_io_batch *b);
void pvio_debugfs_del_batch(struct pv_io_batch *b);

/* Counts into the batch's own counters and the global ones at once. */
static inline void pvio_inc(struct pv_io_batch *b, enum pvio_counter i, s64 n)
{
	atomic64_add(n, &b->cnt.c[i]);
	atomic64_add(n, &pvio_global.c[i]);
}

#endif /* _PVIO_INTERNAL_H */
