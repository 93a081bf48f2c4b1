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
# With PROFILE=lat (BENCH=latency), where L2's vCPU thread spends its time
# out of L2: synthetic events (tracefs) for the spans between the kvm
# events of one thread (keyed by common_pid), each with a reason and its
# length in ns, summed per reason (kvm_lat and qemu_lat also in log2
# buckets: every histogram costs each exit time here) and, like the RIP
# histograms, copied and cleared at every mark and printed at the end
# (LHIST lines: mark event reason:hits:ns or reason:2^k:hits):
#   kvm_lat   kvm_exit -> kvm_entry: an exit KVM handled (SVM exit code)
#   kvm_ulat  kvm_exit -> kvm_userspace_exit: KVM's part of an exit that
#             went on to the VMM (SVM exit code)
#   qemu_lat  kvm_userspace_exit -> its KVM_RUN ioctl: the VMM (QEMU) in
#             userspace (KVM_EXIT_* reason)
#   krun_lat  KVM_RUN ioctl -> kvm_entry, or the next kvm_userspace_exit of
#             a pvio batch: KVM again (the next exit's KVM_EXIT_* reason, 0
#             when it entered L2)
# With L1_BONNIE=before or after (BENCH=bonnie), the native side of the
# paper's Fig. 1/2: bonnie++ in L1 itself before L2 boots or after it ends,
# as l2-bench.sh's run_bonnie runs it, in a window native.bonnie; every
# mark then also records L1's /proc/stat cpu line.
. /bench.conf
KP=/sys/kernel/tracing/events/kvm/kvm_pio
RX=hist:keys=guest_rip.hex,exit_reason,info1.hex:size=16384
PX=hist:keys=port.hex,rw:size=1024
T=/sys/kernel/tracing
LAT_EVENTS="kvm_lat kvm_ulat qemu_lat krun_lat"
LAT_LOG2="kvm_lat qemu_lat"
LS=hist:keys=reason:vals=hitcount,lat:size=256
LL=hist:keys=reason,lat.log2:size=2048
KVM_RUN=44672	# _IO(0xae, 0x80)

lat_on() {
	local e d=$T/events/kvm
	for e in $LAT_EVENTS; do
		echo "$e unsigned int reason; u64 lat" >> $T/synthetic_events || return 1
	done
	echo 'hist:keys=common_pid:xts=common_timestamp,xr=exit_reason' >> $KX/trigger &&
	echo 'hist:keys=common_pid:kl=common_timestamp-$xts:onmatch(kvm.kvm_exit).kvm_lat($xr,$kl)' >> $d/kvm_entry/trigger &&
	echo 'hist:keys=common_pid:ul=common_timestamp-$xts:onmatch(kvm.kvm_exit).kvm_ulat($xr,$ul)' >> $UX/trigger &&
	echo 'hist:keys=common_pid:uts=common_timestamp,ur=reason' >> $UX/trigger &&
	echo "hist:keys=common_pid:ql=common_timestamp-\$uts:onmatch(kvm.kvm_userspace_exit).qemu_lat(\$ur,\$ql) if cmd == $KVM_RUN" >> $T/events/syscalls/sys_enter_ioctl/trigger &&
	echo "hist:keys=common_pid:rts=common_timestamp if cmd == $KVM_RUN" >> $T/events/syscalls/sys_enter_ioctl/trigger &&
	echo 'hist:keys=common_pid:rl=common_timestamp-$rts:onmatch(syscalls.sys_enter_ioctl).krun_lat(vcpu_id,$rl)' >> $d/kvm_entry/trigger &&
	echo 'hist:keys=common_pid:rm=common_timestamp-$rts:onmatch(syscalls.sys_enter_ioctl).krun_lat(reason,$rm)' >> $UX/trigger || return 1
	for e in $LAT_EVENTS; do
		echo $LS >> $T/events/synthetic/$e/trigger || return 1
	done
	for e in $LAT_LOG2; do
		echo $LL >> $T/events/synthetic/$e/trigger || return 1
	done
}

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
	[ "$PROFILE" = lat ] && ! lat_on && res error "latency histograms: $(tr '\n' ' ' < $T/error_log)"
	[ "$PROFILE" = 1 ] || return 0
	echo $RX >> $KX/trigger && echo $PX > $KP/trigger || res error "profile histograms"
}

# PROFILE=lat: a copy of each latency histogram, then its clear; they are
# printed at the end (bench_after), so that little runs between the clear and
# L2's wake-up (that time counts in the window, halted)
LHN=0
bench_snap() {
	[ -n "$SHARED" ] && echo "NBSTAT $1 $(cat /sys/block/nullb0/stat) $(cat $KVMDBG/"$NPID"-*/exits 2>/dev/null)" > $S1
	[ "$PROFILE" = lat ] && LHN=$((LHN + 1)) && for e in $LAT_EVENTS; do
		{ echo "$1 $e"; cat $T/events/synthetic/$e/hist; } > /tmp/lh.$LHN.$e
		echo $LS:clear >> $T/events/synthetic/$e/trigger
		case " $LAT_LOG2 " in *" $e "*) echo $LL:clear >> $T/events/synthetic/$e/trigger ;; esac
	done
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
	if [ -n "$SHARED" ]; then
		res shsched.neighbour_alive "$(kill -0 "$NPID" 2>/dev/null && echo 1 || echo 0)"
		tr -d '\r' < /tmp/neighbour.log | sed -n 's/.*PVIO-L2-RESULT \(neighbour\.\)/RES \1/p' > $S1
		kill "$NPID" 2>/dev/null
	fi
	[ "$PROFILE" = lat ] && for f in $(ls /tmp/lh.* | sort -t. -k2,2n); do
		awk 'NR == 1 { n = $0 } /^\{/ { gsub(/[{},~]/, ""); s = ""
			for (i = 1; i <= NF; i++) if ($i !~ /:$/) s = s (s == "" ? "" : ":") $i
			l = l " " s } END { print "LHIST " n l }' "$f" > $S1
	done
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
	[ -n "$SHARED" ] && neighbour
	[ "$L1_BONNIE" = before ] && l1_bonnie
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
