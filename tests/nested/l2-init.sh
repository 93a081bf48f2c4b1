#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of L2, the guest of the nested rig: a Debian kernel run by the
# host's QEMU inside L1 (tests/nested/l1-init.sh), on L1's KVM.  Sources
# the parts in /parts/ (tests/nested/l2-tests.sh, bench/nested/l2-bench.sh)
# and runs the part functions the kernel command line names in
# rig.parts=a,b,...; a part that returns 0 is reported done.
#
# The one console protocol, served by L1:
#   PVIO-L2-MARK name        L1 snapshots its KVM counters (a SNAP line) and
#                            answers on the console; mark blocks until then
#                            (a handshake: the window is closed).  empty.0 and
#                            empty.1 frame an empty window: one mark's cost.
#                            With rig.marks=off (a guest nobody snapshots,
#                            bench's shsched neighbour) it does not wait.
#   PVIO-L2-RESULT key value a fact for L1 and L0 (a RES line)
#   PVIO-L2-CHECK ok N - ... a TAP result (check/ok/not_ok/skip of guest.sh)
#   PVIO-L2-NOTE text        a TAP comment

. /lib/guest.sh
guest_boot
echo /bin/modprobe > /proc/sys/kernel/modprobe
P=/sys/kernel/debug/pvio
TAP_PREFIX="PVIO-L2-CHECK "

res() { echo "PVIO-L2-RESULT $*"; }
mark() { echo "PVIO-L2-MARK $1"; [ "$MARKS" = off ] || read -r _; }
note() { sed 's/^/PVIO-L2-NOTE /'; }
MARKS=$(arg rig.marks)

res booted "$(uname -r)"
mark empty.0
mark empty.1
for f in /parts/*.sh; do
	. "$f"
done
for p in $(arg rig.parts); do
	"$p" && res "$p" done
done
res dmesg_warnings "$(dmesg | grep -c -E 'WARNING|BUG|Oops|Call Trace')"
echo "PVIO-L2-DMESG-BEGIN"
dmesg
echo "PVIO-L2-DMESG-END"
res l2_done 1
poweroff -f
