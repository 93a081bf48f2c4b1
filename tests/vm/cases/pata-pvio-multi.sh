#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pata_pvio with every position on the PIIX3 used: primary master and slave
# (device select of device 1), secondary master (the second channel, its own
# batch and IRQ) and an ATAPI CD-ROM on secondary slave (PACKET commands,
# ATAPI DMA: bmdma_setup and bmdma_start apart).  Concurrent I/O on all of
# them, through the pvio-bypass elevator, with scheduler switches under load.
# pvio-vm: modules="pvio pata_pvio pvio_bypass" kmods="libata sd_mod sr_mod"
# pvio-vm: bins="openssl" timeout=900 mem=768 disks="80M 24M 32M 8M"
# pvio-vm: qemu="-drive file=@DISK0@,if=ide,index=0,format=raw
# pvio-vm: -drive file=@DISK1@,if=ide,index=1,format=raw
# pvio-vm: -drive file=@DISK2@,if=ide,index=2,format=raw
# pvio-vm: -drive file=@DISK3@,if=ide,index=3,media=cdrom,format=raw"
. /lib/guest.sh

DBG=/sys/kernel/debug/pvio
MB=16

disk_of_mb() { # disk_of_mb N: the sd disk of N MiB (names depend on probe order)
	for d in /sys/block/sd*; do
		[ "$(cat "$d/size")" = $(($1 * 2048)) ] && { basename "$d"; return 0; }
	done
	return 1
}
# shellcheck disable=SC2016 # evaluated by wait_until, each time
wait_disks() { wait_until 60 eval '[ "$(ls -d /sys/block/sd* 2>/dev/null | wc -l)" = 3 ] && [ -b /dev/sr0 ]'; }
chan_stat() { stat_of $DBG/batches/pata_pvio.*.$1/stats "$2"; }	# CHANNEL KEY
direct_sum() { dd_sum if=/dev/$1 bs=64k count=$((MB * 16)) iflag=direct; }	# DEV: first MB MiB
# four_at_once FILE BS_A BS_B BS_C: FILE to the three disks at once (block
# sizes as given), the CD-ROM read beside them; its md5 in /tmp/cd.sum
four_at_once() {
	dd if="$1" of=/dev/$A bs="$2" oflag=direct 2>/dev/null &
	dd if="$1" of=/dev/$B bs="$3" oflag=direct 2>/dev/null &
	dd if="$1" of=/dev/$C bs="$4" oflag=direct 2>/dev/null &
	dd if=/dev/sr0 bs=2048 iflag=direct 2>/dev/null | sum_of > /tmp/cd.sum &
	wait
}
# four_same [LABEL] SUM: the three disks read back SUM, the CD-ROM read
# beside them 8 MiB of zeros (four checks)
four_same() {
	check "${1}master written concurrently reads back identical" [ "$(direct_sum $A)" = "$2" ]
	check "${1}slave written concurrently reads back identical" [ "$(direct_sum $B)" = "$2" ]
	check "${1}secondary written concurrently reads back identical" [ "$(direct_sum $C)" = "$2" ]
	check "${1}CD-ROM (ATAPI) read concurrently: 8 MiB of zeros" [ "$(cat /tmp/cd.sum)" = "$Z" ]
}

echo /bin/modprobe > /proc/sys/kernel/modprobe
modprobe sd_mod
modprobe sr_mod
modprobe pvio
check "pata_pvio loads" modprobe pata_pvio
check "three disks and a CD-ROM appear" wait_disks
A=$(disk_of_mb 80); B=$(disk_of_mb 24); C=$(disk_of_mb 32)
echo "# primary master $A, primary slave $B, secondary master $C"
for d in /sys/class/ata_device/dev*; do
	echo "# ${d##*/}: $(cat $d/class 2>/dev/null) $(cat $d/xfer_mode 2>/dev/null)"
done
check "primary slave found (device 1 select works)" [ -n "$B" ]
check "secondary master found (second channel works)" [ -n "$C" ]

for d in $A $B $C; do echo pvio-bypass > /sys/block/$d/queue/scheduler; done
check "pvio-bypass selected on all three disks" \
	[ "$(cat /sys/block/$A/queue/scheduler /sys/block/$B/queue/scheduler /sys/block/$C/queue/scheduler |
	    grep -c '\[pvio-bypass\]')" = 3 ]

P=$(pat_sum 5)
Z=$(head -c 8388608 /dev/zero | sum_of)
o0=$(chan_stat 0 ops_queued); q0=$(chan_stat 1 ops_queued)
# all four at once: two channels, two devices on each
four_at_once /tmp/pat 64k 128k 4k
four_same "" "$P"
echo 3 > /proc/sys/vm/drop_caches
check "CD-ROM buffered read: 8 MiB of zeros" \
	[ "$(dd_sum if=/dev/sr0 bs=64k)" = "$Z" ]
o1=$(chan_stat 0 ops_queued); q1=$(chan_stat 1 ops_queued)
echo "# channel 0: $((o1 - o0)) ops, channel 1: $((q1 - q0)) ops"
check "both channels' batches counted their ops" [ $((o1 - o0)) -gt 0 -a $((q1 - q0)) -gt 0 ]

# The same four at once with interrupt-less completion forced on: master
# and slave share a channel, and the CD-ROM's PACKET commands (libata's
# own sequences, which wait for interrupts) run beside the DMA commands
# that leave nIEN set.
echo always > /sys/module/pata_pvio/parameters/irqless
pattern 6 > /tmp/pat6
P6=$(sum_of < /tmp/pat6)
four_at_once /tmp/pat6 4k 64k 16k
four_same "irqless=always: " "$P6"
n=$(($(pata_cnt irqless_done) + $(pata_cnt irqless_missed)))
echo "# irqless commands: $n"
check "irqless=always: the DMA commands went the interrupt-less way" [ "$n" -gt 1000 ]
echo hypercall > /sys/module/pata_pvio/parameters/irqless
rm -f /tmp/pat6
four_at_once /tmp/pat 64k 128k 4k	# pattern 5 back for the readers below

# Parallel readers on all disks while each disk's scheduler switches 102 times.
rm -f /tmp/stop /tmp/bad
for d in $A $B $C; do
	(while [ ! -e /tmp/stop ]; do
		[ "$(direct_sum $d)" = "$P" ] || echo "$d" >> /tmp/bad
		echo "$d" >> /tmp/reads
	done) &
done
sleep 1		# let every reader start its first pass
bad=0
i=0
while [ $i -lt 34 ]; do
	for s in mq-deadline none pvio-bypass; do
		for d in $A $B $C; do
			echo $s > /sys/block/$d/queue/scheduler || bad=$((bad + 1))
		done
	done
	i=$((i + 1))
done
touch /tmp/stop
wait
check "306 scheduler switches (102 per disk) on IDE disks under load" [ $bad -eq 0 ]
echo "# $(wc -l < /tmp/reads) whole-disk reads ran during the switches"
check "reads ran during the switches" [ "$(wc -l < /tmp/reads)" -ge 3 ]
check "every read during the switches matched" [ ! -e /tmp/bad ]

check "pata_pvio unloads with pvio-bypass still selected" rmmod pata_pvio
check "pvio_bypass unloads once its disks are gone" rmmod pvio_bypass
check "pvio unloads" rmmod pvio
rm -f /tmp/pat
