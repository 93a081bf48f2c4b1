// SPDX-License-Identifier: GPL-2.0
/*
 * Native-transport overhead: a batch of 8 OUTs to the COM1 scratch register
 * through pvio against 8 direct outb, interleaved rounds (the order of the
 * two alternating from round to round); the medians of
 * each side's time and of the rounds' ratios are reported.
 * Loads, prints "pvio_bench: ..." lines, and stays loaded until rmmod.
 *
 * flushes=N (count mode, for exit counting in the nested rig): instead,
 * run N flushes of the same batch once, untimed in between, and print the
 * transport, the elapsed ns and pvio's counters for that batch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pvio.h>
#include <linux/sort.h>

#define UART_SCR	0x3ff
#define OPS		8

static unsigned int iterations = 4000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "batches per round (default 4000)");

static unsigned int rounds = 31;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "interleaved rounds, median reported (1..31, default 31)");

static unsigned int flushes;
module_param(flushes, uint, 0444);
MODULE_PARM_DESC(flushes, "count mode: N flushes of 8 OUTs, one pass, no rounds (default 0: off)");

/*
 * Both loops are written as a driver would program a register run: eight
 * statements in a row, not a loop the compiler may shape differently.
 */
static u64 time_direct(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < iterations; i++) {
		outb(0, UART_SCR);
		outb(1, UART_SCR);
		outb(2, UART_SCR);
		outb(3, UART_SCR);
		outb(4, UART_SCR);
		outb(5, UART_SCR);
		outb(6, UART_SCR);
		outb(7, UART_SCR);
	}
	return ktime_get_ns() - t0;
}

static u64 time_batched(struct pv_io_batch *b)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < iterations; i++) {
		pv_io_outb(b, 0, UART_SCR);
		pv_io_outb(b, 1, UART_SCR);
		pv_io_outb(b, 2, UART_SCR);
		pv_io_outb(b, 3, UART_SCR);
		pv_io_outb(b, 4, UART_SCR);
		pv_io_outb(b, 5, UART_SCR);
		pv_io_outb(b, 6, UART_SCR);
		pv_io_outb(b, 7, UART_SCR);
		pv_io_flush(b);
	}
	return ktime_get_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int count_mode(void)
{
	struct pv_io_stats st;
	struct pv_io_batch *b;
	unsigned int i, j;
	u64 t0, t;

	b = pv_io_batch_alloc("bench", OPS);
	if (IS_ERR(b))
		return PTR_ERR(b);
	t0 = ktime_get_ns();
	for (i = 0; i < flushes; i++) {
		for (j = 0; j < OPS; j++)
			pv_io_outb(b, j, UART_SCR);
		pv_io_flush(b);
	}
	t = ktime_get_ns() - t0;
	pv_io_batch_stats(b, &st);
	pr_info("count transport=%s ops_per_flush=%d flushes=%u ns=%llu\n",
		pv_io_batch_transport(b) == PV_IO_HYPERCALL ? "hypercall" : "native",
		OPS, i, t);
	pr_info("count stats flushes=%llu hypercalls=%llu ops_hypercall=%llu ops_native=%llu results_lost=%llu fallbacks=%llu\n",
		st.c[PV_IO_FLUSHES], st.c[PV_IO_HYPERCALLS],
		st.c[PV_IO_OPS_HYPERCALL], st.c[PV_IO_OPS_NATIVE],
		st.c[PV_IO_RESULTS_LOST], st.c[PV_IO_FALLBACKS]);
	pv_io_batch_free(b);
	return 0;
}

/*
 * Not __init: __init implies __cold, and GCC then treats every function
 * called only from here as cold too, compiling both timed loops for size
 * with no block reordering.  A driver's register runs are compiled as
 * normal code, so the loops must be too.
 */
static int pvio_bench_init(void)
{
	u64 direct[31], batched[31], ratio[31];
	struct pv_io_batch *b;
	unsigned int r;
	u64 d, p;

	if (flushes)
		return count_mode();
	if (!iterations || !rounds || rounds > ARRAY_SIZE(direct)) {
		pr_err("iterations must be > 0 and rounds 1..%zu\n", ARRAY_SIZE(direct));
		return -EINVAL;
	}
	b = pv_io_batch_alloc("bench", OPS);
	if (IS_ERR(b))
		return PTR_ERR(b);

	/*
	 * A round's two halves run back to back, so their ratio sees the same
	 * load; which half goes first alternates, so that neither always pays
	 * for coming first or second.
	 */
	for (r = 0; r < rounds; r++) {
		if (r & 1) {
			batched[r] = time_batched(b);
			direct[r] = time_direct();
		} else {
			direct[r] = time_direct();
			batched[r] = time_batched(b);
		}
		ratio[r] = div64_u64(batched[r] * 1000, direct[r] ? direct[r] : 1);
	}
	sort(ratio, rounds, sizeof(u64), cmp_u64, NULL);
	sort(direct, rounds, sizeof(u64), cmp_u64, NULL);
	sort(batched, rounds, sizeof(u64), cmp_u64, NULL);
	d = direct[rounds / 2];
	p = batched[rounds / 2];
	pr_info("transport=%s ops_per_batch=%d iterations=%u rounds=%u\n",
		pv_io_batch_transport(b) == PV_IO_HYPERCALL ? "hypercall" : "native",
		OPS, iterations, rounds);
	pr_info("direct_ns_per_batch=%llu pvio_ns_per_batch=%llu ratio_x1000=%llu\n",
		div_u64(d, iterations), div_u64(p, iterations), ratio[rounds / 2]);
	pv_io_batch_free(b);
	return 0;
}

static void __exit pvio_bench_exit(void)
{
}

module_init(pvio_bench_init);
module_exit(pvio_bench_exit);
MODULE_DESCRIPTION("pvio benchmark: native transport overhead");
MODULE_AUTHOR("pvio developers");
MODULE_LICENSE("GPL");
