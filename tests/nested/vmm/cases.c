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

enum tres t_probe(struct vm *vm)
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

enum tres t_out_order(struct vm *vm)
{
	static const struct expect want[] = {
		{ X_PIO_OUT, 0x500, 1, 0x11 },
		{ X_PIO_OUT, 0x500, 1, 0x22 },
		{ X_PIO_OUT, 0x500, 1, 0x33 },
		{ X_PIO_OUT, 0x502, 2, 0x4455 },
		{ X_PIO_OUT, 0x504, 4, 0x66778899 },
		{ X_PIO_OUT, 0x500, 1, 0x44 },
		{ X_PIO_OUT, 0x503, 1, 0xaa },
		{ X_PIO_OUT, 0x504, 4, 0xfedcba98 },
		{ X_PIO_OUT, 0x504, 4, 0x01234567 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	int i, n = ARRAY_SIZE(want);
	long long ret;

	for (i = 0; i < n; i++)
		op(&o[i], PVIO_OP_PIO_OUT, want[i].size, want[i].addr, want[i].value);
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, n, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != n)
		return fail("batch returned %lld, want %d", ret, n);
	return check_log(vm, want, n);
}

enum tres t_in_results(struct vm *vm)
{
	static const struct expect want[] = {
		{ X_PIO_IN, 0x510, 1, 0 },
		{ X_PIO_IN, 0x512, 2, 0 },
		{ X_PIO_IN, 0x514, 4, 0 },
		{ X_PIO_OUT, 0x516, 1, 0x77 },
		{ X_PIO_IN, 0x510, 1, 0 },
		{ X_PIO_IN, 0x510, 1, 0 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	int i, n = ARRAY_SIZE(want);
	unsigned int nth = 0;
	long long ret;
	enum tres r;

	for (i = 0; i < n; i++) {
		bool in = want[i].kind == X_PIO_IN;

		op(&o[i], in ? PVIO_OP_PIO_IN : PVIO_OP_PIO_OUT, want[i].size,
		   want[i].addr, want[i].value);
		if (in)
			o[i].value = 0xdeadbeefdeadbeefULL;	/* must be overwritten */
	}
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, n, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != n)
		return fail("batch returned %lld, want %d", ret, n);
	r = check_log(vm, want, n);
	if (r != T_PASS)
		return r;
	/* reads are answered in order, so the nth read got answer_for(.., nth) */
	for (i = 0; i < n; i++) {
		uint64_t exp;

		if (want[i].kind != X_PIO_IN)
			continue;
		exp = answer_for(want[i].addr, want[i].size, nth++);
		if (o[i].value != exp)
			return fail("op %d: guest array holds 0x%llx, want 0x%llx",
				    i, (unsigned long long)o[i].value,
				    (unsigned long long)exp);
	}
	return pass();
}

enum tres t_in_kernel_pio(struct vm *vm)
{
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct kvm_pit_state2 pit;
	long long ret;

	op(&o[0], PVIO_OP_PIO_OUT, 1, 0x21, 0xa5);	/* PIC master IMR */
	op(&o[1], PVIO_OP_PIO_IN, 1, 0x21, 0);
	op(&o[2], PVIO_OP_PIO_OUT, 1, 0x21, 0x5b);
	op(&o[3], PVIO_OP_PIO_IN, 1, 0x21, 0);
	op(&o[4], PVIO_OP_PIO_OUT, 1, 0x43, 0x34);	/* PIT ch0 lo/hi, mode 2 */
	op(&o[5], PVIO_OP_PIO_OUT, 1, 0x40, 0x00);
	op(&o[6], PVIO_OP_PIO_OUT, 1, 0x40, 0x00);
	op(&o[7], PVIO_OP_PIO_OUT, 1, 0x43, 0xe2);	/* read-back: status of ch0 */
	op(&o[8], PVIO_OP_PIO_IN, 1, 0x40, 0);
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, 9, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != 9)
		return fail("batch returned %lld, want 9", ret);
	if (vm->nlog) {
		dump_log(vm);
		return fail("%d in-kernel accesses reached userspace", vm->nlog);
	}
	if (o[1].value != 0xa5 || o[3].value != 0x5b)
		return fail("PIC IMR read back 0x%llx/0x%llx, want 0xa5/0x5b",
			    (unsigned long long)o[1].value,
			    (unsigned long long)o[3].value);
	if ((o[8].value & 0x7f) != 0x34)
		return fail("PIT status 0x%llx, want 0x34 (bit 7 free)",
			    (unsigned long long)o[8].value);
	/* the devices' own state, from the host side */
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

enum tres t_mmio(struct vm *vm)
{
	static const struct expect want[] = {
		{ X_MMIO_W, GPA_MMIO + 0x00, 4, 0x11223344 },
		{ X_MMIO_R, GPA_MMIO + 0x08, 8, 0 },
		{ X_MMIO_W, GPA_MMIO + 0x10, 1, 0x55 },
		{ X_MMIO_R, GPA_MMIO + 0x12, 2, 0 },
		{ X_MMIO_W, GPA_MMIO + 0x18, 8, 0x0102030405060708ULL },
		{ X_MMIO_R, GPA_MMIO + 0x04, 4, 0 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	int i, n = ARRAY_SIZE(want);
	unsigned int nth = 0;
	long long ret;
	enum tres r;

	for (i = 0; i < n; i++) {
		bool rd = want[i].kind == X_MMIO_R;

		op(&o[i], rd ? PVIO_OP_MMIO_READ : PVIO_OP_MMIO_WRITE,
		   want[i].size, want[i].addr, want[i].value);
	}
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, n, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != n)
		return fail("batch returned %lld, want %d", ret, n);
	r = check_log(vm, want, n);
	if (r != T_PASS)
		return r;
	for (i = 0; i < n; i++) {
		uint64_t exp;

		if (want[i].kind != X_MMIO_R)
			continue;
		exp = answer_for(want[i].addr, want[i].size, nth++);
		if (o[i].value != exp)
			return fail("op %d: guest array holds 0x%llx, want 0x%llx",
				    i, (unsigned long long)o[i].value,
				    (unsigned long long)exp);
	}
	return pass();
}

/* In-kernel and userspace devices and MMIO interleaved: order is kept. */
enum tres t_mixed(struct vm *vm)
{
	static const struct expect want[] = {
		{ X_PIO_OUT, 0x500, 1, 0x01 },
		{ X_MMIO_W, GPA_MMIO, 4, 0xcafe },
		{ X_PIO_IN, 0x510, 2, 0 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	long long ret;
	enum tres r;

	op(&o[0], PVIO_OP_PIO_OUT, 1, 0x21, 0x11);
	op(&o[1], PVIO_OP_PIO_OUT, 1, 0x500, 0x01);
	op(&o[2], PVIO_OP_PIO_IN, 1, 0x21, 0);
	op(&o[3], PVIO_OP_MMIO_WRITE, 4, GPA_MMIO, 0xcafe);
	op(&o[4], PVIO_OP_PIO_OUT, 1, 0x21, 0x22);
	op(&o[5], PVIO_OP_PIO_IN, 2, 0x510, 0);
	op(&o[6], PVIO_OP_PIO_IN, 1, 0x21, 0);
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, 7, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != 7)
		return fail("batch returned %lld, want 7", ret);
	r = check_log(vm, want, 3);
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

/* The in-kernel IOAPIC and LAPIC answer MMIO ops without userspace. */
enum tres t_in_kernel_mmio(struct vm *vm)
{
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	long long ret;

	op(&o[0], PVIO_OP_MMIO_WRITE, 4, GPA_IOAPIC, 0x01);	/* IOREGSEL = version */
	op(&o[1], PVIO_OP_MMIO_READ, 4, GPA_IOAPIC + 0x10, 0);	/* IOWIN */
	op(&o[2], PVIO_OP_MMIO_READ, 4, GPA_IOAPIC, 0);		/* IOREGSEL back */
	op(&o[3], PVIO_OP_MMIO_READ, 4, GPA_LAPIC + 0x30, 0);	/* LAPIC version */
	op(&o[4], PVIO_OP_MMIO_WRITE, 4, GPA_LAPIC + 0x80, 0x20);	/* TPR */
	op(&o[5], PVIO_OP_MMIO_READ, 4, GPA_LAPIC + 0x80, 0);
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, 6, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != 6)
		return fail("batch returned %lld, want 6", ret);
	if (vm->nlog) {
		dump_log(vm);
		return fail("%d in-kernel MMIO accesses reached userspace", vm->nlog);
	}
	if (o[1].value != 0x170011 || o[2].value != 0x01)
		return fail("IOAPIC version 0x%llx, IOREGSEL 0x%llx; want 0x170011, 0x1",
			    (unsigned long long)o[1].value,
			    (unsigned long long)o[2].value);
	if ((o[3].value & 0xff) != 0x14 || o[5].value != 0x20)
		return fail("LAPIC version 0x%llx, TPR 0x%llx; want 0x..14, 0x20",
			    (unsigned long long)o[3].value,
			    (unsigned long long)o[5].value);
	return pass();
}

/* PVIO_MAX_OPS ops in an array that ends exactly at its page's end. */
enum tres t_max_batch(struct vm *vm)
{
	uint64_t gpa = GPA_ARRAY + 4096 - PVIO_MAX_OPS * PVIO_OP_SIZE;
	struct pvio_op *o = ops_at(vm, gpa);
	long long ret;
	int i, k;

	/* runs of 2, 3, 4, ... OUTs to one port (rotating ports): merged exits */
	for (i = 0, k = 0; i < PVIO_MAX_OPS; i++) {
		if (i == k * (k + 1) / 2 + k)
			k++;
		op(&o[i], PVIO_OP_PIO_OUT, 1, 0x500 + (k & 3), i & 0xff);
	}
	if (call(vm, PVIO_FN_BATCH, gpa, PVIO_MAX_OPS, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != PVIO_MAX_OPS)
		return fail("batch returned %lld, want %d", ret, PVIO_MAX_OPS);
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
enum tres t_rewrite(struct vm *vm)
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
	enum run_result r;
	enum tres r0;
	int i, n = 4;

	for (i = 0; i < n; i++) {
		op(&o[i], want[i].kind == X_PIO_IN ? PVIO_OP_PIO_IN : PVIO_OP_PIO_OUT,
		   want[i].size, want[i].addr, want[i].value);
		op(&repl[i], PVIO_OP_PIO_OUT, 4, 0x600 + 4 * i, 0xeeeeeeee);
	}

	r0 = hold_first_exit(vm, GPA_ARRAY, n);
	if (r0 != T_PASS)
		return r0;

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
	r = vm_run(vm, 1, 0);
	if (r != RUN_DONE)
		return fail("vcpu1 did not finish its copy (run result %d)", r);
	if (memcmp(o, repl, n * PVIO_OP_SIZE))
		return fail("vcpu1's stores did not land in the array");

	r = vm_run(vm, 0, 0);
	if (r != RUN_DONE)
		return fail("vcpu0 did not finish the batch (run result %d)", r);
	if (vcpu_get_regs(vm, 0, &regs))
		return fail("KVM_GET_REGS");
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

enum tres t_stress_kernel(struct vm *vm)
{
	return stress(vm, 5000, 2, false);
}

enum tres t_stress_userspace(struct vm *vm)
{
	return stress(vm, 250, 4, true);	/* 1000 exits: fits the log */
}
