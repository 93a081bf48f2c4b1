/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ARCH_X86_KVM_PVIO_H
#define ARCH_X86_KVM_PVIO_H

#include <linux/kvm_host.h>
#include <uapi/linux/pvio.h>

/* KVM_CHECK_EXTENSION(KVM_CAP_PVIO): the args[0] bits this host accepts */
#define KVM_PVIO_CAP_BITS	(PVIO_CAP_SERVE | PVIO_CAP_BATCH_EXIT)

int kvm_pvio_enable_cap(struct kvm *kvm, const u64 *args);
int kvm_pvio_hypercall(struct kvm_vcpu *vcpu, unsigned long fn,
		       unsigned long gpa, unsigned long count,
		       unsigned long *ret);
bool kvm_pvio_exit_pending(struct kvm_vcpu *vcpu);

#endif /* ARCH_X86_KVM_PVIO_H */
