/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio_compat.h - every kernel-version difference pvio's modules care about,
 * in one place.
 *
 * pvio.ko only uses stable exported interfaces.  The elevator and the ATA
 * driver also lean on interfaces that change between releases (block-layer
 * internals, libata's SFF helpers); those were checked line by line against
 * one kernel only, and a module that needs them refuses to build anywhere
 * else instead of guessing.  Verifying another release means reading its
 * block/elevator.h and libata-sff.c, then widening the ranges below.
 */
#ifndef _PVIO_COMPAT_H
#define _PVIO_COMPAT_H

#include <linux/version.h>

/* Linux X.Y as one number, e.g. 601 for 6.1 */
#define PVIO_KERNEL_XY	(LINUX_VERSION_MAJOR * 100 + LINUX_VERSION_PATCHLEVEL)

/* Releases whose block/elevator.h layout was checked (struct by struct). */
#define PVIO_ELEVATOR_VERIFIED		(PVIO_KERNEL_XY == 601)

/* Releases whose libata SFF/BMDMA call sequences pata_pvio mirrors. */
#define PVIO_LIBATA_SFF_VERIFIED	(PVIO_KERNEL_XY == 601)

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

#endif /* _PVIO_COMPAT_H */
