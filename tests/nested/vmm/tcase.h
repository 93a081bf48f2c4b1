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
extern bool mode2;		/* -2: positive cases with PVIO_CAP_BATCH_EXIT on */
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

/*
 * An access: one a case expects in the VMM's exit log (check_log), or an
 * op it writes into a batch (put_ops).
 */
struct expect {
	enum xkind kind;
	uint64_t addr;
	unsigned int size;
	/* for reads: ignored by check_log (the log holds our answer); in
	 * an in-kernel case, the result the device must give */
	uint64_t value;
	uint64_t mask;		/* of that result, the bits checked (0: all) */
};

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
enum tres with_destination(struct vm *vm,
			   enum tres (*fn)(struct vm *src, struct vm *dst));
enum tres check_migrated(struct vm *dst, const struct kvm_regs *regs,
			 uint64_t count, uint64_t answer);
enum tres hold_first_exit(struct vm *vm, uint64_t gpa, struct pvio_op *o,
			  const struct expect *e, int n);
enum tres finish(struct vm *vm, int idx, struct kvm_regs *regs, const char *who);
int call(struct vm *vm, uint64_t fn, uint64_t gpa, uint64_t count,
	 long long *ret);


enum tres check_log(struct vm *vm, const struct expect *e, int n);
void put_ops(struct pvio_op *o, const struct expect *e, int n);
enum tres batch_ok(struct vm *vm, uint64_t gpa, int n);
enum tres user_batch(struct vm *vm, const struct expect *e, int n);

int write_file(const char *path, const char *s);
int param_set(const char *name, const char *value);
int param_restore(void);

/* A case's needs, for tcase.flags. */
enum {
	C_POSITIVE = 1,		/* runs, renamed, through the reference path too (-n) */
	C_USER = 2,		/* its vCPUs start in ring 3 (IOPL 3) */
	C_TWO_VCPUS = 4,
	C_NO_VCPU = 8,		/* the case adds vCPU0 itself (dirty ring first) */
	C_MODE2 = 16,		/* runs, renamed, in mode 2 too (-2) */
};

/* One case: a fresh VM runs @fn, which finds @arg in case_arg. */
struct tcase {
	const char *name;
	case_fn fn;
	const void *arg;
	unsigned int flags;
};

/* registration (pvio-vmm.c), then each file's cases */
void add_cases(const struct tcase *t, int n);
void add_behaviour_cases(void);		/* cases.c */
void add_attack_cases(void);		/* attacks.c */
void add_hardening_cases(void);		/* hardening.c */
void add_differential_cases(void);	/* differential.c */
void add_pit_cases(void);		/* pit.c */
void add_mode2_cases(void);		/* mode2.c */

#endif /* _PVIO_VMM_TCASE_H */
