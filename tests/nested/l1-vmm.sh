# SPDX-License-Identifier: GPL-2.0
# A part of L1's init (tests/nested/l1-init.sh) for the nested tier: the
# test VMM's cases on L1's KVM (TAP straight to L0), then, after L2 ran,
# L2's results (tests/nested/l2-tests.sh) as TAP.

vmm_before() {
	if [ "${PVIO_VMM_CASES:-1}" = 0 ]; then
		tap "# the test VMM's cases: not run here (PVIO_NESTED_VMM=0)"
		vmm_probe
		return
	fi
	# KVM's global debugfs counters sum over the VMs that exist at the
	# time, so they read 0 between cases; each case prints its own VM's
	tap "# L1 KVM counters before (live VMs only):$(kvm_counters)"
	export PVIO_CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120}
	vmm_run "reference path: the positive cases with plain guest IN/OUT/MOV" -n
	nrc=$?
	vmm_run "hypercall path"
	rc=$?
	vmm_run "mode 2: the positive cases again, userspace ops as KVM_EXIT_PVIO runs" -2
	m2rc=$?
	tap "# L1 KVM counters after (live VMs only):$(kvm_counters)"
	tap "# pvio-vmm exit status: reference $nrc, hypercall $rc, mode 2 $m2rc"
	say "pvio-vmm exit status: reference $nrc, hypercall $rc, mode 2 $m2rc"
	vmm_probe
}

# vmm_run WHAT ARGS...: the VMM's cases (pvio-vmm ARGS), TAP to L0
vmm_run() { tap "# $1"; shift; /bin/pvio-vmm "$@" > $S1 2>&1; }

# vmm_probe: whether L1's KVM has the pvio handler, in $handler
vmm_probe() {
	/bin/pvio-vmm -p > /dev/null 2>&1
	case $? in
	0) handler=present ;;
	77) handler=none ;;
	*) handler=unknown ;;
	esac
}

# TAP lines of the L2 phase, counted for its plan line
l2n=0
l2tap() {
	l2n=$((l2n + 1))
	tap "$*"
}
# l2ok COND NAME [SKIP-REASON]: one L2 result; COND is a command
l2ok() {
	if [ -n "${3:-}" ]; then
		l2tap "ok 0 - L2: $2 # SKIP $3"
	elif eval "$1"; then
		l2tap "ok 0 - L2: $2"
	else
		l2tap "not ok 0 - L2: $2"
	fi
}

# the selftest window less an empty one (one mark's cost) against what
# pvio counted in L2
l2_counter_checks() {
	name="L1's hypercalls counter covers the selftest's hypercalls"
	if ! grep -q '^SNAP selftest.1 ' $L2_RES/snaps; then
		l2tap "not ok 0 - L2: console handshake snapshots taken"
		return
	fi
	for k in hypercalls io_exits exits; do
		eval "e_$k=$(delta empty.0 empty.1 $k) s_$k=$(delta selftest.0 selftest.1 $k)"
	done
	tap "# L1 KVM counters, empty window: hypercalls $e_hypercalls io_exits $e_io_exits exits $e_exits"
	tap "# L1 KVM counters, selftest window: hypercalls $s_hypercalls io_exits $s_io_exits exits $s_exits"
	net=$((s_hypercalls - e_hypercalls))
	tap "# selftest net of one mark: hypercalls $net io_exits $((s_io_exits - e_io_exits)) exits $((s_exits - e_exits)); L2 pvio counted $(l2res guest_hypercalls) hypercalls"
	for f in $(grep '^SNAP selftest.1 ' $L2_RES/snaps | tr ' ' '\n' | sed -n 's/^\(pvio[a-z_]*\)=.*/\1/p'); do
		tap "# L1 KVM $f: selftest window $(delta selftest.0 selftest.1 "$f")"
	done
	if [ "$tr" != hypercall ]; then
		l2ok true "$name" "transport is '$tr'"
	elif [ $net -gt 0 ] && [ $net -ge "$(l2res guest_hypercalls)" ]; then
		l2ok true "$name"
	else
		l2ok false "$name # L1 +$net, L2 pvio +$(l2res guest_hypercalls)"
	fi
}

# the 2048 4 KiB writes of pata_irqless, seen from L1: per command, and in
# mode 2 (L2's QEMU asked for pvio-batch=on) every exit to userspace a
# batch caused is one KVM_EXIT_PVIO
per_4k() { awk -v d="$(delta pata4k.0 pata4k.1 "$1")" 'BEGIN { printf "%.2f", d / 2048 }'; }
l2_mode2_checks() {
	grep -q '^SNAP pata4k.1 ' $L2_RES/snaps || return 0
	tap "# L1, per 4 KiB pata_pvio write: exits $(per_4k exits), hypercalls $(per_4k hypercalls), batch exits to userspace $(per_4k pvio_user_exits), of them KVM_EXIT_PVIO $(per_4k pvio_batch_exits)"
	case "${L2_VMM:-}" in
	*pvio-batch=on*)
		be=$(delta pata4k.0 pata4k.1 pvio_batch_exits)
		ue=$(delta pata4k.0 pata4k.1 pvio_user_exits)
		l2ok '[ "$be" -gt 0 ] && [ "$be" -eq "$ue" ]' \
			"mode 2: pata_pvio's batches reach QEMU as KVM_EXIT_PVIO only ($be of $ue exits)"
		;;
	esac
}

vmm_after() {
	[ -f /l2.conf ] || return 0
	tr=$(l2res transport)
	if [ -z "$(l2res booted)" ]; then
		l2ok false "Debian kernel boots on L1's KVM (host QEMU over 9p)"
		l2ok false "ran to the end # qemu status $(l2res qemu_rc) after ${L2_SECS}s"
		tap "1..$l2n"
		return
	fi
	l2ok true "Debian $(l2res booted) boots on L1's KVM (host QEMU over 9p)"
	l2ok '[ "$(l2res pvio_load)" = 0 ]' "pvio.ko loads with transport=auto"
	tap "# L2 pvio: transport '$tr', host_abi '$(l2res host_abi)'; L1 probe: $handler"
	if [ "$tr" != hypercall ] && [ "$handler" = none ]; then
		l2ok true "debugfs transport says hypercall" "no pvio handler in L1's KVM (transport is '$tr')"
	else
		l2ok '[ "$tr" = hypercall ]' "debugfs transport says hypercall"
	fi
	l2ok '[ "$(l2res selftest_rc)" = 0 ]' "pvio_selftest passes (transport $tr)"
	l2_counter_checks
	l2_mode2_checks
	# the disk and network parts' checks, as L2 reported them
	while read -r line; do
		case $line in
		ok*) l2tap "ok 0 - L2: ${line#* - }" ;;
		*) l2tap "not ok 0 - L2: ${line#* - }" ;;
		esac
	done < $L2_RES/checks
	[ "$(l2res pata)" = done ] || l2ok false "the pata_pvio disk part ran to the end # $(l2res pata)"
	[ "$(l2res e1000)" = done ] || l2ok false "the e1000_pvio network part ran to the end # $(l2res e1000)"
	l2ok '[ -n "$(l2res l2_done)" ]' "ran to the end and powered off (${L2_SECS}s, qemu status $(l2res qemu_rc))"
	tap "1..$l2n"
}
