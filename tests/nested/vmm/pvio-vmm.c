// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: test cases for the pvio host handler, run inside L1 against
 * L1's KVM.  One behaviour per case, one fresh VM per case, each case in
 * its own child process with a timeout; results are printed as TAP.
 *
 * A case whose call returns -KVM_ENOSYS while the probe found no handler
 * is a SKIP, never a PASS: stock KVM proves nothing about the handler.
 *
 * With -n the positive cases run through the reference path instead: the
 * guest executes the same op array itself (g_native, plain IN/OUT/MOV) and
 * must produce exactly what the cases expect from the handler.  That checks
 * the cases against stock KVM, and gives the handler a behaviour to match.
 *
 * -p only probes: exit status 0 with a handler, 77 without, 1 otherwise.
 *
 * Usage: pvio-vmm [-l] [-n] [-p] [case-name...]
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <linux/pvio.h>

#include "vm.h"

#define KVM_ENOSYS	1000
#define KVM_EPERM	1

enum tres { T_PASS, T_FAIL, T_SKIP };

/* 1: probe returned PVIO_ABI_VERSION, 0: -KVM_ENOSYS, -1: something else */
static int have_handler;
static bool native;
static long long probe_ret;
static char msg[512];

static enum tres result(enum tres r, const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return r;
}

static enum tres fail(const char *fmt, ...)
{
	va_list ap;
	enum tres r;

	va_start(ap, fmt);
	r = result(T_FAIL, fmt, ap);
	va_end(ap);
	return r;
}

static enum tres skip(const char *fmt, ...)
{
	va_list ap;
	enum tres r;

	va_start(ap, fmt);
	r = result(T_SKIP, fmt, ap);
	va_end(ap);
	return r;
}

static enum tres pass(void)
{
	msg[0] = 0;
	return T_PASS;
}

/* The verdict for a call that answered -KVM_ENOSYS. */
static enum tres no_handler(long long ret)
{
	if (have_handler == 0)
		return skip("no pvio handler in L1's KVM (probe: %lld)", probe_ret);
	return fail("call returned %lld although the probe returned %lld",
		    ret, probe_ret);
}

static struct pvio_op *ops_at(struct vm *vm, uint64_t gpa)
{
	return gpa_ptr(vm, gpa);
}

static void op(struct pvio_op *o, uint8_t kind, uint8_t width, uint64_t addr,
	       uint64_t value)
{
	pvio_op_encode(o, kind, width, addr, value);
}

static const char *kind_name(enum xkind k)
{
	static const char * const names[] = { "out", "in", "mmio-w", "mmio-r" };

	return names[k];
}

static void dump_log(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nlog && i < 32; i++)
		diag("  exit %d: %s addr 0x%llx size %u value 0x%llx", i,
		     kind_name(vm->log[i].kind),
		     (unsigned long long)vm->log[i].addr, vm->log[i].size,
		     (unsigned long long)vm->log[i].value);
}

/*
 * Runs the payload at @entry on vCPU @idx with the call registers loaded;
 * *ret gets RAX.  Returns 0, or -1 when the guest did not come back to
 * PORT_DONE (diagnosed).
 */
static int call_entry(struct vm *vm, int idx, const char *entry, uint64_t fn,
		      uint64_t gpa, uint64_t count, long long *ret)
{
	struct kvm_regs regs;
	enum run_result r;

	if (vcpu_set_call(vm, idx, guest_entry(entry), KVM_HC_PVIO, fn, gpa, count))
		return -1;
	r = vm_run(vm, idx, 0);
	if (r != RUN_DONE) {
		diag("guest did not finish the call (run result %d)", r);
		dump_log(vm);
		return -1;
	}
	if (vcpu_get_regs(vm, idx, &regs))
		return -1;
	*ret = (long long)regs.rax;
	return 0;
}

/* One hypercall (or, with -n, a batch through the reference path). */
static int call_on(struct vm *vm, int idx, uint64_t fn, uint64_t gpa,
		   uint64_t count, long long *ret)
{
	const char *entry = native && fn == PVIO_FN_BATCH ? g_native : g_call;

	return call_entry(vm, idx, entry, fn, gpa, count, ret);
}

static int call(struct vm *vm, uint64_t fn, uint64_t gpa, uint64_t count,
		long long *ret)
{
	return call_on(vm, 0, fn, gpa, count, ret);
}

/* Expected userspace accesses, compared with the VMM's exit log. */
struct expect {
	enum xkind kind;
	uint64_t addr;
	unsigned int size;
	uint64_t value;		/* for reads: ignored, the log holds our answer */
};

static enum tres check_log(struct vm *vm, const struct expect *e, int n)
{
	int i;

	for (i = 0; i < n && i < vm->nlog; i++) {
		const struct xent *x = &vm->log[i];
		bool read = e[i].kind == X_PIO_IN || e[i].kind == X_MMIO_R;

		if (x->kind != e[i].kind || x->addr != e[i].addr ||
		    x->size != e[i].size || (!read && x->value != e[i].value)) {
			dump_log(vm);
			return fail("access %d: got %s 0x%llx/%u = 0x%llx, want %s 0x%llx/%u = 0x%llx",
				    i, kind_name(x->kind),
				    (unsigned long long)x->addr, x->size,
				    (unsigned long long)x->value,
				    kind_name(e[i].kind),
				    (unsigned long long)e[i].addr, e[i].size,
				    (unsigned long long)e[i].value);
		}
	}
	if (vm->nlog != n) {
		dump_log(vm);
		return fail("%d accesses reached the VMM, want %d", vm->nlog, n);
	}
	return pass();
}

/* ---- cases ---------------------------------------------------------- */

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

static enum tres t_out_order(struct vm *vm)
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

static enum tres t_in_results(struct vm *vm)
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

static enum tres t_in_kernel_pio(struct vm *vm)
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

static enum tres t_mmio(struct vm *vm)
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
static enum tres t_mixed(struct vm *vm)
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
static enum tres t_in_kernel_mmio(struct vm *vm)
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
static enum tres t_max_batch(struct vm *vm)
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

/* ---- attack matrix -------------------------------------------------- */

struct attack {
	const char *name;
	uint64_t fn;
	uint64_t gpa;		/* array address */
	uint64_t count;		/* 0 means: the ops we wrote (3, or 2 without bad op) */
	bool zero_count;	/* pass count 0 */
	bool has_bad;		/* ops[2] is @bad */
	struct pvio_op bad;
	int err;		/* expected RAX is -err */
};

#define BAD(k, w, f, r, a, v) \
	.has_bad = true, .bad = { .kind = (k), .width = (w), .flags = (f), \
				  .reserved = (r), .addr = (a), .value = (v) }

static const struct attack attacks[] = {
	{ "count 0", PVIO_FN_BATCH, GPA_ARRAY, 0, .zero_count = true, .err = PVIO_ECOUNT },
	{ "count PVIO_MAX_OPS+1", PVIO_FN_BATCH, GPA_ARRAY, PVIO_MAX_OPS + 1, .err = PVIO_ECOUNT },
	{ "count 2^32+1 (no truncation)", PVIO_FN_BATCH, GPA_ARRAY, (1ULL << 32) + 1, .err = PVIO_ECOUNT },
	{ "kind 0 (zeroed op)", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(0, 1, 0, 0, 0x500, 0), .err = PVIO_EKIND },
	{ "kind 5", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(5, 1, 0, 0, 0x500, 0), .err = PVIO_EKIND },
	{ "kind 0xff", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(0xff, 1, 0, 0, 0x500, 0), .err = PVIO_EKIND },
	{ "flags set", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 1, 1, 0, 0x500, 0), .err = PVIO_EKIND },
	{ "reserved set", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 1, 0, 1, 0x500, 0), .err = PVIO_EKIND },
	{ "OUT value above width", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 1, 0, 0, 0x500, 0x100), .err = PVIO_EKIND },
	{ "PIO width 0", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 0, 0, 0, 0x500, 0), .err = PVIO_EWIDTH },
	{ "PIO width 3", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_IN, 3, 0, 0, 0x500, 0), .err = PVIO_EWIDTH },
	{ "PIO width 8", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 8, 0, 0, 0x500, 0), .err = PVIO_EWIDTH },
	{ "MMIO width 16", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_READ, 16, 0, 0, GPA_MMIO, 0), .err = PVIO_EWIDTH },
	{ "port 0xffff width 2", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 2, 0, 0, 0xffff, 0), .err = PVIO_ERANGE },
	{ "port 0xfffd width 4", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_IN, 4, 0, 0, 0xfffd, 0), .err = PVIO_ERANGE },
	{ "port 0x10000", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_PIO_OUT, 1, 0, 0, 0x10000, 0), .err = PVIO_ERANGE },
	{ "MMIO misaligned", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_WRITE, 4, 0, 0, GPA_MMIO + 2, 0), .err = PVIO_ERANGE },
	{ "array crossing a page", PVIO_FN_BATCH, GPA_ARRAY + 4096 - PVIO_OP_SIZE, 0, .err = PVIO_EARRAY },
	{ "array misaligned", PVIO_FN_BATCH, GPA_ARRAY + 4, 0, .err = PVIO_EARRAY },
	{ "array outside any memslot", PVIO_FN_BATCH, GPA_NO_SLOT, 1, .err = PVIO_EFAULT },
	{ "MMIO write aimed at RAM", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_WRITE, 4, 0, 0, GPA_RAM_TARGET, 0x1), .err = PVIO_ERAM },
	{ "MMIO read of the op array itself", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_READ, 8, 0, 0, GPA_ARRAY, 0), .err = PVIO_ERAM },
	{ "unknown function 2", 2, GPA_ARRAY, 0, .err = PVIO_EFUNC },
	{ "unknown function 2^32+1 (no truncation)", (1ULL << 32) + 1, GPA_ARRAY, 0, .err = PVIO_EFUNC },
};

#define NR_ATTACKS	((int)ARRAY_SIZE(attacks))

static const char *err_name(int err)
{
	switch (err) {
	case PVIO_EFUNC: return "PVIO_EFUNC";
	case PVIO_ECOUNT: return "PVIO_ECOUNT";
	case PVIO_EARRAY: return "PVIO_EARRAY";
	case PVIO_EFAULT: return "PVIO_EFAULT";
	case PVIO_EKIND: return "PVIO_EKIND";
	case PVIO_EWIDTH: return "PVIO_EWIDTH";
	case PVIO_ERANGE: return "PVIO_ERANGE";
	case PVIO_ERAM: return "PVIO_ERAM";
	case PVIO_EBUSY: return "PVIO_EBUSY";
	}
	return "?";
}

static const struct attack *cur_attack;

/*
 * Every attack array starts with a valid OUT to a userspace port and a
 * valid IN: a host that executed anything before rejecting the batch shows
 * up as an exit, one that wrote results back shows up in the array.
 */
static enum tres t_attack(struct vm *vm)
{
	const struct attack *a = cur_attack;
	static uint8_t before[2 * 4096];
	uint64_t count = a->count;
	bool in_ram = a->gpa + 2 * 4096 <= GUEST_MEM_SIZE;
	long long ret;

	if (in_ram) {
		struct pvio_op *o = ops_at(vm, a->gpa);
		int i, n = a->count > 2 && a->count <= 170 ? (int)a->count : 3;

		for (i = 0; i < n; i++)
			op(&o[i], PVIO_OP_PIO_OUT, 1, 0x500, i & 0xff);
		op(&o[1], PVIO_OP_PIO_IN, 1, 0x510, 0);
		if (a->has_bad)
			o[2] = a->bad;
		if (!count && !a->zero_count)
			count = a->has_bad ? 3 : 2;
		memcpy(before, gpa_ptr(vm, a->gpa & ~4095ULL), sizeof(before));
	}
	if (call(vm, a->fn, a->gpa, count, &ret))
		return fail("call did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != -a->err)
		return fail("returned %lld, want %d (-%s)", ret, -a->err, err_name(a->err));
	if (vm->nlog) {
		dump_log(vm);
		return fail("rejected batch still sent %d accesses to userspace", vm->nlog);
	}
	if (in_ram && memcmp(before, gpa_ptr(vm, a->gpa & ~4095ULL), sizeof(before)))
		return fail("rejected batch modified the guest's array");
	return pass();
}

static enum tres t_cpl3(struct vm *vm, uint64_t fn)
{
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	long long ret;

	op(&o[0], PVIO_OP_PIO_OUT, 1, 0x500, 0x01);
	op(&o[1], PVIO_OP_PIO_OUT, 1, 0x21, 0xff);
	if (call(vm, fn, GPA_ARRAY, 2, &ret))
		return fail("call did not complete");
	if (have_handler != 1)
		return skip("no pvio handler in L1's KVM; stock KVM answered %lld", ret);
	if (ret != -KVM_EPERM)
		return fail("CPL 3 call returned %lld, want %d", ret, -KVM_EPERM);
	if (vm->nlog)
		return fail("CPL 3 batch sent %d accesses to userspace", vm->nlog);
	return pass();
}

static enum tres t_cpl3_batch(struct vm *vm)
{
	return t_cpl3(vm, PVIO_FN_BATCH);
}

static enum tres t_cpl3_probe(struct vm *vm)
{
	return t_cpl3(vm, PVIO_FN_PROBE);
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
	enum run_result r;
	int i, n = 4;

	for (i = 0; i < n; i++) {
		op(&o[i], want[i].kind == X_PIO_IN ? PVIO_OP_PIO_IN : PVIO_OP_PIO_OUT,
		   want[i].size, want[i].addr, want[i].value);
		op(&repl[i], PVIO_OP_PIO_OUT, 4, 0x600 + 4 * i, 0xeeeeeeee);
	}

	if (vcpu_set_call(vm, 0, guest_entry(g_call), KVM_HC_PVIO, PVIO_FN_BATCH,
			  GPA_ARRAY, n))
		return fail("vcpu0 setup");
	r = vm_run(vm, 0, 1);
	if (r == RUN_DONE) {
		if (vcpu_get_regs(vm, 0, &regs))
			return fail("KVM_GET_REGS");
		if ((long long)regs.rax == -KVM_ENOSYS)
			return no_handler((long long)regs.rax);
		return fail("batch finished (rax %lld) without a userspace exit",
			    (long long)regs.rax);
	}
	if (r != RUN_STOPPED)
		return fail("vcpu0 run result %d", r);

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
	if (vcpu_get_regs(vm, 0, &regs))
		return fail("KVM_GET_REGS");
	regs.rip = guest_entry(g_loop);
	regs.r10 = KVM_HC_PVIO;
	regs.rbx = PVIO_FN_BATCH;
	regs.rcx = GPA_ARRAY;
	regs.rdx = nops;
	regs.r8 = nr;
	regs.rflags = vm->rflags;
	if (vcpu_set_regs(vm, 0, &regs))
		return fail("KVM_SET_REGS");

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

/* ---- differential: random batches, hypercall vs reference path ------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static unsigned int rnd_width(bool mmio)
{
	static const unsigned int w[] = { 1, 2, 4, 8 };

	return w[rnd() % (mmio ? 4 : 3)];
}

/* A random valid op: userspace PIO, the PIC mask, or MMIO outside RAM. */
static void rnd_op(struct pvio_op *o)
{
	unsigned int w;

	switch (rnd() % 6) {
	case 0:
		w = rnd_width(false);
		op(o, PVIO_OP_PIO_OUT, w, 0x500 + (rnd() % 4) * 4, rnd());
		break;
	case 1:
		w = rnd_width(false);
		op(o, PVIO_OP_PIO_IN, w, 0x500 + (rnd() % 4) * 4, 0);
		break;
	case 2:
		op(o, (rnd() & 1) ? PVIO_OP_PIO_IN : PVIO_OP_PIO_OUT, 1, 0x21, rnd());
		break;
	case 3:
		w = rnd_width(true);
		op(o, PVIO_OP_MMIO_WRITE, w, GPA_MMIO + (rnd() % 64) * 8, rnd());
		break;
	default:
		w = rnd_width(true);
		op(o, PVIO_OP_MMIO_READ, w, GPA_MMIO + (rnd() % 64) * 8, 0);
		break;
	}
}

/* Breaks one field of @o the way a buggy or hostile guest might. */
static void rnd_break(struct pvio_op *o)
{
	switch (rnd() % 7) {
	case 0:
		o->kind = (rnd() & 1) ? 0 : 5 + rnd() % 250;
		break;
	case 1:
		o->width = pvio_op_is_pio(o) ? ((rnd() & 1) ? 3 : 8) : 16;
		break;
	case 2:
		o->flags = 1 + rnd() % 0xffff;
		break;
	case 3:
		o->reserved = 1 + rnd() % 0xffffffffU;
		break;
	case 4:
		if (pvio_op_is_pio(o))
			o->addr = 0x10000 - (rnd() % o->width);
		else
			o->addr |= 1;
		if (!pvio_op_is_pio(o) && o->width == 1)
			o->width = 2;
		break;
	case 5:
		if (!pvio_op_is_read(o) && o->width < 8)
			o->value |= 1ULL << (o->width * 8);
		else
			o->kind = 0;
		break;
	default:
		if (!pvio_op_is_pio(o))
			o->addr = GPA_RAM_TARGET + (rnd() % 64) * 8;	/* ERAM */
		else
			o->width = 0;
		break;
	}
}

/* What the handler must answer, in its documented order of checks. */
static int oracle(const struct pvio_op *o, uint64_t gpa, uint64_t count)
{
	uint64_t i;
	int err = pvio_batch_check(gpa, count);

	if (err)
		return err;
	if (gpa >= GUEST_MEM_SIZE)
		return PVIO_EFAULT;
	for (i = 0; i < count; i++) {
		err = pvio_op_check(&o[i]);
		if (err)
			return err;
		if (!pvio_op_is_pio(&o[i]) && o[i].addr < GUEST_MEM_SIZE)
			return PVIO_ERAM;
	}
	return 0;
}

#define DIFF_BATCHES	300

static enum tres t_differential(struct vm *vm)
{
	static uint8_t before[8192];
	const char *seed_env = getenv("PVIO_SEED");
	int b, nvalid = 0, nbad = 0, errs[16] = { 0 };
	struct vm ref;
	enum tres r = T_PASS;

	rng_state = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL);
	if (!rng_state)
		rng_state = 1;
	diag("seed %llu (PVIO_SEED=%llu reproduces this case)",
	     (unsigned long long)rng_state, (unsigned long long)rng_state);
	if (vm_create(&ref, 1, false)) {
		vm_destroy(&ref);
		return fail("cannot set up the reference VM");
	}

	for (b = 0; b < DIFF_BATCHES && r == T_PASS; b++) {
		uint64_t count = 1 + rnd() % 16, gpa = GPA_ARRAY, call_gpa, i;
		struct pvio_op *o, *ro;
		long long ret, rret;
		int want, xa, xb;

		if (rnd() % 4 == 0) {
			/* anywhere in the page: sometimes misaligned or crossing */
			uint64_t off = rnd() % 4096;

			if (rnd() % 8)
				off &= ~7ULL;
			gpa = GPA_ARRAY + off;
		}
		o = ops_at(vm, gpa);
		for (i = 0; i < count && (gpa & 4095) + (i + 1) * PVIO_OP_SIZE <= 8192; i++)
			rnd_op(&o[i]);
		if (rnd() % 5 == 0)
			rnd_break(&o[rnd() % count]);
		if (rnd() % 40 == 0)
			count = (rnd() & 1) ? 0 : PVIO_MAX_OPS + 1 + rnd() % 100;
		call_gpa = gpa;
		if (rnd() % 30 == 0)
			call_gpa = GPA_NO_SLOT + (gpa & 4095);	/* EFAULT, if placed well */
		want = oracle(o, call_gpa, count);
		memcpy(before, gpa_ptr(vm, GPA_ARRAY), sizeof(before));
		xa = vm->nlog = 0;

		if (call_entry(vm, 0, g_call, PVIO_FN_BATCH, call_gpa, count, &ret)) {
			r = fail("batch %d did not complete", b);
			break;
		}
		if (ret == -KVM_ENOSYS) {
			r = no_handler(ret);
			break;
		}
		if (want) {
			nbad++;
			errs[want - PVIO_EFUNC]++;
			if (ret != -want)
				r = fail("batch %d (%llu ops at 0x%llx): returned %lld, want %d (-%s)",
					 b, (unsigned long long)count, (unsigned long long)gpa,
					 ret, -want, err_name(want));
			else if (vm->nlog)
				r = fail("batch %d: rejected, yet %d accesses reached the VMM", b, vm->nlog);
			else if (memcmp(before, gpa_ptr(vm, GPA_ARRAY), sizeof(before)))
				r = fail("batch %d: rejected, yet the array changed", b);
			continue;
		}
		nvalid++;
		if (ret != (long long)count) {
			r = fail("batch %d (%llu ops at 0x%llx): returned %lld, want %llu",
				 b, (unsigned long long)count, (unsigned long long)gpa, ret,
				 (unsigned long long)count);
			break;
		}

		/* the same batch through the reference path, in the other VM */
		ro = ops_at(&ref, gpa);
		memcpy(ro, before + (gpa & 4095), count * PVIO_OP_SIZE);
		ref.nlog = 0;
		if (call_entry(&ref, 0, g_native, PVIO_FN_BATCH, gpa, count, &rret)) {
			r = fail("batch %d: the reference path did not complete", b);
			break;
		}
		xb = ref.nlog;
		xa = vm->nlog;
		if (xa != xb) {
			dump_log(vm);
			r = fail("batch %d: %d accesses reached the VMM, the reference path made %d",
				 b, xa, xb);
			break;
		}
		for (i = 0; i < (uint64_t)xa; i++) {
			const struct xent *x = &vm->log[i], *y = &ref.log[i];

			if (x->kind != y->kind || x->addr != y->addr ||
			    x->size != y->size || x->value != y->value) {
				dump_log(vm);
				r = fail("batch %d, access %llu: %s 0x%llx/%u = 0x%llx, reference %s 0x%llx/%u = 0x%llx",
					 b, (unsigned long long)i, kind_name(x->kind),
					 (unsigned long long)x->addr, x->size,
					 (unsigned long long)x->value, kind_name(y->kind),
					 (unsigned long long)y->addr, y->size,
					 (unsigned long long)y->value);
				break;
			}
		}
		if (r == T_PASS && memcmp(o, ro, count * PVIO_OP_SIZE)) {
			for (i = 0; i < count; i++)
				if (o[i].value != ro[i].value)
					break;
			r = fail("batch %d: op %llu holds 0x%llx after the hypercall, 0x%llx after the reference path",
				 b, (unsigned long long)i,
				 (unsigned long long)o[i].value,
				 (unsigned long long)ro[i].value);
		}
	}
	vm_destroy(&ref);
	if (r == T_PASS) {
		diag("%d valid batches matched the reference path; %d invalid ones rejected as predicted "
		     "(EFUNC..EBUSY: %d %d %d %d %d %d %d %d %d)", nvalid, nbad,
		     errs[0], errs[1], errs[2], errs[3], errs[4], errs[5], errs[6], errs[7], errs[8]);
		return pass();
	}
	return r;
}

/* ---- runner --------------------------------------------------------- */

struct tcase {
	const char *name;
	enum tres (*fn)(struct vm *vm);
	int nr_vcpus;
	bool user_mode;
	const struct attack *attack;
};

static struct tcase cases[64];
static int nr_cases;

static void add(const char *name, enum tres (*fn)(struct vm *), int nr_vcpus,
		bool user_mode, const struct attack *a)
{
	if (native)
		return;
	cases[nr_cases++] = (struct tcase) { name, fn, nr_vcpus, user_mode, a };
}

/* a positive case: also runs, renamed, through the reference path */
static void add_pos(const char *name, enum tres (*fn)(struct vm *))
{
	static char names[16][96];
	static int n;

	if (native) {
		snprintf(names[n], sizeof(names[n]), "native reference: %s", name);
		name = names[n++];
	}
	cases[nr_cases++] = (struct tcase) { name, fn, 1, false, NULL };
}

static void build_cases(void)
{
	static char names[NR_ATTACKS][96];
	int i;

	add("probe returns PVIO_ABI_VERSION", t_probe, 1, false, NULL);
	add_pos("OUT batch reaches the VMM in order", t_out_order);
	add_pos("IN results land in guest memory", t_in_results);
	add_pos("PIC/PIT ops stay in the kernel", t_in_kernel_pio);
	add_pos("MMIO ops exit to the VMM, reads answered", t_mmio);
	add_pos("mixed in-kernel/userspace/MMIO batch keeps order", t_mixed);
	add_pos("IOAPIC/LAPIC MMIO ops stay in the kernel", t_in_kernel_mmio);
	add_pos("PVIO_MAX_OPS ops ending at the page end run in order", t_max_batch);
	for (i = 0; i < NR_ATTACKS; i++) {
		snprintf(names[i], sizeof(names[i]), "attack: %s -> -%s",
			 attacks[i].name, err_name(attacks[i].err));
		add(names[i], t_attack, 1, false, &attacks[i]);
	}
	add("attack: batch from CPL 3 -> -KVM_EPERM", t_cpl3_batch, 1, true, NULL);
	add("attack: probe from CPL 3 -> -KVM_EPERM", t_cpl3_probe, 1, true, NULL);
	add("attack: array rewritten by vCPU1 mid-batch", t_rewrite, 2, false, NULL);
	add("differential: 300 random batches, hypercall vs reference path", t_differential, 1, false, NULL);
	add("stress: 5000 in-kernel batches, counters add up", t_stress_kernel, 1, false, NULL);
	add("stress: 250 userspace batches of 4 OUTs, all in order", t_stress_userspace, 1, false, NULL);
}

static enum tres run_in_vm(const struct tcase *c)
{
	struct vm vm;
	enum tres r;

	cur_attack = c->attack;
	if (vm_create(&vm, c->nr_vcpus, c->user_mode)) {
		vm_destroy(&vm);
		return fail("cannot set up the VM");
	}
	r = c->fn(&vm);
	vm_print_stats(&vm);
	vm_destroy(&vm);
	return r;
}

/* Runs one case in a child with a timeout; prints its TAP line. */
static enum tres run_case(int num, const struct tcase *c, int timeout)
{
	char buf[sizeof(msg)] = "";
	int pfd[2], status;
	enum tres r;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	if (pipe(pfd))
		return T_FAIL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		alarm(timeout);
		r = run_in_vm(c);
		if (write(pfd[1], msg, strlen(msg)) < 0)
			_exit(3);
		fflush(stdout);
		_exit(r == T_PASS ? 0 : r == T_SKIP ? 77 : 1);
	}
	close(pfd[1]);
	while (got < sizeof(buf) - 1 &&
	       (n = read(pfd[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		printf("not ok %d - %s # cannot fork/wait: %s\n", num, c->name, strerror(errno));
		return T_FAIL;
	}
	if (WIFSIGNALED(status)) {
		printf("not ok %d - %s # %s\n", num, c->name,
		       WTERMSIG(status) == SIGALRM ? "timeout" : strsignal(WTERMSIG(status)));
		return T_FAIL;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		printf("ok %d - %s\n", num, c->name);
		return T_PASS;
	case 77:
		printf("ok %d - %s # SKIP %s\n", num, c->name, buf);
		return T_SKIP;
	default:
		printf("not ok %d - %s\n", num, c->name);
		if (buf[0])
			diag("%s", buf);
		return T_FAIL;
	}
}

static void probe_handler(void)
{
	struct vm vm;

	have_handler = -1;
	probe_ret = 0;
	if (vm_create(&vm, 1, false) == 0 &&
	    call(&vm, PVIO_FN_PROBE, 0, 0, &probe_ret) == 0) {
		if (probe_ret == PVIO_ABI_VERSION)
			have_handler = 1;
		else if (probe_ret == -KVM_ENOSYS)
			have_handler = 0;
	}
	vm_destroy(&vm);
	diag("probe: %lld (%s)", probe_ret,
	     have_handler == 1 ? "pvio handler present" :
	     have_handler == 0 ? "no handler: handler cases SKIP" :
	     "unexpected: handler cases FAIL");
}

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc <= 0)
		return true;
	for (i = 0; i < argc; i++)
		if (strstr(name, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int i, num = 0, nsel = 0, failed = 0, skipped = 0, passed = 0;
	int timeout = 120;
	const char *t = getenv("PVIO_CASE_TIMEOUT");
	bool list = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (t && atoi(t) > 0)
		timeout = atoi(t);
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-l"))
			list = true;
		else if (!strcmp(argv[1], "-n"))
			native = true;
		else if (!strcmp(argv[1], "-p")) {
			probe_handler();
			return have_handler == 1 ? 0 : have_handler == 0 ? 77 : 1;
		} else {
			fprintf(stderr, "usage: pvio-vmm [-l] [-n] [-p] [case-name...]\n");
			return 2;
		}
		argc--;
		argv++;
	}
	build_cases();
	if (list) {
		for (i = 0; i < nr_cases; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	argc--;
	argv++;
	for (i = 0; i < nr_cases; i++)
		nsel += selected(cases[i].name, argc, argv);

	printf("TAP version 13\n1..%d\n", nsel);
	if (native)
		have_handler = 1;	/* the reference path never answers -KVM_ENOSYS */
	else
		probe_handler();
	for (i = 0; i < nr_cases; i++) {
		if (!selected(cases[i].name, argc, argv))
			continue;
		switch (run_case(++num, &cases[i], timeout)) {
		case T_PASS:
			passed++;
			break;
		case T_SKIP:
			skipped++;
			break;
		default:
			failed++;
		}
	}
	diag("pvio-vmm: %d passed, %d failed, %d skipped", passed, failed, skipped);
	return failed ? 1 : 0;
}
