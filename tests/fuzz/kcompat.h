/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel definitions host/kvm/src/pvio_check.[ch] use, for building
 * that file unchanged in userspace.  Force-included with -include.
 */
#ifndef PVIO_FUZZ_KCOMPAT_H
#define PVIO_FUZZ_KCOMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#endif
