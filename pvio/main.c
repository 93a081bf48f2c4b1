// SPDX-License-Identifier: GPL-2.0
/*
 * pvio.ko: module parameters, host probe and the choice of transport.
 *
 * Loading is always safe: without a host handler every batch runs natively,
 * unless transport=hypercall was asked for, which then refuses to load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "internal.h"

enum pvio_mode { PVIO_MODE_AUTO, PVIO_MODE_HYPERCALL, PVIO_MODE_NATIVE };

static const char * const pvio_mode_names[] = {
	[PVIO_MODE_AUTO] = "auto",
	[PVIO_MODE_HYPERCALL] = "hypercall",
	[PVIO_MODE_NATIVE] = "native",
};

static enum pvio_mode pvio_mode = PVIO_MODE_AUTO;

DEFINE_STATIC_KEY_FALSE(pv_io_all_inplace);
EXPORT_SYMBOL_GPL(pv_io_all_inplace);

static struct pvio_state pvio = {
	.transport = PV_IO_NATIVE,
	.host_abi = -ENODEV,
	.max_batch = 64,
	.lock = __MUTEX_INITIALIZER(pvio.lock),
	.batches = LIST_HEAD_INIT(pvio.batches),
};

static int pvio_mode_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(pvio_mode_names, val);

	if (i < 0) {
		pr_err("transport=%s is not one of auto, hypercall, native\n", val);
		return -EINVAL;
	}
	pvio_mode = i;
	return 0;
}

static int pvio_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", pvio_mode_names[pvio_mode]);
}

static const struct kernel_param_ops pvio_mode_ops = {
	.set = pvio_mode_set,
	.get = pvio_mode_get,
};
module_param_cb(transport, &pvio_mode_ops, NULL, 0444);
MODULE_PARM_DESC(transport,
		 "auto (default: hypercall if the host has the handler, else native), hypercall (refuse to load without it), native");

static int pvio_max_batch_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret || n < 1 || n > PVIO_MAX_OPS) {
		pr_err("max_batch=%s is out of range 1..%d\n", val, PVIO_MAX_OPS);
		return -EINVAL;
	}
	WRITE_ONCE(pvio.max_batch, n);
	return 0;
}

static const struct kernel_param_ops pvio_max_batch_ops = {
	.set = pvio_max_batch_set,
	.get = param_get_uint,
};
module_param_cb(max_batch, &pvio_max_batch_ops, &pvio.max_batch, 0644);
MODULE_PARM_DESC(max_batch,
		 "most ops one hypercall carries; longer flushes are split (1..128, default 64)");

enum pv_io_transport pv_io_default_transport(void)
{
	return pvio.transport;
}
EXPORT_SYMBOL_GPL(pv_io_default_transport);

/*
 * Batches must reach their slow path again: an injected host error is
 * being armed, or a probe registered on pvio:pvio_flush.  The key stays
 * off until pvio is reloaded, since turning it back on under a batch with
 * queued ops would run its next op before them.  May sleep.
 */
void pvio_inplace_off(void)
{
	static_branch_disable(&pv_io_all_inplace);
}

/* A new batch joins the totals and gets its debugfs directory. */
void pvio_attach(struct pv_io_batch *b)
{
	b->pvio = &pvio;
	mutex_lock(&pvio.lock);
	list_add(&b->node, &pvio.batches);
	mutex_unlock(&pvio.lock);
	pvio_debugfs_add_batch(b);
}

/* A batch going away leaves its counters in the totals. */
void pvio_detach(struct pv_io_batch *b)
{
	struct pv_io_stats st;

	pvio_debugfs_del_batch(b);
	mutex_lock(&pvio.lock);
	list_del(&b->node);
	pv_io_batch_stats(b, &st);
	pvio_stats_add(&pvio.retired, &st);
	mutex_unlock(&pvio.lock);
}

static const char *pvio_no_host_reason(int err)
{
	switch (err) {
	case -ENODEV:
		return "not a KVM guest";
	case -EOPNOTSUPP:
		return "KVM host without the pvio handler";
	default:
		return "host answered the probe with an error";
	}
}

static int pvio_choose_transport(void)
{
	bool host_ok = pvio.host_abi == PVIO_ABI_VERSION;

	if (pvio.host_abi > 0 && !host_ok)
		pr_warn("host handler speaks ABI %d, this module %d: not using it\n",
			pvio.host_abi, PVIO_ABI_VERSION);

	switch (pvio_mode) {
	case PVIO_MODE_HYPERCALL:
		if (!host_ok) {
			pr_err("transport=hypercall needs the host handler: %s\n",
			       pvio.host_abi > 0 ? "ABI version mismatch" :
			       pvio_no_host_reason(pvio.host_abi));
			return -ENODEV;
		}
		pvio.transport = PV_IO_HYPERCALL;
		break;
	case PVIO_MODE_NATIVE:
		pvio.transport = PV_IO_NATIVE;
		break;
	default:
		pvio.transport = host_ok ? PV_IO_HYPERCALL : PV_IO_NATIVE;
		break;
	}
	return 0;
}

static int __init pvio_init(void)
{
	int ret;

	pvio.host_abi = pvio_probe_host();
	ret = pvio_choose_transport();
	if (ret)
		return ret;
	pvio_debugfs_init(&pvio);
	if (pvio.transport == PV_IO_NATIVE)
		static_branch_enable(&pv_io_all_inplace);

	if (pvio.host_abi > 0)
		pr_info("transport %s, host handler ABI %d, max_batch %u\n",
			pvio_transport_name(pvio.transport), pvio.host_abi,
			pvio.max_batch);
	else
		pr_info("transport %s (%s), max_batch %u\n",
			pvio_transport_name(pvio.transport),
			pvio_no_host_reason(pvio.host_abi), pvio.max_batch);
	return 0;
}

static void __exit pvio_exit(void)
{
	pvio_debugfs_exit(&pvio);
}

module_init(pvio_init);
module_exit(pvio_exit);
MODULE_DESCRIPTION("Batched port and MMIO I/O for KVM guests: one hypercall per flush");
MODULE_AUTHOR("pvio developers");
MODULE_LICENSE("GPL");
