/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PVIO_PITVM_H
#define PVIO_PITVM_H

/* the guest's code, from pitvm_guest.S */
extern const unsigned char guest_start[], guest_end[];

#endif
