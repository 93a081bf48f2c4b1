#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of L1 in the nested benchmark (bench/nested/run.sh).  Loads the KVM
# modules in /modules.list, turns on a kvm:kvm_userspace_exit histogram,
# mounts L0's root read-only over 9p, makes the L2 disks on tmpfs and runs
# L2 (the host's QEMU in a chroot, on this KVM).  Whenever L2's console
# prints "BENCH-MARK name", L2 blocks; we print a "SNAP name ..." line with
# our KVM counters on ttyS1 and write a line back into QEMU's stdin (the
# console handshake of test-rig.md).  L2's "BENCH-RESULT ..." lines go to
# ttyS1 too.  Arithmetic is left to run.sh.  With NET=1 (the net part)
# L2 also gets an e1000 and a virtio-net NIC on slirp, and L1 runs the
# peers L2 reaches at 10.0.2.2 (slirp's alias for L1's loopback): busybox
# httpd on 8080 (a BULK_MB file of zeros), iperf3 -s on 5201 (the host's,
# through the 9p chroot) and nb_rr server on 5300.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs none /sys/kernel/debug
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmp /tmp

OUT=/dev/ttyS1
KVMDBG=/sys/kernel/debug/kvm
UX=/sys/kernel/tracing/events/kvm/kvm_userspace_exit
CR=$(printf '\r')
# shellcheck source=/dev/null
. /bench.conf

say() { echo "BENCH-L1: $*"; }
res() { echo "RES $*" > $OUT; }
finish() {
	res l1_done "$1"
	echo "BENCH-DMESG-BEGIN"
	dmesg
	echo "BENCH-DMESG-END"
	sync
	poweroff -f
}

for m in $(cat /modules.list); do
	modprobe "$m" || { say "modprobe $m failed"; res error "modprobe $m"; finish fail; }
done
[ -c /dev/kvm ] || { res error "no /dev/kvm"; finish fail; }
res kvm_modules "$(cat /modules.origin)"
res l1_kernel "$(uname -r)"
if echo 'hist:keys=reason' > $UX/trigger; then
	res uexit_hist on
else
	res uexit_hist off
fi
# every exit by its (SVM) exit code, for the breakdown in report.sh
KX=/sys/kernel/tracing/events/kvm/kvm_exit
echo 'hist:keys=exit_reason:size=256' > $KX/trigger 2>/dev/null
# MSR exits by MSR number and direction (which timer or APIC register)
KM=/sys/kernel/tracing/events/kvm/kvm_msr
echo 'hist:keys=ecx,write:size=256' > $KM/trigger 2>/dev/null

# snap NAME: one line with L1's KVM totals (sum over live VMs: the L2 VM)
# and the userspace-exit histogram (total, and per reason: 2 IO, 6 MMIO)
snap() {
	line="SNAP $1 t=$(cut -d' ' -f1 /proc/uptime)"
	for f in $KVMDBG/exits $KVMDBG/io_exits $KVMDBG/mmio_exits \
		 $KVMDBG/hypercalls $KVMDBG/halt_exits $KVMDBG/irq_exits \
		 "$KVMDBG"/pvio*; do
		[ -f "$f" ] && line="$line ${f##*/}=$(cat "$f")"
	done
	if [ -f $UX/hist ]; then
		line="$line $(awk '
			/^\{ reason:/ { r = $3; h = $6; gsub(/[^0-9]/, "", r); u[r] = h }
			/Hits:/ { t = $2 }
			END { printf "uexit=%d uexit_io=%d uexit_mmio=%d", t, u[2], u[6] }' $UX/hist)"
	fi
	echo "$line" > $OUT
	[ -f $KX/hist ] && awk -v n="$1" '
		/^\{ exit_reason:/ { r = $3; gsub(/[^0-9]/, "", r); l = l " " r ":" $6 }
		END { print "XHIST " n l }' $KX/hist > $OUT
	[ -f $KM/hist ] && awk -v n="$1" '
		/^\{ ecx:/ { m = $3; w = $5; gsub(/[^0-9]/, "", m); gsub(/[^0-9]/, "", w); l = l " " m ":" w ":" $8 }
		END { print "MHIST " n l }' $KM/hist > $OUT
}

mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host ||
	{ res error "9p mount"; finish fail; }
mount -t tmpfs tmp /host/run
# the tree may live under L0's /tmp (a fresh clone there), which the tmpfs
# below hides: take L2's initramfs out first
cp "/host$L2_INITRD" /tmp/l2-initramfs.gz || { res error "L2 initramfs"; finish fail; }
mount -t tmpfs -o size=1200m tmp /host/tmp
cp /tmp/l2-initramfs.gz /host/tmp/l2-initramfs.gz
L2_INITRD=/tmp/l2-initramfs.gz
mount -t devtmpfs dev /host/dev
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
dd if=/dev/zero of=/host/tmp/ide.img bs=1M count=0 seek="$DISK_MB" 2>/dev/null
dd if=/dev/zero of=/host/tmp/vd.img bs=1M count=0 seek="$DISK_MB" 2>/dev/null
NETARGS="-net none"
if [ "${NET:-0}" = 1 ]; then
	ip link set lo up
	mkdir -p /tmp/www
	dd if=/dev/zero of=/tmp/www/bulk bs=1M count="$BULK_MB" 2>/dev/null
	httpd -p 127.0.0.1:8080 -h /tmp/www || res error "httpd"
	nb_rr server 5300 &
	chroot /host iperf3 -s -D -p 5201 || res error "iperf3 server"
	NETARGS="-netdev user,id=n0 -device e1000,netdev=n0"
	NETARGS="$NETARGS -netdev user,id=n1 -device virtio-net-pci,netdev=n1"
	res l1_net "$NETARGS"
fi
mkfifo /tmp/l2in
exec 3<>/tmp/l2in

say "starting L2"
t0=$(cut -d' ' -f1 /proc/uptime)
timeout -s KILL "$L2_TIMEOUT" chroot /host qemu-system-x86_64 -enable-kvm \
	-cpu host -m 256 -nographic -no-reboot -monitor none $NETARGS \
	-drive file=/tmp/ide.img,if=ide,format=raw,cache=unsafe \
	-drive file=/tmp/vd.img,if=virtio,format=raw,cache=unsafe \
	-kernel "$L2_KERNEL" -initrd "$L2_INITRD" \
	-append "console=ttyS0 quiet panic=-1 oops=panic $L2_APPEND" <&3 2>&1 |
while IFS= read -r line; do
	line=${line%"$CR"}
	echo "L2| $line"
	case $line in
	*BENCH-MARK\ *)
		snap "${line#*BENCH-MARK }"
		echo go >&3
		;;
	*BENCH-RESULT\ *)
		echo "RES ${line#*BENCH-RESULT }" > $OUT
		;;
	esac
done
t1=$(cut -d' ' -f1 /proc/uptime)
res l2_seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
exec 3>&-
finish ok
