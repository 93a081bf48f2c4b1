// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-bypass: a blk-mq I/O scheduler that does no scheduling.
 *
 * A virtual disk sits on a host that schedules the real I/O itself, so the
 * guest reordering requests only costs CPU.  "none" would be cheaper still,
 * but blk-mq picks mq-deadline for single-queue disks (IDE, virtio with one
 * queue) by default; this elevator is the one a udev rule can select that
 * keeps requests in arrival order and does nothing else: one spinlock, one
 * list, no merging, no per-request state.
 *
 * Select it with: echo pvio-bypass > /sys/block/<disk>/queue/scheduler
 * (the module is loaded on demand through its "pvio-bypass-iosched" alias).
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <trace/events/block.h>

#include <compat/pvio_compat.h>

/* block/elevator.h of the target, or a private copy (see Kbuild) */
#include PVIO_ELEVATOR_H

#if !PVIO_ELEVATOR_VERIFIED
#error "pvio_bypass: elevator API not verified for this kernel (pvio_compat.h)"
#endif

/* Per request queue: the requests blk-mq handed us, oldest first. */
struct pvio_bypass {
	spinlock_t lock;	/* insert and dispatch run on any CPU */
	struct list_head fifo;
};

static struct pvio_bypass *pvio_bypass_of(struct blk_mq_hw_ctx *hctx)
{
	return hctx->queue->elevator->elevator_data;
}

/*
 * The core allocates the scheduler tags, then calls this; publishing the
 * elevator_queue in q->elevator is our job (the core relies on it).
 */
static int pvio_bypass_init_sched(struct request_queue *q,
				  struct elevator_type *e)
{
	struct elevator_queue *eq;
	struct pvio_bypass *pb;

	eq = elevator_alloc(q, e);
	if (!eq)
		return -ENOMEM;

	pb = kzalloc_node(sizeof(*pb), GFP_KERNEL, q->node);
	if (!pb) {
		kobject_put(&eq->kobj);
		return -ENOMEM;
	}
	spin_lock_init(&pb->lock);
	INIT_LIST_HEAD(&pb->fifo);
	eq->elevator_data = pb;

	/* one FIFO for the whole queue: let blk-mq run a single hctx */
	blk_queue_flag_set(QUEUE_FLAG_SQ_SCHED, q);
	q->elevator = eq;
	return 0;
}

/*
 * Called with the queue frozen, so every request we took has completed;
 * the elevator_queue itself is released by the core.
 */
static void pvio_bypass_exit_sched(struct elevator_queue *eq)
{
	struct pvio_bypass *pb = eq->elevator_data;

	WARN_ON_ONCE(!list_empty(&pb->fifo));
	kfree(pb);
}

/*
 * at_head is set for requeues and urgent requests: they go first.  The
 * insert tracepoint is the scheduler's to fire (mq-deadline, kyber and
 * bfq do); blktrace's "I" events and the FIFO test rely on it.
 */
static void pvio_bypass_insert_requests(struct blk_mq_hw_ctx *hctx,
					struct list_head *list,
					pvio_elv_insert_t flags)
{
	struct pvio_bypass *pb = pvio_bypass_of(hctx);
	bool at_head = pvio_elv_at_head(flags);
	struct request *rq, *next;

	list_for_each_entry(rq, list, queuelist)
		trace_block_rq_insert(rq);

	spin_lock(&pb->lock);
	if (at_head) {
		/* keep the batch's own order in front of older requests */
		list_for_each_entry_safe_reverse(rq, next, list, queuelist)
			list_move(&rq->queuelist, &pb->fifo);
	} else {
		list_splice_tail_init(list, &pb->fifo);
	}
	spin_unlock(&pb->lock);
}

static struct request *pvio_bypass_dispatch_request(struct blk_mq_hw_ctx *hctx)
{
	struct pvio_bypass *pb = pvio_bypass_of(hctx);
	struct request *rq;

	spin_lock(&pb->lock);
	rq = list_first_entry_or_null(&pb->fifo, struct request, queuelist);
	if (rq)
		list_del_init(&rq->queuelist);
	spin_unlock(&pb->lock);
	return rq;
}

/*
 * Without has_work blk-mq never dispatches what we hold; a lockless peek is
 * enough because inserting always kicks the queue again.
 */
static bool pvio_bypass_has_work(struct blk_mq_hw_ctx *hctx)
{
	return !list_empty_careful(&pvio_bypass_of(hctx)->fifo);
}

/*
 * Nothing to undo: no request carries scheduler state.  6.12 calls this
 * for every request that went through the scheduler and elv_register()
 * refuses an elevator without it; 6.1 calls it only after prepare_request
 * (which pvio_bypass does not have), so there it never runs.
 */
static void pvio_bypass_finish_request(struct request *rq)
{
}

static struct elevator_type pvio_bypass_sched = {
	.ops = {
		.init_sched		= pvio_bypass_init_sched,
		.exit_sched		= pvio_bypass_exit_sched,
		.insert_requests	= pvio_bypass_insert_requests,
		.dispatch_request	= pvio_bypass_dispatch_request,
		.has_work		= pvio_bypass_has_work,
		.finish_request		= pvio_bypass_finish_request,
	},
	.elevator_name = "pvio-bypass",
	.elevator_owner = THIS_MODULE,
};

static int __init pvio_bypass_init(void)
{
	return elv_register(&pvio_bypass_sched);
}

static void __exit pvio_bypass_exit(void)
{
	elv_unregister(&pvio_bypass_sched);
}

module_init(pvio_bypass_init);
module_exit(pvio_bypass_exit);

MODULE_ALIAS("pvio-bypass-iosched");
MODULE_DESCRIPTION("pvio-bypass: FIFO blk-mq I/O scheduler for virtual disks");
MODULE_LICENSE("GPL");
