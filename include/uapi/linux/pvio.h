/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pvio guest<->host ABI: batched port and MMIO I/O through one hypercall.
 *
 * One header for every side: the guest module (pvio.ko), the host handler
 * (the KVM patch in host/kvm) and the userspace tests and fuzzer.  It only
 * uses fixed-size types and has no kernel-only dependencies.
 *
 * Calling convention (x86, vmcall on Intel, vmmcall on AMD, guest CPL 0):
 *
 *   RAX = KVM_HC_PVIO
 *   RBX = function (PVIO_FN_PROBE or PVIO_FN_BATCH; see PVIO_FN_RESUME)
 *   RCX = guest-physical address of the op array (PVIO_FN_BATCH)
 *   RDX = number of ops in the array (PVIO_FN_BATCH)
 *
 * On return RAX holds a non-negative value on success:
 *   PVIO_FN_PROBE: PVIO_ABI_VERSION of the host handler.
 *   PVIO_FN_BATCH: the number of ops executed (always the count passed in).
 * On failure RAX holds the negated error code (-PVIO_E*), or one of KVM's
 * own: -KVM_ENOSYS (1000) from a host without the handler, -KVM_EPERM (1)
 * when the caller is not at CPL 0.  A rejected batch executes no op, so the
 * guest may run it natively; with one exception: -PVIO_ELOST says every op
 * DID run and only the read results could not be written back (the array's
 * page was unmapped or made read-only while the batch ran).  The value
 * fields of the read ops then hold any mix of old values and results; the
 * ops must not be run again.  pvio_batch_ran() tells the two apart.
 *
 * Batch semantics: the host copies the whole array in once, validates every
 * op, then executes the ops in array order.  Read results are written back
 * into the value field of the guest's array.  The guest must not touch the
 * array while the call runs; the host acts on its own copy regardless.
 */
#ifndef _UAPI_LINUX_PVIO_H
#define _UAPI_LINUX_PVIO_H

#include <linux/types.h>

/*
 * Hypercall number.  Upstream KVM_HC_* numbers are small integers (1..12 in
 * 6.1); this one spells "PVIO" and cannot collide with them.
 */
#define KVM_HC_PVIO		0x5056494fUL

/*
 * Per-VM control for the VMM (host userspace): KVM_ENABLE_CAP on the VM fd
 * with cap KVM_CAP_PVIO and args[0] a set of PVIO_CAP_* bits; flags and
 * args[1..3] must be 0.  args[0] = PVIO_CAP_SERVE (1) serves KVM_HC_PVIO to
 * this VM, 0 makes it answer -KVM_ENOSYS, SERVE | BATCH_EXIT (3) serves it
 * and hands runs of userspace ops out as one KVM_EXIT_PVIO (mode 2);
 * BATCH_EXIT alone is refused.  A VM whose VMM never sets it gets the host
 * default (kvm.pvio_opt_in: 0 serves it in mode 1, 1 does not).
 * KVM_CHECK_EXTENSION(KVM_CAP_PVIO) returns the bits the host accepts (3;
 * a host from before mode 2 returns 1).  The number is out of tree and
 * spells "PVIO", far above upstream's small sequential KVM_CAP_* numbers,
 * so the two cannot collide.
 */
#define KVM_CAP_PVIO		0x5056494f
#define PVIO_CAP_SERVE		(1ULL << 0)
#define PVIO_CAP_BATCH_EXIT	(1ULL << 1)

/*
 * Mode 2: the batch exit.  In mode 1 every op no in-kernel device serves
 * leaves as its own KVM_EXIT_IO or KVM_EXIT_MMIO.  With PVIO_CAP_BATCH_EXIT
 * the host instead hands the VMM a run of such ops at once:
 *
 *   run->exit_reason = KVM_EXIT_PVIO, and at &run->hw (the 256-byte exit
 *   union, offset 32) a struct kvm_pvio_exit.  @count ops (struct pvio_op,
 *   1..PVIO_MAX_OPS) lie at @data_offset from the start of the kvm_run
 *   mapping (the vCPU's PIO data page, KVM_PIO_PAGE_OFFSET * 4096).
 *
 * The VMM executes them in array order (port ops on its I/O address space,
 * MMIO ops on its memory address space) and stores each read's result in
 * that op's value field, then calls KVM_RUN.  The host takes back only the
 * value fields of the ops that are reads in its own copy of the batch,
 * masked to their width; whatever else the VMM writes into the page or the
 * exit struct is ignored.  A run ends before any op an in-kernel device
 * might claim, so ops still run exactly once and in order across kernel and
 * VMM devices.  Like KVM_EXIT_IO, the exit completes only on the next
 * KVM_RUN (immediate_exit = 1 completes it without running the guest);
 * save the vCPU only after that.  The resume rule above holds across it:
 * RBX = PVIO_FN_RESUME(@first) while the exit is out.
 *
 * The exit number is out of tree and spells "PVIO" (upstream's KVM_EXIT_*
 * are small sequential integers, 39 in QEMU 10.0's headers); it is only
 * produced for a VM whose VMM enabled PVIO_CAP_BATCH_EXIT.
 */
#define KVM_EXIT_PVIO		0x5056494f

/**
 * struct kvm_pvio_exit - KVM_EXIT_PVIO, overlaying kvm_run's exit union
 * @count:       ops at @data_offset, 1..PVIO_MAX_OPS
 * @flags:       0
 * @data_offset: offset of the ops from the start of the kvm_run mapping
 * @first:       index of the first op in the guest's batch
 * @reserved:    0
 */
struct kvm_pvio_exit {
	__u32	count;
	__u32	flags;
	__u64	data_offset;
	__u32	first;
	__u32	reserved;
};

/* Offset of the exit union in struct kvm_run on x86. */
#define KVM_PVIO_EXIT_OFFSET	32

/* Bumped on any incompatible change of this header's layout or meaning. */
#define PVIO_ABI_VERSION	1

/* Functions, passed in the hypercall's first argument. */
#define PVIO_FN_PROBE		0	/* returns PVIO_ABI_VERSION */
#define PVIO_FN_BATCH		1	/* executes an op array */

/*
 * Progress of a batch lives in the guest's registers, as REP OUTS keeps it
 * in RCX/RSI.  While a batch waits on userspace (an exit to the VMM), RBX
 * holds PVIO_FN_RESUME(next), RIP still points at the hypercall, and the
 * read results of ops 0..next-1 are already in the array.  A VMM that saves
 * the vCPU there and restores it anywhere (live migration, snapshot) saves
 * a call that, executed again, runs only ops next..count-1: no op runs
 * twice.  If userspace rewrites RBX, RCX or RDX (or moves RIP) before the
 * exit completes, the host drops its own state and the vCPU goes on from
 * its registers.  On return RBX is PVIO_FN_BATCH again; RCX and RDX are
 * never changed.  A guest calls with PVIO_FN_BATCH (= PVIO_FN_RESUME(0));
 * next at or above count is refused with PVIO_EFUNC.
 */
#define PVIO_FN_RESUME(next)	(PVIO_FN_BATCH | ((__u64)(next) << 16))

/*
 * Hard limit on ops in one PVIO_FN_BATCH call: 128 ops of 24 bytes are
 * 3 KiB, so a whole array always fits in one 4 KiB guest page.
 */
#define PVIO_MAX_OPS		128

/* Op kinds (struct pvio_op.kind).  Zero is invalid so that a zeroed op is refused. */
#define PVIO_OP_PIO_OUT		1	/* write value to I/O port addr */
#define PVIO_OP_PIO_IN		2	/* read I/O port addr into value */
#define PVIO_OP_MMIO_WRITE	3	/* write value to guest-physical addr */
#define PVIO_OP_MMIO_READ	4	/* read guest-physical addr into value */

/* Highest valid I/O port. */
#define PVIO_PORT_MAX		0xffffU

/*
 * Error codes, returned negated in RAX.  Distinct from KVM's own codes
 * (KVM_EPERM 1, KVM_ENOSYS 1000) so a test can tell every reason apart.
 */
#define PVIO_EFUNC	2001	/* unknown function */
#define PVIO_ECOUNT	2002	/* count is 0 or above PVIO_MAX_OPS */
#define PVIO_EARRAY	2003	/* array misaligned or crossing a page */
#define PVIO_EFAULT	2004	/* array not in guest memory; nothing ran */
#define PVIO_EKIND	2005	/* unknown kind, or flags, reserved or value bits above width set */
#define PVIO_EWIDTH	2006	/* width not allowed for the kind */
#define PVIO_ERANGE	2007	/* port+width past 0xffff, MMIO misaligned or above MAXPHYADDR */
#define PVIO_ERAM	2008	/* MMIO op aimed at guest RAM (a memslot) */
#define PVIO_EBUSY	2009	/* host cannot take a batch now (no memory); run natively */
#define PVIO_ELOST	2010	/* every op ran, read results not written back: never rerun */

/**
 * struct pvio_op - one I/O operation in a batch (24 bytes, 8-byte aligned)
 * @kind:     PVIO_OP_* (1..4).
 * @width:    access size in bytes: 1, 2 or 4 for port I/O; 1, 2, 4 or 8 for
 *            MMIO.  An MMIO address must be aligned to its width.
 * @flags:    reserved, must be 0.
 * @reserved: must be 0.
 * @addr:     I/O port (0..0xffff, port + width - 1 <= 0xffff) for PIO ops;
 *            guest-physical address for MMIO ops, below 1 << the guest's
 *            MAXPHYADDR (checked by the host, PVIO_ERANGE).
 * @value:    data to write (low @width bytes; upper bytes must be 0), or on
 *            return the data read, zero-extended.
 */
struct pvio_op {
	__u8	kind;
	__u8	width;
	__u16	flags;
	__u32	reserved;
	__u64	addr;
	__u64	value;
};

#define PVIO_OP_SIZE		24
#define PVIO_ARRAY_MAX_BYTES	(PVIO_MAX_OPS * PVIO_OP_SIZE)

/* Mask of the low @width bytes; width 8 yields all ones. */
static __inline__ __u64 pvio_width_mask(__u8 width)
{
	return width >= 8 ? ~(__u64)0 : (((__u64)1 << (width * 8)) - 1);
}

static __inline__ int pvio_op_is_pio(const struct pvio_op *op)
{
	return op->kind == PVIO_OP_PIO_OUT || op->kind == PVIO_OP_PIO_IN;
}

static __inline__ int pvio_op_is_read(const struct pvio_op *op)
{
	return op->kind == PVIO_OP_PIO_IN || op->kind == PVIO_OP_MMIO_READ;
}

/*
 * Fills @op.  A write's value is masked to @width and a read's is zeroed;
 * nothing is checked here (pvio_op_check() does that).
 */
static __inline__ void pvio_op_encode(struct pvio_op *op, __u8 kind, __u8 width,
				      __u64 addr, __u64 value)
{
	op->kind = kind;
	op->width = width;
	op->flags = 0;
	op->reserved = 0;
	op->addr = addr;
	op->value = (kind == PVIO_OP_PIO_OUT || kind == PVIO_OP_MMIO_WRITE) ?
		    value & pvio_width_mask(width) : 0;
}

/*
 * Checks everything about one op that does not need the host's memory map.
 * Returns 0 or a positive PVIO_E* code.  The host handler runs this over a
 * private copy of the array; the guest can run it before a call.
 */
static __inline__ int pvio_op_check(const struct pvio_op *op)
{
	__u64 page_off;

	if (op->kind < PVIO_OP_PIO_OUT || op->kind > PVIO_OP_MMIO_READ)
		return PVIO_EKIND;
	if (op->flags || op->reserved)
		return PVIO_EKIND;
	if (pvio_op_is_pio(op)) {
		if (op->width != 1 && op->width != 2 && op->width != 4)
			return PVIO_EWIDTH;
		if (op->addr > PVIO_PORT_MAX ||
		    op->addr + op->width - 1 > PVIO_PORT_MAX)
			return PVIO_ERANGE;
	} else {
		if (op->width != 1 && op->width != 2 && op->width != 4 &&
		    op->width != 8)
			return PVIO_EWIDTH;
		if (op->addr & (op->width - 1))
			return PVIO_ERANGE;
		/* aligned and <= 8 bytes, so it cannot cross a page; keep the check explicit */
		page_off = op->addr & 4095;
		if (page_off + op->width > 4096)
			return PVIO_ERANGE;
	}
	if (!pvio_op_is_read(op) && (op->value & ~pvio_width_mask(op->width)))
		return PVIO_EKIND;
	return 0;
}

/*
 * Whether the ops of a PVIO_FN_BATCH call that returned @ret for @count ops
 * were executed by the host: 1 if they ran (success, or -PVIO_ELOST), 0 if
 * the call was refused and nothing ran, so the guest may run them itself.
 */
static __inline__ int pvio_batch_ran(__s64 ret, __u64 count)
{
	return ret == (__s64)count || ret == -PVIO_ELOST;
}

/*
 * Checks the call arguments of PVIO_FN_BATCH: count and placement of the
 * array.  Returns 0 or a positive PVIO_E* code.
 */
static __inline__ int pvio_batch_check(__u64 gpa, __u64 count)
{
	if (count == 0 || count > PVIO_MAX_OPS)
		return PVIO_ECOUNT;
	if (gpa & 7)
		return PVIO_EARRAY;
	if ((gpa & 4095) + count * PVIO_OP_SIZE > 4096)
		return PVIO_EARRAY;
	return 0;
}

#endif /* _UAPI_LINUX_PVIO_H */
