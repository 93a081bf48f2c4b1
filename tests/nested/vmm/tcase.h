/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvio-vmm: what the test cases share.  A case gets a fresh VM, returns
 * pass(), fail(fmt, ...) or skip(fmt, ...), and reaches the guest through
 * call() (one hypercall, or with -n the reference path) or call_entry().
 */
#ifndef _PVIO_VMM_TCASE_H
#define _PVIO_VMM_TCASE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/pvio.h>

#include "vm.h"

#define KVM_ENOSYS	1000
#define KVM_EPERM	1

enum tres { T_PASS, T_FAIL, T_SKIP };

typedef enum tres (*case_fn)(struct vm *vm);

/* 1: probe returned PVIO_ABI_VERSION, 0: -KVM_ENOSYS, -1: something else */
extern int have_handler;
extern long long probe_ret;
extern bool native;		/* -n: batches run through the reference path */
extern const void *case_arg;	/* the registered argument of the running case */

enum tres fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum tres skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum tres pass(void);
enum tres no_handler(long long ret);

static inline struct pvio_op *ops_at(struct vm *vm, uint64_t gpa)
{
	return gpa_ptr(vm, gpa);
}

static inline void op(struct pvio_op *o, uint8_t kind, uint8_t width,
		      uint64_t addr, uint64_t value)
{
	pvio_op_encode(o, kind, width, addr, value);
}

const char *kind_name(enum xkind k);
const char *err_name(int err);
void dump_log(struct vm *vm);
int call_entry(struct vm *vm, int idx, const char *entry, uint64_t fn,
	       uint64_t gpa, uint64_t count, long long *ret);
int call_on(struct vm *vm, int idx, uint64_t fn, uint64_t gpa,
	    uint64_t count, long long *ret);
int vcpu_set_loop(struct vm *vm, int idx, uint64_t gpa, uint64_t count,
		  uint64_t calls);
int vm_migrate(struct vm *src, struct vm *dst);
enum tres hold_first_exit(struct vm *vm, uint64_t gpa, uint64_t count);
int call(struct vm *vm, uint64_t fn, uint64_t gpa, uint64_t count,
	 long long *ret);

/* Expected userspace accesses, compared with the VMM's exit log. */
struct expect {
	enum xkind kind;
	uint64_t addr;
	unsigned int size;
	uint64_t value;		/* for reads: ignored, the log holds our answer */
};

enum tres check_log(struct vm *vm, const struct expect *e, int n);

int write_file(const char *path, const char *s);
int param_set(const char *name, const char *value);
int param_restore(void);

/* registration (pvio-vmm.c) */
void add(const char *name, case_fn fn, int nr_vcpus, bool user_mode,
	 const void *arg);
void add_pos(const char *name, case_fn fn);

/* cases.c */
enum tres t_probe(struct vm *vm);
enum tres t_out_order(struct vm *vm);
enum tres t_in_results(struct vm *vm);
enum tres t_in_kernel_pio(struct vm *vm);
enum tres t_mmio(struct vm *vm);
enum tres t_mixed(struct vm *vm);
enum tres t_in_kernel_mmio(struct vm *vm);
enum tres t_max_batch(struct vm *vm);
enum tres t_rewrite(struct vm *vm);
enum tres t_stress_kernel(struct vm *vm);
enum tres t_stress_userspace(struct vm *vm);

/* attacks.c */
void add_attack_cases(void);
enum tres t_cpl3_batch(struct vm *vm);
enum tres t_cpl3_probe(struct vm *vm);

/* hardening.c */
enum tres t_dirty_ring(struct vm *vm);
enum tres t_wb_lost(struct vm *vm);
enum tres t_dropped(struct vm *vm);
enum tres t_cap(struct vm *vm);
enum tres t_cap_opt_in(struct vm *vm);
enum tres t_migrate(struct vm *vm);
enum tres t_stale(struct vm *vm);

/* pit.c */
void add_pit_cases(void);

/* differential.c */
enum tres t_differential(struct vm *vm);
enum tres t_resume_property(struct vm *vm);

#endif /* _PVIO_VMM_TCASE_H */
