#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of L2 in the nested benchmark: a Debian 6.1 kernel run by the
# host's QEMU inside L1, on L1's (patched) KVM.  Every measured piece of
# work sits between two "BENCH-MARK name" lines; at each one L2 blocks
# until L1 has snapshotted its counters (console handshake).  The first two
# marks frame an empty window, the cost of one mark, which run.sh
# subtracts.  "BENCH-RESULT key value" lines carry L2-side facts.
#
# Kernel command line: bench.parts="uart ata", bench.flushes=N (UART
# flushes per transport), bench.cmds=N (4 KiB commands per direction),
# bench.drivers="ata_piix pata_pvio virtio_blk".

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs none /sys/kernel/debug
echo /bin/modprobe > /proc/sys/kernel/modprobe

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^bench\.$1=//p" | tr -d '"' | tr ',' ' '; }
PARTS=$(arg parts); PARTS=${PARTS:-uart ata}
FLUSHES=$(arg flushes); FLUSHES=${FLUSHES:-1000}
CMDS=$(arg cmds); CMDS=${CMDS:-2048}
DRIVERS=$(arg drivers); DRIVERS=${DRIVERS:-ata_piix pata_pvio virtio_blk}
P=/sys/kernel/debug/pvio

res() { echo "BENCH-RESULT $*"; }
mark() { echo "BENCH-MARK $1"; read -r _; }
now() { cut -d' ' -f1 /proc/uptime; }
# timed NAME CMD...: CMD between marks NAME.0 and NAME.1, L2 seconds as a result
timed() {
	n=$1
	shift
	mark "$n.0"
	a=$(now)
	"$@"
	rc=$?
	b=$(now)
	mark "$n.1"
	res "$n.seconds" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }')"
	res "$n.rc" $rc
}
wait_blk() {	# wait_blk DEV: up to 60 s
	i=0
	while [ ! -b "/dev/$1" ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
	[ -b "/dev/$1" ]
}
gone_blk() {
	i=0
	while [ -b "/dev/$1" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
}

res booted "$(uname -r)"
res parts "$PARTS"
res cmds "$CMDS"
res flushes "$FLUSHES"
mark empty.0
mark empty.1

uart() {
	modprobe pvio transport=native
	res uart.native.transport "$(cat $P/transport)"
	timed uart.native insmod /lib/modules/pvio_bench.ko flushes="$FLUSHES"
	dmesg | sed -n 's/.*pvio_bench: count stats /uart.native.stats /p; s/.*pvio_bench: count /uart.native.module /p' |
		tail -2 |
		while read -r l; do res "$l"; done
	rmmod pvio_bench
	# the fixed cost of loading the module, for reference
	timed uart.load1 insmod /lib/modules/pvio_bench.ko flushes=1
	rmmod pvio_bench
	rmmod pvio
	modprobe pvio transport=auto
	res uart.hypercall.transport "$(cat $P/transport)"
	res uart.hypercall.host_abi "$(cat $P/host_abi 2>/dev/null)"
	timed uart.hypercall insmod /lib/modules/pvio_bench.ko flushes="$FLUSHES"
	dmesg | sed -n 's/.*pvio_bench: count stats /uart.hypercall.stats /p; s/.*pvio_bench: count /uart.hypercall.module /p' |
		tail -2 |
		while read -r l; do res "$l"; done
	rmmod pvio_bench
}

# dd_pair NAME DEV: CMDS direct 4 KiB writes, then CMDS direct reads
dd_pair() {
	timed "$1.write" dd if=/dev/zero of="/dev/$2" bs=4k count="$CMDS" oflag=direct
	timed "$1.read" dd if="/dev/$2" of=/dev/null bs=4k count="$CMDS" iflag=direct
	res "$1.scheduler" "$(cat "/sys/block/$2/queue"/scheduler)"
}

ata() {
	modprobe sd_mod
	for d in $DRIVERS; do
		case $d in
		ata_piix|pata_pvio)
			if [ "$d" = pata_pvio ]; then
				grep -q '^pvio ' /proc/modules || modprobe pvio transport=auto
				res pata_pvio.transport "$(cat $P/transport)"
			fi
			modprobe "$d"
			if ! wait_blk sda; then res "$d.error" "no sda"; continue; fi
			res "$d.driver" "$(basename "$(readlink /sys/bus/pci/devices/0000:00:01.1/driver)")"
			dd_pair "$d" sda
			if [ "$d" = pata_pvio ]; then
				for s in "$P"/batches/pata_pvio.*/stats; do
					res "pata_pvio.batch $(awk '{ printf "%s=%s ", $1, $2 }' "$s")"
				done
			fi
			rmmod "$d"
			gone_blk sda
			;;
		virtio_blk)
			modprobe virtio_pci
			modprobe virtio_blk
			if ! wait_blk vda; then res "$d.error" "no vda"; continue; fi
			dd_pair "$d" vda
			;;
		esac
	done
}

for p in $PARTS; do
	$p
done
res dmesg_warnings "$(dmesg | grep -c -E 'WARNING|BUG|Oops|Call Trace')"
echo "BENCH-L2-DMESG-BEGIN"
dmesg
echo "BENCH-L2-DMESG-END"
res l2_done 1
poweroff -f
