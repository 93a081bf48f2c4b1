// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: mode 2, the batch exit.  With PVIO_CAP_BATCH_EXIT enabled the
 * ops no in-kernel device serves leave as one KVM_EXIT_PVIO per run.  These
 * cases check the run boundaries, the order around in-kernel devices
 * (including an ioeventfd that declines), what the host takes back from a
 * hostile VMM, and the resume rule across the new exit.  (pvio-vmm -2 runs
 * the positive behaviour cases in mode 2 as well.)
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "tcase.h"

#define BATCH_BITS	(PVIO_CAP_SERVE | PVIO_CAP_BATCH_EXIT)

static enum tres enable_mode2(struct vm *vm)
{
	if (!have_handler)
		return skip("no pvio handler in L1's KVM");
	if (vm_enable_pvio(vm, BATCH_BITS))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO, 3): %s", strerror(errno));
	return pass();
}

/* The VM's KVM_EXIT_PVIO count agrees with ours and with KVM's counters. */
static enum tres expect_exits(struct vm *vm, int want)
{
	long long batch = vm_stat(vm, "pvio_batch_exits");
	long long user = vm_stat(vm, "pvio_user_exits");

	if (vm->pvio_exits != want)
		return fail("%d KVM_EXIT_PVIO exits, want %d", vm->pvio_exits, want);
	if (batch != want || user != want)
		return fail("pvio_batch_exits %lld, pvio_user_exits %lld, want %d each",
			    batch, user, want);
	return pass();
}

/* Nine userspace ops of every kind and width: one exit carries them all. */
static enum tres t_one_exit(struct vm *vm)
{
	static const struct expect ops[] = {
		{ X_PIO_OUT, 0x500, 1, 0x11 }, { X_PIO_OUT, 0x502, 2, 0x2233 },
		{ X_PIO_OUT, 0x504, 4, 0x44556677 }, { X_PIO_IN, 0x510, 1, 0 },
		{ X_MMIO_W, GPA_MMIO, 4, 0xcafe }, { X_MMIO_R, GPA_MMIO + 8, 8, 0 },
		{ X_PIO_IN, 0x512, 2, 0 }, { X_PIO_OUT, 0x500, 1, 0x99 },
		{ X_MMIO_R, GPA_MMIO + 0x10, 2, 0 },
	};
	enum tres r = enable_mode2(vm);

	if (r == T_PASS)
		r = user_batch(vm, ops, ARRAY_SIZE(ops));
	if (r == T_PASS)
		r = expect_exits(vm, 1);
	if (r == T_PASS && (vm->pvio_first != 0 || vm->pvio_count != ARRAY_SIZE(ops)))
		return fail("the exit carried ops %u..+%u, want 0..+%zu",
			    vm->pvio_first, vm->pvio_count, ARRAY_SIZE(ops));
	return r;
}

/*
 * PIC ops in the middle end the runs: each runs in the kernel after every
 * op before it and before every op after it.
 */
static enum tres t_split(struct vm *vm)
{
	static const struct expect ops[] = {
		{ X_PIO_OUT, 0x500, 1, 0x01 }, { X_PIO_OUT, 0x501, 1, 0x02 },
		{ X_PIO_OUT, 0x21, 1, 0x11 },	/* PIC IMR */
		{ X_PIO_IN, 0x510, 1, 0 },
		{ X_PIO_IN, 0x21, 1, 0 },
		{ X_PIO_OUT, 0x502, 1, 0x03 },
	};
	const struct expect want[] = { ops[0], ops[1], ops[3], ops[5] };
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	enum tres r = enable_mode2(vm);

	if (r != T_PASS)
		return r;
	put_ops(o, ops, ARRAY_SIZE(ops));
	r = batch_ok(vm, GPA_ARRAY, ARRAY_SIZE(ops));
	if (r == T_PASS)
		r = check_log(vm, want, ARRAY_SIZE(want));
	if (r == T_PASS)
		r = expect_exits(vm, 3);
	if (r != T_PASS)
		return r;
	if (o[4].value != 0x11)
		return fail("IN 0x21 gave 0x%llx, want the 0x11 written before it",
			    (unsigned long long)o[4].value);
	if (o[3].value != answer_for(0x510, 1, 0))
		return fail("IN 0x510 gave 0x%llx", (unsigned long long)o[3].value);
	return pass();
}

static int add_ioeventfd(struct vm *vm, int efd, uint16_t port, uint8_t match)
{
	struct kvm_ioeventfd io = {
		.datamatch = match,
		.addr = port,
		.len = 1,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	return ioctl(vm->fd, KVM_IOEVENTFD, &io);
}

/*
 * An ioeventfd with datamatch on port 0x520 declines a write of another
 * value.  That write must still reach the VMM in its place (after the OUT
 * before it, before the matching write the eventfd takes), exactly once.
 */
static enum tres t_ioeventfd(struct vm *vm)
{
	static const struct expect ops[] = {
		{ X_PIO_OUT, 0x500, 1, 0x01 },
		{ X_PIO_OUT, 0x520, 1, 0x33 },	/* declined: not the datamatch */
		{ X_PIO_OUT, 0x520, 1, 0x5a },	/* the eventfd's */
		{ X_PIO_OUT, 0x501, 1, 0x02 },
	};
	const struct expect want[] = { ops[0], ops[1], ops[3] };
	enum tres r = enable_mode2(vm);
	uint64_t signals = 0;
	int efd;

	if (r != T_PASS)
		return r;
	efd = eventfd(0, EFD_NONBLOCK);
	if (efd < 0 || add_ioeventfd(vm, efd, 0x520, 0x5a))
		return fail("ioeventfd on port 0x520: %s", strerror(errno));
	put_ops(ops_at(vm, GPA_ARRAY), ops, ARRAY_SIZE(ops));
	r = batch_ok(vm, GPA_ARRAY, ARRAY_SIZE(ops));
	if (r == T_PASS)
		r = check_log(vm, want, ARRAY_SIZE(want));
	if (r == T_PASS)
		r = expect_exits(vm, 3);
	if (read(efd, &signals, sizeof(signals)) != sizeof(signals) && errno != EAGAIN)
		r = fail("reading the eventfd: %s", strerror(errno));
	close(efd);
	if (r == T_PASS && signals != 1)
		return fail("eventfd signalled %llu times, want 1",
			    (unsigned long long)signals);
	return r;
}

/*
 * The VMM rewrites kinds, widths, addresses, the write values, the rest of
 * the page and the exit struct, and sets the high bytes of every read value.
 * The guest gets each read's answer masked to its width and nothing else.
 */
static enum tres t_scribble(struct vm *vm)
{
	static const struct expect ops[] = {
		{ X_PIO_IN, 0x510, 1, 0 }, { X_PIO_OUT, 0x500, 1, 0x42 },
		{ X_PIO_IN, 0x512, 2, 0 }, { X_MMIO_R, GPA_MMIO, 4, 0 },
		{ X_MMIO_W, GPA_MMIO + 8, 8, 0x1122334455667788ULL },
		{ X_PIO_IN, 0x514, 4, 0 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	struct pvio_op before[ARRAY_SIZE(ops)];
	enum tres r = enable_mode2(vm);
	unsigned int i;

	if (r != T_PASS)
		return r;
	vm->pvio_scribble = true;
	r = user_batch(vm, ops, ARRAY_SIZE(ops));
	if (r != T_PASS)
		return r;
	put_ops(before, ops, ARRAY_SIZE(ops));
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!pvio_op_is_read(&o[i]) && memcmp(&o[i], &before[i], sizeof(*o)))
			return fail("write op %u changed in the guest's array", i);
	return expect_exits(vm, 1);
}

/*
 * vCPU0's exit is never answered; vCPU1 meanwhile runs whole batches of its
 * own, and the VM is destroyed with vCPU0's exit still out.
 */
static enum tres t_unanswered(struct vm *vm)
{
	static const struct expect a[] = {
		{ X_PIO_OUT, 0x500, 1, 0x01 }, { X_PIO_OUT, 0x501, 1, 0x02 },
	};
	static const struct expect b[] = {
		{ X_PIO_OUT, 0x600, 1, 0x06 }, { X_PIO_IN, 0x610, 1, 0 },
	};
	struct kvm_regs regs;
	long long ret;
	enum tres r = enable_mode2(vm);
	int k;

	if (r == T_PASS)
		r = hold_first_exit(vm, GPA_ARRAY, ops_at(vm, GPA_ARRAY), a, 2);
	if (r != T_PASS)
		return r;
	put_ops(ops_at(vm, GPA_ARRAY2), b, 2);
	for (k = 0; k < 3; k++) {
		if (call_on(vm, 1, PVIO_FN_BATCH, GPA_ARRAY2, 2, &ret) || ret != 2)
			return fail("vCPU1's batch %d did not complete (%lld)", k, ret);
	}
	if (vm->pvio_exits != 4 || vm->nlog != 2 + 3 * 2)
		return fail("%d exits, %d accesses; want 4 and 8", vm->pvio_exits, vm->nlog);
	if (vcpu_get_regs(vm, 0, &regs))
		return fail("KVM_GET_REGS");
	if (regs.rbx != PVIO_FN_RESUME(0))
		return fail("vCPU0's RBX 0x%llx during the exit, want PVIO_FN_RESUME(0)",
			    (unsigned long long)regs.rbx);
	return pass();
}

/*
 * Resume rule across KVM_EXIT_PVIO: the VMM serves the first run (IN 0x80),
 * completes it with immediate_exit, which runs the PIC op in the kernel and
 * hands out the second run (OUT 0x84, OUT 0x88) with RBX = RESUME(2).  It
 * saves the vCPU there and restores it with guest memory into a fresh VM.
 * The destination runs exactly ops 2 and 3, in one exit.
 */
static enum tres migrate(struct vm *vm, struct vm *dst)
{
	static const struct expect ops[] = {
		{ X_PIO_IN, 0x80, 1, 0 },
		{ X_PIO_OUT, 0x21, 1, 0x11 },
		{ X_PIO_OUT, 0x84, 1, 0x22 },
		{ X_PIO_OUT, 0x88, 1, 0x33 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	struct kvm_regs regs;
	uint64_t answer;
	enum tres r = enable_mode2(vm);

	if (r == T_PASS)
		r = hold_first_exit(vm, GPA_ARRAY, o, ops, ARRAY_SIZE(ops));
	if (r != T_PASS)
		return r;
	answer = vm->log[0].value;
	if (vm_migrate(vm, dst))
		return fail("migration failed");
	if (vm->vcpu[0].run->exit_reason != KVM_EXIT_PVIO)
		return fail("KVM_RUN with immediate_exit gave exit %u, want KVM_EXIT_PVIO",
			    vm->vcpu[0].run->exit_reason);
	if (vcpu_get_regs(dst, 0, &regs))
		return fail("KVM_GET_REGS");
	if (regs.rbx != PVIO_FN_RESUME(2))
		return fail("saved RBX 0x%llx, want PVIO_FN_RESUME(2)",
			    (unsigned long long)regs.rbx);
	if (vm_enable_pvio(dst, BATCH_BITS))
		return fail("destination: KVM_ENABLE_CAP: %s", strerror(errno));
	r = finish(dst, 0, &regs, "the destination's call");
	if (r == T_PASS)
		r = check_log(dst, ops + 2, 2);
	if (r != T_PASS)
		return r;
	if (dst->pvio_exits != 1)
		return fail("destination took %d exits, want 1", dst->pvio_exits);
	return check_migrated(dst, &regs, 4, answer);
}

static enum tres t_migrate(struct vm *vm)
{
	return with_destination(vm, migrate);
}

static const struct tcase mode2_cases[] = {
	{ "mode 2: nine userspace ops of every kind leave as one exit", t_one_exit },
	{ "mode 2: in-kernel ops end the runs, order kept", t_split },
	{ "mode 2: a declining ioeventfd's write goes out in its place, once", t_ioeventfd },
	{ "mode 2: the VMM scribbling on the exit changes only masked read values",
	  t_scribble },
	{ "mode 2: an exit never answered holds no other vCPU", t_unanswered,
	  .flags = C_TWO_VCPUS },
	{ "mode 2: saved at the second run, restored elsewhere, runs ops 2-3 once",
	  t_migrate },
};

void add_mode2_cases(void)
{
	add_cases(mode2_cases, ARRAY_SIZE(mode2_cases));
}
