// SPDX-License-Identifier: GPL-2.0
/*
 * Counters under /sys/kernel/debug/pvio/:
 *   transport          transport chosen at load (hypercall or native)
 *   host_abi           host handler ABI version, or "none"
 *   stats              counters summed over every batch, freed ones included
 *   inject_host_error  write N: the next N flushes (any batch) see a host error
 *   batches/<user>/stats   the same counters for one batch user
 */
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "internal.h"

static struct dentry *pvio_dir;
static struct dentry *pvio_batches_dir;
static DEFINE_MUTEX(pvio_dir_lock);

static void pvio_show_counters(struct seq_file *m, const struct pv_io_stats *st)
{
	seq_printf(m, "ops_queued %llu\n", st->ops_queued);
	seq_printf(m, "queue_full %llu\n", st->queue_full);
	seq_printf(m, "flushes %llu\n", st->flushes);
	seq_printf(m, "hypercalls %llu\n", st->hypercalls);
	seq_printf(m, "ops_hypercall %llu\n", st->ops_hypercall);
	seq_printf(m, "ops_native %llu\n", st->ops_native);
	seq_printf(m, "host_errors %llu\n", st->host_errors);
	seq_printf(m, "fallbacks %llu\n", st->fallbacks);
}

static int pvio_global_stats_show(struct seq_file *m, void *unused)
{
	struct pv_io_stats st;

	pv_io_global_stats(&st);
	pvio_show_counters(m, &st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvio_global_stats);

static int pvio_batch_stats_show(struct seq_file *m, void *unused)
{
	struct pv_io_batch *b = m->private;
	struct pv_io_stats st;

	pv_io_batch_stats(b, &st);
	seq_printf(m, "transport %s\n", pvio_transport_name(b->transport));
	seq_printf(m, "capacity %u\n", b->h.cap);
	pvio_show_counters(m, &st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvio_batch_stats);

static int pvio_transport_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%s\n", pvio_transport_name(pvio_transport_of_load()));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvio_transport);

static int pvio_host_abi_show(struct seq_file *m, void *unused)
{
	if (pvio_host_abi > 0)
		seq_printf(m, "%d\n", pvio_host_abi);
	else
		seq_puts(m, "none\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvio_host_abi);

static int pvio_inject_get(void *data, u64 *val)
{
	*val = atomic_read(&pvio_inject_pending);
	return 0;
}

static int pvio_inject_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&pvio_inject_pending, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvio_inject_fops, pvio_inject_get, pvio_inject_set,
			 "%llu\n");

int pvio_debugfs_init(void)
{
	pvio_dir = debugfs_create_dir("pvio", NULL);
	/* debugfs is optional: a kernel without it still does I/O */
	if (IS_ERR(pvio_dir))
		return 0;
	debugfs_create_file("transport", 0444, pvio_dir, NULL, &pvio_transport_fops);
	debugfs_create_file("host_abi", 0444, pvio_dir, NULL, &pvio_host_abi_fops);
	debugfs_create_file("stats", 0444, pvio_dir, NULL, &pvio_global_stats_fops);
	debugfs_create_file_unsafe("inject_host_error", 0600, pvio_dir, NULL,
				   &pvio_inject_fops);
	pvio_batches_dir = debugfs_create_dir("batches", pvio_dir);
	return 0;
}

void pvio_debugfs_exit(void)
{
	debugfs_remove(pvio_dir);
}

/* Two users may share a name (two NICs): the second gets "<name>.2" and so on. */
void pvio_debugfs_add_batch(struct pv_io_batch *b)
{
	char name[sizeof(b->name) + 8];
	struct dentry *old;
	unsigned int i;

	if (IS_ERR_OR_NULL(pvio_batches_dir))
		return;
	mutex_lock(&pvio_dir_lock);
	strscpy(name, b->name, sizeof(name));
	for (i = 2; (old = debugfs_lookup(name, pvio_batches_dir)); i++) {
		dput(old);
		snprintf(name, sizeof(name), "%s.%u", b->name, i);
	}
	b->dir = debugfs_create_dir(name, pvio_batches_dir);
	debugfs_create_file("stats", 0444, b->dir, b, &pvio_batch_stats_fops);
	mutex_unlock(&pvio_dir_lock);
}

void pvio_debugfs_del_batch(struct pv_io_batch *b)
{
	mutex_lock(&pvio_dir_lock);
	debugfs_remove(b->dir);
	b->dir = NULL;
	mutex_unlock(&pvio_dir_lock);
}
