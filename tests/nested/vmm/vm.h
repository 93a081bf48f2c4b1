/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal VMM on /dev/kvm for the pvio nested tests: one VM per test case,
 * in-kernel PIC/IOAPIC/LAPIC and PIT, 2 MiB of RAM at guest-physical 0,
 * vCPUs that start directly in 64-bit mode (ring 0 or ring 3) with an
 * identity map of the first 2 MiB.
 */
#ifndef _PVIO_VMM_VM_H
#define _PVIO_VMM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>
#include <linux/pvio.h>

/* Guest-physical layout (all inside the single 2 MiB memslot). */
#define GUEST_MEM_SIZE		0x200000UL
#define GPA_GDT			0x1000UL
#define GPA_TSS			0x2000UL
#define GPA_PML4		0x3000UL
#define GPA_PDPT		0x4000UL
#define GPA_PD			0x5000UL
#define GPA_PD_3G		0x6000UL	/* maps 3-4 GiB 1:1 (MMIO, native mode) */
#define GPA_STACK_TOP		0x7ff0UL
#define GPA_CODE		0x8000UL
#define GPA_IDT			0xf000UL	/* only the PIT cases load an IDT */
#define GPA_ARRAY		0x10000UL	/* page-aligned op array */
#define GPA_ARRAY2		0x11000UL	/* second page (replacement data) */
#define GPA_RAM_TARGET		0x20000UL	/* plain RAM, for the ERAM case */
#define GPA_NO_SLOT		0x40000000UL	/* 1 GiB: no memslot there */
#define GPA_MMIO		0xd0000000UL	/* no memslot, no in-kernel device */
#define GPA_IOAPIC		0xfec00000UL	/* in-kernel IOAPIC */
#define GPA_LAPIC		0xfee00000UL	/* in-kernel LAPIC (APIC base after reset) */

/* Report ports the guest payloads write to when they are done. */
#define PORT_DONE		0xf4
#define PORT_FAIL		0xf5

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define MAX_VCPUS		2
#define MAX_LOG			1024

enum xkind { X_PIO_OUT, X_PIO_IN, X_MMIO_W, X_MMIO_R };

/* One I/O access that reached this VMM (a PIO exit with count n logs n). */
struct xent {
	enum xkind kind;
	uint64_t addr;
	unsigned int size;
	uint64_t value;		/* data written, or the answer we gave */
};

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

struct vm {
	int kvm;
	int fd;
	uint8_t *mem;
	int nr_vcpus;
	struct vcpu vcpu[MAX_VCPUS];
	uint64_t rflags;		/* RFLAGS a call starts with (IOPL 3 in user mode) */
	unsigned int nr_reads;		/* answers handed out so far */
	/* KVM_EXIT_DIRTY_RING_FULL: 0 to resume, else the run fails */
	int (*ring_full)(struct vm *vm);
	void *ring;			/* the ring_full handler's state */
	/* mode 2 (KVM_EXIT_PVIO): exits seen, the last one, and whether
	 * to scribble over everything but the read values after serving */
	int pvio_exits;
	unsigned int pvio_first, pvio_count;
	bool pvio_scribble;
	int nlog;
	struct xent log[MAX_LOG];
};

/* Outcome of vm_run(). */
enum run_result {
	RUN_DONE,	/* guest wrote PORT_DONE */
	RUN_GUEST_FAIL,	/* guest wrote PORT_FAIL */
	RUN_STOPPED,	/* stop_after userspace accesses were logged */
	RUN_ERROR,	/* unexpected exit or ioctl failure (diagnosed) */
};

/* guest.S: the payloads and their entry points */
extern const char guest_code_start[], guest_code_end[];
extern const char g_call[], g_loop[], g_copy[], g_native[], g_pit[], g_pit_irq[];

void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int vm_create(struct vm *vm, int nr_vcpus, bool user_mode);
/* Adds vCPU number vm->nr_vcpus (for cases that create their vCPUs late). */
int vm_add_vcpu(struct vm *vm, bool user_mode);
void vm_destroy(struct vm *vm);
/* KVM_ENABLE_CAP(KVM_CAP_PVIO) with args[0] = @bits; 0 or -1 (errno set). */
int vm_enable_pvio(struct vm *vm, uint64_t bits);
void *gpa_ptr(struct vm *vm, uint64_t gpa);
uint64_t guest_entry(const char *sym_start);

int vcpu_set_call(struct vm *vm, int idx, uint64_t rip, uint64_t rax,
		  uint64_t rbx, uint64_t rcx, uint64_t rdx);
int vcpu_get_regs(struct vm *vm, int idx, struct kvm_regs *regs);
int vcpu_set_irq_gate(struct vm *vm, int idx, unsigned int vector, uint64_t rip);
int vcpu_set_regs(struct vm *vm, int idx, struct kvm_regs *regs);
enum run_result vm_run(struct vm *vm, int idx, int stop_after);

/* The value this VMM answers to the nth read of @size bytes at @addr. */
uint64_t answer_for(uint64_t addr, unsigned int size, unsigned int nth);

/* Per-VM KVM debugfs counter (falls back to the global one), or -1. */
long long vm_stat(struct vm *vm, const char *name);

/* Prints this VM's KVM debugfs counters (and any pvio_* ones) as a diag line. */
void vm_print_stats(struct vm *vm);

#endif /* _PVIO_VMM_VM_H */
