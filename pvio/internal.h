/* SPDX-License-Identifier: GPL-2.0 */
/* pvio.ko internals shared by its files; nothing here is exported. */
#ifndef _PVIO_INTERNAL_H
#define _PVIO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/pvio.h>

struct dentry;

/* One counter set; atomic so debugfs can read while a driver flushes. */
struct pvio_counters {
	atomic64_t ops_queued;
	atomic64_t queue_full;
	atomic64_t flushes;
	atomic64_t hypercalls;
	atomic64_t ops_hypercall;
	atomic64_t ops_native;
	atomic64_t host_errors;
	atomic64_t fallbacks;
};

/* Where a queued op's result goes and how to run it natively. */
struct pvio_slot {
	void *result;		/* u8/u16/u32/u64 of the op's width, reads only */
	void __iomem *va;	/* MMIO ops: the driver's mapping */
};

struct pv_io_batch {
	struct pvio_op *ops;	/* shared with the host: kmalloc, never crosses a page */
	struct pvio_slot *slots;
	unsigned int len;
	unsigned int cap;
	enum pv_io_transport transport;
	atomic_t inject;	/* flushes left that must see a host error */
	struct pvio_counters cnt;
	struct dentry *dir;
	struct list_head node;
	char name[32];
};

/* main.c */
extern unsigned int pvio_max_batch;
extern struct pvio_counters pvio_global;
extern atomic_t pvio_global_inject;
extern int pvio_host_abi;	/* host ABI version, or -errno when no handler */
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
static inline void pvio_add(atomic64_t *mine, atomic64_t *all, s64 n)
{
	atomic64_add(n, mine);
	atomic64_add(n, all);
}

#define pvio_inc(b, field, n) \
	pvio_add(&(b)->cnt.field, &pvio_global.field, n)

#endif /* _PVIO_INTERNAL_H */
