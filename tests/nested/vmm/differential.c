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

enum tres t_differential(struct vm *vm)
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
