# SPDX-License-Identifier: GPL-2.0
# The nested benchmark's part of L1 (tests/nested/l1-init.sh sources it):
# turns on the histograms every snapshot then reads (userspace exits by
# reason, every exit by SVM exit code, MSR exits by MSR and direction) and,
# with NET=1 in /bench.conf, runs the peers L2 reaches at 10.0.2.2
# (slirp's alias for L1's loopback): busybox httpd on 8080 (a BULK_MB
# file of zeros), iperf3 -s on 5201 (the host's, through the 9p chroot)
# and nb_rr server on 5300.  With PROFILE=1 (BENCH=profile) it also keeps
# two histograms that every mark prints and clears (bench_snap), so each
# holds what happened since the mark before: every exit by L2's RIP, SVM
# exit code and exit_info1 (an IOIO's port is its top half), and every
# port access by port and direction (RHIST and PHIST lines); at the end it
# passes on L2's symbols (KSYM lines).
# With PIT_DIV set (BENCH=pit), kvm's pit_reload_divisor before L2 boots
# (L2 programs its PIT then).
# With SHARED=MIB (BENCH=shsched) the one host device: a memory-backed
# null_blk under L1's mq-deadline; L2's QEMU gets its first MIB (run.sh),
# and before L2 starts a neighbour guest (L2's kernel and initramfs,
# rig.parts=neighbour) gets the next MIB and loops random I/O on it for
# the whole run; every mark also records the device's stat and the
# neighbour VM's own exit count (NBSTAT lines), the end its nb_lat results.
. /bench.conf
KP=/sys/kernel/tracing/events/kvm/kvm_pio
RX=hist:keys=guest_rip.hex,exit_reason,info1.hex:size=16384
PX=hist:keys=port.hex,rw:size=1024

bench_before() {
	if echo 'hist:keys=reason' > $UX/trigger; then
		res uexit_hist on
	else
		res uexit_hist off
	fi
	echo 'hist:keys=exit_reason:size=256' > $KX/trigger 2>/dev/null
	echo 'hist:keys=ecx,write:size=256' > $KM/trigger 2>/dev/null
	if [ -n "$PIT_DIV" ]; then
		echo "$PIT_DIV" > /sys/module/kvm/parameters/pit_reload_divisor ||
			res error "pit_reload_divisor=$PIT_DIV"
		res pit_reload_divisor "$(cat /sys/module/kvm/parameters/pit_reload_divisor)"
	fi
	if [ -n "$SHARED" ]; then
		modprobe null_blk nr_devices=1 queue_mode=2 memory_backed=1 gb=1 &&
			echo mq-deadline > /sys/block/nullb0/queue/scheduler || res error "null_blk"
		res shsched.host "nullb0 $(cat /sys/block/nullb0/queue/scheduler) region_mib=$SHARED"
	fi
	[ "$PROFILE" = 1 ] || return 0
	echo $RX >> $KX/trigger && echo $PX > $KP/trigger || res error "profile histograms"
}

bench_snap() {
	[ -n "$SHARED" ] && echo "NBSTAT $1 $(cat /sys/block/nullb0/stat) $(cat $KVMDBG/"$NPID"-*/exits 2>/dev/null)" > $S1
	[ "$PROFILE" = 1 ] || return 0
	awk -v n="$1" '/^\{ guest_rip:/ { gsub(/[{},]/, ""); l = l " " $2 ":" $4 ":" $6 ":" $8 }
		END { print "RHIST " n l }' $KX/hist > $S1
	awk -v n="$1" '/^\{ port:/ { gsub(/[{},]/, ""); l = l " " $2 ":" $4 ":" $6 }
		END { print "PHIST " n l }' $KP/hist > $S1
	echo $RX:clear >> $KX/trigger
	echo $PX:clear >> $KP/trigger
}

# L2's symbols (l2-bench.sh's ksyms wrote them to its virtio disk) as KSYM lines
bench_after() {
	if [ -n "$SHARED" ]; then
		res shsched.neighbour_alive "$(kill -0 "$NPID" 2>/dev/null && echo 1 || echo 0)"
		tr -d '\r' < /tmp/neighbour.log | sed -n 's/.*PVIO-L2-RESULT \(neighbour\.\)/RES \1/p' > $S1
		kill "$NPID" 2>/dev/null
	fi
	[ "$PROFILE" = 1 ] || return 0
	head -c "$(l2res ksyms.bytes)" /host/tmp/vd.img | sed 's/^/KSYM /' > $S1
}

bench_l2() {
	[ -n "$SHARED" ] && neighbour
	[ "$NET" = 1 ] || return 0
	mkdir -p /tmp/www
	dd if=/dev/zero of=/tmp/www/bulk bs=1M count="$BULK_MB" 2>/dev/null
	httpd -p 127.0.0.1:8080 -h /tmp/www || res error "httpd"
	nb_rr server 5300 &
	chroot /host iperf3 -s -D -p 5201 || res error "iperf3 server"
}

# neighbour: the second guest on the shared device, booted to its I/O loop
# before L2 starts (up to 300 s)
neighbour() {
	# its marks (l2-init.sh) wait for a line on its console: yes answers them
	yes go | chroot /host qemu-system-x86_64 -enable-kvm -cpu host -m 256 -nographic -no-reboot -net none \
		-drive "file=/dev/nullb0,file.locking=off,format=raw,offset=$((SHARED << 20)),size=$((SHARED << 20)),if=virtio,cache=none" \
		-kernel "$L2_KERNEL" -initrd "/tmp/${L2_INITRD##*/}" \
		-append "console=ttyS0 quiet panic=-1 rig.parts=neighbour" > /tmp/neighbour.log 2>&1 &
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
