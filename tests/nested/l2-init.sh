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

# ---- pata_pvio over the hypercall transport: data integrity -------------
# 64 MiB of a seeded AES-CTR stream through pata_pvio (O_DIRECT in 1 MiB
# and 4 KiB commands, and the page cache), with real host refusals
# injected mid-write, and read back by ata_piix.  Each check is one
# "PVIO-L2-CHECK ok|not ok description" line; L1 makes them TAP.
MB=64
PCI=/sys/bus/pci/devices/0000:00:01.1
lcheck() {
	d=$1
	shift
	if "$@"; then echo "PVIO-L2-CHECK ok $d"; else echo "PVIO-L2-CHECK not ok $d"; fi
}
pattern() {
	OPENSSL_CONF=/dev/null openssl enc -aes-128-ctr -nosalt \
		-K "$(printf '%032x' "$1")" -iv 0 < /dev/zero 2>/dev/null | head -c $((MB << 20))
}
sum_of() { md5sum | cut -d' ' -f1; }
disk_direct() { dd if=/dev/sda bs=1M count=$MB iflag=direct 2>/dev/null | sum_of; }
disk_cached() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	dd if=/dev/sda bs=1M count=$MB 2>/dev/null | sum_of
}
wait_disk() {
	i=0
	while [ ! -b /dev/sda ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
	[ -b /dev/sda ]
}
gone_disk() {
	i=0
	while [ -b /dev/sda ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
}
batch_stat() {
	cat $P/batches/pata_pvio.*/stats 2>/dev/null |
		awk -v k="$1" '$1 == k { s += $2 } END { print s + 0 }'
}

disk_part() {
	echo /bin/modprobe > /proc/sys/kernel/modprobe
	modprobe sd_mod
	lcheck "pata_pvio loads" modprobe pata_pvio || return 1
	lcheck "pata_pvio binds the PIIX IDE function and sda appears" wait_disk || return 1
	h0=$(batch_stat hypercalls)

	mkdir -p /tmp
	pattern 1 > /tmp/pat
	lcheck "a 64 MiB seeded pattern is made (openssl)" [ "$(wc -c < /tmp/pat)" -eq $((MB << 20)) ]
	P1=$(sum_of < /tmp/pat)
	dd if=/tmp/pat of=/dev/sda bs=1M oflag=direct 2>/dev/null
	lcheck "pata_pvio: 64 MiB O_DIRECT write (1 MiB), O_DIRECT read back: same md5" [ "$(disk_direct)" = "$P1" ]
	lcheck "pata_pvio: page-cache read after drop_caches: same md5" [ "$(disk_cached)" = "$P1" ]
	if [ "$(cat $P/transport)" = hypercall ]; then
		lcheck "pata_pvio's batches went out as hypercalls" [ $(($(batch_stat hypercalls) - h0)) -gt 0 ]
	else
		echo "PVIO-L2-CHECK ok pata_pvio's batches went out as hypercalls # SKIP transport $(cat $P/transport)"
	fi

	# 2048 single-block commands, each issued and completed on the fast path
	pattern 2 > /tmp/pat
	f0=$(batch_stat flushes)
	dd if=/tmp/pat of=/dev/sda bs=4k count=2048 oflag=direct 2>/dev/null
	f1=$(batch_stat flushes)
	P2=$(head -c 8388608 /tmp/pat | sum_of)
	lcheck "pata_pvio: 2048 O_DIRECT 4 KiB writes read back: same md5" \
		[ "$(dd if=/dev/sda bs=4k count=2048 iflag=direct 2>/dev/null | sum_of)" = "$P2" ]
	echo "# 2048 4 KiB writes: $((f1 - f0)) flushes"
	lcheck "pata_pvio: 2 flushes per 4 KiB command (got $((f1 - f0)) for 2048)" \
		[ $((f1 - f0)) -ge 4096 -a $((f1 - f0)) -le $((2048 * 2 + 64)) ]

	# the host refuses batches (an invalid function is sent): pvio reruns them
	pattern 3 > /tmp/pat
	P3=$(sum_of < /tmp/pat)
	fb0=$(batch_stat fallbacks)
	dd if=/tmp/pat of=/dev/sda bs=64k oflag=direct 2>/dev/null &
	DD=$!
	while kill -0 $DD 2>/dev/null; do
		echo 100 > $P/inject_host_error
		sleep 0.3
	done
	wait $DD
	lcheck "pata_pvio: write under real host refusals completed" [ $? -eq 0 ]
	echo 0 > $P/inject_host_error
	fb1=$(batch_stat fallbacks)
	echo "# $((fb1 - fb0)) refused batches rerun natively"
	lcheck "pata_pvio: host refusals hit its batches (fallbacks moved)" [ $((fb1 - fb0)) -gt 0 ]
	lcheck "pata_pvio: data written under refusals reads back: same md5" [ "$(disk_direct)" = "$P3" ]

	# what is on the disk, seen by another driver
	rmmod pata_pvio
	gone_disk
	modprobe ata_piix
	lcheck "ata_piix binds and sda appears" wait_disk
	lcheck "ata_piix reads what pata_pvio wrote: same md5" [ "$(disk_direct)" = "$P3" ]
	rmmod ata_piix
	gone_disk
	return 0
}
if [ -f /lib/modules/"$(uname -r)"/extra/pata_pvio.ko ]; then
	disk_part
	res disk_part done
else
	res disk_part "no pata_pvio.ko in the L2 initramfs"
fi
echo "PVIO-L2-DMESG-BEGIN"
dmesg
echo "PVIO-L2-DMESG-END"
res finished
poweroff -f
