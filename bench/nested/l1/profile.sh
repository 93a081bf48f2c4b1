# SPDX-License-Identifier: GPL-2.0
# BENCH=profile's part of L1 (PROFILE=1): two histograms that every mark
# prints and clears, so each holds what happened since the mark before:
# every exit by L2's RIP, SVM exit code and exit_info1 (an IOIO's port is
# its top half), and every port access by port and direction (RHIST and
# PHIST lines); at the end L2's symbols (KSYM lines).
KP=/sys/kernel/tracing/events/kvm/kvm_pio
RX=hist:keys=guest_rip.hex,exit_reason,info1.hex:size=16384
PX=hist:keys=port.hex,rw:size=1024

profile_before() {
	echo $RX >> $KX/trigger && echo $PX > $KP/trigger || res error "profile histograms"
}

profile_snap() {
	awk -v n="$1" '/^\{ guest_rip:/ { gsub(/[{},]/, ""); l = l " " $2 ":" $4 ":" $6 ":" $8 }
		END { print "RHIST " n l }' $KX/hist > $S1
	awk -v n="$1" '/^\{ port:/ { gsub(/[{},]/, ""); l = l " " $2 ":" $4 ":" $6 }
		END { print "PHIST " n l }' $KP/hist > $S1
	echo $RX:clear >> $KX/trigger
	echo $PX:clear >> $KP/trigger
}

# L2's symbols (l2-bench.sh's ksyms wrote them to its virtio disk)
profile_after() {
	head -c "$(l2res ksyms.bytes)" /host/tmp/vd.img | sed 's/^/KSYM /' > $S1
}
