/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ARCH_X86_KVM_PVIO_H
#define ARCH_X86_KVM_PVIO_H

#include <linux/kvm_host.h>
#include <uapi/linux/pvio.h>

int kvm_pvio_enable_cap(struct kvm *kvm, const u64 *args);
int kvm_pvio_hypercall(struct kvm_vcpu *vcpu, unsigned long fn,
		       unsigned long gpa, unsigned long count,
		       unsigned long *ret);

#endif /* ARCH_X86_KVM_PVIO_H */
