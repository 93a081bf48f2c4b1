// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_HC_PVIO: legacy port and MMIO I/O batched into one hypercall.
 *
 * A guest at CPL 0 passes an array of up to PVIO_MAX_OPS port or MMIO
 * operations (include/uapi/linux/pvio.h).  The array is copied in once and
 * validated whole (pvio_check.c); a batch is either rejected with nothing
 * executed, or its ops run in array order from the kernel's copy.
 *
 * An op that an in-kernel device claims (PIO bus; in-kernel LAPIC or MMIO
 * bus) completes right here.  The first op nobody in the kernel claims
 * leaves to userspace as an ordinary KVM_EXIT_IO or KVM_EXIT_MMIO, so an
 * unmodified VMM serves it.  Like SEV-ES string I/O, a run of port ops of the
 * same direction, port and width leaves as a single KVM_EXIT_IO with
 * count > 1 (the first op of the run decides, as in emulator_pio_in_out()).
 * A VMM that enabled PVIO_CAP_BATCH_EXIT (mode 2) gets instead one
 * KVM_EXIT_PVIO carrying every op up to the next one an in-kernel device
 * might claim.  The batch resumes through complete_userspace_io at the next
 * KVM_RUN.
 *
 * When the last op is done, read results are written to the value fields of
 * the guest's array (its page marked dirty once per batch), RAX gets the op
 * count and RIP moves past the hypercall.
 */

#include <linux/kvm_host.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "cpuid.h"
#include "kvm_cache_regs.h"
#include "lapic.h"
#include "pvio.h"
#include "pvio_check.h"
#include "trace.h"
#include "x86.h"

static bool __read_mostly pvio_enable = true;
module_param(pvio_enable, bool, 0644);
MODULE_PARM_DESC(pvio_enable,
		 "Serve the KVM_HC_PVIO hypercall; if off, answer -KVM_ENOSYS");

static bool __read_mostly pvio_opt_in;
module_param(pvio_opt_in, bool, 0644);
MODULE_PARM_DESC(pvio_opt_in,
		 "Serve KVM_HC_PVIO only to VMs whose VMM enabled KVM_CAP_PVIO");

/* kvm->arch.pvio_mode */
enum {
	KVM_PVIO_DEFAULT,	/* the VMM said nothing: pvio_opt_in decides */
	KVM_PVIO_ON,
	KVM_PVIO_OFF,
	KVM_PVIO_ON_BATCH,	/* on, userspace ops leave as KVM_EXIT_PVIO */
};

/**
 * kvm_pvio_enable_cap - KVM_ENABLE_CAP(KVM_CAP_PVIO) on a VM
 * @kvm:  the VM
 * @args: args[0] 0 to refuse KVM_HC_PVIO to this VM, PVIO_CAP_SERVE to
 *        serve it, PVIO_CAP_SERVE | PVIO_CAP_BATCH_EXIT to serve it in
 *        mode 2; args[1..3] must be 0
 *
 * Return: 0, or -EINVAL for other arguments.
 */
int kvm_pvio_enable_cap(struct kvm *kvm, const u64 *args)
{
	u8 mode;

	if (args[1] || args[2] || args[3])
		return -EINVAL;
	switch (args[0]) {
	case 0:
		mode = KVM_PVIO_OFF;
		break;
	case PVIO_CAP_SERVE:
		mode = KVM_PVIO_ON;
		break;
	case PVIO_CAP_SERVE | PVIO_CAP_BATCH_EXIT:
		mode = KVM_PVIO_ON_BATCH;
		break;
	default:
		return -EINVAL;
	}
	WRITE_ONCE(kvm->arch.pvio_mode, mode);
	return 0;
}

static bool pvio_served(struct kvm *kvm)
{
	if (!READ_ONCE(pvio_enable))
		return false;
	switch (READ_ONCE(kvm->arch.pvio_mode)) {
	case KVM_PVIO_ON:
	case KVM_PVIO_ON_BATCH:
		return true;
	case KVM_PVIO_OFF:
		return false;
	default:
		return !READ_ONCE(pvio_opt_in);
	}
}

/**
 * struct kvm_pvio - per-vCPU state of a batch, allocated on first use
 * @ops:        the kernel's copy of the guest's op array; read results
 *              are stored into it as ops complete
 * @gpa:        guest-physical address of the guest's array
 * @linear_rip: RIP of the hypercall, to notice userspace moving the vCPU
 * @count:      number of ops in the batch, 0 when no batch is active
 * @next:       index of the first op not yet completed
 * @run:        number of ops from @next handed to userspace
 * @batch:      they left as one KVM_EXIT_PVIO (mode 2)
 * @exits:      exits to userspace so far, for the kvm_pvio tracepoint
 * @wb:         read results of the ops before this index are in the
 *              guest's array
 * @lost:       a write-back failed: the batch ends with -PVIO_ELOST
 */
struct kvm_pvio {
	struct pvio_op ops[PVIO_MAX_OPS];
	gpa_t gpa;
	unsigned long linear_rip;
	unsigned int count;
	unsigned int next;
	unsigned int run;
	bool batch;
	unsigned int exits;
	unsigned int wb;
	bool lost;
};

static_assert(sizeof(struct pvio_op) == PVIO_OP_SIZE);
static_assert(offsetof(struct pvio_op, value) == 16);
static_assert(PVIO_MAX_OPS * 4 <= PAGE_SIZE);
static_assert(PVIO_ARRAY_MAX_BYTES <= PAGE_SIZE);
static_assert(offsetof(struct kvm_run, padding) == KVM_PVIO_EXIT_OFFSET);
static_assert(sizeof(struct kvm_pvio_exit) <=
	      sizeof_field(struct kvm_run, padding));

static int pvio_guest_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return kvm_vcpu_read_guest(ctx, gpa, buf, len);
}

static bool pvio_guest_is_ram(void *ctx, u64 gpa)
{
	return kvm_vcpu_is_visible_gfn(ctx, gpa_to_gfn(gpa));
}

static bool pvio_guest_writable(void *ctx, u64 gpa)
{
	bool writable = false;
	unsigned long hva;

	hva = kvm_vcpu_gfn_to_hva_prot(ctx, gpa_to_gfn(gpa), &writable);
	return !kvm_is_error_hva(hva) && writable;
}

static void pvio_count_reject(struct kvm_vcpu *vcpu, int err)
{
	struct kvm_vcpu_stat *s = &vcpu->stat;

	s->pvio_rejected++;
	switch (err) {
	case PVIO_EFUNC:
		s->pvio_rej_func++;
		break;
	case PVIO_ECOUNT:
		s->pvio_rej_count++;
		break;
	case PVIO_EARRAY:
		s->pvio_rej_array++;
		break;
	case PVIO_EFAULT:
		s->pvio_rej_fault++;
		break;
	case PVIO_EKIND:
		s->pvio_rej_kind++;
		break;
	case PVIO_EWIDTH:
		s->pvio_rej_width++;
		break;
	case PVIO_ERANGE:
		s->pvio_rej_range++;
		break;
	case PVIO_ERAM:
		s->pvio_rej_ram++;
		break;
	default:
		s->pvio_rej_busy++;
		break;
	}
}

/* Returns true if an in-kernel device performed @op. */
static bool pvio_op_in_kernel(struct kvm_vcpu *vcpu, struct pvio_op *op)
{
	u64 val = op->value;

	switch (op->kind) {
	case PVIO_OP_PIO_OUT:
		return !kvm_io_bus_write(vcpu, KVM_PIO_BUS, op->addr,
					 op->width, &val);
	case PVIO_OP_PIO_IN:
		val = 0;
		if (kvm_io_bus_read(vcpu, KVM_PIO_BUS, op->addr, op->width,
				    &val))
			return false;
		break;
	case PVIO_OP_MMIO_WRITE:
		return vcpu_mmio_write(vcpu, op->addr, op->width, &val) ==
		       op->width;
	default:
		val = 0;
		if (vcpu_mmio_read(vcpu, op->addr, op->width, &val) !=
		    op->width)
			return false;
		break;
	}
	op->value = val & pvio_width_mask(op->width);
	return true;
}

static int pvio_complete_userspace(struct kvm_vcpu *vcpu);
static int pvio_write_back(struct kvm_vcpu *vcpu, struct kvm_pvio *p,
			   unsigned int from, unsigned int to);

/*
 * Makes the batch's progress architectural before an exit to userspace:
 * the results of the reads done so far go to the guest's array, and RBX
 * becomes PVIO_FN_RESUME(next).  A VMM that saves the vCPU during the exit
 * (RIP still on the hypercall) and restores it elsewhere restarts the call
 * at op next, so no op runs twice.
 */
static void pvio_save_progress(struct kvm_vcpu *vcpu, struct kvm_pvio *p)
{
	if (pvio_write_back(vcpu, p, p->wb, p->next))
		p->lost = true;
	p->wb = p->next;
	kvm_rbx_write(vcpu, PVIO_FN_RESUME(p->next));
}

/*
 * Whether an in-kernel device on @idx has a range overlapping the access and
 * a handler for its direction.  Only looks: nothing is called, so a device
 * that would decline (ioeventfd with datamatch, a full coalesced ring) still
 * counts.  Runs under kvm->srcu, like the bus accesses themselves.
 */
static bool pvio_bus_may_claim(struct kvm_vcpu *vcpu, enum kvm_bus idx,
			       gpa_t addr, int len, bool write)
{
	struct kvm_io_bus *bus = kvm_get_bus(vcpu->kvm, idx);
	const struct kvm_io_device_ops *ops;
	const struct kvm_io_range *r;
	int i;

	if (!bus)
		return false;
	for (i = 0; i < bus->dev_count; i++) {
		r = &bus->range[i];
		/* len 0 (an ioeventfd for any width) matches at r->addr */
		if (addr + len <= r->addr || r->addr + max(r->len, 1) <= addr)
			continue;
		ops = r->dev->ops;
		if (write ? !!ops->write : !!ops->read)
			return true;
	}
	return false;
}

static bool pvio_may_claim(void *ctx, const struct pvio_op *op)
{
	struct kvm_vcpu *vcpu = ctx;
	bool write = !pvio_op_is_read(op);

	if (pvio_op_is_pio(op))
		return pvio_bus_may_claim(vcpu, KVM_PIO_BUS, op->addr,
					  op->width, write);
	if (lapic_in_kernel(vcpu) &&
	    op->addr >= vcpu->arch.apic->base_address &&
	    op->addr < vcpu->arch.apic->base_address + PAGE_SIZE)
		return true;
	return pvio_bus_may_claim(vcpu, KVM_MMIO_BUS, op->addr, op->width,
				  write);
}

/*
 * Mode 2: hands ops[next] and every op after it up to the next one an
 * in-kernel device may claim to userspace in one KVM_EXIT_PVIO.  The ops go
 * out as copies with read values zeroed; nothing but the read values comes
 * back (pvio_take_batch_results()).  An op that ends the run is offered to
 * the kernel when the run completes; if the device declines it, it starts
 * the next run, so order and exactly-once hold either way.
 */
static unsigned int pvio_exit_batch(struct kvm_vcpu *vcpu,
				    struct kvm_pvio *p)
{
	/* the exit union's padding member spans all of its 256 bytes */
	struct kvm_pvio_exit *e = (struct kvm_pvio_exit *)vcpu->run->padding;
	struct pvio_op *out = vcpu->arch.pio_data;
	unsigned int i, n;

	n = pvio_batch_run_length(p->ops, p->next, p->count, pvio_may_claim,
				  vcpu);
	memcpy(out, &p->ops[p->next], n * sizeof(*out));
	for (i = 0; i < n; i++)
		if (pvio_op_is_read(&out[i]))
			out[i].value = 0;

	vcpu->run->exit_reason = KVM_EXIT_PVIO;
	memset(e, 0, sizeof(*e));
	e->count = n;
	e->data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	e->first = p->next;
	vcpu->stat.pvio_batch_exits++;
	return n;
}

/* Hands ops[next] (and the run of like port ops after it) to userspace. */
static int pvio_exit_to_userspace(struct kvm_vcpu *vcpu, struct kvm_pvio *p)
{
	const struct pvio_op *op = &p->ops[p->next];
	struct kvm_run *run = vcpu->run;
	unsigned int i, n = 1;

	pvio_save_progress(vcpu, p);

	p->batch = READ_ONCE(vcpu->kvm->arch.pvio_mode) == KVM_PVIO_ON_BATCH;
	if (p->batch) {
		n = pvio_exit_batch(vcpu, p);
	} else if (pvio_op_is_pio(op)) {
		u8 *data = vcpu->arch.pio_data;
		bool out = op->kind == PVIO_OP_PIO_OUT;

		n = pvio_run_length(p->ops, p->next, p->count, PAGE_SIZE);
		for (i = 0; i < n; i++, data += op->width) {
			if (out)
				memcpy(data, &p->ops[p->next + i].value,
				       op->width);
			else
				memset(data, 0, op->width);
		}
		run->exit_reason = KVM_EXIT_IO;
		run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
		run->io.size = op->width;
		run->io.port = op->addr;
		run->io.count = n;
		run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	} else {
		run->exit_reason = KVM_EXIT_MMIO;
		run->mmio.phys_addr = op->addr;
		run->mmio.len = op->width;
		run->mmio.is_write = op->kind == PVIO_OP_MMIO_WRITE;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		if (run->mmio.is_write)
			memcpy(run->mmio.data, &op->value, op->width);
	}

	p->run = n;
	p->exits++;
	vcpu->stat.pvio_user_exits++;
	vcpu->stat.pvio_ops_user += n;
	vcpu->arch.complete_userspace_io = pvio_complete_userspace;
	return 0;
}

/*
 * Executes ops from p->next on.  Returns 1 when the last op is done, or 0
 * with an exit to userspace set up for an op no in-kernel device claims.
 */
static int pvio_run(struct kvm_vcpu *vcpu, struct kvm_pvio *p)
{
	while (p->next < p->count) {
		if (!pvio_op_in_kernel(vcpu, &p->ops[p->next]))
			return pvio_exit_to_userspace(vcpu, p);
		vcpu->stat.pvio_ops++;
		p->next++;
		cond_resched();
	}
	return 1;
}

/*
 * Copies the read results of ops [@from, @to) into the value fields of the
 * guest's array.  The array lies in one page (checked at fetch), so the page
 * is marked dirty once per call, not once per read: in dirty-ring mode a
 * batch adds at most one ring entry per exit to userspace, which the ring's
 * reserved entries always have room for.
 */
static int pvio_write_back(struct kvm_vcpu *vcpu, struct kvm_pvio *p,
			   unsigned int from, unsigned int to)
{
	gfn_t gfn = gpa_to_gfn(p->gpa);
	unsigned int i, written = 0;
	bool writable = false;
	void __user *dst;
	unsigned long hva;
	int err = 0;

	hva = kvm_vcpu_gfn_to_hva_prot(vcpu, gfn, &writable);
	for (i = from; i < to; i++) {
		if (!pvio_op_is_read(&p->ops[i]))
			continue;
		if (kvm_is_error_hva(hva) || !writable) {
			err = -EFAULT;
			break;
		}
		dst = (void __user *)(hva + offset_in_page(p->gpa) +
				      i * sizeof(struct pvio_op) +
				      offsetof(struct pvio_op, value));
		if (__copy_to_user(dst, &p->ops[i].value,
				   sizeof(p->ops[i].value))) {
			err = -EFAULT;
			break;
		}
		written++;
	}
	if (written)
		kvm_vcpu_mark_page_dirty(vcpu, gfn);
	return err;
}

/*
 * Ends a fully executed batch: write back the remaining read results, put
 * RBX back to PVIO_FN_BATCH (the guest's compiler assumes it unchanged),
 * return RAX.
 */
static unsigned long pvio_finish(struct kvm_vcpu *vcpu, struct kvm_pvio *p)
{
	unsigned long ret = p->count;

	/* the ops ran: the guest must not take this for a refusal */
	if (pvio_write_back(vcpu, p, p->wb, p->count) || p->lost) {
		vcpu->stat.pvio_wb_faults++;
		ret = -PVIO_ELOST;
	}
	kvm_rbx_write(vcpu, PVIO_FN_BATCH);
	vcpu->stat.pvio_batches++;
	trace_kvm_pvio(p->gpa, p->count, p->exits, ret);
	p->count = 0;
	return ret;
}

/* The call registers still describe the batch at its saved progress. */
static bool pvio_regs_match(struct kvm_vcpu *vcpu, struct kvm_pvio *p)
{
	u64 rbx = kvm_rbx_read(vcpu);
	u64 rcx = kvm_rcx_read(vcpu);
	u64 rdx = kvm_rdx_read(vcpu);

	if (!is_64_bit_hypercall(vcpu)) {
		rbx = (u32)rbx;
		rcx = (u32)rcx;
		rdx = (u32)rdx;
	}
	return rbx == PVIO_FN_RESUME(p->next) && rcx == p->gpa &&
	       rdx == p->count;
}

/*
 * Takes the read results of a KVM_EXIT_PVIO run from the PIO data page: only
 * the value fields of ops that are reads in the kernel's own copy, each read
 * once and masked to its width.  Userspace may have rewritten anything else
 * in the page; none of it is looked at.
 */
static void pvio_take_batch_results(struct kvm_vcpu *vcpu, struct kvm_pvio *p)
{
	const struct pvio_op *in = vcpu->arch.pio_data;
	struct pvio_op *op;
	unsigned int i;

	for (i = 0; i < p->run; i++) {
		op = &p->ops[p->next + i];
		if (pvio_op_is_read(op))
			op->value = READ_ONCE(in[i].value) &
				    pvio_width_mask(op->width);
	}
}

static int pvio_complete_userspace(struct kvm_vcpu *vcpu)
{
	struct kvm_pvio *p = vcpu->arch.pvio;
	struct pvio_op *op = &p->ops[p->next];
	unsigned long ret;
	unsigned int i;
	u64 val;

	/*
	 * Userspace moved the vCPU elsewhere (e.g. a reset) or rewrote the
	 * call registers (restored a saved state): drop the batch.  The vCPU
	 * resumes where userspace put it; if that is the hypercall, the call
	 * runs again from its registers.  The trace's result 0 marks a
	 * dropped batch (a batch ends with its op count or an error).
	 */
	if (unlikely(!kvm_is_linear_rip(vcpu, p->linear_rip) ||
		     !pvio_regs_match(vcpu, p))) {
		vcpu->stat.pvio_dropped++;
		trace_kvm_pvio(p->gpa, p->count, p->exits, 0);
		p->count = 0;
		return 1;
	}

	if (p->batch) {
		pvio_take_batch_results(vcpu, p);
	} else if (op->kind == PVIO_OP_PIO_IN) {
		const u8 *data = vcpu->arch.pio_data;

		for (i = 0; i < p->run; i++, data += op->width) {
			val = 0;
			memcpy(&val, data, op->width);
			p->ops[p->next + i].value = val;
		}
	} else if (op->kind == PVIO_OP_MMIO_READ) {
		val = 0;
		memcpy(&val, vcpu->run->mmio.data, op->width);
		op->value = val;
	}
	vcpu->stat.pvio_ops += p->run;
	p->next += p->run;
	p->run = 0;

	if (!pvio_run(vcpu, p))
		return 0;

	ret = pvio_finish(vcpu, p);
	if (!is_64_bit_hypercall(vcpu))
		ret = (u32)ret;
	kvm_rax_write(vcpu, ret);
	++vcpu->stat.hypercalls;
	return kvm_skip_emulated_instruction(vcpu);
}

/**
 * kvm_pvio_exit_pending - whether KVM_HC_PVIO just set up an exit
 * @vcpu: the vCPU whose hypercall was handled
 *
 * For a hypercall path that only passes the return value up, as Linux
 * 6.12's __kvm_emulate_hypercall() does to kvm_emulate_hypercall():
 * true if kvm_pvio_hypercall() returned 0 on this exit.  KVM_RUN clears
 * complete_userspace_io before the guest runs again.
 *
 * Return: true if the vCPU must exit to userspace, RAX and RIP untouched.
 */
bool kvm_pvio_exit_pending(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.complete_userspace_io == pvio_complete_userspace;
}

/**
 * kvm_pvio_hypercall - handle KVM_HC_PVIO
 * @vcpu:  the calling vCPU, at CPL 0
 * @fn:    PVIO_FN_PROBE, or PVIO_FN_BATCH / PVIO_FN_RESUME(next) (RBX)
 * @gpa:   guest-physical address of the op array (RCX)
 * @count: number of ops (RDX)
 * @ret:   the value for the guest's RAX, when 1 is returned
 *
 * Answers -KVM_ENOSYS, like a host without the handler, when disabled by
 * the pvio_enable parameter, to a VM that is not served (its VMM turned
 * KVM_CAP_PVIO off, or did not turn it on while pvio_opt_in is set), to a
 * nested guest, and to a guest whose state is protected (SEV-ES).
 *
 * Return: 1 if the hypercall is complete and *@ret is to be written to RAX
 * by the caller, 0 if it continues in userspace (an exit is set up; RAX and
 * RIP are updated when the batch completes).
 */
int kvm_pvio_hypercall(struct kvm_vcpu *vcpu, unsigned long fn,
		       unsigned long gpa, unsigned long count,
		       unsigned long *ret)
{
	const struct pvio_guest guest = {
		.read = pvio_guest_read,
		.is_ram = pvio_guest_is_ram,
		.writable = pvio_guest_writable,
		.gpa_limit = 1ULL << cpuid_maxphyaddr(vcpu),
		.ctx = vcpu,
	};
	unsigned long start = fn >> 16;
	struct kvm_pvio *p;
	int err;

	/*
	 * Not for a nested guest (its addresses are not L1's, and L1 did not
	 * get to check its port accesses) nor for a guest with protected
	 * state (its memory and registers are not KVM's to read).
	 */
	if (!pvio_served(vcpu->kvm) || is_guest_mode(vcpu) ||
	    vcpu->arch.guest_state_protected) {
		*ret = -KVM_ENOSYS;
		return 1;
	}

	if (fn == PVIO_FN_PROBE) {
		*ret = PVIO_ABI_VERSION;
		return 1;
	}
	/* PVIO_FN_BATCH is PVIO_FN_RESUME(0) */
	if ((fn & 0xffff) != PVIO_FN_BATCH || start >= PVIO_MAX_OPS) {
		err = PVIO_EFUNC;
		goto reject;
	}

	p = vcpu->arch.pvio;
	if (!p) {
		p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
		if (!p) {
			err = PVIO_EBUSY;
			goto reject;
		}
		vcpu->arch.pvio = p;
	}

	err = pvio_fetch_batch(&guest, gpa, count, p->ops);
	if (!err && start >= count)
		err = PVIO_EFUNC;
	if (err)
		goto reject;

	p->gpa = gpa;
	p->count = count;
	p->next = start;
	p->wb = start;
	p->lost = false;
	p->run = 0;
	p->exits = 0;
	p->linear_rip = kvm_get_linear_rip(vcpu);

	if (!pvio_run(vcpu, p))
		return 0;

	*ret = pvio_finish(vcpu, p);
	return 1;

reject:
	pvio_count_reject(vcpu, err);
	trace_kvm_pvio(gpa, count, 0, -err);
	*ret = -(long)err;
	return 1;
}
