#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the scheduler benchmark (bench/run.sh sched): fio 4 KiB
# random reads, psync, QD1, on null_blk (queue_mode=2 irqmode=0, no memory
# backing), one vCPU under TCG, for none, mq-deadline, kyber and
# pvio-bypass, interleaved in rounds.  Prints "BENCH-SCHED round sched iops".
# Kernel command line: bench.rounds=N (default 9), bench.secs=S (default 3).
# pvio-vm: modules="pvio_bypass" kmods="null_blk kyber-iosched" bins="fio"
# pvio-vm: timeout=600 mem=1024
# shellcheck source=/dev/null
. /lib/guest.sh

Q=/sys/block/nullb0/queue/scheduler
ROUNDS=$(arg bench.rounds 9)
SECS=$(arg bench.secs 3)
# mq-deadline and pvio-bypass run back to back, the pair compared per round
SCHEDS="none kyber mq-deadline pvio-bypass"

echo /bin/modprobe > /proc/sys/kernel/modprobe
check "null_blk loads" modprobe null_blk queue_mode=2 irqmode=0 nr_devices=1
modprobe kyber-iosched
modprobe pvio_bypass
echo "# schedulers: $(cat $Q)"
bad=0
r=1
while [ $r -le "$ROUNDS" ]; do
	# alternate the order so no scheduler always runs first
	if [ $((r % 2)) = 1 ]; then order=$SCHEDS
	else order=$(echo "$SCHEDS" | tr ' ' '\n' | sed '1!G;h;$!d' | tr '\n' ' '); fi
	for s in $order; do
		echo "$s" > $Q || { not_ok "select $s"; continue; }
		iops=$(fio --name=rr --filename=/dev/nullb0 --rw=randread --bs=4k \
			--ioengine=psync --iodepth=1 --direct=1 --numjobs=1 \
			--time_based --runtime="$SECS" --ramp_time=1 --norandommap \
			--minimal 2>/dev/null | cut -d';' -f8)
		act=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $Q)
		[ "${iops:-0}" -gt 0 ] 2>/dev/null && [ "$act" = "$s" ] || bad=$((bad + 1))
		echo "BENCH-SCHED $r $s ${iops:-0} active=$act"
	done
	r=$((r + 1))
done
echo none > $Q
check "fio produced IOPS for every run, each under its scheduler" [ $bad = 0 ]
