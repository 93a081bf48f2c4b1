// SPDX-License-Identifier: GPL-2.0
/*
 * The two ways a batch reaches its device: one KVM_HC_PVIO hypercall for the
 * whole chunk, or each op executed in place.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/kvm_para.h>

#include "internal.h"

/*
 * Asks the host for its handler's ABI version.  vmcall/vmmcall is #UD on
 * bare metal and under TCG, so only call it when the KVM CPUID signature
 * says a KVM host is there.  Returns the version or a negative error.
 */
int pvio_probe_host(void)
{
	long ret;

	if (!kvm_para_available())
		return -ENODEV;
	ret = kvm_hypercall1(KVM_HC_PVIO, PVIO_FN_PROBE);
	if (ret < 0)
		return ret == -KVM_ENOSYS ? -EOPNOTSUPP : -EIO;
	return ret;
}

static u64 pvio_native_one(const struct pvio_op *op, void __iomem *va)
{
	u16 port = op->addr;

	switch (op->kind) {
	case PVIO_OP_PIO_OUT:
		if (op->width == 1)
			outb(op->value, port);
		else if (op->width == 2)
			outw(op->value, port);
		else
			outl(op->value, port);
		return 0;
	case PVIO_OP_PIO_IN:
		if (op->width == 1)
			return inb(port);
		if (op->width == 2)
			return inw(port);
		return inl(port);
	case PVIO_OP_MMIO_WRITE:
		if (op->width == 1)
			writeb(op->value, va);
		else if (op->width == 2)
			writew(op->value, va);
		else if (op->width == 4)
			writel(op->value, va);
		else
			writeq(op->value, va);
		return 0;
	default: /* PVIO_OP_MMIO_READ: kinds were checked at queue time */
		if (op->width == 1)
			return readb(va);
		if (op->width == 2)
			return readw(va);
		if (op->width == 4)
			return readl(va);
		return readq(va);
	}
}

static void pvio_store_value(const struct pvio_op *op, void *res)
{
	switch (op->width) {
	case 1:
		*(u8 *)res = op->value;
		break;
	case 2:
		*(u16 *)res = op->value;
		break;
	case 4:
		*(u32 *)res = op->value;
		break;
	default:
		*(u64 *)res = op->value;
		break;
	}
}

/* Executes ops [first, first + n) in place, in order, storing read results. */
void pvio_run_native(struct pv_io_batch *b, unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		struct pvio_op *op = &b->ops[i];

		if (pvio_op_is_read(op))
			op->value = pvio_native_one(op, b->slots[i].va);
		else
			pvio_native_one(op, b->slots[i].va);
	}
	pvio_store_results(b, first, n);
	b->h.st.c[PV_IO_OPS_NATIVE] += n;
}

/*
 * Sends ops [first, first + n) to the host in one call.  With @inject the
 * call is made to fail: a real host gets an unknown function and refuses it;
 * without a host handler the refusal is simulated, since the instruction
 * itself would fault.  Returns the host's answer.
 */
long pvio_call_host(struct pv_io_batch *b, unsigned int first,
		    unsigned int n, bool inject)
{
	unsigned long gpa = virt_to_phys(&b->ops[first]);
	unsigned long fn = PVIO_FN_BATCH;

	if (inject) {
		if (b->pvio->host_abi < 0)
			return -KVM_ENOSYS;
		fn = ~0UL;
	}
	/* a probe that succeeded is the only proof the instruction is safe */
	if (WARN_ON_ONCE(b->pvio->host_abi < 0))
		return -KVM_ENOSYS;
	b->h.st.c[PV_IO_HYPERCALLS]++;
	return kvm_hypercall3(KVM_HC_PVIO, fn, gpa, n);
}

/* Copies read results of ops [first, first + n) out to the callers' variables. */
void pvio_store_results(struct pv_io_batch *b, unsigned int first,
			unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		if (pvio_op_is_read(&b->ops[i]) && b->slots[i].result)
			pvio_store_value(&b->ops[i], b->slots[i].result);
}

const char *pvio_transport_name(enum pv_io_transport t)
{
	return t == PV_IO_HYPERCALL ? "hypercall" : "native";
}
