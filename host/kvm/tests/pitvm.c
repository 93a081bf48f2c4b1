// SPDX-License-Identifier: GPL-2.0
/*
 * pitvm: measure how often the in-kernel PIT interrupts a guest.
 *
 *   pitvm SECONDS [oneshot]
 *
 * Creates a VM with the in-kernel irqchip and PIT (as QEMU does), runs the
 * real-mode guest of pitvm_guest.S, which programs the PIC and PIT channel
 * 0 (mode 2, 100 Hz) and reports every timer interrupt with an OUT to port
 * 0xf0, and prints "ticks N seconds S rate R" after SECONDS of wall time.  Used by
 * host/kvm/smoke.sh to check kvm.pit_reload_divisor: with divisor D the
 * rate must drop about D-fold.  With "oneshot" the guest runs channel 0 in
 * mode 0, re-armed at every interrupt: the divisor must not slow that.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pitvm.h"

#define GUEST_MEM	0x100000
#define CODE_GPA	0x1000
#define REPORT_PORT	0xf0

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	struct kvm_userspace_memory_region mr;
	struct kvm_pit_config pit = { .flags = 0 };
	struct sigaction sa;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm, vcpu, runsz;
	double t0 = 0, end = 0;
	long ticks = -1;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy((char *)mem + CODE_GPA, guest_start, guest_end - guest_start);
	mr = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		die("KVM_SET_TSS_ADDR");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	runsz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, runsz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap run");

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	regs.rbx = argc > 2 && !strcmp(argv[2], "oneshot");
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned int)(secs * 3) + 5);

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR) {
				fprintf(stderr, "pitvm: timed out, %ld ticks\n",
					ticks);
				return 1;
			}
			die("KVM_RUN");
		}
		if (run->exit_reason != KVM_EXIT_IO ||
		    run->io.port != REPORT_PORT) {
			fprintf(stderr, "pitvm: unexpected exit %u (port %#x)\n",
				run->exit_reason, run->exit_reason == KVM_EXIT_IO ?
				run->io.port : 0);
			return 1;
		}
		if (++ticks == 0) {	/* start counting at the first tick */
			t0 = now();
			end = t0 + secs;
		} else if (now() >= end) {
			break;
		}
	}
	secs = now() - t0;
	printf("ticks %ld seconds %.3f rate %.1f\n", ticks, secs, ticks / secs);
	return 0;
}
