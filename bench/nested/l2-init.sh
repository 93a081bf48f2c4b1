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
# Kernel command line: bench.parts="uart ata bonnie", bench.flushes=N (UART
# flushes per transport), bench.cmds=N (4 KiB commands per direction),
# bench.drivers="ata_piix pata_pvio virtio_blk", bench.bg=S (seconds of the
# background window, 0: none), bench.bonnie_mb=N (bonnie++ file size).

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
BG=$(arg bg); BG=${BG:-3}
BONNIE_MB=$(arg bonnie_mb); BONNIE_MB=${BONNIE_MB:-16}
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
res bonnie_mb "$BONNIE_MB"
mark empty.0
mark empty.1
# Background: L2 busy with no I/O.  Its exits (the timer tick, about two
# exits per tick) grow with time, not with the work; report.sh subtracts
# this rate times a window's length beside the raw figures.
if [ "$BG" -gt 0 ]; then
	mark bg.0
	timeout -s KILL "$BG" sh -c 'while :; do :; done'
	mark bg.1
fi

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
	# dd's record counts would go to the serial console: UART exits
	timed "$1.write" dd if=/dev/zero of="/dev/$2" bs=4k count="$CMDS" oflag=direct 2>/tmp/dd.log
	timed "$1.read" dd if="/dev/$2" of=/dev/null bs=4k count="$CMDS" iflag=direct 2>>/tmp/dd.log
	res "$1.scheduler" "$(cat "/sys/block/$2/queue"/scheduler)"
}

# attach_disk DRIVER: load it (and pvio for pata_pvio); the disk name in DEV
attach_disk() {
	case $1 in
	ata_piix|pata_pvio)
		if [ "$1" = pata_pvio ]; then
			grep -q '^pvio ' /proc/modules || modprobe pvio transport=auto
			res pata_pvio.transport "$(cat $P/transport)"
		fi
		modprobe "$1"
		wait_blk sda || return 1
		res "$1.driver" "$(basename "$(readlink /sys/bus/pci/devices/0000:00:01.1/driver)")"
		DEV=sda
		;;
	virtio_blk)
		modprobe virtio_pci
		modprobe virtio_blk
		wait_blk vda || return 1
		DEV=vda
		;;
	esac
}

# detach_disk DRIVER: the IDE drivers leave the controller to the next one
detach_disk() {
	case $1 in
	ata_piix|pata_pvio)
		if [ "$1" = pata_pvio ]; then
			for s in "$P"/batches/pata_pvio.*/stats; do
				res "pata_pvio.batch $(awk '{ printf "%s=%s ", $1, $2 }' "$s")"
			done
		fi
		rmmod "$1"
		gone_blk sda
		;;
	esac
}

ata() {
	modprobe sd_mod
	for d in $DRIVERS; do
		if ! attach_disk "$d"; then res "$d.error" "no disk"; continue; fi
		dd_pair "$d" "$DEV"
		detach_disk "$d"
	done
}

# bonnie++ needs a file of at least twice the RAM it is told about
run_bonnie() {
	bonnie++ -d /mnt -s "$BONNIE_MB" -r $((BONNIE_MB / 2)) -n 0 -f -D -q -u 0:0 \
		> /tmp/bonnie.csv 2> /tmp/bonnie.err < /dev/null
}

# bonnie++ block write, rewrite and read (O_DIRECT) on ext2, per driver
bonnie() {
	modprobe sd_mod
	modprobe ext4
	mkdir -p /mnt
	for d in $DRIVERS; do
		if ! attach_disk "$d"; then res "$d.error" "no disk"; continue; fi
		# stdin stays with the mark handshake
		if ! mke2fs "/dev/$DEV" > /tmp/mke2fs.log 2>&1 < /dev/null ||
		   ! mount -t ext2 "/dev/$DEV" /mnt; then
			res "$d.error" "mke2fs/mount"
			detach_disk "$d"
			continue
		fi
		timed "$d.bonnie" run_bonnie
		[ -s /tmp/bonnie.csv ] || res "$d.bonnie_err" "$(head -3 /tmp/bonnie.err | tr '\n' ' ')"
		res "$d.bonnie_csv" "$(tail -1 /tmp/bonnie.csv)"
		umount /mnt
		detach_disk "$d"
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
