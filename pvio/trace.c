// SPDX-License-Identifier: GPL-2.0
/*
 * pvio's trace events (trace.h) are created here, and the hooks that run
 * when the first probe of pvio:pvio_flush registers or the last goes.
 */
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/*
 * Native batches run each op in place, inline in the driver, and never
 * reach the flush code: tracing flushes needs them to queue.  So the first
 * probe turns the in-place path off, for good (pvio_inplace_off()).  The
 * cost of a traced native batch is then one call per op and per flush.
 */
int pvio_trace_flush_reg(void)
{
	pvio_inplace_off();
	return 0;
}

void pvio_trace_flush_unreg(void)
{
}
