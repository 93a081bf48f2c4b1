#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pata_pvio under fio --verify: jobs that mix block sizes (512 B to 256 KiB)
# and queue depths (1 to 32, libaio and psync), sequential and random, each
# writing then reading back with a checksum per block, under pvio-bypass
# and mq-deadline, then the same with pvio refusing flushes (fallback).
# A bad block fails the job (verify_fatal) and so the check.
# pvio-vm: modules="pvio pata_pvio pvio_bypass" kmods="libata sd_mod"
# pvio-vm: bins="fio" timeout=900 mem=768 disks="64M"
# pvio-vm: qemu="-drive file=@DISK0@,if=ide,format=raw"
. /lib/guest.sh

DBG=/sys/kernel/debug/pvio
Q=/sys/block/sda/queue/scheduler

job() { _j=$1; shift; fio_verify "$_j: written and verified" "$@"; }

pata_load
check "pvio_bypass loads" modprobe pvio_bypass

for sched in pvio-bypass mq-deadline; do
	echo $sched > $Q
	check "$sched selected" grep -q "\[$sched\]" $Q
	job "$sched randwrite 4-256k QD8 libaio" --rw=randwrite \
		--bsrange=4k-256k --ioengine=libaio --iodepth=8
	job "$sched write 512-64k QD1 psync" --rw=write \
		--bsrange=512-64k --ioengine=psync
	job "$sched randwrite 4k QD32 libaio" --rw=randwrite \
		--bs=4k --ioengine=libaio --iodepth=32 --size=8M
done

# Every flush refused: the same jobs through pvio's fallback path
fb0=$(pstat fallbacks)
echo 1000000 > $DBG/inject_host_error
job "refused flushes: randwrite 4-128k QD4 libaio" --rw=randwrite \
	--bsrange=4k-128k --ioengine=libaio --iodepth=4 --size=8M
echo 0 > $DBG/inject_host_error
fb1=$(pstat fallbacks)
echo "# $((fb1 - fb0)) flushes refused and rerun"
check "the refused job ran through the fallback path" [ $((fb1 - fb0)) -gt 100 ]

echo none > $Q
check "pata_pvio unloads" rmmod pata_pvio
check "pvio_bypass unloads" rmmod pvio_bypass
