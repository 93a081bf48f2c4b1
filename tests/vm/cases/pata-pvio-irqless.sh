#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pata_pvio's interrupt-less DMA completion, forced on (irqless=always)
# under TCG, where batches run natively: every DMA command is issued with
# nIEN set and either completes from the issue run's reads (done_work,
# no interrupt) or gets interrupts back and takes one (missed).  Checks
# that each 4 KiB O_DIRECT command is counted exactly once as one or the
# other, that every missed one interrupted, that data survive fio
# --verify (two jobs, one per CPU, with the interrupt on the second CPU)
# and a 64 MiB pattern, that irqless=off takes an interrupt per command
# again, and that bad values for irqless refuse to load.
# pvio-vm: modules="pvio pata_pvio" kmods="libata sd_mod" bins="openssl fio"
# pvio-vm: timeout=600 mem=768 disks="80M"
# pvio-vm: qemu="-smp 2 -drive file=@DISK0@,if=ide,format=raw"
. /lib/guest.sh

MB=64
PARAM=/sys/module/pata_pvio/parameters/irqless
CNT=/sys/kernel/debug/pata_pvio
four_k() { # four_k: 2048 4 KiB O_DIRECT writes then reads; counters before and after
	d0=$(pata_cnt irqless_done); m0=$(pata_cnt irqless_missed); i0=$(irqs_of pata_pvio)
	dd if=/tmp/pat of=/dev/sda bs=4k count=2048 oflag=direct 2>/dev/null
	dd if=/dev/sda of=/dev/null bs=4k count=2048 iflag=direct 2>/dev/null
	d1=$(pata_cnt irqless_done); m1=$(pata_cnt irqless_missed); i1=$(irqs_of pata_pvio)
}

refuses pata_pvio irqless=sometimes 'irqless=sometimes is not one of off, hypercall, always'
pata_load irqless=always
check "irqless reads back as always" [ "$(cat $PARAM)" = always ]
check "counters are in debugfs, one directory per channel" [ "$(ls $CNT | wc -l)" -eq 2 ]
check "writing a bad value at run time is refused" sh -c "! echo 3 > $PARAM"

P1=$(pat_write 1)
check "64 MiB O_DIRECT write, read back: same md5" [ "$(disk_direct)" = "$P1" ]

four_k
d=$((d1 - d0)); m=$((m1 - m0)); n=$((i1 - i0))
echo "# 4096 4 KiB commands: $d completed from the issue run, $m missed, $n interrupts"
check "every command counted once as done or missed" [ $((d + m)) -eq 4096 ]
check "every missed command took its interrupt" [ $n -ge $m ]
check "written 4 KiB blocks read back: same md5" \
	[ "$(dd_sum if=/dev/sda bs=4k count=2048 iflag=direct)" = "$(head -c 8388608 /tmp/pat | sum_of)" ]

# issue and done_work on either CPU, the missed commands' interrupts on CPU1
for irq in $(awk -F: '/pata_pvio/ { print $1 + 0 }' /proc/interrupts); do
	echo 2 > /proc/irq/$irq/smp_affinity
done
fio_verify "fio 2 jobs (one per CPU) randwrite 4k-256k QD8 --verify=crc32c" --size=12M \
	--numjobs=2 --offset_increment=12M --cpus_allowed_policy=split --cpus_allowed=0,1 \
	--rw=randwrite --bsrange=4k-256k --ioengine=libaio --iodepth=8
grep pata_pvio /proc/interrupts | sed 's/^/# /'

echo off > $PARAM
four_k
echo "# irqless=off: $((i1 - i0)) interrupts for 4096 commands"
check "irqless=off: counters stand still" [ $((d1 - d0 + m1 - m0)) -eq 0 ]
check "irqless=off: an interrupt per command" [ $((i1 - i0)) -ge 4096 ]

check "pata_pvio unloads" rmmod pata_pvio
check "its debugfs directory goes with it" [ ! -d $CNT ]
rm -f /tmp/pat
