// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: the behaviour cases (probe, ordering, write-back, in-kernel
 * devices, MMIO, limits), the mid-batch rewrite by a second vCPU and the
 * stress runs.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "tcase.h"

static enum tres t_probe(struct vm *vm)
{
	long long ret;

	if (call(vm, PVIO_FN_PROBE, 0, 0, &ret))
		return fail("probe call did not complete");
	if (ret == -KVM_ENOSYS)
		return skip("no pvio handler in L1's KVM (probe: -KVM_ENOSYS)");
	if (ret != PVIO_ABI_VERSION)
		return fail("probe returned %lld, want %d", ret, PVIO_ABI_VERSION);
	if (vm->nlog)
		return fail("probe caused %d userspace exits", vm->nlog);
	return pass();
}

/* Batches whose every op reaches this VMM (user_batch() checks them). */
struct user_case {
	int n;
	struct expect e[9];
};

/* widths 1/2/4 over 4 ports; runs to one port may leave as one exit */
static const struct user_case out_order = { 9, {
	{ X_PIO_OUT, 0x500, 1, 0x11 }, { X_PIO_OUT, 0x500, 1, 0x22 },
	{ X_PIO_OUT, 0x500, 1, 0x33 }, { X_PIO_OUT, 0x502, 2, 0x4455 },
	{ X_PIO_OUT, 0x504, 4, 0x66778899 }, { X_PIO_OUT, 0x500, 1, 0x44 },
	{ X_PIO_OUT, 0x503, 1, 0xaa }, { X_PIO_OUT, 0x504, 4, 0xfedcba98 },
	{ X_PIO_OUT, 0x504, 4, 0x01234567 },
} };

/* repeated reads of one port too: each gets its own answer */
static const struct user_case in_results = { 6, {
	{ X_PIO_IN, 0x510, 1, 0 }, { X_PIO_IN, 0x512, 2, 0 }, { X_PIO_IN, 0x514, 4, 0 },
	{ X_PIO_OUT, 0x516, 1, 0x77 }, { X_PIO_IN, 0x510, 1, 0 }, { X_PIO_IN, 0x510, 1, 0 },
} };

/* widths 1/2/4/8, outside any memslot and in-kernel device */
static const struct user_case mmio = { 6, {
	{ X_MMIO_W, GPA_MMIO + 0x00, 4, 0x11223344 }, { X_MMIO_R, GPA_MMIO + 0x08, 8, 0 },
	{ X_MMIO_W, GPA_MMIO + 0x10, 1, 0x55 }, { X_MMIO_R, GPA_MMIO + 0x12, 2, 0 },
	{ X_MMIO_W, GPA_MMIO + 0x18, 8, 0x0102030405060708ULL },
	{ X_MMIO_R, GPA_MMIO + 0x04, 4, 0 },
} };

static enum tres t_user(struct vm *vm)
{
	const struct user_case *c = case_arg;

	return user_batch(vm, c->e, c->n);
}

/* The in-kernel PIC and PIT: state changed as the ops say, seen from the host. */
static enum tres pic_pit_state(struct vm *vm)
{
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_pit_state2 pit;

	if (ioctl(vm->fd, KVM_GET_IRQCHIP, &chip))
		return fail("KVM_GET_IRQCHIP: %s", strerror(errno));
	if (chip.chip.pic.imr != 0x5b)
		return fail("in-kernel PIC imr 0x%x, want 0x5b", chip.chip.pic.imr);
	if (ioctl(vm->fd, KVM_GET_PIT2, &pit))
		return fail("KVM_GET_PIT2: %s", strerror(errno));
	if (pit.channels[0].mode != 2 || pit.channels[0].rw_mode != 3)
		return fail("in-kernel PIT ch0 mode %u rw %u, want 2/3",
			    pit.channels[0].mode, pit.channels[0].rw_mode);
	return pass();
}

/* Batches that in-kernel devices serve whole; each read's result is given. */
struct kernel_case {
	int n;
	struct expect e[9];
	enum tres (*state)(struct vm *vm);	/* the devices' state afterwards */
};

static const struct kernel_case pic_pit = { 9, {
	{ X_PIO_OUT, 0x21, 1, 0xa5 },		/* PIC master IMR */
	{ X_PIO_IN, 0x21, 1, 0xa5 },
	{ X_PIO_OUT, 0x21, 1, 0x5b },
	{ X_PIO_IN, 0x21, 1, 0x5b },
	{ X_PIO_OUT, 0x43, 1, 0x34 },		/* PIT ch0 lo/hi, mode 2 */
	{ X_PIO_OUT, 0x40, 1, 0x00 },
	{ X_PIO_OUT, 0x40, 1, 0x00 },
	{ X_PIO_OUT, 0x43, 1, 0xe2 },		/* read-back: status of ch0 */
	{ X_PIO_IN, 0x40, 1, 0x34, 0x7f },	/* bit 7 (output) is free */
}, pic_pit_state };

static const struct kernel_case apics = { 6, {
	{ X_MMIO_W, GPA_IOAPIC, 4, 0x01 },		/* IOREGSEL = version */
	{ X_MMIO_R, GPA_IOAPIC + 0x10, 4, 0x170011 },	/* IOWIN */
	{ X_MMIO_R, GPA_IOAPIC, 4, 0x01 },		/* IOREGSEL back */
	{ X_MMIO_R, GPA_LAPIC + 0x30, 4, 0x14, 0xff },	/* LAPIC version */
	{ X_MMIO_W, GPA_LAPIC + 0x80, 4, 0x20 },	/* TPR */
	{ X_MMIO_R, GPA_LAPIC + 0x80, 4, 0x20 },
} };

/* Whether each read op of @e[0..n) gave its expected result in @o. */
static enum tres check_results(const struct pvio_op *o, const struct expect *e, int n)
{
	uint64_t mask;
	int i;

	for (i = 0; i < n; i++) {
		mask = e[i].mask ? e[i].mask : ~0ULL;
		if ((e[i].kind == X_PIO_IN || e[i].kind == X_MMIO_R) &&
		    (o[i].value & mask) != e[i].value)
			return fail("op %d (%s 0x%llx) read 0x%llx, want 0x%llx under mask 0x%llx",
				    i, kind_name(e[i].kind), (unsigned long long)e[i].addr,
				    (unsigned long long)o[i].value,
				    (unsigned long long)e[i].value, (unsigned long long)mask);
	}
	return pass();
}

/* A kernel_case: nothing reaches the VMM, the reads give what they must. */
static enum tres t_kernel(struct vm *vm)
{
	const struct kernel_case *c = case_arg;
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	enum tres r;

	put_ops(o, c->e, c->n);
	r = batch_ok(vm, GPA_ARRAY, c->n);
	if (r != T_PASS)
		return r;
	if (vm->nlog) {
		dump_log(vm);
		return fail("%d in-kernel accesses reached userspace", vm->nlog);
	}
	r = check_results(o, c->e, c->n);
	if (r == T_PASS && c->state)
		r = c->state(vm);
	return r;
}

/* In-kernel and userspace devices and MMIO interleaved: order is kept. */
static enum tres t_mixed(struct vm *vm)
{
	static const struct expect ops[] = {
		{ X_PIO_OUT, 0x21, 1, 0x11 },
		{ X_PIO_OUT, 0x500, 1, 0x01 },
		{ X_PIO_IN, 0x21, 1, 0 },
		{ X_MMIO_W, GPA_MMIO, 4, 0xcafe },
		{ X_PIO_OUT, 0x21, 1, 0x22 },
		{ X_PIO_IN, 0x510, 2, 0 },
		{ X_PIO_IN, 0x21, 1, 0 },
	};
	/* what of it reaches userspace */
	const struct expect want[] = { ops[1], ops[3], ops[5] };
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	enum tres r;

	put_ops(o, ops, ARRAY_SIZE(ops));
	r = batch_ok(vm, GPA_ARRAY, ARRAY_SIZE(ops));
	if (r == T_PASS)
		r = check_log(vm, want, ARRAY_SIZE(want));
	if (r != T_PASS)
		return r;
	if (o[2].value != 0x11 || o[6].value != 0x22)
		return fail("PIC IMR read back 0x%llx/0x%llx, want 0x11/0x22",
			    (unsigned long long)o[2].value,
			    (unsigned long long)o[6].value);
	if (o[5].value != answer_for(0x510, 2, 0))
		return fail("IN 0x510 gave 0x%llx", (unsigned long long)o[5].value);
	return pass();
}

/* PVIO_MAX_OPS ops in an array that ends exactly at its page's end. */
static enum tres t_max_batch(struct vm *vm)
{
	uint64_t gpa = GPA_ARRAY + 4096 - PVIO_MAX_OPS * PVIO_OP_SIZE;
	struct pvio_op *o = ops_at(vm, gpa);
	enum tres r;
	int i, k;

	/* runs of 2, 3, 4, ... OUTs to one port (rotating ports): merged exits */
	for (i = 0, k = 0; i < PVIO_MAX_OPS; i++) {
		if (i == k * (k + 1) / 2 + k)
			k++;
		op(&o[i], PVIO_OP_PIO_OUT, 1, 0x500 + (k & 3), i & 0xff);
	}
	r = batch_ok(vm, gpa, PVIO_MAX_OPS);
	if (r != T_PASS)
		return r;
	if (vm->nlog != PVIO_MAX_OPS) {
		dump_log(vm);
		return fail("%d accesses reached the VMM, want %d", vm->nlog, PVIO_MAX_OPS);
	}
	for (i = 0; i < PVIO_MAX_OPS; i++) {
		const struct xent *x = &vm->log[i];

		if (x->kind != X_PIO_OUT || x->addr != o[i].addr ||
		    x->size != 1 || x->value != o[i].value)
			return fail("access %d: %s 0x%llx = 0x%llx, want out 0x%llx = 0x%llx",
				    i, kind_name(x->kind), (unsigned long long)x->addr,
				    (unsigned long long)x->value,
				    (unsigned long long)o[i].addr,
				    (unsigned long long)o[i].value);
	}
	return pass();
}

/*
 * vCPU0 issues a batch whose first op leaves to userspace.  While that exit
 * is held, vCPU1 rewrites the whole array through guest stores.  The host
 * must finish the batch it copied in, not the rewritten one.
 */
static enum tres t_rewrite(struct vm *vm)
{
	static const struct expect want[] = {
		{ X_PIO_OUT, 0x500, 1, 0x01 },
		{ X_PIO_OUT, 0x501, 1, 0x02 },
		{ X_PIO_OUT, 0x502, 2, 0x0303 },
		{ X_PIO_IN, 0x503, 1, 0 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	struct pvio_op *repl = ops_at(vm, GPA_ARRAY2);
	struct kvm_regs regs;
	enum tres r;
	int i, n = 4;

	for (i = 0; i < n; i++)
		op(&repl[i], PVIO_OP_PIO_OUT, 4, 0x600 + 4 * i, 0xeeeeeeee);
	r = hold_first_exit(vm, GPA_ARRAY, o, want, n);
	if (r != T_PASS)
		return r;

	/* vcpu0 sits in its first exit; vcpu1 overwrites the array */
	if (vcpu_get_regs(vm, 1, &regs))
		return fail("vcpu1 regs");
	regs.rip = guest_entry(g_copy);
	regs.rsi = GPA_ARRAY2;
	regs.rdi = GPA_ARRAY;
	regs.rcx = n * PVIO_OP_SIZE / 8;
	regs.rflags = vm->rflags;
	if (vcpu_set_regs(vm, 1, &regs))
		return fail("vcpu1 setup");
	r = finish(vm, 1, &regs, "vcpu1's copy");
	if (r != T_PASS)
		return r;
	if (memcmp(o, repl, n * PVIO_OP_SIZE))
		return fail("vcpu1's stores did not land in the array");
	r = finish(vm, 0, &regs, "vcpu0's batch");
	if (r != T_PASS)
		return r;
	if ((long long)regs.rax != n)
		return fail("batch returned %lld, want %d", (long long)regs.rax, n);
	return check_log(vm, want, n);
}

static enum tres stress(struct vm *vm, long nr, int nops, bool userspace)
{
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	long long hc0, hc1, ex0, ex1, io0, io1;
	struct timespec t0, t1;
	struct kvm_regs regs;
	enum run_result r;
	double secs;
	long i;
	int k;

	for (k = 0; k < nops; k++) {
		if (userspace)
			op(&o[k], PVIO_OP_PIO_OUT, 1, 0x500 + k, k + 1);
		else
			op(&o[k], (k & 1) ? PVIO_OP_PIO_IN : PVIO_OP_PIO_OUT, 1,
			   0x21, 0xff);
	}
	if (vcpu_set_loop(vm, 0, GPA_ARRAY, nops, nr))
		return fail("cannot set up the loop");

	hc0 = vm_stat(vm, "hypercalls");
	ex0 = vm_stat(vm, "exits");
	io0 = vm_stat(vm, "io_exits");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = vm_run(vm, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	hc1 = vm_stat(vm, "hypercalls");
	ex1 = vm_stat(vm, "exits");
	io1 = vm_stat(vm, "io_exits");
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	if (vcpu_get_regs(vm, 0, &regs))
		return fail("KVM_GET_REGS");
	if (r == RUN_GUEST_FAIL) {
		if ((long long)regs.rax == -KVM_ENOSYS && regs.r8 == (uint64_t)nr)
			return no_handler((long long)regs.rax);
		return fail("call %ld of %ld returned %lld, want %d",
			    nr - (long)regs.r8 + 1, nr, (long long)regs.rax, nops);
	}
	if (r != RUN_DONE)
		return fail("run result %d after %ld calls", r, nr - (long)regs.r8);
	diag("%ld batches of %d ops in %.2f s (%.0f/s); deltas: hypercalls %lld, exits %lld, io_exits %lld; userspace accesses %d",
	     nr, nops, secs, nr / secs, hc1 - hc0, ex1 - ex0, io1 - io0, vm->nlog);
	if (hc0 < 0 || hc1 < 0)
		return fail("cannot read the hypercalls counter (debugfs mounted?)");
	if (hc1 - hc0 != nr)
		return fail("hypercalls counter grew by %lld, want %ld", hc1 - hc0, nr);
	if (ex1 - ex0 < nr)
		return fail("exits counter grew by %lld, want >= %ld", ex1 - ex0, nr);
	if (!userspace) {
		if (vm->nlog)
			return fail("%d in-kernel accesses reached userspace", vm->nlog);
		if (o[1].value != 0xff)
			return fail("last IN 0x21 gave 0x%llx", (unsigned long long)o[1].value);
		return pass();
	}
	if (vm->nlog != nr * nops)
		return fail("%d accesses reached userspace, want %ld", vm->nlog, nr * nops);
	for (i = 0; i < vm->nlog; i++) {
		const struct xent *x = &vm->log[i];

		k = i % nops;
		if (x->kind != X_PIO_OUT || x->addr != 0x500U + k || x->value != (uint64_t)k + 1)
			return fail("access %ld: %s 0x%llx = 0x%llx, want out 0x%x = 0x%x",
				    i, kind_name(x->kind), (unsigned long long)x->addr,
				    (unsigned long long)x->value, 0x500 + k, k + 1);
	}
	return pass();
}

static enum tres t_stress_kernel(struct vm *vm)
{
	return stress(vm, 5000, 2, false);
}

static enum tres t_stress_userspace(struct vm *vm)
{
	return stress(vm, 250, 4, true);	/* 1000 exits: fits the log */
}

static const struct tcase behaviour[] = {
	{ "probe returns PVIO_ABI_VERSION", t_probe },
	{ "OUT batch reaches the VMM in order", t_user, &out_order, C_POSITIVE },
	{ "IN results land in guest memory", t_user, &in_results, C_POSITIVE },
	{ "PIC/PIT ops stay in the kernel", t_kernel, &pic_pit, C_POSITIVE },
	{ "MMIO ops exit to the VMM, reads answered", t_user, &mmio, C_POSITIVE },
	{ "mixed in-kernel/userspace/MMIO batch keeps order", t_mixed, .flags = C_POSITIVE },
	{ "IOAPIC/LAPIC MMIO ops stay in the kernel", t_kernel, &apics, C_POSITIVE },
	{ "PVIO_MAX_OPS ops ending at the page end run in order", t_max_batch,
	  .flags = C_POSITIVE },
	{ "attack: array rewritten by vCPU1 mid-batch", t_rewrite, .flags = C_TWO_VCPUS },
	{ "stress: 5000 in-kernel batches, counters add up", t_stress_kernel },
	{ "stress: 250 userspace batches of 4 OUTs, all in order", t_stress_userspace },
};

void add_behaviour_cases(void)
{
	add_cases(behaviour, ARRAY_SIZE(behaviour));
}
