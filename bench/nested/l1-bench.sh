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
# (L2 programs its PIT then).  With L1_BONNIE=before or after (BENCH=bonnie),
# the native side of the paper's Fig. 1/2: bonnie++ in L1 itself before L2
# boots or after it ends, as l2-bench.sh's run_bonnie runs it, in a window
# native.bonnie; every mark then also records L1's /proc/stat cpu line.
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
	[ "$PROFILE" = 1 ] || return 0
	echo $RX >> $KX/trigger && echo $PX > $KP/trigger || res error "profile histograms"
}

bench_snap() {
	[ -n "$L1_BONNIE" ] && res "l1stat.$1" "$(head -1 /proc/stat)"
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
	[ "$L1_BONNIE" = after ] && l1_bonnie
	[ "$PROFILE" = 1 ] || return 0
	head -c "$(l2res ksyms.bytes)" /host/tmp/vd.img | sed 's/^/KSYM /' > $S1
}

# l1_bonnie: the same storage as L2's disks (a file on the tmpfs in
# /host/tmp) through a loop device, fresh ext2, the host's bonnie++
l1_bonnie() {
	f=/host/tmp/native.img
	dd if=/dev/zero of=$f bs=1M count=0 seek="$DISK_MB" 2>/dev/null
	mkdir -p /host/tmp/bon
	if ! losetup /dev/loop0 $f || ! mke2fs /dev/loop0 > /dev/null 2>&1 ||
	   ! mount -t ext2 /dev/loop0 /host/tmp/bon; then
		res native.error "loop/mke2fs/mount"
		return
	fi
	snap native.bonnie.0
	PATH=/usr/sbin:/usr/bin chroot /host bonnie++ -d /tmp/bon -s "$BONNIE_MB" -r $((BONNIE_MB / 2)) -n 0 -f -D -q -u 0:0 \
		> /tmp/bonnie.csv 2> /tmp/bonnie.err < /dev/null
	rc=$?
	snap native.bonnie.1
	res native.bonnie.rc $rc
	res native.bonnie_csv "$(tail -1 /tmp/bonnie.csv)"
	umount /host/tmp/bon
	losetup -d /dev/loop0
	rm -f $f
}

bench_l2() {
	[ "$L1_BONNIE" = before ] && l1_bonnie
	[ "$NET" = 1 ] || return 0
	mkdir -p /tmp/www
	dd if=/dev/zero of=/tmp/www/bulk bs=1M count="$BULK_MB" 2>/dev/null
	httpd -p 127.0.0.1:8080 -h /tmp/www || res error "httpd"
	nb_rr server 5300 &
	chroot /host iperf3 -s -D -p 5201 || res error "iperf3 server"
}
