// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the host's batch fetch and validation
 * (host/kvm/src/pvio_check.c, built unchanged; the same file is in kvm.ko).
 *
 * The input describes a small guest: 8 pages at gfn 0..7, each either RAM
 * (readable; writable unless marked read-only) or a hole, its MAXPHYADDR,
 * the hypercall's gpa and count, and the bytes of the op array.  The target checks:
 *  - the result equals an independent reference model of the ABI
 *    (include/uapi/linux/pvio.h) including which error wins;
 *  - guest memory is read exactly once when the call arguments are valid
 *    and never otherwise; the read covers the array and nothing else;
 *  - an accepted batch is exactly the bytes the guest had at the time of
 *    the read, even though the fake guest rewrites its array right after
 *    being read (a second vCPU racing the handler);
 *  - pvio_run_length() returns maximal runs of like port ops that fit
 *    the data page, and 1 for MMIO ops;
 *  - ASan/UBSan: no access outside the PVIO_MAX_OPS kernel buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvio_check.h"

#define NPAGES	8
#define PG	4096

struct fake_guest {
	u8 mem[NPAGES * PG];
	u8 ram_mask;		/* bit n: gfn n is RAM */
	u8 ro_mask;		/* bit n: gfn n is read-only RAM */
	u64 gpa_limit;		/* 1 << MAXPHYADDR */
	int reads;
	u64 read_gpa;
	unsigned int read_len;
	u8 snapshot[PVIO_ARRAY_MAX_BYTES];
};

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "pvio fuzz: check failed: %s (line %d)\n", \
			#cond, __LINE__);				\
		abort();						\
	}								\
} while (0)

static bool fg_is_ram(void *ctx, u64 gpa)
{
	struct fake_guest *g = ctx;
	u64 gfn = gpa / PG;

	return gfn < NPAGES && (g->ram_mask & (1u << gfn));
}

static bool fg_writable(void *ctx, u64 gpa)
{
	struct fake_guest *g = ctx;

	return fg_is_ram(ctx, gpa) && !(g->ro_mask & (1u << (gpa / PG)));
}

static int fg_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	struct fake_guest *g = ctx;
	u64 a;

	g->reads++;
	g->read_gpa = gpa;
	g->read_len = len;
	for (a = gpa; a < gpa + len; a += PG - (a % PG))
		if (!fg_is_ram(ctx, a))
			return -14;
	if (gpa + len - 1 < gpa || !fg_is_ram(ctx, gpa + len - 1))
		return -14;
	memcpy(buf, g->mem + gpa, len);
	CHECK(len <= sizeof(g->snapshot));
	memcpy(g->snapshot, g->mem + gpa, len);
	/* another vCPU rewrites the array as soon as it has been read */
	for (a = 0; a < len; a++)
		g->mem[gpa + a] ^= 0xa5;
	return 0;
}

/* ---- reference model, written from the ABI text, not from the code ---- */

static int ref_op(const struct fake_guest *g, const u8 *raw)
{
	struct pvio_op op;
	u64 mask;

	memcpy(&op, raw, sizeof(op));
	if (op.kind < 1 || op.kind > 4 || op.flags || op.reserved)
		return PVIO_EKIND;
	if (op.kind <= 2) {
		if (op.width != 1 && op.width != 2 && op.width != 4)
			return PVIO_EWIDTH;
		if (op.addr > 0xffff || op.addr + op.width > 0x10000)
			return PVIO_ERANGE;
	} else {
		if (op.width != 1 && op.width != 2 && op.width != 4 &&
		    op.width != 8)
			return PVIO_EWIDTH;
		if (op.addr % op.width)
			return PVIO_ERANGE;
	}
	mask = op.width == 8 ? ~0ULL : (1ULL << (8 * op.width)) - 1;
	if ((op.kind == 1 || op.kind == 3) && (op.value & ~mask))
		return PVIO_EKIND;
	if (op.kind >= 3 && op.addr >= g->gpa_limit)
		return PVIO_ERANGE;	/* above the guest's MAXPHYADDR */
	if (op.kind >= 3 && fg_is_ram((void *)g, op.addr))
		return PVIO_ERAM;
	return 0;
}

static int ref_batch(const struct fake_guest *g, u64 gpa, u64 count)
{
	bool reads = false;
	u64 i, a;
	int err;

	if (count < 1 || count > 128)
		return PVIO_ECOUNT;
	if (gpa % 8 || gpa % PG + count * 24 > PG)
		return PVIO_EARRAY;
	for (a = gpa; a < gpa + count * 24; a++)
		if (!fg_is_ram((void *)g, a))
			return PVIO_EFAULT;
	for (i = 0; i < count; i++) {
		const u8 *raw = g->mem + gpa + i * 24;

		err = ref_op(g, raw);
		if (err)
			return err;
		if (raw[0] == 2 || raw[0] == 4)
			reads = true;
	}
	if (reads && !fg_writable((void *)g, gpa))
		return PVIO_EFAULT;
	return 0;
}

/* ---- input decoding ---- */

static const u8 widths[] = { 1, 2, 4, 8, 3, 0 };

/* structured mode: 6 input bytes per op, mostly valid ops */
static void make_ops(u8 *dst, size_t room, const u8 *in, size_t n)
{
	size_t i;

	for (i = 0; i + 6 <= n && (i / 6 + 1) * 24 <= room; i += 6) {
		struct pvio_op op;
		const u8 *b = in + i;

		memset(&op, 0, sizeof(op));
		op.kind = b[0] % 6;
		op.width = widths[b[1] % 6];
		if (op.kind <= 2)
			op.addr = (b[2] & 0x80) ? 0xfff0 + (b[3] & 0xf) :
			       0x1f0 + (b[3] & 7);
		else
			op.addr = (b[2] & 0x80) ? (u64)b[3] * 8 :
			       0xfebf0000ULL + (u64)(b[3] & 0xf8);
		op.value = b[4] | ((u64)b[5] << 8);
		if ((b[2] & 0x7f) == 1)
			op.flags = 1;
		if ((b[2] & 0x7f) == 2)
			op.reserved = 1;
		if ((b[2] & 0x7f) == 3)
			op.value = ~0ULL;
		memcpy(dst + (i / 6) * 24, &op, sizeof(op));
	}
}

static void check_runs(const struct pvio_op *ops, unsigned int count,
		       unsigned int max_bytes)
{
	unsigned int i = 0, j, n;

	while (i < count) {
		const struct pvio_op *a = &ops[i];

		n = pvio_run_length(ops, i, count, max_bytes);
		CHECK(n >= 1 && n <= count - i);
		if (!pvio_op_is_pio(a)) {
			CHECK(n == 1);
		} else {
			CHECK(n == 1 || n * a->width <= max_bytes);
			for (j = i + 1; j < i + n; j++)
				CHECK(ops[j].kind == a->kind &&
				      ops[j].width == a->width &&
				      ops[j].addr == a->addr);
			if (i + n < count && (n + 1) * a->width <= max_bytes)
				CHECK(ops[i + n].kind != a->kind ||
				      ops[i + n].width != a->width ||
				      ops[i + n].addr != a->addr);
		}
		i += n;
	}
}

/* libFuzzer's entry point, under a C name checkpatch accepts */
int fuzz_one_input(const u8 *data, size_t size) asm("LLVMFuzzerTestOneInput");

int fuzz_one_input(const u8 *data, size_t size)
{
	static struct fake_guest g;
	struct pvio_guest pg = {
		.read = fg_read,
		.is_ram = fg_is_ram,
		.writable = fg_writable,
		.ctx = &g,
	};
	struct pvio_op *ops;
	u8 sel, c;
	u64 gpa, count;
	int ref, err;
	size_t room;

	if (size < 8)
		return 0;
	sel = data[0];
	memset(&g, 0, sizeof(g));
	g.ram_mask = data[1];
	g.ro_mask = data[2];
	/* MAXPHYADDR 12..52: small ones put the fake guest's own pages above it */
	g.gpa_limit = 1ULL << (12 + data[4] % 41);
	pg.gpa_limit = g.gpa_limit;
	c = data[3];
	if (sel & 0x40)
		count = ((u64)data[4] << 56) | c;	/* huge counts */
	else
		count = c % (PVIO_MAX_OPS + 3);
	gpa = (u64)(sel & 7) * PG + ((data[5] | (data[6] << 8)) & 0xfff);
	if (sel & 0x08)
		gpa &= ~7ULL;
	if (data[7] == 0xff)
		gpa |= 1ULL << 40;	/* far outside guest memory */
	data += 8;
	size -= 8;

	room = gpa < sizeof(g.mem) ? sizeof(g.mem) - gpa : 0;
	if (room && (sel & 0x20))
		make_ops(g.mem + gpa, room, data, size);
	else if (room)
		memcpy(g.mem + gpa, data, size < room ? size : room);

	ref = ref_batch(&g, gpa, count);

	/* exactly the kernel's buffer, so ASan sees any overrun */
	ops = malloc(PVIO_MAX_OPS * sizeof(*ops));
	CHECK(ops);
	err = pvio_fetch_batch(&pg, gpa, count, ops);

	if (err != ref) {
		fprintf(stderr, "gpa %#llx count %llu: got %d, model says %d\n",
			(unsigned long long)gpa, (unsigned long long)count,
			err, ref);
		abort();
	}
	if (ref == PVIO_ECOUNT || ref == PVIO_EARRAY) {
		CHECK(g.reads == 0);
	} else {
		CHECK(g.reads == 1);
		CHECK(g.read_gpa == gpa && g.read_len == count * 24);
	}
	if (!err) {
		CHECK(memcmp(ops, g.snapshot, count * 24) == 0);
		check_runs(ops, count, PG);
		check_runs(ops, count, 1 + (sel & 0x1f) * 3);
	}
	free(ops);
	return 0;
}
