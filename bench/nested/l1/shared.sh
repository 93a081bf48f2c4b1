# SPDX-License-Identifier: GPL-2.0
# BENCH=shsched's part of L1 (bench/nested/shsched.sh): the one host device
# is a memory-backed null_blk under L1's mq-deadline.  L2's QEMU gets its
# first SHARED MiB (run.sh); before L2 starts, a neighbour guest (L2's
# kernel and initramfs, rig.parts=neighbour) gets the next SHARED MiB and
# loops random I/O on it for the whole run.  Every mark also records the
# device's stat and the neighbour VM's own exit count (NBSTAT lines), the
# end its nb_lat results.
shared_before() {
	modprobe null_blk nr_devices=1 queue_mode=2 memory_backed=1 gb=1 &&
		echo mq-deadline > /sys/block/nullb0/queue/scheduler || res error "null_blk"
	res shsched.host "nullb0 $(cat /sys/block/nullb0/queue/scheduler) region_mib=$SHARED"
}

# shared_l2: the neighbour booted to its I/O loop before L2 starts (up to
# 300 s)
shared_l2() {
	local i
	# nobody snapshots it: its marks (l2-init.sh) must not wait for an answer
	chroot /host qemu-system-x86_64 -enable-kvm -cpu host -m 256 -nographic -no-reboot -net none \
		-drive "file=/dev/nullb0,file.locking=off,format=raw,offset=$((SHARED << 20)),size=$((SHARED << 20)),if=virtio,cache=none" \
		-kernel "$L2_KERNEL" -initrd "/tmp/${L2_INITRD##*/}" \
		-append "console=ttyS0 quiet panic=-1 rig.parts=neighbour rig.marks=off" < /dev/null > /tmp/neighbour.log 2>&1 &
	NPID=$!
	# its console into L1's (l1-console.log), to see where it stands
	tail -f /tmp/neighbour.log | sed 's/^/PVIO-L1: neighbour| /' &
	res shsched.neighbour_pid $NPID
	i=0
	until grep -q 'PVIO-L2-RESULT neighbour.start' /tmp/neighbour.log; do
		if [ $i -ge 300 ] || ! kill -0 $NPID 2>/dev/null; then
			res error "neighbour guest did not start: $(tail -3 /tmp/neighbour.log | tr '\r\n' '  ')"
			return 1
		fi
		sleep 1
		i=$((i + 1))
	done
	res shsched.neighbour_boot_s $i
}

shared_snap() {
	echo "NBSTAT $1 $(cat /sys/block/nullb0/stat) $(cat $KVMDBG/"$NPID"-*/exits 2>/dev/null)" > $S1
}

shared_after() {
	res shsched.neighbour_alive "$(kill -0 "$NPID" 2>/dev/null && echo 1 || echo 0)"
	tr -d '\r' < /tmp/neighbour.log | sed -n 's/.*PVIO-L2-RESULT \(neighbour\.\)/RES \1/p' > $S1
	kill "$NPID" 2>/dev/null
}
