// SPDX-License-Identifier: GPL-2.0
/*
 * pvio self-test: drives real device registers through pv_io batches and
 * compares every result with a direct access.  Prints KTAP; refuses to load
 * (-EINVAL) when a case fails, so `insmod` itself reports the verdict.
 *
 * Devices (QEMU pc, Debian guest kernel; all present on real PCs too):
 *   COM1 scratch register 0x3ff   byte OUT-then-IN ordering, full and
 *                                 overfull batches (auto flush), fallback
 *   PIC mask 0x21                 byte reads (in-kernel device under KVM)
 *   PCI CONFIG_ADDRESS 0xcf8      dword OUT/IN, word IN of config data
 *   HPET (0xfed00000)             MMIO reads (4, 8 bytes), writes to an unused comparator
 */
#define pr_fmt(fmt) fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pvio.h>

#define UART_SCR	0x3ff	/* COM1 base 0x3f8 + 7 */
#define PIC1_IMR	0x21
#define PCI_CFG_ADDR	0xcf8
#define PCI_CFG_DATA	0xcfc
#define HPET_BASE	0xfed00000UL
#define HPET_CAP	0x000	/* general capabilities and ID, read-only */
#define HPET_TN_CFG(n)	(0x100 + 0x20 * (n))
#define HPET_TN_CMP(n)	(0x108 + 0x20 * (n))
#define HPET_TN_INT_ENB	BIT(2)

static unsigned int st_num;
static unsigned int st_failed;
static unsigned int st_skipped;

static void st_result(bool ok, const char *name)
{
	st_num++;
	if (!ok)
		st_failed++;
	pr_info("%sok %u %s\n", ok ? "" : "not ", st_num, name);
}

static void st_skip(const char *name, const char *why)
{
	st_num++;
	st_skipped++;
	pr_info("ok %u %s # SKIP %s\n", st_num, name, why);
}

static bool st_native(struct pv_io_batch *b)
{
	return pv_io_batch_transport(b) == PV_IO_NATIVE;
}

/* Ops run as they are queued (native, no test hook armed yet). */
static bool st_inplace(void)
{
	return static_key_enabled(&pv_io_all_inplace);
}

/* OUT then IN on the scratch register, in one flush: the IN sees the OUT. */
static bool test_uart_scratch_order(struct pv_io_batch *b)
{
	u8 r1 = 0, r2 = 0, direct;
	bool ok = true;

	pv_io_outb(b, 0x5a, UART_SCR);
	pv_io_inb(b, UART_SCR, &r1);
	pv_io_outb(b, 0xa5, UART_SCR);
	pv_io_inb(b, UART_SCR, &r2);
	/* in place nothing waits: each op ran when it was queued */
	ok &= pv_io_pending(b) == (st_inplace() ? 0 : 4);
	pv_io_flush(b);
	direct = inb(UART_SCR);
	pr_info("    # scratch reads %#x %#x, direct %#x\n", r1, r2, direct);
	return ok && r1 == 0x5a && r2 == 0xa5 && direct == 0xa5 &&
	       pv_io_pending(b) == 0;
}

/* A direct OUT is seen by a batched IN and vice versa. */
static bool test_uart_scratch_vs_direct(struct pv_io_batch *b)
{
	u8 r = 0;

	outb(0x3c, UART_SCR);
	pv_io_inb(b, UART_SCR, &r);
	pv_io_flush(b);
	if (r != 0x3c)
		return false;
	pv_io_outb(b, 0xc3, UART_SCR);
	pv_io_flush(b);
	return inb(UART_SCR) == 0xc3;
}

static bool test_pic_mask_read(struct pv_io_batch *b)
{
	unsigned long flags;
	u8 r = 0, direct;

	/* the mask only changes under the irq lock; hold interrupts off */
	local_irq_save(flags);
	pv_io_inb(b, PIC1_IMR, &r);
	pv_io_flush(b);
	direct = inb(PIC1_IMR);
	local_irq_restore(flags);
	return r == direct;
}

/* CONFIG_ADDRESS is a read/write dword latch; CONFIG_DATA reads the device. */
static bool test_pci_cfg_widths(struct pv_io_batch *b)
{
	u32 latch = 0, id_direct, want = 0x80000000;
	u16 vendor = 0, device = 0;
	unsigned long flags;

	/* single vCPU test guests: with interrupts off nobody else uses 0xcf8 */
	local_irq_save(flags);
	pv_io_outl(b, want, PCI_CFG_ADDR);
	pv_io_inl(b, PCI_CFG_ADDR, &latch);
	pv_io_inw(b, PCI_CFG_DATA, &vendor);
	pv_io_inw(b, PCI_CFG_DATA + 2, &device);
	pv_io_flush(b);
	outl(want, PCI_CFG_ADDR);
	id_direct = inl(PCI_CFG_DATA);
	local_irq_restore(flags);

	pr_info("    # host bridge %04x:%04x, direct %08x\n", vendor, device,
		id_direct);
	return latch == want && vendor == (id_direct & 0xffff) &&
	       device == (id_direct >> 16) && vendor != 0xffff;
}

static void test_hpet_mmio(struct pv_io_batch *b)
{
	u32 cap32 = 0, cmp_lo = 0;
	u64 cap64 = 0, cmp = 0, old;
	void __iomem *hpet;
	int last, n;

	hpet = ioremap(HPET_BASE, 0x400);
	if (!hpet) {
		st_skip("hpet_mmio_read_widths", "cannot map HPET");
		st_skip("hpet_mmio_write_read", "cannot map HPET");
		return;
	}
	if (readl(hpet + HPET_CAP) == 0xffffffff || readl(hpet + HPET_CAP) == 0) {
		st_skip("hpet_mmio_read_widths", "no HPET at 0xfed00000");
		st_skip("hpet_mmio_write_read", "no HPET at 0xfed00000");
		goto out;
	}
	pv_io_readl(b, hpet + HPET_CAP, &cap32);
	pv_io_readq(b, hpet + HPET_CAP, &cap64);
	pv_io_flush(b);
	st_result(cap32 == readl(hpet + HPET_CAP) &&
		  cap64 == readq(hpet + HPET_CAP) && (u32)cap64 == cap32,
		  "hpet_mmio_read_widths");

	/* the last timer's comparator is ours if that timer is not enabled */
	last = (readl(hpet + HPET_CAP) >> 8) & 0x1f;
	n = last;
	if (n < 2 || readl(hpet + HPET_TN_CFG(n)) & HPET_TN_INT_ENB) {
		st_skip("hpet_mmio_write_read", "no idle HPET timer");
		goto out;
	}
	old = readq(hpet + HPET_TN_CMP(n));
	pv_io_writeq(b, 0x123456789aULL, hpet + HPET_TN_CMP(n));
	pv_io_readq(b, hpet + HPET_TN_CMP(n), &cmp);
	pv_io_writel(b, 0x600dcafe, hpet + HPET_TN_CMP(n));
	pv_io_readl(b, hpet + HPET_TN_CMP(n), &cmp_lo);
	pv_io_flush(b);
	st_result(cmp == 0x123456789aULL && cmp_lo == 0x600dcafe &&
		  readl(hpet + HPET_TN_CMP(n)) == 0x600dcafe,
		  "hpet_mmio_write_read");
	writeq(old, hpet + HPET_TN_CMP(n));
out:
	iounmap(hpet);
}

/* Fill the batch to capacity with OUT/IN pairs; every IN sees its OUT. */
static bool test_full_batch(struct pv_io_batch *b)
{
	unsigned int cap = pv_io_capacity(b), i;
	u8 res[PVIO_MAX_OPS / 2];
	bool ok;

	for (i = 0; i < cap / 2; i++) {
		pv_io_outb(b, 0x10 + i, UART_SCR);
		pv_io_inb(b, UART_SCR, &res[i]);
	}
	ok = pv_io_pending(b) == (st_inplace() ? 0 : cap);
	pv_io_flush(b);
	for (i = 0; i < cap / 2; i++)
		ok &= res[i] == (u8)(0x10 + i);
	return ok;
}

static void st_delta(struct pv_io_stats *d, const struct pv_io_stats *before,
		     const struct pv_io_stats *after)
{
	unsigned int i;

	for (i = 0; i < PV_IO_NR_COUNTERS; i++)
		d->c[i] = after->c[i] - before->c[i];
}

/*
 * @pairs OUT/IN pairs, more than the batch holds: it flushes itself when
 * full, so every IN still sees the OUT before it.  @d: the counters' change.
 */
static bool st_overfill(struct pv_io_batch *b, unsigned int pairs,
			struct pv_io_stats *d)
{
	struct pv_io_stats before, after;
	u8 res[PVIO_MAX_OPS];
	unsigned int i;
	bool ok = true;

	pv_io_batch_stats(b, &before);
	for (i = 0; i < pairs; i++) {
		pv_io_outb(b, 0x40 + i, UART_SCR);
		pv_io_inb(b, UART_SCR, &res[i]);
	}
	pv_io_flush(b);
	pv_io_batch_stats(b, &after);
	st_delta(d, &before, &after);
	for (i = 0; i < pairs; i++)
		ok &= res[i] == (u8)(0x40 + i);
	pr_info("    # %u ops: flushes +%llu auto_flushes +%llu hypercalls +%llu fallbacks +%llu\n",
		2 * pairs, d->c[PV_IO_FLUSHES], d->c[PV_IO_AUTO_FLUSHES],
		d->c[PV_IO_HYPERCALLS], d->c[PV_IO_FALLBACKS]);
	return ok && inb(UART_SCR) == (u8)(0x40 + pairs - 1) &&
	       d->c[PV_IO_OPS_QUEUED] == 2 * pairs &&
	       d->c[PV_IO_OPS_NATIVE] + d->c[PV_IO_OPS_HYPERCALL] == 2 * pairs;
}

/* Queued past capacity: two auto flushes, order kept; in place: none. */
static bool test_overfull_batch(struct pv_io_batch *b)
{
	unsigned int cap = pv_io_capacity(b);
	unsigned int autos = st_inplace() ? 0 : (2 * (cap + 1) - 1) / cap;
	struct pv_io_stats d;
	bool ok = st_overfill(b, cap + 1, &d);

	return ok && d.c[PV_IO_AUTO_FLUSHES] == autos &&
	       d.c[PV_IO_FLUSHES] == autos + 1;
}

static bool test_empty_flush(struct pv_io_batch *b)
{
	struct pv_io_stats before, after;

	pv_io_batch_stats(b, &before);
	pv_io_flush(b);
	pv_io_batch_stats(b, &after);
	return after.c[PV_IO_FLUSHES] == before.c[PV_IO_FLUSHES] &&
	       after.c[PV_IO_HYPERCALLS] == before.c[PV_IO_HYPERCALLS] &&
	       after.c[PV_IO_OPS_NATIVE] == before.c[PV_IO_OPS_NATIVE];
}

#ifdef CONFIG_PVIO_FAULT_INJECTION
/*
 * The host refuses the batch: the ops still run, natively, in order, and
 * the counters say so.  On a host with the handler the refusal is real.
 */
static void test_fallback(struct pv_io_batch *b)
{
	struct pv_io_stats before, after, d;
	u8 r = 0;

	pv_io_batch_stats(b, &before);
	pv_io_batch_inject_host_error(b, 1);
	pv_io_outb(b, 0xe7, UART_SCR);
	pv_io_inb(b, UART_SCR, &r);
	pv_io_flush(b);
	pv_io_batch_stats(b, &after);
	st_delta(&d, &before, &after);
	pr_info("    # fallback: fallbacks +%llu ops_native +%llu\n",
		d.c[PV_IO_FALLBACKS], d.c[PV_IO_OPS_NATIVE]);
	st_result(r == 0xe7 && inb(UART_SCR) == 0xe7 &&
		  d.c[PV_IO_FALLBACKS] == 1 && d.c[PV_IO_OPS_NATIVE] == 2 &&
		  d.c[PV_IO_HYPERCALLS] == !st_native(b),
		  "fallback_after_host_error");
}

/*
 * Past capacity with every chunk refused: the queued path (which a native
 * batch takes while errors are armed) flushes itself when full, each chunk
 * runs natively, and the order still holds.
 */
static void test_overfull_fallback(struct pv_io_batch *b)
{
	unsigned int cap = pv_io_capacity(b);
	unsigned int chunks = (2 * (cap + 1) - 1) / cap + 1;
	struct pv_io_stats d;
	bool ok;

	pv_io_batch_inject_host_error(b, chunks);
	ok = st_overfill(b, cap + 1, &d);
	st_result(ok && d.c[PV_IO_AUTO_FLUSHES] == chunks - 1 &&
		  d.c[PV_IO_FLUSHES] == chunks &&
		  d.c[PV_IO_FALLBACKS] == chunks && d.c[PV_IO_OPS_HYPERCALL] == 0,
		  "overfull_batch_after_host_errors");
}
#else
static void test_fallback(struct pv_io_batch *b)
{
	st_skip("fallback_after_host_error", "built without PVIO_FAULT_INJECTION");
}

static void test_overfull_fallback(struct pv_io_batch *b)
{
	st_skip("overfull_batch_after_host_errors",
		"built without PVIO_FAULT_INJECTION");
}
#endif

/* Counters add up: every queued op ran exactly once, on one path or the other. */
static bool test_counters(struct pv_io_batch *b)
{
	struct pv_io_stats before, after, d;
	u8 r;
	int i;

	pv_io_batch_stats(b, &before);
	for (i = 0; i < 6; i++)
		pv_io_outb(b, i, UART_SCR);
	pv_io_inb(b, UART_SCR, &r);
	pv_io_flush(b);
	pv_io_batch_stats(b, &after);
	st_delta(&d, &before, &after);
	if (st_native(b) ? d.c[PV_IO_HYPERCALLS] : !d.c[PV_IO_HYPERCALLS])
		return false;
	return d.c[PV_IO_OPS_QUEUED] == 7 &&
	       d.c[PV_IO_OPS_NATIVE] + d.c[PV_IO_OPS_HYPERCALL] == 7 &&
	       d.c[PV_IO_FLUSHES] == 1 && d.c[PV_IO_AUTO_FLUSHES] == 0 &&
	       d.c[PV_IO_FALLBACKS] == 0 && d.c[PV_IO_RESULTS_LOST] == 0 &&
	       r == 5;
}

static bool test_alloc_limits(void)
{
	struct pv_io_batch *b;
	bool ok;

	ok = PTR_ERR(pv_io_batch_alloc("selftest-zero", 0)) == -EINVAL &&
	     PTR_ERR(pv_io_batch_alloc("selftest-big", PVIO_MAX_OPS + 1)) == -EINVAL;
	b = pv_io_batch_alloc("selftest-max", PVIO_MAX_OPS);
	if (IS_ERR(b))
		return false;
	ok &= pv_io_capacity(b) == PVIO_MAX_OPS && test_full_batch(b);
	pv_io_batch_free(b);
	return ok;
}

static int __init pvio_selftest_init(void)
{
	struct pv_io_batch *b;

	pr_info("KTAP version 1\n");
	pr_info("1..14\n");
	pr_info("    # pvio_selftest: transport %s\n",
		pv_io_default_transport() == PV_IO_HYPERCALL ? "hypercall" : "native");

	b = pv_io_batch_alloc("selftest", 16);
	if (IS_ERR(b)) {
		pr_info("not ok 1 batch_alloc\n");
		return PTR_ERR(b);
	}
	st_result(pv_io_capacity(b) == 16 && pv_io_pending(b) == 0 &&
		  pv_io_batch_transport(b) == pv_io_default_transport(),
		  "batch_alloc");
	st_result(test_uart_scratch_order(b), "uart_scratch_out_in_order");
	st_result(test_uart_scratch_vs_direct(b), "uart_scratch_matches_direct");
	st_result(test_pic_mask_read(b), "pic_mask_read");
	st_result(test_pci_cfg_widths(b), "pci_cfg_dword_word");
	test_hpet_mmio(b);
	st_result(test_full_batch(b), "full_batch");
	st_result(test_overfull_batch(b), "overfull_batch_flushes_itself");
	st_result(test_empty_flush(b), "empty_flush");
	test_fallback(b);
	test_overfull_fallback(b);
	st_result(test_counters(b), "counters_add_up");
	pv_io_batch_free(b);
	st_result(test_alloc_limits(), "alloc_limits_and_max_capacity");

	pr_info("# pvio_selftest: pass:%u fail:%u skip:%u total:%u\n",
		st_num - st_failed - st_skipped, st_failed, st_skipped, st_num);
	return st_failed ? -EINVAL : 0;
}

static void __exit pvio_selftest_exit(void)
{
}

module_init(pvio_selftest_init);
module_exit(pvio_selftest_exit);
MODULE_DESCRIPTION("pvio self-test on real device registers (KTAP)");
MODULE_AUTHOR("pvio developers");
MODULE_LICENSE("GPL");
