/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio_compat.h - every kernel-version difference pvio's modules care about,
 * in one place.
 *
 * pvio.ko only uses stable exported interfaces.  The elevator and the ATA
 * driver also lean on interfaces that change between releases (block-layer
 * internals, libata's SFF helpers); those were checked line by line against
 * the series listed below only, and a module that needs them refuses to
 * build anywhere else instead of guessing.  Verifying another release means
 * reading its block/elevator.h, blk-mq-sched.c and libata-sff.c, then
 * widening the lists below (and PVIO_ELV_VERIFIED in elevator-bypass/Kbuild).
 */
#ifndef _PVIO_COMPAT_H
#define _PVIO_COMPAT_H

#include <linux/version.h>

/* Linux X.Y as one number, e.g. 601 for 6.1 */
#define PVIO_KERNEL_XY	(LINUX_VERSION_MAJOR * 100 + LINUX_VERSION_PATCHLEVEL)

/*
 * Releases whose block/elevator.h layout and elevator call sequence
 * (blk-mq-sched.c: init_sched publishes q->elevator, exit_sched runs with
 * the queue frozen; blk-mq.c and elevator.c: which hooks are called
 * unconditionally) were checked, struct by struct: 6.1 and 6.12.  Between
 * the two the insert_requests argument and two members the core owns
 * changed (below), finish_request became mandatory (elv_register() refuses
 * an elevator without it; blk-mq.c calls it for every request that went
 * through the scheduler, 6.1 only after prepare_request), and 6.12's
 * block/elevator.h includes the private block/blk-mq.h, which a kernel
 * source tree has next to it.
 */
#define PVIO_ELEVATOR_VERIFIED		(PVIO_KERNEL_XY == 601 || \
					 PVIO_KERNEL_XY == 612)

/*
 * Releases whose libata SFF/BMDMA call sequences pata_pvio mirrors: 6.1
 * and 6.12.  In 6.12 every one of them is unchanged from 6.1 (dev_select,
 * set_devctl, tf_load, tf_read, exec_command, bmdma_setup/start/stop/status,
 * ata_bmdma_irq_clear, ata_bmdma_qc_issue, ata_bmdma_port_intr,
 * __ata_sff_port_intr, ata_sff_pause/dma_pause, prereset, port_start32);
 * ata_sff_hsm_move only renamed horkage to quirks, ata_hsm_qc_complete lost
 * its no-error_handler branch (pata_pvio has one), ata_sff_irq_clear and
 * the ATA_QCFLAG_FAILED name (now ATA_QCFLAG_EH) are gone, none of which
 * pata_pvio uses.  ata_pci_sff_activate_host() takes a const host template
 * in 6.12, see pvio_ata_sht_const.
 */
#define PVIO_LIBATA_SFF_VERIFIED	(PVIO_KERNEL_XY == 601 || \
					 PVIO_KERNEL_XY == 612)

/*
 * elevator_mq_ops.insert_requests: the third argument is "bool at_head" up
 * to 6.3 and "blk_insert_t flags" from 6.4 on (BLK_MQ_INSERT_AT_HEAD).
 */
#if PVIO_KERNEL_XY < 604
#define pvio_elv_insert_t	bool
#define pvio_elv_at_head(arg)	(arg)
#else
#define pvio_elv_insert_t	blk_insert_t
#define pvio_elv_at_head(arg)	((arg) & BLK_MQ_INSERT_AT_HEAD)
#endif

/*
 * Members of the elevator structures that differ between the verified
 * series, for the private copy of block/elevator.h (pvio_elevator.h):
 * elevator_type has an elevator_features word after elevator_alias in 6.1
 * only; elevator_queue keeps its state in a "registered" bit in 6.1 and in
 * a flags word (ELEVATOR_FLAG_*) in 6.12.  Both belong to the core.
 */
#define PVIO_ELV_HAS_FEATURES		(PVIO_KERNEL_XY < 612)
#define PVIO_ELV_HAS_FLAGS		(PVIO_KERNEL_XY >= 612)

/*
 * The SCSI host template libata takes: const in 6.12 (as ata_piix's own
 * is), not in 6.1, where a const one would not convert.  Which release in
 * between changed it was not checked: only verified series build.
 */
#if PVIO_KERNEL_XY < 612
#define pvio_ata_sht_const
#else
#define pvio_ata_sht_const	const
#endif

/*
 * libata's reset methods: ata_port_operations members (.prereset ...) up
 * to 6.12.117; grouped in a struct ata_reset_operations member (.reset.
 * prereset ...) from 6.12.118 on, the stable update that took "ata:
 * libata-eh: Simplify reset operation management".  ata_std_error_handler
 * still calls prereset first, with the same arguments.  Use it as a
 * designated initializer: .pvio_ata_prereset = fn.  6.1 (checked up to
 * 6.1.192) has the old members.
 */
#if PVIO_KERNEL_XY == 612 && LINUX_VERSION_SUBLEVEL >= 118
#define pvio_ata_prereset	reset.prereset
#else
#define pvio_ata_prereset	prereset
#endif

#endif /* _PVIO_COMPAT_H */
