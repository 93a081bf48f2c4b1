// SPDX-License-Identifier: GPL-2.0
/*
 * pvio-vmm helpers: calls into the guest, the exit log against what a case
 * expects, names for diagnostics, kvm parameters a case changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/pvio.h>

#include "tcase.h"

const char *kind_name(enum xkind k)
{
	static const char * const names[] = { "out", "in", "mmio-w", "mmio-r" };

	return names[k];
}

void dump_log(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nlog && i < 32; i++)
		diag("  exit %d: %s addr 0x%llx size %u value 0x%llx", i,
		     kind_name(vm->log[i].kind),
		     (unsigned long long)vm->log[i].addr, vm->log[i].size,
		     (unsigned long long)vm->log[i].value);
}

const char *err_name(int err)
{
	switch (err) {
	case PVIO_EFUNC: return "PVIO_EFUNC";
	case PVIO_ECOUNT: return "PVIO_ECOUNT";
	case PVIO_EARRAY: return "PVIO_EARRAY";
	case PVIO_EFAULT: return "PVIO_EFAULT";
	case PVIO_EKIND: return "PVIO_EKIND";
	case PVIO_EWIDTH: return "PVIO_EWIDTH";
	case PVIO_ERANGE: return "PVIO_ERANGE";
	case PVIO_ERAM: return "PVIO_ERAM";
	case PVIO_EBUSY: return "PVIO_EBUSY";
	case PVIO_ELOST: return "PVIO_ELOST";
	}
	return "?";
}

/* Runs vCPU @idx on to PORT_DONE; @regs gets its registers there. */
enum tres finish(struct vm *vm, int idx, struct kvm_regs *regs, const char *who)
{
	enum run_result r = vm_run(vm, idx, 0);

	if (r != RUN_DONE)
		return fail("%s did not finish (run result %d)", who, r);
	if (vcpu_get_regs(vm, idx, regs))
		return fail("KVM_GET_REGS");
	return T_PASS;
}

/*
 * Runs the payload at @entry on vCPU @idx with the call registers loaded;
 * *ret gets RAX.  Returns 0, or -1 when the guest did not come back to
 * PORT_DONE (diagnosed).
 */
int call_entry(struct vm *vm, int idx, const char *entry, uint64_t fn,
	       uint64_t gpa, uint64_t count, long long *ret)
{
	struct kvm_regs regs;
	enum run_result r;

	if (vcpu_set_call(vm, idx, guest_entry(entry), KVM_HC_PVIO, fn, gpa, count))
		return -1;
	r = vm_run(vm, idx, 0);
	if (r != RUN_DONE) {
		diag("guest did not finish the call (run result %d)", r);
		dump_log(vm);
		return -1;
	}
	if (vcpu_get_regs(vm, idx, &regs))
		return -1;
	*ret = (long long)regs.rax;
	return 0;
}

/* Points vCPU @idx at g_loop: @calls batches of @count ops at @gpa. */
int vcpu_set_loop(struct vm *vm, int idx, uint64_t gpa, uint64_t count,
		  uint64_t calls)
{
	struct kvm_regs regs;

	if (vcpu_set_call(vm, idx, guest_entry(g_loop), KVM_HC_PVIO,
			  PVIO_FN_BATCH, gpa, count) ||
	    vcpu_get_regs(vm, idx, &regs))
		return -1;
	regs.r10 = KVM_HC_PVIO;
	regs.r8 = calls;
	return vcpu_set_regs(vm, idx, &regs);
}

/*
 * Moves the vCPU of @src, stopped inside an exit it was answered, into a
 * fresh VM @dst with a copy of guest memory, as a live migration does:
 * first one KVM_RUN with immediate_exit, which completes what userspace
 * answered (and may hand back the next op as an exit nobody serves here).
 */
int vm_migrate(struct vm *src, struct vm *dst)
{
	struct kvm_run *run = src->vcpu[0].run;
	struct kvm_regs regs;
	int ret;

	run->immediate_exit = 1;
	ret = ioctl(src->vcpu[0].fd, KVM_RUN, 0);
	run->immediate_exit = 0;
	if (ret && errno != EINTR)
		return -1;
	if (!ret && run->exit_reason != KVM_EXIT_IO &&
	    run->exit_reason != KVM_EXIT_MMIO && run->exit_reason != KVM_EXIT_PVIO)
		return -1;
	if (vcpu_get_regs(src, 0, &regs) || vm_create(dst, 1, false))
		return -1;
	memcpy(dst->mem, src->mem, GUEST_MEM_SIZE);
	return vcpu_set_regs(dst, 0, &regs);
}

/* Runs @fn with a destination VM for vm_migrate(), destroyed afterwards. */
enum tres with_destination(struct vm *vm,
			   enum tres (*fn)(struct vm *src, struct vm *dst))
{
	static struct vm dst = { .kvm = -1, .fd = -1 };
	enum tres r;

	r = fn(vm, &dst);
	vm_destroy(&dst);
	return r;
}

/*
 * A migrated batch of @count ops whose op 0 was an IN the source answered
 * with @answer ended on the destination: RAX the count, RBX PVIO_FN_BATCH,
 * the source's answer in the array.
 */
enum tres check_migrated(struct vm *dst, const struct kvm_regs *regs,
			 uint64_t count, uint64_t answer)
{
	const struct pvio_op *o = ops_at(dst, GPA_ARRAY);

	if (regs->rax != count || regs->rbx != PVIO_FN_BATCH)
		return fail("destination returned RAX %lld RBX 0x%llx, want %llu and PVIO_FN_BATCH",
			    (long long)regs->rax, (unsigned long long)regs->rbx,
			    (unsigned long long)count);
	if (o[0].value != answer)
		return fail("IN 0x80 holds 0x%llx in the array, want the source's answer 0x%llx",
			    (unsigned long long)o[0].value, (unsigned long long)answer);
	return pass();
}

/*
 * Writes the ops @e[0..n) to @o, the guest's @gpa, starts them as a batch
 * on vCPU0 and runs it until its first access reaches the VMM; vCPU0 is
 * left inside that exit.  T_PASS when it got there, else the case's
 * verdict (no handler, or a failure).
 */
enum tres hold_first_exit(struct vm *vm, uint64_t gpa, struct pvio_op *o,
			  const struct expect *e, int n)
{
	struct kvm_regs regs;
	enum run_result r;

	put_ops(o, e, n);
	if (vcpu_set_call(vm, 0, guest_entry(g_call), KVM_HC_PVIO, PVIO_FN_BATCH,
			  gpa, n))
		return fail("vcpu0 setup");
	r = vm_run(vm, 0, 1);
	if (r == RUN_DONE) {
		if (vcpu_get_regs(vm, 0, &regs))
			return fail("KVM_GET_REGS");
		if ((long long)regs.rax == -KVM_ENOSYS)
			return no_handler((long long)regs.rax);
		return fail("batch finished (rax %lld) without a userspace exit",
			    (long long)regs.rax);
	}
	if (r != RUN_STOPPED)
		return fail("vcpu0 run result %d at the first exit", r);
	return T_PASS;
}

/* One hypercall (or, with -n, a batch through the reference path). */
int call_on(struct vm *vm, int idx, uint64_t fn, uint64_t gpa,
	    uint64_t count, long long *ret)
{
	const char *entry = native && fn == PVIO_FN_BATCH ? g_native : g_call;

	return call_entry(vm, idx, entry, fn, gpa, count, ret);
}

int call(struct vm *vm, uint64_t fn, uint64_t gpa, uint64_t count,
	 long long *ret)
{
	return call_on(vm, 0, fn, gpa, count, ret);
}

static const uint8_t op_kind[] = {
	[X_PIO_OUT] = PVIO_OP_PIO_OUT, [X_PIO_IN] = PVIO_OP_PIO_IN,
	[X_MMIO_W] = PVIO_OP_MMIO_WRITE, [X_MMIO_R] = PVIO_OP_MMIO_READ,
};

static bool is_read(enum xkind k)
{
	return k == X_PIO_IN || k == X_MMIO_R;
}

enum tres check_log(struct vm *vm, const struct expect *e, int n)
{
	int i;

	for (i = 0; i < n && i < vm->nlog; i++) {
		const struct xent *x = &vm->log[i];

		if (x->kind != e[i].kind || x->addr != e[i].addr ||
		    x->size != e[i].size || (!is_read(e[i].kind) && x->value != e[i].value)) {
			dump_log(vm);
			return fail("access %d: got %s 0x%llx/%u = 0x%llx, want %s 0x%llx/%u = 0x%llx",
				    i, kind_name(x->kind),
				    (unsigned long long)x->addr, x->size,
				    (unsigned long long)x->value,
				    kind_name(e[i].kind),
				    (unsigned long long)e[i].addr, e[i].size,
				    (unsigned long long)e[i].value);
		}
	}
	if (vm->nlog != n) {
		dump_log(vm);
		return fail("%d accesses reached the VMM, want %d", vm->nlog, n);
	}
	return pass();
}

/* Writes @s to @path with open/write/close only: safe in a signal handler. */
int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, len) == (ssize_t)len ? 0 : -1;
	if (close(fd))
		ret = -1;
	return ret;
}

/*
 * The one kvm module parameter a case may change (each case runs in its own
 * process).  It is put back by param_restore(), or by the SIGALRM handler if
 * the case runs out of time: a parameter left behind would change every case
 * after it, and L2.
 */
static struct {
	char path[128];
	char old[32];
} saved_param;

static void restore_and_die(int sig)
{
	write_file(saved_param.path, saved_param.old);
	signal(sig, SIG_DFL);
	raise(sig);		/* the runner still sees the timeout */
}

static int param_save(const char *path)
{
	struct sigaction sa = { .sa_handler = restore_and_die };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, saved_param.old, sizeof(saved_param.old) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	saved_param.old[strcspn(saved_param.old, "\n")] = 0;
	snprintf(saved_param.path, sizeof(saved_param.path), "%s", path);
	return sigaction(SIGALRM, &sa, NULL);
}

/* Sets kvm parameter @name (its old value is saved the first time). */
int param_set(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/kvm/parameters/%s", name);
	if (!saved_param.path[0] && param_save(path))
		return -1;
	if (strcmp(path, saved_param.path)) {
		errno = EBUSY;		/* one parameter per case */
		return -1;
	}
	return write_file(path, value);
}

/* Puts the saved parameter back; 0 when there was nothing to do. */
int param_restore(void)
{
	int ret;

	if (!saved_param.path[0])
		return 0;
	ret = write_file(saved_param.path, saved_param.old);
	saved_param.path[0] = 0;
	return ret;
}


/*
 * Writes the ops @e[0..n) into @o.  Reads start with a poison value, so
 * a result that was never written back cannot pass for one.
 */
void put_ops(struct pvio_op *o, const struct expect *e, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		op(&o[i], op_kind[e[i].kind], e[i].size, e[i].addr, e[i].value);
		if (is_read(e[i].kind))
			o[i].value = 0xdeadbeefdeadbeefULL;
	}
}

/* One batch of @n ops at @gpa; T_PASS when it returned @n. */
enum tres batch_ok(struct vm *vm, uint64_t gpa, int n)
{
	long long ret;

	if (call(vm, PVIO_FN_BATCH, gpa, n, &ret))
		return fail("batch did not complete");
	if (ret == -KVM_ENOSYS)
		return no_handler(ret);
	if (ret != n)
		return fail("batch returned %lld, want %d", ret, n);
	return pass();
}

/*
 * The ops @e[0..n), all served by this VMM, run as one batch at GPA_ARRAY:
 * they reach the VMM in order and every read's answer is in the array
 * (answers are handed out in order, so the kth read got answer_for(.., k)).
 */
enum tres user_batch(struct vm *vm, const struct expect *e, int n)
{
	struct pvio_op *o = ops_at(vm, GPA_ARRAY);
	unsigned int nth = 0;
	uint64_t want;
	enum tres r;
	int i;

	put_ops(o, e, n);
	r = batch_ok(vm, GPA_ARRAY, n);
	if (r == T_PASS)
		r = check_log(vm, e, n);
	for (i = 0; i < n && r == T_PASS; i++) {
		if (!is_read(e[i].kind))
			continue;
		want = answer_for(e[i].addr, e[i].size, nth++);
		if (o[i].value != want)
			r = fail("op %d: guest array holds 0x%llx, want 0x%llx", i,
				 (unsigned long long)o[i].value, (unsigned long long)want);
	}
	return r;
}
