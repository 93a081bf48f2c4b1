// SPDX-License-Identifier: GPL-2.0
/*
 * Test builds only (CONFIG_PVIO_FAULT_INJECTION): lose_irqs under
 * /sys/kernel/debug/e1000_pvio/<PCI address>/.  Writing N makes the next
 * N interrupts read ICR (which drops the line) and then do nothing, as if
 * they had never been delivered: what the stall check must recover from.
 */
#include <linux/debugfs.h>

#include "e1000_pvio.h"

static struct dentry *e1000p_debugfs;	/* one directory per adapter below */

void e1000p_inject_init(void)
{
	e1000p_debugfs = debugfs_create_dir(E1000P_NAME, NULL);
}

void e1000p_inject_exit(void)
{
	debugfs_remove_recursive(e1000p_debugfs);
}

void e1000p_inject_add(struct e1000p_adapter *ad)
{
	ad->dbg = debugfs_create_dir(pci_name(ad->pdev), e1000p_debugfs);
	debugfs_create_atomic_t("lose_irqs", 0600, ad->dbg, &ad->lose_irqs);
}

void e1000p_inject_del(struct e1000p_adapter *ad)
{
	debugfs_remove_recursive(ad->dbg);
}

bool e1000p_lose_irq(struct e1000p_adapter *ad)
{
	return unlikely(atomic_add_unless(&ad->lose_irqs, -1, 0));
}
