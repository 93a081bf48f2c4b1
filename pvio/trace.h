/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio trace events: one per flush that leaves the inline path, one per
 * chunk the host refused.  perf trace -e 'pvio:*', bpftrace and tracefs
 * (events/pvio/) read them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pvio

#if !defined(_PVIO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PVIO_TRACE_H

#include <linux/sched/clock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "internal.h"

/* the batch's name as the events keep it */
#define PVIO_TRACE_USER_LEN	sizeof_field(struct pv_io_batch, name)

TRACE_DEFINE_ENUM(PV_IO_NATIVE);
TRACE_DEFINE_ENUM(PV_IO_HYPERCALL);

#define pvio_show_transport(t)					\
	__print_symbolic(t, { PV_IO_NATIVE, "native" },		\
			 { PV_IO_HYPERCALL, "hypercall" })

/*
 * A flush of @ops queued ops (an auto flush when queueing found the batch
 * full).  @calls hypercalls went out; @result is 0, or the first error the
 * host answered (then the chunk ran natively, or its reads were lost:
 * -PVIO_ELOST).  @t0 is local_clock() at the start, 0 if unknown.
 * Registering a probe turns the in-place path of native batches off (see
 * pvio_trace_flush_reg()), so native flushes come here too.
 */
TRACE_EVENT_FN(pvio_flush,
	       TP_PROTO(const struct pv_io_batch *b, unsigned int ops,
			int auto_flush, unsigned int calls, int result, u64 t0),
	       TP_ARGS(b, ops, auto_flush, calls, result, t0),
	       TP_STRUCT__entry(__array(char, user, PVIO_TRACE_USER_LEN)
				__field(unsigned int, ops)
				__field(unsigned int, transport)
				__field(unsigned int, hypercalls)
				__field(int, result)
				__field(u8, auto_flush)
				__field(u64, ns)),
	       TP_fast_assign(strscpy(__entry->user, b->name, PVIO_TRACE_USER_LEN);
			      __entry->ops = ops;
			      __entry->transport = b->transport;
			      __entry->hypercalls = calls;
			      __entry->result = result;
			      __entry->auto_flush = auto_flush;
			      __entry->ns = t0 ? local_clock() - t0 : 0;),
	       TP_printk("user=%s ops=%u transport=%s hypercalls=%u result=%d auto=%u ns=%llu",
			 __entry->user, __entry->ops,
			 pvio_show_transport(__entry->transport),
			 __entry->hypercalls, __entry->result,
			 __entry->auto_flush, __entry->ns),
	       pvio_trace_flush_reg, pvio_trace_flush_unreg);

/*
 * The host refused ops [@first, @first + @ops) of a flush with @ret (nothing
 * ran there); they now run natively.  @injected: a test build's injected
 * error.
 */
TRACE_EVENT(pvio_fallback,
	    TP_PROTO(const struct pv_io_batch *b, unsigned int first,
		     unsigned int ops, long ret, int injected),
	    TP_ARGS(b, first, ops, ret, injected),
	    TP_STRUCT__entry(__array(char, user, PVIO_TRACE_USER_LEN)
			     __field(unsigned int, first)
			     __field(unsigned int, ops)
			     __field(long, ret)
			     __field(u8, injected)),
	    TP_fast_assign(strscpy(__entry->user, b->name, PVIO_TRACE_USER_LEN);
			   __entry->first = first;
			   __entry->ops = ops;
			   __entry->ret = ret;
			   __entry->injected = injected;),
	    TP_printk("user=%s first=%u ops=%u ret=%ld injected=%u",
		      __entry->user, __entry->first, __entry->ops,
		      __entry->ret, __entry->injected));

#endif /* _PVIO_TRACE_H */

/* define_trace.h looks for this file by path: the module's own directory */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
