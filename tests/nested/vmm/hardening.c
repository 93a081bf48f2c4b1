// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm: what happens after a batch has executed (issue 14): dirty
 * logging of the write-back, and a write-back that fails after the ops ran.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "tcase.h"

#define RING_BYTES	4096	/* 256 entries: soft limit 192 on SVM */
#define RING_ENTRIES	(RING_BYTES / sizeof(struct kvm_dirty_gfn))
#define PAGE		4096UL

struct ring {
	struct kvm_dirty_gfn *gfn;
	unsigned int fetch;		/* next entry to collect */
	unsigned long collected;	/* entries collected so far */
	unsigned long array_hits;	/* of them, the op array's page */
	unsigned int full_exits;
	unsigned int idle;		/* full exits in a row that found nothing */
};

/*
 * Collects every published entry (as a migrating VMM would), counts those
 * of the array's page and hands them back to KVM.  Returns the number of
 * entries collected, or -1.
 */
static int ring_harvest(struct vm *vm, struct ring *r)
{
	struct kvm_dirty_gfn *e;
	int n = 0;

	for (;;) {
		e = &r->gfn[r->fetch % RING_ENTRIES];
		if (!(__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & KVM_DIRTY_GFN_F_DIRTY))
			break;
		if (e->slot == 0 && e->offset == GPA_ARRAY / PAGE)
			r->array_hits++;
		__atomic_store_n(&e->flags, KVM_DIRTY_GFN_F_RESET, __ATOMIC_RELEASE);
		r->fetch++;
		n++;
		if (n > (int)RING_ENTRIES)
			break;		/* a ring with more entries than slots */
	}
	r->collected += n;
	if (ioctl(vm->fd, KVM_RESET_DIRTY_RINGS, 0) < 0) {
		diag("KVM_RESET_DIRTY_RINGS: %s", strerror(errno));
		return -1;
	}
	return n;
}

/*
 * vm_run()'s KVM_EXIT_DIRTY_RING_FULL handler: collect and resume.  Ten
 * full exits in a row that find nothing to collect mean the ring no longer
 * drains.
 */
static int ring_full(struct vm *vm)
{
	struct ring *r = vm->ring;
	int n;

	r->full_exits++;
	n = ring_harvest(vm, r);
	if (n < 0)
		return -1;
	r->idle = n ? 0 : r->idle + 1;
	if (r->idle >= 10) {
		diag("ring full %u times in a row with nothing to collect: it no longer drains",
		     r->idle);
		return -1;
	}
	return 0;
}

/*
 * Finding 1: a VMM with a 4 KiB dirty ring (256 entries) loops batches of
 * in-kernel reads (IN from the PIC's mask register) of several sizes up to
 * PVIO_MAX_OPS.  Each batch must push the array's page once, not once per
 * read: the ring keeps draining, L1 logs no WARN from kvm_dirty_ring_push(),
 * and the page is reported dirty.
 */
static enum tres t_dirty_ring(struct vm *vm)
{
	static const int sizes[] = { PVIO_MAX_OPS, 95, 1, 64, 127, 33, 2, PVIO_MAX_OPS };
	const int calls = 6;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_DIRTY_LOG_RING, .args = { RING_BYTES } };
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	struct ring ring = { 0 };
	struct kvm_regs regs;
	unsigned int s, k;
	unsigned long hits;
	enum run_result res;
	long long ret;

	if (ioctl(vm->kvm, KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING) < RING_BYTES)
		return skip("L1's KVM has no dirty ring of %d bytes", RING_BYTES);
	/* the ring size is fixed before the first vCPU exists */
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap))
		return fail("KVM_ENABLE_CAP(KVM_CAP_DIRTY_LOG_RING): %s", strerror(errno));
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return fail("dirty logging on slot 0: %s", strerror(errno));
	if (vm_add_vcpu(vm, false))
		return fail("cannot create vCPU0");
	vm->ring = &ring;
	vm->ring_full = ring_full;
	ring.gfn = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
			vm->vcpu[0].fd, KVM_DIRTY_LOG_PAGE_OFFSET * PAGE);
	if (ring.gfn == MAP_FAILED)
		return fail("mmap of the dirty ring: %s", strerror(errno));

	if (call(vm, PVIO_FN_PROBE, 0, 0, &ret))
		return fail("probe did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (k = 0; k < (unsigned int)sizes[s]; k++) {
			op(&o[k], PVIO_OP_PIO_IN, 1, 0x21, 0);
			o[k].value = 0x1234;	/* must become the PIC's mask */
		}
		if (ring_harvest(vm, &ring) < 0)
			return fail("harvest");
		hits = ring.array_hits;
		if (vcpu_set_loop(vm, 0, GPA_ARRAY, sizes[s], calls))
			return fail("cannot set up the loop");
		res = vm_run(vm, 0, 0);
		if (vcpu_get_regs(vm, 0, &regs))
			return fail("KVM_GET_REGS");
		if (res == RUN_GUEST_FAIL)
			return fail("batches of %d: a call returned %lld", sizes[s],
				    (long long)regs.rax);
		if (res != RUN_DONE)
			return fail("batches of %d: run result %d after %d of %d calls, %u full exits, %lu entries collected",
				    sizes[s], res, calls - (int)regs.r8, calls,
				    ring.full_exits, ring.collected);
		if (ring_harvest(vm, &ring) < 0)
			return fail("harvest");
		hits = ring.array_hits - hits;
		if (hits == 0)
			return fail("batches of %d: the array's page was never reported dirty",
				    sizes[s]);
		if (hits > (unsigned long)calls)
			return fail("batches of %d: the array's page was pushed %lu times for %d batches",
				    sizes[s], hits, calls);
		for (k = 0; k < (unsigned int)sizes[s]; k++)
			if (o[k].value != 0)
				return fail("batches of %d: op %u read 0x%llx, want 0 (PIC mask after reset)",
					    sizes[s], k, (unsigned long long)o[k].value);
	}
	diag("%u full exits, %lu entries collected, %lu of them the array's page",
	     ring.full_exits, ring.collected, ring.array_hits);
	return pass();
}

#define GPA_SLOT1	0x400000UL	/* one page in a memslot of its own */

static int set_slot1(struct vm *vm, void *hva, uint64_t size, uint32_t flags)
{
	struct kvm_userspace_memory_region region = {
		.slot = 1,
		.flags = flags,
		.guest_phys_addr = GPA_SLOT1,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		diag("slot 1 (size %llu, flags 0x%x): %s", (unsigned long long)size,
		     flags, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Finding 2: the array sits alone in slot 1, writable when the batch is
 * fetched.  While the batch's first op (an OUT) is out in userspace, the
 * VMM makes slot 1 read-only, as a chipset would when a batch's own PCI
 * config write flips a PAM region.  Both ops still reach the VMM once, and
 * the call must answer -PVIO_ELOST ("ran, results lost"), never a code that
 * says nothing ran (the guest would run both ops again).
 */
static enum tres t_wb_lost(struct vm *vm)
{
	static const struct expect want[] = {
		{ X_PIO_OUT, 0x500, 1, 0x5a },
		{ X_PIO_IN, 0x510, 1, 0 },
	};
	struct kvm_regs regs;
	struct pvio_op *o;
	long long faults;
	enum tres res;
	uint8_t *page;

	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	if (set_slot1(vm, page, PAGE, 0))
		return fail("cannot add slot 1");
	o = (struct pvio_op *)page;
	res = hold_first_exit(vm, GPA_SLOT1, o, want, ARRAY_SIZE(want));
	if (res != T_PASS)
		return res;
	/* the OUT is out in userspace: the array's page turns read-only */
	if (set_slot1(vm, page, 0, 0) ||
	    set_slot1(vm, page, PAGE, KVM_MEM_READONLY))
		return fail("cannot make slot 1 read-only");
	res = finish(vm, 0, &regs, "the batch");
	if (res != T_PASS)
		return res;
	if ((long long)regs.rax != -PVIO_ELOST)
		return fail("returned %lld, want %d (-PVIO_ELOST): the ops ran, a guest taking this for a refusal runs them twice",
			    (long long)regs.rax, -PVIO_ELOST);
	faults = vm_stat(vm, "pvio_wb_faults");
	if (faults != 1)
		return fail("pvio_wb_faults is %lld, want 1", faults);
	return check_log(vm, want, ARRAY_SIZE(want));
}

#define TRACING		"/sys/kernel/debug/tracing"

/* Whether the trace buffer holds a line containing @what. */
static bool trace_has(const char *what)
{
	FILE *f = fopen(TRACING "/trace", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/*
 * Finding 5: userspace moves RIP while a batch is out in userspace (as a
 * vCPU reset does).  The batch is dropped: its second op never runs, RAX
 * keeps what userspace put there, pvio_dropped counts it, pvio_batches
 * does not, and the kvm_pvio tracepoint reports it with result 0.
 */
static enum tres t_dropped(struct vm *vm)
{
	/* the first reaches the VMM, the second must not */
	static const struct expect ops[] = {
		{ X_PIO_OUT, 0x500, 1, 0x11 },
		{ X_PIO_OUT, 0x501, 1, 0x22 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	char line[128];
	struct kvm_regs regs;
	long long dropped, batches;
	enum tres res;
	bool traced;

	if (write_file(TRACING "/events/kvm/kvm_pvio/enable", "1") ||
	    write_file(TRACING "/trace", ""))
		return fail("cannot enable the kvm:kvm_pvio tracepoint under " TRACING);
	res = hold_first_exit(vm, GPA_ARRAY, o, ops, ARRAY_SIZE(ops));
	if (res != T_PASS)
		return res;
	/* the reset: RIP moves past the VMMCALL (3 bytes) to the report OUT */
	if (vcpu_get_regs(vm, 0, &regs))
		return fail("KVM_GET_REGS");
	regs.rip = guest_entry(g_call) + 3;
	regs.rax = 0x77;
	if (vcpu_set_regs(vm, 0, &regs))
		return fail("KVM_SET_REGS");
	res = finish(vm, 0, &regs, "the vCPU (to its report port)");
	if (res != T_PASS)
		return res;
	snprintf(line, sizeof(line), "kvm_pvio: gpa 0x%lx count 2 user_exits 1 ret 0",
		 GPA_ARRAY);
	traced = trace_has(line);
	write_file(TRACING "/events/kvm/kvm_pvio/enable", "0");
	if (regs.rax != 0x77)
		return fail("the dropped batch set RAX to %lld", (long long)regs.rax);
	res = check_log(vm, ops, 1);
	if (res != T_PASS)
		return res;
	dropped = vm_stat(vm, "pvio_dropped");
	batches = vm_stat(vm, "pvio_batches");
	if (dropped != 1 || batches != 0)
		return fail("pvio_dropped %lld, pvio_batches %lld; want 1 and 0", dropped, batches);
	if (!traced)
		return fail("no '%s' in the trace", line);
	return pass();
}

static int set_cap_pvio(struct vm *vm, uint64_t on, uint64_t arg1)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_PVIO,
		.args = { on, arg1 },
	};

	return ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
}

/* The probe and a one-OUT batch are served (or answer -KVM_ENOSYS). */
static enum tres expect_served(struct vm *vm, bool served, const char *when)
{
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	long long ret;
	int nlog = vm->nlog;

	if (call(vm, PVIO_FN_PROBE, 0, 0, &ret))
		return fail("%s: probe did not complete", when);
	if (ret != (served ? PVIO_ABI_VERSION : -KVM_ENOSYS))
		return fail("%s: probe returned %lld, want %d", when, ret,
			    served ? PVIO_ABI_VERSION : -KVM_ENOSYS);
	op(&o[0], PVIO_OP_PIO_OUT, 1, 0x500, 0x42);
	if (call(vm, PVIO_FN_BATCH, GPA_ARRAY, 1, &ret))
		return fail("%s: batch did not complete", when);
	if (ret != (served ? 1 : -KVM_ENOSYS) || vm->nlog != nlog + served)
		return fail("%s: batch returned %lld with %d exits, want %d with %d",
			    when, ret, vm->nlog - nlog, served ? 1 : -KVM_ENOSYS,
			    served);
	return pass();
}

/*
 * Finding 4: the VMM turns the hypercall off and on for its VM with
 * KVM_ENABLE_CAP(KVM_CAP_PVIO); other arguments are refused.
 */
static enum tres t_cap(struct vm *vm)
{
	enum tres r;

	if (!have_handler)
		return skip("no pvio handler in L1's KVM");
	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_PVIO) !=
	    (PVIO_CAP_SERVE | PVIO_CAP_BATCH_EXIT))
		return fail("KVM_CHECK_EXTENSION(KVM_CAP_PVIO) is not SERVE | BATCH_EXIT");
	r = expect_served(vm, true, "VMM said nothing");
	if (r != T_PASS)
		return r;
	if (set_cap_pvio(vm, 0, 0))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO, 0): %s", strerror(errno));
	r = expect_served(vm, false, "turned off");
	if (r != T_PASS)
		return r;
	if (set_cap_pvio(vm, 1, 0))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO, 1): %s", strerror(errno));
	r = expect_served(vm, true, "turned on again");
	if (r != T_PASS)
		return r;
	if (vm->pvio_exits)
		return fail("mode 1, yet %d KVM_EXIT_PVIO exits", vm->pvio_exits);
	if (!set_cap_pvio(vm, 2, 0) || errno != EINVAL ||
	    !set_cap_pvio(vm, 4, 0) || errno != EINVAL ||
	    !set_cap_pvio(vm, 7, 0) || errno != EINVAL ||
	    !set_cap_pvio(vm, 1, 1) || errno != EINVAL)
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO) took args[0] = 2, 4 or 7, or args[1] = 1");
	if (set_cap_pvio(vm, 3, 0))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO, 3): %s", strerror(errno));
	r = expect_served(vm, true, "mode 2");
	if (r != T_PASS)
		return r;
	if (!vm->pvio_exits)
		return fail("mode 2 on, but the OUT left without KVM_EXIT_PVIO");
	return pass();
}

static enum tres cap_opt_in(struct vm *vm)
{
	enum tres r;

	r = expect_served(vm, false, "opt-in required, VMM said nothing");
	if (r != T_PASS)
		return r;
	if (set_cap_pvio(vm, 1, 0))
		return fail("KVM_ENABLE_CAP(KVM_CAP_PVIO, 1): %s", strerror(errno));
	return expect_served(vm, true, "opt-in required, VMM opted in");
}

/*
 * Finding 4: with kvm.pvio_opt_in=1 a VM whose VMM says nothing is not
 * served, one that enabled KVM_CAP_PVIO is.  The parameter is put back.
 */
static enum tres t_cap_opt_in(struct vm *vm)
{
	enum tres r;

	if (!have_handler)
		return skip("no pvio handler in L1's KVM");
	if (param_set("pvio_opt_in", "1"))
		return fail("cannot set kvm.pvio_opt_in: %s", strerror(errno));
	r = cap_opt_in(vm);
	if (param_restore())
		return fail("cannot put kvm.pvio_opt_in back");
	return r;
}

static enum tres migrate(struct vm *vm, struct vm *dst)
{
	/* the source serves the IN, the destination the two OUTs */
	static const struct expect ops[] = {
		{ X_PIO_IN, 0x80, 1, 0 },
		{ X_PIO_OUT, 0x84, 1, 0x22 },
		{ X_PIO_OUT, 0x88, 1, 0x33 },
	};
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	struct kvm_run *run = vm->vcpu[0].run;
	struct kvm_regs regs;
	uint64_t answer;
	enum tres r;

	r = hold_first_exit(vm, GPA_ARRAY, o, ops, ARRAY_SIZE(ops));
	if (r != T_PASS)
		return r;
	answer = vm->log[0].value;	/* vm_run answered IN 0x80 */
	/*
	 * The immediate_exit run completes the IN and hands back the OUT 0x84
	 * as a new exit; the VMM saves the vCPU there, OUT 0x84 not served.
	 */
	if (vm_migrate(vm, dst))
		return fail("migration failed");
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != 0x84)
		return fail("KVM_RUN with immediate_exit gave exit %u port 0x%x; want the OUT 0x84",
			    run->exit_reason, run->io.port);
	r = finish(dst, 0, &regs, "the destination's call");
	if (r == T_PASS)
		r = check_log(dst, ops + 1, 2);
	if (r != T_PASS) {
		diag("source: %s 0x%llx answered; the destination must go on with OUT 0x84",
		     kind_name(vm->log[0].kind), (unsigned long long)vm->log[0].addr);
		return r;
	}
	return check_migrated(dst, &regs, 3, answer);
}

/*
 * Finding 3: a VMM serves the first op of a batch (IN 0x80), runs KVM_RUN
 * once with immediate_exit, which hands it the next op (OUT 0x84) as a new
 * exit, saves the registers there and restores them with guest memory into
 * a fresh VM.  Every op reaches a device exactly once, in order; the IN's
 * result is in the array; RAX is 3 and RBX PVIO_FN_BATCH at the end.
 */
static enum tres t_migrate(struct vm *vm)
{
	return with_destination(vm, migrate);
}

/*
 * Finding 3: while batch A waits on its first exit, the VMM loads the
 * registers of another call, batch B (one OUT at another address), at the
 * same RIP, as a reset to the same code would.  B runs and returns 1; A's
 * later ops never run.  The PIC op ends A's first run in mode 2 too.
 */
static enum tres t_stale(struct vm *vm)
{
	static const struct expect a[] = {
		{ X_PIO_OUT, 0x500, 1, 0x11 },
		{ X_PIO_OUT, 0x21, 1, 0x5b },
		{ X_PIO_OUT, 0x501, 1, 0x22 },
	};
	static const struct expect b[] = { { X_PIO_OUT, 0x600, 1, 0x66 } };
	/* A's first op, then B: A's second never runs */
	const struct expect want[] = { a[0], b[0] };
	struct kvm_regs regs;
	enum tres r;

	put_ops(ops_at(vm, GPA_ARRAY2), b, 1);
	r = hold_first_exit(vm, GPA_ARRAY, ops_at(vm, GPA_ARRAY), a, ARRAY_SIZE(a));
	if (r != T_PASS)
		return r;
	if (vcpu_set_call(vm, 0, guest_entry(g_call), KVM_HC_PVIO, PVIO_FN_BATCH,
			  GPA_ARRAY2, 1))
		return fail("loading batch B");
	r = finish(vm, 0, &regs, "batch B");
	if (r == T_PASS)
		r = check_log(vm, want, ARRAY_SIZE(want));
	if (r != T_PASS)
		return r;
	if (regs.rax != 1)
		return fail("batch B returned %lld, want 1", (long long)regs.rax);
	if (vm_stat(vm, "pvio_dropped") != 1)
		return fail("pvio_dropped is %lld, want 1", vm_stat(vm, "pvio_dropped"));
	return pass();
}

static const struct tcase hardening[] = {
	{ "dirty ring: in-kernel read batches of 1..128 ops, ring drains, array page dirty",
	  t_dirty_ring, .flags = C_NO_VCPU },
	{ "write-back fails after the ops ran -> -PVIO_ELOST, each op once", t_wb_lost },
	{ "RIP moved while a batch is out: dropped, counted and traced", t_dropped },
	{ "KVM_CAP_PVIO turns the hypercall off and on for one VM", t_cap },
	{ "kvm.pvio_opt_in=1 serves only VMs that enabled KVM_CAP_PVIO", t_cap_opt_in },
	{ "state saved mid-batch and restored in a fresh VM: each op once, in order",
	  t_migrate },
	{ "another call loaded at the same RIP mid-batch: the stale batch stops", t_stale,
	  .flags = C_MODE2 },
};

void add_hardening_cases(void)
{
	add_cases(hardening, ARRAY_SIZE(hardening));
}
