#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the L1 guest of the pvio nested tier (tests/nested/run.sh).
# Loads the KVM modules listed in /modules.list (patched or stock, the
# runner decides), runs the test VMM against L1's /dev/kvm with its TAP
# output on the second serial port (ttyS1), prints L1's KVM counters around
# it, dumps the kernel log between markers for the runner's splat check,
# and powers off.  Console lines for the runner start with "PVIO-NESTED".

/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs none /sys/kernel/debug
mount -t tmpfs tmp /tmp

TAP=/dev/ttyS1
KVMDBG=/sys/kernel/debug/kvm

say() { echo "PVIO-NESTED: $*"; }
tap() { echo "$*" > $TAP; }

finish() {
	say "kernel log follows"
	echo "PVIO-NESTED-DMESG-BEGIN"
	dmesg
	echo "PVIO-NESTED-DMESG-END"
	echo "PVIO-NESTED-DONE $1"
	sync
	poweroff -f
}

counters() {
	out=""
	for f in exits io_exits mmio_exits hypercalls halt_exits $(ls $KVMDBG 2>/dev/null | grep pvio); do
		[ -f $KVMDBG/$f ] && out="$out $f=$(cat $KVMDBG/$f)"
	done
	echo "$out"
}

say "L1 up, kernel $(uname -r), modules from $(cat /modules.origin)"
for m in $(cat /modules.list); do
	if ! insmod /lib/modules/$m; then
		say "insmod $m failed"
		tap "not ok 1 - L1 loads $m"
		finish fail
	fi
done
if [ ! -c /dev/kvm ]; then
	say "no /dev/kvm after loading the modules"
	tap "not ok 1 - L1 has /dev/kvm"
	finish fail
fi
dmesg | grep -i -E "kvm|svm|nested" | sed 's/^/PVIO-NESTED: dmesg: /'

# KVM's global debugfs counters sum over the VMs that exist at the time,
# so they read 0 between cases; each case prints its own VM's counters.
tap "# L1 KVM counters before (live VMs only): $(counters)"
tap "# reference path: the positive cases with plain guest IN/OUT/MOV"
PVIO_CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120} /bin/pvio-vmm -n > $TAP 2>&1
nrc=$?
tap "# hypercall path"
PVIO_CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120} /bin/pvio-vmm > $TAP 2>&1
rc=$?
tap "# L1 KVM counters after (live VMs only): $(counters)"
tap "# pvio-vmm exit status: reference $nrc, hypercall $rc"
say "pvio-vmm exit status: reference $nrc, hypercall $rc"
finish "rc=$rc/$nrc"
