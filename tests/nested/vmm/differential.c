// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: the differential case.  Random batches, valid and broken; the
 * broken ones must be rejected as the ABI's checks predict, the valid ones
 * must do through the hypercall exactly what the reference path does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcase.h"

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

/* Seeds rnd() from PVIO_SEED or the time, and says which seed it was. */
static void rng_seed(void)
{
	const char *seed_env = getenv("PVIO_SEED");

	rng_state = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL);
	if (!rng_state)
		rng_state = 1;
	diag("seed %llu (PVIO_SEED=%llu reproduces this case)",
	     (unsigned long long)rng_state, (unsigned long long)rng_state);
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
	int b, nvalid = 0, nbad = 0, errs[16] = { 0 };
	struct vm ref;
	enum tres r = T_PASS;

	rng_seed();
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

/* ---- the resume state machine, as a property ---- */

#define PROP_BATCHES	40
#define PROP_MAX_OPS	16

static struct vm prop_vm[2] = { { .kvm = -1, .fd = -1 }, { .kvm = -1, .fd = -1 } };

/* Ops that reach userspace: all but the in-kernel PIC's. */
static bool prop_user_op(const struct pvio_op *o)
{
	return !(pvio_op_is_pio(o) && o->addr == 0x21);
}

static const enum xkind xkind_of[] = {
	[PVIO_OP_PIO_OUT] = X_PIO_OUT, [PVIO_OP_PIO_IN] = X_PIO_IN,
	[PVIO_OP_MMIO_WRITE] = X_MMIO_W, [PVIO_OP_MMIO_READ] = X_MMIO_R,
};

/*
 * The userspace ops of the batch in @all, in order: all of them exactly
 * once (@whole, reads answered in the array), or a prefix of them (the
 * part that ran before the VMM restarted the call).
 */
static enum tres prop_check(struct vm *cur, const struct xent *all, int nall,
			    int n, int b, bool whole)
{
	const struct pvio_op *o = ops_at(cur, GPA_ARRAY);
	int i = 0, k;

	for (k = 0; k < n; k++) {
		const struct xent *x = &all[i];

		if (!prop_user_op(&o[k]))
			continue;
		if (i >= nall && !whole)
			return pass();
		if (i >= nall)
			return fail("batch %d: op %d never reached the VMM", b, k);
		if (!whole && pvio_op_is_read(&o[k]))
			goto next;	/* its answer was overwritten by the rerun */
		if (x->kind != xkind_of[o[k].kind] || x->addr != o[k].addr ||
		    x->size != o[k].width ||
		    o[k].value != x->value)
			return fail("batch %d, access %d: %s 0x%llx/%u = 0x%llx, want op %d: kind %u 0x%llx/%u, array value 0x%llx",
				    b, i, kind_name(x->kind), (unsigned long long)x->addr,
				    x->size, (unsigned long long)x->value, k, o[k].kind,
				    (unsigned long long)o[k].addr, o[k].width,
				    (unsigned long long)o[k].value);
next:
		i++;
	}
	if (i != nall)
		return fail("batch %d: %d accesses reached the VMM, want %d", b, nall, i);
	return pass();
}

static enum tres prop_run(struct vm *vm, struct vm **curp)
{
	static struct xent all[8 * PROP_MAX_OPS];
	int b, k, n, nall, base, taken, stops = 0, rewrites = 0, moves = 0;
	int restarts = 0, dropped = 0;
	struct vm *cur = vm, *dst;
	struct kvm_regs regs;
	enum run_result res;
	enum tres r;

	for (b = 0; b < PROP_BATCHES; b++) {
		struct pvio_op *o = ops_at(cur, GPA_ARRAY);

		n = 1 + rnd() % PROP_MAX_OPS;
		for (k = 0; k < n; k++)
			rnd_op(&o[k]);
		if (vcpu_set_call(cur, 0, guest_entry(g_call), KVM_HC_PVIO,
				  PVIO_FN_BATCH, GPA_ARRAY, n))
			return fail("batch %d: setup", b);
		nall = 0;
		base = 0;
		taken = cur->nlog;
		for (;;) {
			res = vm_run(cur, 0, (rnd() % 3) ? cur->nlog + 1 + rnd() % 3 : 0);
			while (taken < cur->nlog && nall < (int)ARRAY_SIZE(all))
				all[nall++] = cur->log[taken++];
			if (res == RUN_DONE)
				break;
			if (res != RUN_STOPPED)
				return fail("batch %d: run result %d", b, res);
			stops++;
			switch (rnd() % 4) {
			case 0:		/* carry on */
				break;
			case 1:		/* write the registers back, or restart the call */
				if (vcpu_get_regs(cur, 0, &regs))
					return fail("batch %d: regs", b);
				if ((rnd() & 1) && regs.rbx != PVIO_FN_BATCH &&
				    base + nall < (int)ARRAY_SIZE(all) / 2) {
					/* ops 0..next-1 ran: the check starts over */
					r = prop_check(cur, all + base, nall - base,
						       n, b, false);
					if (r != T_PASS)
						return r;
					regs.rbx = PVIO_FN_BATCH;
					base = nall;
					restarts++;
					dropped++;
				} else {
					rewrites++;
				}
				if (vcpu_set_regs(cur, 0, &regs))
					return fail("batch %d: regs", b);
				break;
			default:	/* migrate */
				dst = cur == &prop_vm[0] ? &prop_vm[1] : &prop_vm[0];
				if (vm_migrate(cur, dst))
					return fail("batch %d: migration failed", b);
				if (cur != vm)
					vm_destroy(cur);
				*curp = cur = dst;
				taken = 0;
				dropped = 0;
				moves++;
				break;
			}
		}
		if (vcpu_get_regs(cur, 0, &regs))
			return fail("KVM_GET_REGS");
		if (regs.rax != (uint64_t)n || regs.rbx != PVIO_FN_BATCH)
			return fail("batch %d of %d ops returned RAX %lld RBX 0x%llx",
				    b, n, (long long)regs.rax, (unsigned long long)regs.rbx);
		r = prop_check(cur, all + base, nall - base, n, b, true);
		if (r != T_PASS)
			return r;
		if (vm_stat(cur, "pvio_dropped") != dropped)
			return fail("batch %d: pvio_dropped %lld, want %d (restarts on this VM)",
				    b, vm_stat(cur, "pvio_dropped"), dropped);
	}
	diag("%d batches: %d stops inside an exit, %d register write-backs, %d restarts, %d migrations",
	     PROP_BATCHES, stops, rewrites, restarts, moves);
	return pass();
}

/*
 * Issue 14 finding 6: random batches (userspace PIO and MMIO, in-kernel PIC
 * ops) stopped at random exits; at each stop the VMM carries on, writes the
 * registers back unchanged, restarts the call (RBX back to PVIO_FN_BATCH),
 * or migrates the vCPU into a fresh VM.  Every userspace op reaches a VMM
 * exactly once, in order (after a restart: what ran before it is a prefix,
 * then the whole batch once), every read's answer is in the array, RAX is
 * the count and RBX PVIO_FN_BATCH; pvio_dropped counts the restarts.
 */
static enum tres t_resume_property(struct vm *vm)
{
	struct vm *cur = vm;
	enum tres r;

	rng_seed();
	r = prop_run(vm, &cur);
	if (cur != vm)
		vm_destroy(cur);
	return r;
}

static const struct tcase differential[] = {
	{ "differential: 300 random batches, hypercall vs reference path", t_differential },
	{ "resume property: random stops, register rewrites, restarts, migrations",
	  t_resume_property },
};

void add_differential_cases(void)
{
	add_cases(differential, ARRAY_SIZE(differential));
}
