// SPDX-License-Identifier: GPL-2.0
/*
 * VM plumbing for pvio-vmm: create a VM with in-kernel irqchip and PIT,
 * put vCPUs straight into 64-bit mode, run them and log every PIO/MMIO
 * access that reaches userspace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vm.h"

#define CR0_PE		(1UL << 0)
#define CR0_ET		(1UL << 4)
#define CR0_NE		(1UL << 5)
#define CR0_WP		(1UL << 16)
#define CR0_PG		(1UL << 31)
#define CR4_PAE		(1UL << 5)
#define EFER_LME	(1UL << 8)
#define EFER_LMA	(1UL << 10)

#define PTE_P		(1UL << 0)
#define PTE_RW		(1UL << 1)
#define PTE_US		(1UL << 2)
#define PTE_PS		(1UL << 7)

/* GDT selectors (index << 3 | RPL) */
#define SEL_CODE0	0x08
#define SEL_DATA0	0x10
#define SEL_CODE3	0x1b
#define SEL_DATA3	0x23
#define SEL_TSS		0x28

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void *gpa_ptr(struct vm *vm, uint64_t gpa)
{
	return vm->mem + gpa;
}

uint64_t guest_entry(const char *sym)
{
	return GPA_CODE + (uint64_t)(sym - guest_code_start);
}

uint64_t answer_for(uint64_t addr, unsigned int size, unsigned int nth)
{
	uint64_t v = 0xa5c3e1f00f1e3c5aULL ^ (addr * 0x9e3779b97f4a7c15ULL) ^
		     ((uint64_t)(nth + 1) * 0x0101010101010101ULL);

	return size >= 8 ? v : v & ((1ULL << (size * 8)) - 1);
}

static void setup_memory(struct vm *vm)
{
	uint64_t *gdt = gpa_ptr(vm, GPA_GDT);
	uint64_t *pml4 = gpa_ptr(vm, GPA_PML4);
	uint64_t *pdpt = gpa_ptr(vm, GPA_PDPT);
	uint64_t *pd = gpa_ptr(vm, GPA_PD);
	uint64_t *pd3 = gpa_ptr(vm, GPA_PD_3G);
	uint64_t tss = GPA_TSS;
	uint64_t i;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf93000000ffffULL;	/* data, DPL 0 */
	gdt[3] = 0x00affb000000ffffULL;	/* 64-bit code, DPL 3 */
	gdt[4] = 0x00cff3000000ffffULL;	/* data, DPL 3 */
	/* 64-bit TSS (busy), 16 bytes */
	gdt[5] = 0x67 | ((tss & 0xffffff) << 16) | (0x8bULL << 40) |
		 (((tss >> 24) & 0xff) << 56);
	gdt[6] = tss >> 32;

	/* identity map of the first 2 MiB, user-accessible for the CPL 3 case */
	pml4[0] = GPA_PDPT | PTE_P | PTE_RW | PTE_US;
	pdpt[0] = GPA_PD | PTE_P | PTE_RW | PTE_US;
	pd[0] = 0 | PTE_P | PTE_RW | PTE_US | PTE_PS;
	/* and 3-4 GiB, so the reference path can touch GPA_MMIO itself */
	pdpt[3] = GPA_PD_3G | PTE_P | PTE_RW;
	for (i = 0; i < 512; i++)
		pd3[i] = (0xc0000000ULL + (i << 21)) | PTE_P | PTE_RW | PTE_PS;

	memcpy(gpa_ptr(vm, GPA_CODE), guest_code_start,
	       guest_code_end - guest_code_start);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = sel & 3;
	s->s = 1;
	s->g = 1;
	if (code)
		s->l = 1;
	else
		s->db = 1;
}

static int setup_cpuid(struct vm *vm, int vcpu_fd)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 64, ret;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -1;
		cpuid->nent = nent;
		ret = ioctl(vm->kvm, KVM_GET_SUPPORTED_CPUID, cpuid);
		if (ret == 0)
			break;
		free(cpuid);
		if (errno != E2BIG || nent > 4096) {
			diag("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			return -1;
		}
		nent *= 2;
	}
	ret = ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid);
	if (ret)
		diag("KVM_SET_CPUID2: %s", strerror(errno));
	free(cpuid);
	return ret;
}

static int setup_vcpu(struct vm *vm, int idx, bool user_mode)
{
	struct vcpu *v = &vm->vcpu[idx];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	int mmap_size;

	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, idx);
	if (v->fd < 0) {
		diag("KVM_CREATE_VCPU %d: %s", idx, strerror(errno));
		return -1;
	}
	mmap_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		diag("mmap kvm_run: %s", strerror(errno));
		v->run = NULL;
		return -1;
	}
	v->run_size = mmap_size;
	if (setup_cpuid(vm, v->fd))
		return -1;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		diag("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	if (user_mode) {
		seg(&sregs.cs, SEL_CODE3, 0xb, true);
		seg(&sregs.ss, SEL_DATA3, 0x3, false);
	} else {
		seg(&sregs.cs, SEL_CODE0, 0xb, true);
		seg(&sregs.ss, SEL_DATA0, 0x3, false);
	}
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.base = GPA_TSS;
	sregs.tr.limit = 0x67;
	sregs.tr.selector = SEL_TSS;
	sregs.tr.type = 0xb;
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 0x2;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = GPA_GDT;
	sregs.gdt.limit = 7 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = GPA_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs)) {
		diag("KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}

	memset(&regs, 0, sizeof(regs));
	regs.rflags = vm->rflags;
	regs.rsp = GPA_STACK_TOP - idx * 0x800;
	regs.rip = GPA_CODE;
	if (ioctl(v->fd, KVM_SET_REGS, &regs)) {
		diag("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	/* with an in-kernel LAPIC, APs wait for INIT/SIPI unless told otherwise */
	if (ioctl(v->fd, KVM_SET_MP_STATE, &mp)) {
		diag("KVM_SET_MP_STATE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int vm_create(struct vm *vm, int nr_vcpus, bool user_mode)
{
	struct kvm_pit_config pit = { .flags = 0 };
	struct kvm_userspace_memory_region region;
	int i;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	/* IOPL 3 lets the CPL 3 payloads report through OUT like the others */
	vm->rflags = user_mode ? 0x3002 : 0x2;
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0) {
		diag("open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		diag("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0)) {
		diag("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit)) {
		diag("KVM_CREATE_PIT2: %s", strerror(errno));
		return -1;
	}

	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		diag("mmap guest memory: %s", strerror(errno));
		vm->mem = NULL;
		return -1;
	}
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		diag("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	setup_memory(vm);

	for (i = 0; i < nr_vcpus; i++) {
		if (vm_add_vcpu(vm, user_mode))
			return -1;
	}
	return 0;
}

int vm_add_vcpu(struct vm *vm, bool user_mode)
{
	if (vm->nr_vcpus >= MAX_VCPUS)
		return -1;
	if (setup_vcpu(vm, vm->nr_vcpus, user_mode))
		return -1;
	vm->nr_vcpus++;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	int i;

	/*
	 * The kvm_run mappings hold the VM too: without the munmap it would
	 * outlive vm_destroy(), and a later VM given the same fd number would
	 * find its debugfs directory taken (vm_stat() would read the old one).
	 */
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpu[i].run)
			munmap(vm->vcpu[i].run, vm->vcpu[i].run_size);
		close(vm->vcpu[i].fd);
	}
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
	if (vm->mem)
		munmap(vm->mem, GUEST_MEM_SIZE);
}

int vcpu_get_regs(struct vm *vm, int idx, struct kvm_regs *regs)
{
	if (ioctl(vm->vcpu[idx].fd, KVM_GET_REGS, regs)) {
		diag("KVM_GET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int vcpu_set_regs(struct vm *vm, int idx, struct kvm_regs *regs)
{
	if (ioctl(vm->vcpu[idx].fd, KVM_SET_REGS, regs)) {
		diag("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Points interrupt @vector of vCPU @idx at @rip (a ring-0 interrupt gate).
 * The IDT ends at @vector: any other vector, exceptions included, still
 * finds no gate and ends in a triple fault, which fails the case.
 */
int vcpu_set_irq_gate(struct vm *vm, int idx, unsigned int vector, uint64_t rip)
{
	uint64_t *gate = gpa_ptr(vm, GPA_IDT + vector * 16);
	struct kvm_sregs sregs;

	gate[0] = (rip & 0xffff) | (uint64_t)SEL_CODE0 << 16 | 0x8eULL << 40 |
		  ((rip >> 16) & 0xffff) << 48;
	gate[1] = rip >> 32;
	if (ioctl(vm->vcpu[idx].fd, KVM_GET_SREGS, &sregs)) {
		diag("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	sregs.idt.base = GPA_IDT;
	sregs.idt.limit = (vector + 1) * 16 - 1;
	if (ioctl(vm->vcpu[idx].fd, KVM_SET_SREGS, &sregs)) {
		diag("KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int vcpu_set_call(struct vm *vm, int idx, uint64_t rip, uint64_t rax,
		  uint64_t rbx, uint64_t rcx, uint64_t rdx)
{
	struct kvm_regs regs;

	if (vcpu_get_regs(vm, idx, &regs))
		return -1;
	regs.rip = rip;
	regs.rax = rax;
	regs.rbx = rbx;
	regs.rcx = rcx;
	regs.rdx = rdx;
	regs.rflags = vm->rflags;
	return vcpu_set_regs(vm, idx, &regs);
}

static int log_add(struct vm *vm, enum xkind kind, uint64_t addr,
		   unsigned int size, uint64_t value)
{
	struct xent *e;

	if (vm->nlog >= MAX_LOG) {
		diag("exit log overflow");
		return -1;
	}
	e = &vm->log[vm->nlog++];
	e->kind = kind;
	e->addr = addr;
	e->size = size;
	e->value = value;
	return 0;
}

static int handle_io(struct vm *vm, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned int i, size = run->io.size;
	uint64_t v;

	for (i = 0; i < run->io.count; i++, data += size) {
		v = 0;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&v, data, size);
			if (log_add(vm, X_PIO_OUT, run->io.port, size, v))
				return -1;
		} else {
			v = answer_for(run->io.port, size, vm->nr_reads++);
			memcpy(data, &v, size);
			if (log_add(vm, X_PIO_IN, run->io.port, size, v))
				return -1;
		}
	}
	return 0;
}

static int handle_mmio(struct vm *vm, struct kvm_run *run)
{
	unsigned int len = run->mmio.len;
	uint64_t v = 0;

	if (len > 8) {
		diag("MMIO exit with len %u", len);
		return -1;
	}
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, len);
		return log_add(vm, X_MMIO_W, run->mmio.phys_addr, len, v);
	}
	v = answer_for(run->mmio.phys_addr, len, vm->nr_reads++);
	memcpy(run->mmio.data, &v, len);
	return log_add(vm, X_MMIO_R, run->mmio.phys_addr, len, v);
}

int vm_enable_pvio(struct vm *vm, uint64_t bits)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PVIO, .args = { bits } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

static const enum xkind pvio_xkind[] = {
	[PVIO_OP_PIO_OUT] = X_PIO_OUT, [PVIO_OP_PIO_IN] = X_PIO_IN,
	[PVIO_OP_MMIO_WRITE] = X_MMIO_W, [PVIO_OP_MMIO_READ] = X_MMIO_R,
};

/* A hostile VMM: everything in the exit but the read values is rewritten. */
static void pvio_scribble(struct kvm_pvio_exit *e, struct pvio_op *o)
{
	unsigned int i;

	for (i = 0; i < e->count; i++) {
		if (pvio_op_is_read(&o[i]))
			o[i].value |= ~pvio_width_mask(o[i].width);
		else
			o[i].value = ~0ULL;
		o[i].kind = o[i].kind == PVIO_OP_PIO_OUT ? PVIO_OP_PIO_IN :
			    PVIO_OP_MMIO_READ;
		o[i].width = 8;
		o[i].addr = 0xdead;
	}
	memset(&o[e->count], 0x5a, 4096 - e->count * sizeof(*o));
	e->count = PVIO_MAX_OPS;
	e->first = 77;
	e->data_offset = 0;
}

/* KVM_EXIT_PVIO: serve the run in order, like handle_io/handle_mmio would. */
static int handle_pvio(struct vm *vm, struct kvm_run *run)
{
	struct kvm_pvio_exit *e = (void *)((char *)run + KVM_PVIO_EXIT_OFFSET);
	struct pvio_op *o = (void *)((char *)run + e->data_offset);
	unsigned int i;
	uint64_t v;

	if (e->count < 1 || e->count > PVIO_MAX_OPS || e->flags ||
	    e->reserved || e->data_offset != 4096) {
		diag("bad KVM_EXIT_PVIO: count %u flags %u offset %llu", e->count,
		     e->flags, (unsigned long long)e->data_offset);
		return -1;
	}
	vm->pvio_exits++;
	vm->pvio_first = e->first;
	vm->pvio_count = e->count;
	for (i = 0; i < e->count; i++) {
		if (o[i].kind < PVIO_OP_PIO_OUT || o[i].kind > PVIO_OP_MMIO_READ) {
			diag("KVM_EXIT_PVIO op %u: kind %u", i, o[i].kind);
			return -1;
		}
		v = o[i].value;
		if (pvio_op_is_read(&o[i])) {
			if (v) {
				diag("KVM_EXIT_PVIO op %u: read with value 0x%llx",
				     i, (unsigned long long)v);
				return -1;
			}
			v = answer_for(o[i].addr, o[i].width, vm->nr_reads++);
			o[i].value = v;
		}
		if (log_add(vm, pvio_xkind[o[i].kind], o[i].addr, o[i].width, v))
			return -1;
	}
	if (vm->pvio_scribble)
		pvio_scribble(e, o);
	return 0;
}

/*
 * Runs vCPU @idx until it reports on PORT_DONE/PORT_FAIL, or, with
 * @stop_after > 0, until that many accesses have been logged (the vCPU is
 * left inside its exit: the next vm_run completes it).
 */
enum run_result vm_run(struct vm *vm, int idx, int stop_after)
{
	struct vcpu *v = &vm->vcpu[idx];
	struct kvm_run *run = v->run;

	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			diag("KVM_RUN vcpu%d: %s", idx, strerror(errno));
			return RUN_ERROR;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == PORT_DONE)
				return RUN_DONE;
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == PORT_FAIL)
				return RUN_GUEST_FAIL;
			if (handle_io(vm, run))
				return RUN_ERROR;
			break;
		case KVM_EXIT_MMIO:
			if (handle_mmio(vm, run))
				return RUN_ERROR;
			break;
		case KVM_EXIT_PVIO:
			if (handle_pvio(vm, run))
				return RUN_ERROR;
			break;
		case KVM_EXIT_HLT:
			diag("vcpu%d: unexpected KVM_EXIT_HLT", idx);
			return RUN_ERROR;
		case KVM_EXIT_SHUTDOWN:
			diag("vcpu%d: KVM_EXIT_SHUTDOWN (triple fault)", idx);
			return RUN_ERROR;
		case KVM_EXIT_FAIL_ENTRY:
			diag("vcpu%d: KVM_EXIT_FAIL_ENTRY reason 0x%llx", idx,
			     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			return RUN_ERROR;
		case KVM_EXIT_INTERNAL_ERROR:
			diag("vcpu%d: KVM_EXIT_INTERNAL_ERROR suberror %u", idx,
			     run->internal.suberror);
			return RUN_ERROR;
		case KVM_EXIT_DIRTY_RING_FULL:
			if (!vm->ring_full || vm->ring_full(vm))
				return RUN_ERROR;
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			diag("vcpu%d: unexpected exit reason %u", idx, run->exit_reason);
			return RUN_ERROR;
		}
		if (stop_after > 0 && vm->nlog >= stop_after)
			return RUN_STOPPED;
	}
}

static long long read_counter(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

long long vm_stat(struct vm *vm, const char *name)
{
	char path[256];
	long long v;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s",
		 (int)getpid(), vm->fd, name);
	v = read_counter(path);
	if (v >= 0)
		return v;
	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%s", name);
	return read_counter(path);
}

void vm_print_stats(struct vm *vm)
{
	static const char * const names[] = {
		"exits", "io_exits", "mmio_exits", "hypercalls", "halt_exits",
	};
	char dir[128], path[512], line[1024];
	struct dirent *de;
	size_t len = 0;
	unsigned int i;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/kernel/debug/kvm/%d-%d", (int)getpid(), vm->fd);
	d = opendir(dir);
	if (!d)
		return;
	line[0] = 0;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		len += snprintf(line + len, sizeof(line) - len, " %s=%lld",
				names[i], vm_stat(vm, names[i]));
	while ((de = readdir(d)) && len < sizeof(line) - 64) {
		if (strncmp(de->d_name, "pvio", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len += snprintf(line + len, sizeof(line) - len, " %s=%lld",
				de->d_name, read_counter(path));
	}
	closedir(d);
	diag("VM counters:%s", line);
}
