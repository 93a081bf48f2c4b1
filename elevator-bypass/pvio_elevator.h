/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the kernel-internal block/elevator.h that pvio_bypass needs,
 * for the verified series only (PVIO_ELEVATOR_VERIFIED: 6.1 and 6.12),
 * used when no kernel source tree is at hand (the headers package does not
 * ship block/).
 *
 * The core reads these structures at fixed offsets, so every member up to
 * the last one the core touches must be here, in order, with its exact
 * type, even those pvio_bypass never sets; the members that differ between
 * the series come from pvio_compat.h.  Checked against 6.1.192 and 6.12.117
 * (block/elevator.h: elevator_mq_ops, elevator_type, elevator_queue; in
 * 6.12 also blk_insert_t from block/blk-mq.h) with CONFIG_BLK_DEBUG_FS=y as
 * in Debian's config; without BLK_DEBUG_FS the two debugfs pointers vanish,
 * as upstream.
 */
#ifndef _PVIO_ELEVATOR_H
#define _PVIO_ELEVATOR_H

#include <linux/blk-mq.h>
#include <linux/hashtable.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>

#include <compat/pvio_compat.h>

#if !PVIO_ELEVATOR_VERIFIED
/* Use PVIO_KSRC=<kernel source tree>, or verify this layout for the kernel. */
#error "pvio_bypass: private elevator.h copy is for Linux 6.1 and 6.12 only"
#endif

#if PVIO_KERNEL_XY >= 604
/* the real elevator.h gets these from the private block/blk-mq.h (6.12) */
typedef unsigned int __bitwise blk_insert_t;
#define BLK_MQ_INSERT_AT_HEAD	((__force blk_insert_t)0x01)
#endif

struct io_cq;
struct elevator_type;
struct blk_mq_debugfs_attr;
struct blk_mq_alloc_data;
struct blk_mq_hw_ctx;

enum elv_merge {
	ELEVATOR_NO_MERGE	= 0,
	ELEVATOR_FRONT_MERGE	= 1,
	ELEVATOR_BACK_MERGE	= 2,
	ELEVATOR_DISCARD_MERGE	= 3,
};

/* 22 hooks; the order is the ABI. */
struct elevator_mq_ops {
	int (*init_sched)(struct request_queue *q, struct elevator_type *e);
	void (*exit_sched)(struct elevator_queue *eq);
	int (*init_hctx)(struct blk_mq_hw_ctx *hctx, unsigned int idx);
	void (*exit_hctx)(struct blk_mq_hw_ctx *hctx, unsigned int idx);
	void (*depth_updated)(struct blk_mq_hw_ctx *hctx);
	bool (*allow_merge)(struct request_queue *q, struct request *rq,
			    struct bio *bio);
	bool (*bio_merge)(struct request_queue *q, struct bio *bio,
			  unsigned int nr_segs);
	int (*request_merge)(struct request_queue *q, struct request **rq,
			     struct bio *bio);
	void (*request_merged)(struct request_queue *q, struct request *rq,
			       enum elv_merge type);
	void (*requests_merged)(struct request_queue *q, struct request *rq,
				struct request *next);
	void (*limit_depth)(blk_opf_t opf, struct blk_mq_alloc_data *data);
	void (*prepare_request)(struct request *rq);
	void (*finish_request)(struct request *rq);
	void (*insert_requests)(struct blk_mq_hw_ctx *hctx,
				struct list_head *list, pvio_elv_insert_t flags);
	struct request *(*dispatch_request)(struct blk_mq_hw_ctx *hctx);
	bool (*has_work)(struct blk_mq_hw_ctx *hctx);
	void (*completed_request)(struct request *rq, u64 now);
	void (*requeue_request)(struct request *rq);
	struct request *(*former_request)(struct request_queue *q,
					  struct request *rq);
	struct request *(*next_request)(struct request_queue *q,
					struct request *rq);
	void (*init_icq)(struct io_cq *icq);
	void (*exit_icq)(struct io_cq *icq);
};

#define ELV_NAME_MAX	16

struct elv_fs_entry {
	struct attribute attr;
	ssize_t (*show)(struct elevator_queue *eq, char *buf);
	ssize_t (*store)(struct elevator_queue *eq, const char *buf, size_t n);
};

struct elevator_type {
	struct kmem_cache *icq_cache;		/* owned by the core */
	struct elevator_mq_ops ops;
	size_t icq_size;
	size_t icq_align;
	struct elv_fs_entry *elevator_attrs;
	const char *elevator_name;
	const char *elevator_alias;
#if PVIO_ELV_HAS_FEATURES
	const unsigned int elevator_features;
#endif
	struct module *elevator_owner;
#ifdef CONFIG_BLK_DEBUG_FS
	const struct blk_mq_debugfs_attr *queue_debugfs_attrs;
	const struct blk_mq_debugfs_attr *hctx_debugfs_attrs;
#endif
	char icq_cache_name[ELV_NAME_MAX + 6];	/* owned by the core */
	struct list_head list;			/* owned by the core */
};

#define ELV_HASH_BITS	6

/* Allocated by elevator_alloc(), freed by the core through kobj. */
struct elevator_queue {
	struct elevator_type *type;
	void *elevator_data;
	struct kobject kobj;
	struct mutex sysfs_lock;	/* the core's, for the iosched/ attributes */
#if PVIO_ELV_HAS_FLAGS
	unsigned long flags;		/* the core's (ELEVATOR_FLAG_*) */
#else
	unsigned int registered:1;	/* the core's */
#endif
	DECLARE_HASHTABLE(hash, ELV_HASH_BITS);
};

struct elevator_queue *elevator_alloc(struct request_queue *q,
				      struct elevator_type *e);
int elv_register(struct elevator_type *e);
void elv_unregister(struct elevator_type *e);

#endif /* _PVIO_ELEVATOR_H */
