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
unsigned int pvio_max_batch = 64;
struct pvio_counters pvio_global;
atomic_t pvio_inject_pending = ATOMIC_INIT(0);
EXPORT_SYMBOL_GPL(pvio_inject_pending);
int pvio_host_abi = -ENODEV;
LIST_HEAD(pvio_batches);
/* guards pvio_batches: batch alloc/free against the global counter sum */
DEFINE_MUTEX(pvio_batches_lock);
static enum pv_io_transport pvio_transport = PV_IO_NATIVE;

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
	WRITE_ONCE(pvio_max_batch, n);
	return 0;
}

static const struct kernel_param_ops pvio_max_batch_ops = {
	.set = pvio_max_batch_set,
	.get = param_get_uint,
};
module_param_cb(max_batch, &pvio_max_batch_ops, &pvio_max_batch, 0644);
MODULE_PARM_DESC(max_batch,
		 "most ops one hypercall carries; longer flushes are split (1..128, default 64)");

enum pv_io_transport pvio_transport_of_load(void)
{
	return pvio_transport;
}

enum pv_io_transport pv_io_default_transport(void)
{
	return pvio_transport;
}
EXPORT_SYMBOL_GPL(pv_io_default_transport);

const char *pvio_transport_name(enum pv_io_transport t)
{
	return t == PV_IO_HYPERCALL ? "hypercall" : "native";
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
	bool host_ok = pvio_host_abi == PVIO_ABI_VERSION;

	if (pvio_host_abi > 0 && !host_ok)
		pr_warn("host handler speaks ABI %d, this module %d: not using it\n",
			pvio_host_abi, PVIO_ABI_VERSION);

	switch (pvio_mode) {
	case PVIO_MODE_HYPERCALL:
		if (!host_ok) {
			pr_err("transport=hypercall needs the host handler: %s\n",
			       pvio_host_abi > 0 ? "ABI version mismatch" :
			       pvio_no_host_reason(pvio_host_abi));
			return -ENODEV;
		}
		pvio_transport = PV_IO_HYPERCALL;
		break;
	case PVIO_MODE_NATIVE:
		pvio_transport = PV_IO_NATIVE;
		break;
	default:
		pvio_transport = host_ok ? PV_IO_HYPERCALL : PV_IO_NATIVE;
		break;
	}
	return 0;
}

static int __init pvio_init(void)
{
	int ret;

	pvio_host_abi = pvio_probe_host();
	ret = pvio_choose_transport();
	if (ret)
		return ret;
	ret = pvio_debugfs_init();
	if (ret)
		return ret;

	if (pvio_host_abi > 0)
		pr_info("transport %s, host handler ABI %d, max_batch %u\n",
			pvio_transport_name(pvio_transport), pvio_host_abi,
			pvio_max_batch);
	else
		pr_info("transport %s (%s), max_batch %u\n",
			pvio_transport_name(pvio_transport),
			pvio_no_host_reason(pvio_host_abi), pvio_max_batch);
	return 0;
}

static void __exit pvio_exit(void)
{
	pvio_debugfs_exit();
}

module_init(pvio_init);
module_exit(pvio_exit);
MODULE_DESCRIPTION("Batched port and MMIO I/O for KVM guests: one hypercall per flush");
MODULE_AUTHOR("pvio developers");
MODULE_LICENSE("GPL");
