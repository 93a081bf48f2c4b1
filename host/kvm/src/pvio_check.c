// SPDX-License-Identifier: GPL-2.0
/*
 * pvio: fetch and validation of a PVIO_FN_BATCH op array.
 *
 * This file is shared verbatim between kvm.ko and the userspace fuzzer in
 * the pvio repository (tests/fuzz); keep it free of KVM and libc specifics.
 */
#include "pvio_check.h"

/**
 * pvio_fetch_batch - copy a batch in once and validate all of it
 * @g:     guest memory accessors
 * @gpa:   guest-physical address of the op array (hypercall argument)
 * @count: number of ops (hypercall argument)
 * @ops:   kernel buffer of PVIO_MAX_OPS ops that receives the copy
 *
 * Guest memory is read once, by a single @g->read call; everything after
 * that looks at @ops only, so a guest (or another vCPU) rewriting the array
 * meanwhile cannot change what is validated or executed.
 *
 * The checks, in order; the first failure decides the result:
 *  1. count and placement of the array (pvio_batch_check()):
 *     PVIO_ECOUNT, PVIO_EARRAY;
 *  2. the array is readable guest RAM: PVIO_EFAULT;
 *  3. each op in array order: pvio_op_check() (PVIO_EKIND, PVIO_EWIDTH,
 *     PVIO_ERANGE), then for an MMIO op, its address is below
 *     @g->gpa_limit: PVIO_ERANGE, and not guest RAM: PVIO_ERAM;
 *  4. if any op reads, the array can be written back: PVIO_EFAULT.
 *
 * Return: 0 if the batch may be executed, else a positive PVIO_E* code.
 */
int pvio_fetch_batch(const struct pvio_guest *g, u64 gpa, u64 count,
		     struct pvio_op *ops)
{
	bool reads = false;
	unsigned int i;
	int err;

	err = pvio_batch_check(gpa, count);
	if (err)
		return err;

	if (g->read(g->ctx, gpa, ops, count * sizeof(*ops)))
		return PVIO_EFAULT;

	for (i = 0; i < count; i++) {
		const struct pvio_op *op = &ops[i];

		err = pvio_op_check(op);
		if (err)
			return err;
		if (!pvio_op_is_pio(op) && op->addr >= g->gpa_limit)
			return PVIO_ERANGE;
		if (!pvio_op_is_pio(op) && g->is_ram(g->ctx, op->addr))
			return PVIO_ERAM;
		if (pvio_op_is_read(op))
			reads = true;
	}

	if (reads && !g->writable(g->ctx, gpa))
		return PVIO_EFAULT;

	return 0;
}

/**
 * pvio_run_length - number of like port ops starting at @first
 * @ops:       validated op array
 * @first:     index of the first op of the run, below @count
 * @count:     number of ops in @ops
 * @max_bytes: limit on the run's data (the size of the PIO data page)
 *
 * Port ops are alike when kind (OUT or IN), port and width are the same;
 * such a run can leave to userspace as one KVM_EXIT_IO with count > 1.
 * MMIO ops are never merged.
 *
 * Return: the run length, at least 1.
 */
unsigned int pvio_run_length(const struct pvio_op *ops, unsigned int first,
			     unsigned int count, unsigned int max_bytes)
{
	const struct pvio_op *a = &ops[first];
	unsigned int n = 1;

	if (!pvio_op_is_pio(a))
		return 1;

	while (first + n < count && (n + 1) * a->width <= max_bytes) {
		const struct pvio_op *b = &ops[first + n];

		if (b->kind != a->kind || b->width != a->width ||
		    b->addr != a->addr)
			break;
		n++;
	}
	return n;
}

/**
 * pvio_batch_run_length - number of ops for one mode 2 exit
 * @ops:       validated op array
 * @first:     index of the first op of the run, below @count; it goes out
 *             whatever @may_claim says (the kernel already declined it)
 * @count:     number of ops in @ops
 * @may_claim: true if an in-kernel device might serve the op
 * @ctx:       passed to @may_claim
 *
 * The run ends before the first later op an in-kernel device may claim, so
 * that op runs in the kernel after every op before it.
 *
 * Return: the run length, at least 1.
 */
unsigned int pvio_batch_run_length(const struct pvio_op *ops,
				   unsigned int first, unsigned int count,
				   bool (*may_claim)(void *ctx,
						     const struct pvio_op *op),
				   void *ctx)
{
	unsigned int n = 1;

	while (first + n < count && !may_claim(ctx, &ops[first + n]))
		n++;
	return n;
}
