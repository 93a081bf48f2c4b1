// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: kvm.pit_reload_divisor (host/kvm patch 0003).  The guest
 * (g_pit) programs the in-kernel PIT's channel 0 for 100 Hz and reports
 * every timer interrupt with an OUT; the VMM counts them for PIT_SECONDS of
 * wall time.  With the divisor at 4, a guest in periodic mode 2 must slow
 * about 4-fold, and one re-arming one-shot mode 0 at every interrupt must
 * not.  The tolerances are wide because the rig runs under TCG, where a
 * guest's rate drifts with the load on the machine.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcase.h"

#define PIT_SECONDS	3.0
#define PIT_VECTOR	0x20	/* g_pit puts IRQ0 there */
#define PORT_TICK	0xf0
#define DIVISOR		"pit_reload_divisor"
#define MIN_RATE	30.0	/* of 100/s: the guest ticks at all */

struct pit_case {
	bool oneshot;		/* mode 0 re-armed per interrupt, else mode 2 */
	bool divided;		/* compare divisor 1 with divisor 4 */
};

static const struct pit_case periodic = { false, false }, periodic_div4 = { false, true },
	oneshot = { true, false }, oneshot_div4 = { true, true };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Runs g_pit on a fresh VM and returns its timer interrupts per second, or
 * -1 (diagnosed).  Counting starts at the first tick, so the VM's setup is
 * not measured.  A guest that stops ticking hangs here until the case's
 * alarm, which is a "not ok ... timeout".
 */
static double pit_rate(struct vm *vm, bool oneshot)
{
	double t, t0 = 0;
	long ticks = -1;

	if (vcpu_set_irq_gate(vm, 0, PIT_VECTOR, guest_entry(g_pit_irq)) ||
	    vcpu_set_call(vm, 0, guest_entry(g_pit), 0, oneshot, 0, 0))
		return -1;
	for (;;) {
		if (vm_run(vm, 0, 1) != RUN_STOPPED)
			return -1;
		if (vm->log[0].kind != X_PIO_OUT || vm->log[0].addr != PORT_TICK) {
			dump_log(vm);
			return -1;
		}
		vm->nlog = 0;
		t = now();
		if (++ticks == 0)
			t0 = t;
		else if (t - t0 >= PIT_SECONDS)
			return ticks / (t - t0);
	}
}

/* The rate of a second, fresh VM: the divisor applies when the guest programs the PIT. */
static double pit_rate_new_vm(bool oneshot)
{
	static struct vm vm = { .kvm = -1, .fd = -1 };
	double rate = -1;

	if (vm_create(&vm, 1, false) == 0)
		rate = pit_rate(&vm, oneshot);
	vm_print_stats(&vm);
	vm_destroy(&vm);
	return rate;
}

static enum tres pit_verdict(const struct pit_case *c, double r1, double r4)
{
	const char *mode = c->oneshot ? "one-shot mode 0" : "periodic mode 2";
	double ratio = r4 > 0 ? r1 / r4 : 0;

	if (c->divided)
		diag("PIT interrupts/s of a guest programming 100 Hz (%s): divisor 1: %.1f, divisor 4: %.1f",
		     mode, r1, r4);
	else
		diag("PIT interrupts/s of a guest programming 100 Hz (%s): %.1f", mode, r1);
	if (r1 <= MIN_RATE)
		return fail("%.1f interrupts/s with divisor 1, want > %.0f", r1, MIN_RATE);
	if (!c->divided)
		return pass();
	if (r4 <= 0)
		return fail("no interrupts with divisor 4");
	if (!c->oneshot && (ratio < 2.5 || ratio > 6))
		return fail("divisor 4 slowed the periodic PIT %.2fx, want 2.5-6x", ratio);
	if (c->oneshot && (ratio >= 1.5 || ratio <= 1 / 1.5))
		return fail("divisor 4 changed the one-shot rate %.2fx, want within 1.5x",
			    ratio);
	return pass();
}

/* Divisor 1 then 4 (a divided case), each measured on its own VM. */
static enum tres pit_measure(struct vm *vm, const struct pit_case *c)
{
	double r1, r4 = 0;

	r1 = pit_rate(vm, c->oneshot);
	if (r1 < 0)
		return fail("the divisor-1 guest did not tick as expected");
	if (c->divided) {
		if (param_set(DIVISOR, "4"))
			return fail("cannot set kvm." DIVISOR " to 4: %s", strerror(errno));
		r4 = pit_rate_new_vm(c->oneshot);
		if (r4 < 0)
			return fail("the divisor-4 guest did not tick as expected");
	}
	return pit_verdict(c, r1, r4);
}

static enum tres t_pit(struct vm *vm)
{
	const struct pit_case *c = case_arg;
	bool have_param = access("/sys/module/kvm/parameters/" DIVISOR, F_OK) == 0;
	enum tres r;

	if (!have_param && c->divided) {
		if (have_handler == 1)
			return fail("L1's KVM has the pvio handler but no kvm." DIVISOR);
		return skip("L1's KVM has no kvm." DIVISOR " (stock KVM)");
	}
	/* a stock KVM has no divisor: its PIT runs as with divisor 1 */
	if (have_param && param_set(DIVISOR, "1"))
		return fail("cannot set kvm." DIVISOR " to 1: %s", strerror(errno));
	r = pit_measure(vm, c);
	if (param_restore())
		return fail("cannot put kvm." DIVISOR " back");
	return r;
}

static const struct tcase pit[] = {
	{ "PIT: periodic mode 2 at 100 Hz interrupts the guest (rate > 30/s)", t_pit,
	  &periodic },
	{ "PIT: pit_reload_divisor=4 cuts the periodic rate 2.5-6x", t_pit, &periodic_div4 },
	{ "PIT: one-shot mode 0 re-armed at 100 Hz interrupts the guest (rate > 30/s)",
	  t_pit, &oneshot },
	{ "PIT: pit_reload_divisor=4 leaves one-shot mode 0 alone (rates within 1.5x)",
	  t_pit, &oneshot_div4 },
};

void add_pit_cases(void)
{
	add_cases(pit, ARRAY_SIZE(pit));
}
