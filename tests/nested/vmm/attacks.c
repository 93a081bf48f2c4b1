// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: the attack matrix.  Each entry is one case that expects a
 * documented error code in RAX, no access reaching the VMM and the array
 * untouched; plus the calls from CPL 3.
 */
#include <stdio.h>
#include <string.h>

#include "tcase.h"

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
	{ "MMIO read at 2^64-8 (above MAXPHYADDR)", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_READ, 8, 0, 0, 0xfffffffffffffff8ULL, 0), .err = PVIO_ERANGE },
	{ "MMIO write at 2^52 (above any MAXPHYADDR)", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_WRITE, 4, 0, 0, 1ULL << 52, 0x1), .err = PVIO_ERANGE },
	{ "array crossing a page", PVIO_FN_BATCH, GPA_ARRAY + 4096 - PVIO_OP_SIZE, 0, .err = PVIO_EARRAY },
	{ "array misaligned", PVIO_FN_BATCH, GPA_ARRAY + 4, 0, .err = PVIO_EARRAY },
	{ "array outside any memslot", PVIO_FN_BATCH, GPA_NO_SLOT, 1, .err = PVIO_EFAULT },
	{ "MMIO write aimed at RAM", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_WRITE, 4, 0, 0, GPA_RAM_TARGET, 0x1), .err = PVIO_ERAM },
	{ "MMIO read of the op array itself", PVIO_FN_BATCH, GPA_ARRAY, 0, BAD(PVIO_OP_MMIO_READ, 8, 0, 0, GPA_ARRAY, 0), .err = PVIO_ERAM },
	{ "unknown function 2", 2, GPA_ARRAY, 0, .err = PVIO_EFUNC },
	{ "unknown function 2^32+1 (no truncation)", (1ULL << 32) + 1, GPA_ARRAY, 0, .err = PVIO_EFUNC },
};

#define NR_ATTACKS	((int)ARRAY_SIZE(attacks))

/*
 * Every attack array starts with a valid OUT to a userspace port and a
 * valid IN: a host that executed anything before rejecting the batch shows
 * up as an exit, one that wrote results back shows up in the array.
 */
static enum tres t_attack(struct vm *vm)
{
	const struct attack *a = case_arg;
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

static const struct tcase cpl3[] = {
	{ "attack: batch from CPL 3 -> -KVM_EPERM", t_cpl3_batch, .flags = C_USER },
	{ "attack: probe from CPL 3 -> -KVM_EPERM", t_cpl3_probe, .flags = C_USER },
};

/* One case per row of attacks[], named after it and its error code. */
void add_attack_cases(void)
{
	static char names[NR_ATTACKS][96];
	static struct tcase t[NR_ATTACKS];
	int i;

	for (i = 0; i < NR_ATTACKS; i++) {
		snprintf(names[i], sizeof(names[i]), "attack: %s -> -%s",
			 attacks[i].name, err_name(attacks[i].err));
		t[i] = (struct tcase) { names[i], t_attack, &attacks[i] };
	}
	add_cases(t, NR_ATTACKS);
	add_cases(cpl3, ARRAY_SIZE(cpl3));
}
