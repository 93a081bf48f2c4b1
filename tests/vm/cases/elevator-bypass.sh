#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvio-bypass on null_blk (memory backed, timer completions so requests are
# in flight): autoload by name, data integrity through it, 100 scheduler
# switches under load, refusal to unload while a queue uses it, unload after.
# pvio-vm: modules="pvio_bypass" kmods="null_blk" bins="openssl"
# pvio-vm: timeout=600 mem=512
. /lib/guest.sh

Q=/sys/block/nullb0/queue/scheduler
SCHEDS="pvio-bypass mq-deadline none"

active() { sed -n 's/.*\[\(.*\)\].*/\1/p' $Q; }
loaded() { grep -q '^pvio_bypass ' /proc/modules; }

# the kernel's request_module() runs /sbin/modprobe by default
echo /bin/modprobe > /proc/sys/kernel/modprobe
check "null_blk loads" modprobe null_blk queue_mode=2 memory_backed=1 gb=1 \
	irqmode=2 completion_nsec=20000
echo "# schedulers: $(cat $Q)"
check "pvio-bypass not offered before its module is loaded" \
	sh -c "! grep -q pvio-bypass $Q"
check "writing the name autoloads pvio_bypass (pvio-bypass-iosched alias)" \
	sh -c "echo pvio-bypass > $Q"
check "module loaded by the kernel" loaded
check "nullb0 uses pvio-bypass" [ "$(active)" = pvio-bypass ]

P=$(pat_sum 7 32)
P8=$(head -c 8388608 /tmp/pat | sum_of)
dd if=/tmp/pat of=/dev/nullb0 bs=64k oflag=direct 2>/dev/null
check "O_DIRECT 32 MiB through pvio-bypass reads back identical" \
	[ "$(dd_sum if=/dev/nullb0 bs=64k count=512 iflag=direct)" = "$P" ]
dd if=/tmp/pat of=/dev/nullb0 bs=1M seek=64 conv=fsync 2>/dev/null
echo 3 > /proc/sys/vm/drop_caches
check "buffered 32 MiB through pvio-bypass reads back identical" \
	[ "$(dd_sum if=/dev/nullb0 bs=1M skip=64 count=32)" = "$P" ]

check "rmmod refused while nullb0 uses it" sh -c '! rmmod pvio_bypass 2>/dev/null'
check "still loaded after the refused rmmod" loaded

# Load: two O_DIRECT writers on their own regions, one reader, one buffered
# writer, until /tmp/stop appears.  Writers rewrite the same pattern so the
# regions can be checked afterwards.
rm -f /tmp/stop /tmp/err
load() { # load DD-ARGS...
	while [ ! -e /tmp/stop ]; do
		dd "$@" 2>/dev/null || { echo "dd $*" >> /tmp/err; break; }
	done
}
load if=/tmp/pat of=/dev/nullb0 bs=4k count=2048 seek=32768 oflag=direct &
load if=/tmp/pat of=/dev/nullb0 bs=64k count=128 seek=3072 oflag=direct &
load if=/dev/nullb0 of=/dev/null bs=16k count=1024 iflag=direct &
load if=/tmp/pat of=/dev/nullb0 bs=1M count=8 seek=512 &
sleep 1
ios() { awk '{ print $1 + $5 }' /sys/block/nullb0/stat; }	# reads + writes done
io0=$(ios)
bad=0 i=0 s=
while [ $i -lt 100 ]; do
	for s in $SCHEDS; do
		[ $i -lt 100 ] || break
		if ! echo $s > $Q || [ "$(active)" != "$s" ]; then
			bad=$((bad + 1))
			echo "# switch $i to $s failed: $(cat $Q)"
		fi
		i=$((i + 1))
	done
done
io1=$(ios)
touch /tmp/stop
wait
echo "# $((io1 - io0)) requests completed while switching"
check "I/O was running during the switches" [ $((io1 - io0)) -gt 100 ]
check "100 scheduler switches under load all took effect" [ $bad -eq 0 -a $i -eq 100 ]
check "no I/O error during the switches" [ ! -e /tmp/err ]
check "O_DIRECT 4k-writer region intact" \
	[ "$(dd_sum if=/dev/nullb0 bs=4k skip=32768 count=2048 iflag=direct)" = "$P8" ]
check "O_DIRECT 64k-writer region intact" \
	[ "$(dd_sum if=/dev/nullb0 bs=64k skip=3072 count=128 iflag=direct)" = "$P8" ]
echo 3 > /proc/sys/vm/drop_caches
check "buffered-writer region intact" [ "$(dd_sum if=/dev/nullb0 bs=1M skip=512 count=8)" = "$P8" ]

echo pvio-bypass > $Q
check "pvio-bypass selected again after the switching" grep -q '\[pvio-bypass\]' $Q
check "rmmod refused while selected (after the switching)" \
	sh -c '! rmmod pvio_bypass 2>/dev/null'
check "still loaded after that refused rmmod" loaded
echo none > $Q
check "pvio_bypass unloads once no queue uses it" rmmod pvio_bypass
check "pvio-bypass gone from the list" sh -c "! grep -q pvio-bypass $Q"
check "an unknown scheduler name is refused" sh -c "! echo pvio-nonesuch > $Q 2>/dev/null"
check "selecting it again autoloads it again" sh -c "echo pvio-bypass > $Q && grep -q '\[pvio-bypass\]' $Q"
echo none > $Q
rmmod pvio_bypass
check "null_blk unloads" rmmod null_blk
rm -f /tmp/pat
