// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace tests of the guest<->host ABI header: layout, encoding and the
 * validation helpers every side shares.  Prints TAP.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/pvio.h>

static int n, failed;

static void result(int ok, const char *name)
{
	n++;
	if (!ok)
		failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", n, name);
}

static struct pvio_op op_of(__u8 kind, __u8 width, __u64 addr, __u64 value)
{
	struct pvio_op op;

	memset(&op, 0xee, sizeof(op));
	pvio_op_encode(&op, kind, width, addr, value);
	return op;
}

static void test_layout(void)
{
	result(sizeof(struct pvio_op) == PVIO_OP_SIZE, "op is 24 bytes");
	result(offsetof(struct pvio_op, kind) == 0 &&
	       offsetof(struct pvio_op, width) == 1 &&
	       offsetof(struct pvio_op, flags) == 2 &&
	       offsetof(struct pvio_op, reserved) == 4 &&
	       offsetof(struct pvio_op, addr) == 8 &&
	       offsetof(struct pvio_op, value) == 16, "field offsets");
	result(_Alignof(struct pvio_op) == 8, "op is 8-byte aligned");
	result(PVIO_ARRAY_MAX_BYTES <= 4096, "a full array fits one page");
	result(KVM_HC_PVIO > 12 && KVM_HC_PVIO <= 0xffffffffUL,
	       "hypercall number clear of upstream 1..12, fits 32 bits");
	result(PVIO_ABI_VERSION >= 1, "ABI version positive (probe > 0)");
}

static void test_encode(void)
{
	struct pvio_op op = op_of(PVIO_OP_PIO_OUT, 1, 0x3ff, 0x1234);

	result(op.kind == PVIO_OP_PIO_OUT && op.width == 1 && op.addr == 0x3ff,
	       "encode sets kind, width, port");
	result(op.value == 0x34, "encode masks value to width");
	result(op.flags == 0 && op.reserved == 0, "encode clears reserved fields");
	op = op_of(PVIO_OP_PIO_IN, 4, 0xcf8, 0xdead);
	result(op.value == 0, "encode zeroes the value of a read");
	result(pvio_width_mask(1) == 0xff && pvio_width_mask(2) == 0xffff &&
	       pvio_width_mask(4) == 0xffffffffULL && pvio_width_mask(8) == ~0ULL,
	       "width masks");
	result(pvio_op_is_read(&op) && pvio_op_is_pio(&op), "IN is a PIO read");
}

struct check_case {
	__u8 kind, width;
	__u64 addr, value;
	int want;
	const char *name;
};

static const struct check_case check_cases[] = {
	{ PVIO_OP_PIO_OUT, 1, 0x3ff, 0x5a, 0, "OUT byte accepted" },
	{ PVIO_OP_PIO_IN, 4, 0xcf8, 0, 0, "IN dword accepted" },
	{ PVIO_OP_PIO_OUT, 2, 0xfffe, 0, 0, "OUT word at 0xfffe accepted" },
	{ PVIO_OP_PIO_OUT, 2, 0xffff, 0, PVIO_ERANGE, "port+width past 0xffff" },
	{ PVIO_OP_PIO_IN, 4, 0xfffd, 0, PVIO_ERANGE, "IN dword at 0xfffd" },
	{ PVIO_OP_PIO_OUT, 1, 0x10000, 0, PVIO_ERANGE, "port above 0xffff" },
	{ PVIO_OP_PIO_OUT, 8, 0x80, 0, PVIO_EWIDTH, "PIO width 8 refused" },
	{ PVIO_OP_PIO_OUT, 3, 0x80, 0, PVIO_EWIDTH, "width 3 refused" },
	{ PVIO_OP_PIO_OUT, 0, 0x80, 0, PVIO_EWIDTH, "width 0 refused" },
	{ PVIO_OP_MMIO_WRITE, 8, 0xfed00108, 1, 0, "MMIO qword accepted" },
	{ PVIO_OP_MMIO_READ, 4, 0xfebc0002, 0, PVIO_ERANGE, "MMIO misaligned" },
	{ PVIO_OP_MMIO_READ, 16, 0xfebc0000, 0, PVIO_EWIDTH, "MMIO width 16" },
	{ 0, 1, 0x80, 0, PVIO_EKIND, "kind 0 refused" },
	{ 5, 1, 0x80, 0, PVIO_EKIND, "kind 5 refused" },
	{ 255, 1, 0x80, 0, PVIO_EKIND, "kind 255 refused" },
};

static void test_check(void)
{
	struct pvio_op op;
	unsigned int i;

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];

		memset(&op, 0, sizeof(op));
		op.kind = c->kind;
		op.width = c->width;
		op.addr = c->addr;
		op.value = c->value;
		result(pvio_op_check(&op) == c->want, c->name);
	}
	op = op_of(PVIO_OP_PIO_OUT, 1, 0x80, 0);
	op.flags = 1;
	result(pvio_op_check(&op) == PVIO_EKIND, "flags set refused");
	op = op_of(PVIO_OP_PIO_OUT, 1, 0x80, 0);
	op.reserved = 0x80000000u;
	result(pvio_op_check(&op) == PVIO_EKIND, "reserved set refused");
	op = op_of(PVIO_OP_PIO_OUT, 1, 0x80, 0);
	op.value = 0x100;
	result(pvio_op_check(&op) == PVIO_EKIND, "write value above width refused");
	op = op_of(PVIO_OP_PIO_IN, 1, 0x80, 0);
	op.value = 0xffff;
	result(pvio_op_check(&op) == 0, "read ignores stale value");
}

static void test_batch_check(void)
{
	result(pvio_batch_check(0x1000, 1) == 0, "one op at page start");
	result(pvio_batch_check(0x1000, PVIO_MAX_OPS) == 0, "full array at page start");
	result(pvio_batch_check(0x1000, 0) == PVIO_ECOUNT, "count 0");
	result(pvio_batch_check(0x1000, PVIO_MAX_OPS + 1) == PVIO_ECOUNT,
	       "count over the limit");
	result(pvio_batch_check(0x1000, ~0ULL) == PVIO_ECOUNT, "count 2^64-1");
	result(pvio_batch_check(0x1004, 1) == PVIO_EARRAY, "misaligned array");
	result(pvio_batch_check(0x1fe8, 1) == 0, "last op ends at page end");
	result(pvio_batch_check(0x1ff0, 1) == PVIO_EARRAY, "op crossing a page");
	result(pvio_batch_check(0x1c00, 64) == PVIO_EARRAY, "array crossing a page");
	result(pvio_batch_check(0xfffffffffffff000ULL, 1) == 0,
	       "top page: no overflow in the check");
}

static void test_batch_ran(void)
{
	static const int refusals[] = {
		PVIO_EFUNC, PVIO_ECOUNT, PVIO_EARRAY, PVIO_EFAULT, PVIO_EKIND,
		PVIO_EWIDTH, PVIO_ERANGE, PVIO_ERAM, PVIO_EBUSY, 1000, 1,
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		ok &= !pvio_batch_ran(-refusals[i], 3);
	result(ok, "refusals (every PVIO_E* but ELOST, -KVM_ENOSYS, -KVM_EPERM): nothing ran");
	result(pvio_batch_ran(3, 3) && pvio_batch_ran(PVIO_MAX_OPS, PVIO_MAX_OPS),
	       "the op count: the batch ran");
	result(pvio_batch_ran(-PVIO_ELOST, 3), "-PVIO_ELOST: the batch ran, never rerun it");
	result(!pvio_batch_ran(2, 3) && !pvio_batch_ran(0, 3),
	       "another count: not a completed batch");
	result(PVIO_ELOST != PVIO_EFAULT && PVIO_ELOST > PVIO_EBUSY,
	       "results lost has a code of its own");
}

int main(void)
{
	printf("TAP version 13\n");
	test_layout();
	test_encode();
	test_check();
	test_batch_check();
	test_batch_ran();
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
