# SPDX-License-Identifier: GPL-2.0
# BENCH=latency's part of L1 (PROFILE=lat): where L2's vCPU thread spends
# its time out of L2.  Synthetic events (tracefs) for the spans between the
# kvm events of one thread (keyed by common_pid), each with a reason and
# its length in ns, summed per reason (kvm_lat and qemu_lat also in log2
# buckets: every histogram costs each exit time here); like the RIP
# histograms of profile.sh, copied and cleared at every mark and printed
# at the end (LHIST lines: mark event reason:hits:ns or reason:2^k:hits):
#   kvm_lat   kvm_exit -> kvm_entry: an exit KVM handled (SVM exit code)
#   kvm_ulat  kvm_exit -> kvm_userspace_exit: KVM's part of an exit that
#             went on to the VMM (SVM exit code)
#   qemu_lat  kvm_userspace_exit -> its KVM_RUN ioctl: the VMM (QEMU) in
#             userspace (KVM_EXIT_* reason)
#   krun_lat  KVM_RUN ioctl -> kvm_entry, or the next kvm_userspace_exit of
#             a pvio batch: KVM again (the next exit's KVM_EXIT_* reason, 0
#             when it entered L2)
T=/sys/kernel/tracing
LAT_EVENTS="kvm_lat kvm_ulat qemu_lat krun_lat"
LAT_LOG2="kvm_lat qemu_lat"
LS=hist:keys=reason:vals=hitcount,lat:size=256
LL=hist:keys=reason,lat.log2:size=2048
KVM_RUN=44672	# _IO(0xae, 0x80)

lat_before() {
	lat_on || res error "latency histograms: $(tr '\n' ' ' < $T/error_log)"
}

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

# a copy of each histogram, then its clear; they are printed at the end
# (lat_after), so that little runs between the clear and L2's wake-up
# (that time counts in the window, halted)
LHN=0
lat_snap() {
	local e
	LHN=$((LHN + 1))
	for e in $LAT_EVENTS; do
		{ echo "$1 $e"; cat $T/events/synthetic/$e/hist; } > /tmp/lh.$LHN.$e
		echo $LS:clear >> $T/events/synthetic/$e/trigger
		case " $LAT_LOG2 " in *" $e "*) echo $LL:clear >> $T/events/synthetic/$e/trigger ;; esac
	done
}

lat_after() {
	local f
	for f in $(ls /tmp/lh.* | sort -t. -k2,2n); do
		awk 'NR == 1 { n = $0 } /^\{/ { gsub(/[{},~]/, ""); s = ""
			for (i = 1; i <= NF; i++) if ($i !~ /:$/) s = s (s == "" ? "" : ":") $i
			l = l " " s } END { print "LHIST " n l }' "$f" > $S1
	done
}
