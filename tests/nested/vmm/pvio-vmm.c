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
#include <unistd.h>
#include <sys/wait.h>

#include "tcase.h"

int have_handler;
long long probe_ret;
bool native;
const void *case_arg;
static char msg[512];

static enum tres result(enum tres r, const char *fmt, va_list ap)
{
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return r;
}

enum tres fail(const char *fmt, ...)
{
	va_list ap;
	enum tres r;

	va_start(ap, fmt);
	r = result(T_FAIL, fmt, ap);
	va_end(ap);
	return r;
}

enum tres skip(const char *fmt, ...)
{
	va_list ap;
	enum tres r;

	va_start(ap, fmt);
	r = result(T_SKIP, fmt, ap);
	va_end(ap);
	return r;
}

enum tres pass(void)
{
	msg[0] = 0;
	return T_PASS;
}

/* The verdict for a call that answered -KVM_ENOSYS. */
enum tres no_handler(long long ret)
{
	if (have_handler == 0)
		return skip("no pvio handler in L1's KVM (probe: %lld)", probe_ret);
	return fail("call returned %lld although the probe returned %lld",
		    ret, probe_ret);
}

struct tcase {
	const char *name;
	case_fn fn;
	int nr_vcpus;
	bool user_mode;
	const void *arg;
};

static struct tcase cases[64];
static int nr_cases;

void add(const char *name, case_fn fn, int nr_vcpus, bool user_mode,
	 const void *arg)
{
	if (native)
		return;
	cases[nr_cases++] = (struct tcase) { name, fn, nr_vcpus, user_mode, arg };
}

/* a positive case: also runs, renamed, through the reference path */
void add_pos(const char *name, case_fn fn)
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
	add("probe returns PVIO_ABI_VERSION", t_probe, 1, false, NULL);
	add_pos("OUT batch reaches the VMM in order", t_out_order);
	add_pos("IN results land in guest memory", t_in_results);
	add_pos("PIC/PIT ops stay in the kernel", t_in_kernel_pio);
	add_pos("MMIO ops exit to the VMM, reads answered", t_mmio);
	add_pos("mixed in-kernel/userspace/MMIO batch keeps order", t_mixed);
	add_pos("IOAPIC/LAPIC MMIO ops stay in the kernel", t_in_kernel_mmio);
	add_pos("PVIO_MAX_OPS ops ending at the page end run in order", t_max_batch);
	add_attack_cases();
	add("attack: batch from CPL 3 -> -KVM_EPERM", t_cpl3_batch, 1, true, NULL);
	add("attack: probe from CPL 3 -> -KVM_EPERM", t_cpl3_probe, 1, true, NULL);
	add("attack: array rewritten by vCPU1 mid-batch", t_rewrite, 2, false, NULL);
	add("differential: 300 random batches, hypercall vs reference path",
	    t_differential, 1, false, NULL);
	add("stress: 5000 in-kernel batches, counters add up", t_stress_kernel, 1, false, NULL);
	add("stress: 250 userspace batches of 4 OUTs, all in order",
	    t_stress_userspace, 1, false, NULL);
	/* 0 vCPUs: the case enables the dirty ring first, then adds vCPU0 */
	add("dirty ring: in-kernel read batches of 1..128 ops, ring drains, array page dirty",
	    t_dirty_ring, 0, false, NULL);
	add("write-back fails after the ops ran -> -PVIO_ELOST, each op once",
	    t_wb_lost, 1, false, NULL);
	add("RIP moved while a batch is out: dropped, counted and traced",
	    t_dropped, 1, false, NULL);
	add("KVM_CAP_PVIO turns the hypercall off and on for one VM",
	    t_cap, 1, false, NULL);
	add("kvm.pvio_opt_in=1 serves only VMs that enabled KVM_CAP_PVIO",
	    t_cap_opt_in, 1, false, NULL);
	add("state saved mid-batch and restored in a fresh VM: each op once, in order",
	    t_migrate, 1, false, NULL);
	add("another call loaded at the same RIP mid-batch: the stale batch stops",
	    t_stale, 1, false, NULL);
	add("resume property: random stops, register rewrites, restarts, migrations",
	    t_resume_property, 1, false, NULL);
	add_pit_cases();
}

static enum tres run_in_vm(const struct tcase *c)
{
	struct vm vm;
	enum tres r;

	case_arg = c->arg;
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
