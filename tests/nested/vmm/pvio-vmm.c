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
 * With -2 the positive cases and those marked C_MODE2 run in mode 2: their
 * VM enables PVIO_CAP_BATCH_EXIT, so userspace ops leave as KVM_EXIT_PVIO
 * runs, and every case must see exactly what it sees in mode 1.
 *
 * -p only probes: exit status 0 with a handler, 77 without, 1 otherwise.
 *
 * Usage: pvio-vmm [-l] [-n | -2] [-p] [case-name...]
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
bool mode2;
const void *case_arg;
static char msg[512];

/* fail() and skip(): the verdict, with the reason the runner prints */
#define VERDICT(name, r)					\
enum tres name(const char *fmt, ...)				\
{								\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vsnprintf(msg, sizeof(msg), fmt, ap);			\
	va_end(ap);						\
	return r;						\
}

VERDICT(fail, T_FAIL)
VERDICT(skip, T_SKIP)

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

static struct tcase cases[64];
static int nr_cases;

/* Registers @t[0..n); with -n or -2 only the positive ones, renamed. */
void add_cases(const struct tcase *t, int n)
{
	static char names[16][96];
	static int nr_names;
	int i;

	for (i = 0; i < n; i++) {
		if (native && !(t[i].flags & C_POSITIVE))
			continue;
		if (mode2 && !(t[i].flags & (C_POSITIVE | C_MODE2)))
			continue;
		if (nr_cases == (int)ARRAY_SIZE(cases)) {
			fprintf(stderr, "pvio-vmm: more than %d cases\n", nr_cases);
			exit(2);
		}
		cases[nr_cases] = t[i];
		if (native || mode2) {
			snprintf(names[nr_names], sizeof(names[0]), "%s: %s",
				 native ? "native reference" : "mode 2", t[i].name);
			cases[nr_cases].name = names[nr_names++];
		}
		nr_cases++;
	}
}

static void build_cases(void)
{
	add_behaviour_cases();
	add_attack_cases();
	add_hardening_cases();
	add_differential_cases();
	add_pit_cases();
	if (!native && !mode2)
		add_mode2_cases();
}

static int nr_vcpus(const struct tcase *c)
{
	if (c->flags & C_NO_VCPU)
		return 0;
	return c->flags & C_TWO_VCPUS ? 2 : 1;
}

static enum tres run_in_vm(const struct tcase *c)
{
	struct vm vm;
	enum tres r;

	case_arg = c->arg;
	if (vm_create(&vm, nr_vcpus(c), c->flags & C_USER)) {
		vm_destroy(&vm);
		return fail("cannot set up the VM");
	}
	if (mode2 && vm_enable_pvio(&vm, PVIO_CAP_SERVE | PVIO_CAP_BATCH_EXIT)) {
		vm_destroy(&vm);
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO, SERVE | BATCH_EXIT) refused");
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
		else if (!strcmp(argv[1], "-2"))
			mode2 = true;
		else if (!strcmp(argv[1], "-p")) {
			probe_handler();
			return have_handler == 1 ? 0 : have_handler == 0 ? 77 : 1;
		} else {
			fprintf(stderr, "usage: pvio-vmm [-l] [-n | -2] [-p] [case-name...]\n");
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
