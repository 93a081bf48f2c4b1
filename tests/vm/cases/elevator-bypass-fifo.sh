#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvio-bypass dispatches in arrival order.  A null_blk disk that takes one
# request at a time (hw_queue_depth=1, 10 ms completions) makes requests
# wait in the scheduler; fio submits random 4 KiB writes 16 at a time.
# The block_rq_insert/block_rq_issue tracepoints give the order requests
# entered the scheduler and the order the driver got them: equal for
# pvio-bypass.  mq-deadline, which sorts by sector, is the control that
# shows the setup does make requests wait (else the check means nothing).
# pvio-vm: modules="pvio_bypass" kmods="null_blk" bins="fio" timeout=300 mem=512
. /lib/guest.sh

T=/sys/kernel/tracing
D=/sys/kernel/config/nullb/fifo

echo /bin/modprobe > /proc/sys/kernel/modprobe
modprobe null_blk nr_devices=0
mount -t configfs none /sys/kernel/config
mount -t tracefs nodev $T
mkdir $D
echo 2 > $D/queue_mode
echo 1 > $D/hw_queue_depth
echo 2 > $D/irqmode
echo 10000000 > $D/completion_nsec
echo 64 > $D/size
echo 1 > $D/power
DEV=fifo	# null_blk names configfs disks after their directory
check "null_blk configfs disk $DEV is up" [ -b /dev/$DEV ]
MAJMIN=$(tr : , < /sys/block/$DEV/dev)

# orders SCHED: write two files, the sectors in insert and in issue order
orders() {
	echo "$1" > /sys/block/$DEV/queue/scheduler
	# a switch sets 2 scheduler tags (2 x depth): room for requests to wait
	echo 64 > /sys/block/$DEV/queue/nr_requests
	echo > $T/trace
	echo 1 > $T/events/block/block_rq_insert/enable
	echo 1 > $T/events/block/block_rq_issue/enable
	fio --name=fifo --filename=/dev/$DEV --rw=randwrite --bs=4k --direct=1 \
		--ioengine=libaio --iodepth=16 --iodepth_batch_submit=16 \
		--iodepth_batch_complete_min=16 --size=32M --io_size=640k \
		--randseed=42 --eta=never --output=/dev/null
	echo 0 > $T/events/block/block_rq_insert/enable
	echo 0 > $T/events/block/block_rq_issue/enable
	for ev in insert issue; do
		awk -v d="$MAJMIN" -v e="block_rq_$ev:" '
			$0 ~ e && index($0, " " d " ") {
				for (i = 1; i < NF; i++) if ($(i + 1) == "+") { print $i; break }
			}' $T/trace > /tmp/$ev
	done
}
# moved: positions where the issue order differs from the insert order
moved() { paste /tmp/insert /tmp/issue | awk '$1 != $2 { n++ } END { print n + 0 }'; }

orders pvio-bypass
ins=$(wc -l < /tmp/insert); iss=$(wc -l < /tmp/issue); m=$(moved)
echo "# pvio-bypass: $ins inserted, $iss issued, $m out of order"
check "pvio-bypass: all 160 random writes passed through the scheduler" [ "$ins" -ge 160 ]
check "pvio-bypass: every inserted request issued once" [ "$ins" = "$iss" ]
check "pvio-bypass: issue order = insert order (FIFO)" [ "$m" = 0 ]

orders mq-deadline
ins=$(wc -l < /tmp/insert); iss=$(wc -l < /tmp/issue); m=$(moved)
echo "# mq-deadline: $ins inserted, $iss issued, $m out of order"
check "control: mq-deadline reorders the same load (requests did wait)" [ "$m" -gt 0 ]

echo none > /sys/block/$DEV/queue/scheduler
echo 0 > $D/power
rmdir $D
check "pvio_bypass unloads" rmmod pvio_bypass
