# SPDX-License-Identifier: GPL-2.0
# A part of L1's init (tests/nested/l1-init.sh sources it when L1 runs
# the patched KVM): the patched kvm.ko's parameters, debugfs counters and
# tracepoint, as TAP; at the end of the L1 run it unloads the modules and
# looks for module load errors.  The divisor's effect on a guest's PIT is
# the test VMM's "PIT:" cases.

# t DESCRIPTION CMD...: one check, CMD's output dropped
quiet() { "$@" > /dev/null 2>&1; }
t() { _d=$1; shift; check "$_d" quiet "$@"; }

# both phases print to L0's port
smoke_before() {
	P=/sys/module/kvm/parameters
	t "kvm.ko (patched) loaded" grep -q '^kvm ' /proc/modules
	t "kvm-amd.ko (patched) loaded" grep -q '^kvm_amd ' /proc/modules
	t "/dev/kvm exists" test -c /dev/kvm
	for c in pvio_batches pvio_ops pvio_ops_user pvio_user_exits pvio_wb_faults pvio_dropped \
		 pvio_rejected pvio_rej_func pvio_rej_count pvio_rej_array pvio_rej_fault \
		 pvio_rej_kind pvio_rej_width pvio_rej_range pvio_rej_ram pvio_rej_busy; do
		t "debugfs kvm/$c" test -f /sys/kernel/debug/kvm/$c
	done
	mount -t tracefs none /sys/kernel/tracing 2>/dev/null
	t "tracepoint kvm:kvm_pvio" test -d /sys/kernel/tracing/events/kvm/kvm_pvio
	t "pvio_enable defaults to Y" grep -qx Y $P/pvio_enable
	t "pvio_enable can be switched off" sh -c "echo 0 > $P/pvio_enable && grep -qx N $P/pvio_enable"
	t "pvio_enable can be switched on" sh -c "echo 1 > $P/pvio_enable && grep -qx Y $P/pvio_enable"
	t "pit_reload_divisor defaults to 1" grep -qx 1 $P/pit_reload_divisor
	t "pit_reload_divisor accepts 8" sh -c "echo 8 > $P/pit_reload_divisor && grep -qx 8 $P/pit_reload_divisor"
	t "pit_reload_divisor accepts 1024" sh -c "echo 1024 > $P/pit_reload_divisor"
	for v in 0 1025 junk; do
		t "pit_reload_divisor refuses $v" sh -c "! echo $v > $P/pit_reload_divisor"
	done
	t "pit_reload_divisor kept 1024" grep -qx 1024 $P/pit_reload_divisor
	echo 1 > $P/pit_reload_divisor
	echo "1..$TAP_N"
} > $S1 2>&1

smoke_after() {
	TAP_N=0
	t "rmmod kvm-amd kvm" sh -c "rmmod kvm_amd && rmmod kvm"
	t "no module load errors in L1's log" sh -c "! dmesg | grep -qiE 'disagrees about version|Unknown symbol'"
	echo "1..$TAP_N"
} > $S1 2>&1
