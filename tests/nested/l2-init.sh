#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the L2 guest of the pvio nested tier: a Debian 6.1 kernel run by
# the host's QEMU inside L1, on L1's KVM (patched or stock).  Loads pvio.ko
# with transport=auto and runs pvio_selftest.ko between console markers.
# Each "PVIO-L2-MARK name" blocks until L1 has snapshotted its KVM counters
# and written a line back (the console handshake of test-rig.md).  The
# first two marks frame an empty window: the cost of one mark, to subtract.
# Result lines start with "PVIO-L2-RESULT"; L1 turns them into TAP.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs none /sys/kernel/debug
. /lib/tap.sh

res() { echo "PVIO-L2-RESULT $*"; }
mark() { echo "PVIO-L2-MARK $1"; read -r _; }
P=/sys/kernel/debug/pvio

res booted "$(uname -r)"
insmod /lib/modules/pvio.ko transport=auto
res pvio_load $?
res transport "$(cat $P/transport 2>/dev/null)"
res host_abi "$(cat $P/host_abi 2>/dev/null)"
h0=$(stat_of $P/stats hypercalls)

mark empty0
mark empty1
insmod /lib/modules/pvio_selftest.ko
rc=$?
mark selftest
res selftest $rc
res guest_hypercalls $(( $(stat_of $P/stats hypercalls) - h0 ))
ktap_of_module "KTAP version 1" | sed 's/^/PVIO-L2-KTAP /'
sed 's/^/PVIO-L2-STATS /' $P/stats
echo "PVIO-L2-DMESG-BEGIN"
dmesg
echo "PVIO-L2-DMESG-END"
res finished
poweroff -f
