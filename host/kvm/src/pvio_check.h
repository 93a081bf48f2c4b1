/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio: fetch and validation of a PVIO_FN_BATCH op array.
 *
 * Pure logic without KVM dependencies: the guest memory accesses the
 * validation needs go through struct pvio_guest, so the same file is built
 * into kvm.ko and into the userspace fuzzer (tests/fuzz), which stubs the
 * guest's memory layout.
 */
#ifndef ARCH_X86_KVM_PVIO_CHECK_H
#define ARCH_X86_KVM_PVIO_CHECK_H

#include <linux/types.h>
#include <uapi/linux/pvio.h>

/**
 * struct pvio_guest - guest memory accessors used by pvio_fetch_batch()
 * @read:     copy @len bytes of guest-physical memory at @gpa into @buf;
 *            0 on success, non-zero if any byte is not readable guest RAM.
 * @is_ram:   true if the page holding @gpa is guest RAM (a memslot).
 * @writable: true if the guest RAM page holding @gpa can be written.
 * @gpa_limit: 1 << the guest's MAXPHYADDR; MMIO ops at or above it are
 *            refused.
 * @ctx:      passed to the callbacks.
 */
struct pvio_guest {
	int (*read)(void *ctx, u64 gpa, void *buf, unsigned int len);
	bool (*is_ram)(void *ctx, u64 gpa);
	bool (*writable)(void *ctx, u64 gpa);
	u64 gpa_limit;
	void *ctx;
};

int pvio_fetch_batch(const struct pvio_guest *g, u64 gpa, u64 count,
		     struct pvio_op *ops);
unsigned int pvio_run_length(const struct pvio_op *ops, unsigned int first,
			     unsigned int count, unsigned int max_bytes);
unsigned int pvio_batch_run_length(const struct pvio_op *ops,
				   unsigned int first, unsigned int count,
				   bool (*may_claim)(void *ctx,
						     const struct pvio_op *op),
				   void *ctx);

#endif /* ARCH_X86_KVM_PVIO_CHECK_H */
