// SPDX-License-Identifier: GPL-2.0
/*
 * Counters under /sys/kernel/debug/pvio/:
 *   transport          transport chosen at load (hypercall or native)
 *   host_abi           host handler ABI version, or "none"
 *   stats              counters summed over every batch, freed ones included
 *   inject_host_error  test builds: write N, the next N flush chunks (any
 *                      batch) see a host error
 *   batches/<user>/stats   the same counters for one batch user
 */
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "internal.h"

static DEFINE_MUTEX(pvio_dir_lock);

static void pvio_show_counters(struct seq_file *m, const struct pv_io_stats *st)
{
	unsigned int i;

	for (i = 0; i < PV_IO_NR_COUNTERS; i++)
		seq_printf(m, "%s %llu\n", pv_io_counter_names[i], st->c[i]);
}

static int pvio_global_stats_show(struct seq_file *m, void *unused)
{
	struct pv_io_stats st;

	pvio_sum_stats(m->private, &st);
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
	struct pvio_state *pvio = m->private;

	seq_printf(m, "%s\n", pvio_transport_name(pvio->transport));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvio_transport);

static int pvio_host_abi_show(struct seq_file *m, void *unused)
{
	struct pvio_state *pvio = m->private;

	if (pvio->host_abi > 0)
		seq_printf(m, "%d\n", pvio->host_abi);
	else
		seq_puts(m, "none\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvio_host_abi);

#ifdef CONFIG_PVIO_FAULT_INJECTION
static int pvio_inject_get(void *data, u64 *val)
{
	struct pvio_state *pvio = data;

	*val = atomic_read(&pvio->inject_pending);
	return 0;
}

static int pvio_inject_set(void *data, u64 val)
{
	struct pvio_state *pvio = data;

	if (val > INT_MAX)
		return -EINVAL;
	if (val)
		pvio_inplace_off();
	atomic_set(&pvio->inject_pending, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvio_inject_fops, pvio_inject_get, pvio_inject_set,
			 "%llu\n");

static void pvio_debugfs_add_inject(struct pvio_state *pvio)
{
	debugfs_create_file_unsafe("inject_host_error", 0600, pvio->dir, pvio,
				   &pvio_inject_fops);
}
#else
static void pvio_debugfs_add_inject(struct pvio_state *pvio)
{
}
#endif

/* debugfs is optional: a kernel without it still does I/O */
void pvio_debugfs_init(struct pvio_state *pvio)
{
	pvio->dir = debugfs_create_dir("pvio", NULL);
	if (IS_ERR(pvio->dir))
		return;
	debugfs_create_file("transport", 0444, pvio->dir, pvio, &pvio_transport_fops);
	debugfs_create_file("host_abi", 0444, pvio->dir, pvio, &pvio_host_abi_fops);
	debugfs_create_file("stats", 0444, pvio->dir, pvio, &pvio_global_stats_fops);
	pvio_debugfs_add_inject(pvio);
	pvio->batches_dir = debugfs_create_dir("batches", pvio->dir);
}

void pvio_debugfs_exit(struct pvio_state *pvio)
{
	debugfs_remove(pvio->dir);
}

/* Two users may share a name (two NICs): the second gets "<name>.2" and so on. */
void pvio_debugfs_add_batch(struct pv_io_batch *b)
{
	struct dentry *parent = b->pvio->batches_dir;
	char name[sizeof(b->name) + 8];
	struct dentry *old;
	unsigned int i;

	if (IS_ERR_OR_NULL(parent))
		return;
	mutex_lock(&pvio_dir_lock);
	strscpy(name, b->name, sizeof(name));
	for (i = 2; (old = debugfs_lookup(name, parent)); i++) {
		dput(old);
		snprintf(name, sizeof(name), "%s.%u", b->name, i);
	}
	b->dir = debugfs_create_dir(name, parent);
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
