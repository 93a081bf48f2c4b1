#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of L1, the KVM host of the nested rig (tests/lib/rig.sh builds it
# for tests/nested/run.sh and bench/nested/run.sh).  Loads the modules in
# /modules.list (the KVM under test first), sources the parts in /parts/
# (the callers' own: NAME.sh may define NAME_before, NAME_l2, NAME_snap
# and NAME_after), runs NAME_before for each, then with /l2.conf prepares an L2
# guest, runs NAME_l2 and the guest, then NAME_after,
# dumps the kernel log between markers and powers off.  Everything for L0
# goes to the second serial port ($S1): TAP lines, "RES key value" and
# "SNAP name counter=value..." lines.
#
# L2 is the host's QEMU in a chroot of L0's root (read-only 9p), on L1's
# KVM.  Its console is copied to L1's console with an "L2| " prefix, and
# l2_console serves the console protocol of tests/nested/l2-init.sh:
# marks (a SNAP line, then the answer on L2's stdin), RESULT lines (RES
# and /tmp/l2res/KEY), CHECK lines (/tmp/l2res/checks), NOTE lines (TAP
# comments).

. /lib/guest.sh
guest_boot
mount -t tracefs none /sys/kernel/tracing 2>/dev/null

S1=/dev/ttyS1
KVMDBG=/sys/kernel/debug/kvm
L2_RES=/tmp/l2res
CR=$(printf '\r')
mkdir -p $L2_RES

say() { echo "PVIO-L1: $*"; }
tap() { echo "$*" > $S1; }
res() { echo "RES $*" > $S1; }

finish() {
	res l1_done "$1"
	say "kernel log follows"
	echo "PVIO-L1-DMESG-BEGIN"
	dmesg
	echo "PVIO-L1-DMESG-END"
	echo "PVIO-L1-DONE $1"
	sync
	poweroff -f
}
# fail_l1 WHAT: L1 could not WHAT; one failed result, and the end
fail_l1() {
	say "failed: $1"
	tap "not ok 1 - L1: $1"
	tap "1..1"
	res error "$1"
	finish fail
}

# snap NAME: L1's KVM totals (a sum over the live VMs: the L2 VM), and the
# userspace-exit histogram (total; per reason 2 IO, 6 MMIO) when a part
# turned it on, as a SNAP line; the exit and MSR histograms when on
UX=/sys/kernel/tracing/events/kvm/kvm_userspace_exit
KX=/sys/kernel/tracing/events/kvm/kvm_exit
KM=/sys/kernel/tracing/events/kvm/kvm_msr
# kvm_counters: "counter=value" for L1's KVM totals
kvm_counters() {
	for f in $KVMDBG/exits $KVMDBG/io_exits $KVMDBG/mmio_exits $KVMDBG/hypercalls \
		 $KVMDBG/halt_exits $KVMDBG/irq_exits "$KVMDBG"/pvio*; do
		[ -f "$f" ] && printf ' %s=%s' "${f##*/}" "$(cat "$f")"
	done
}
# l2_cpu: " l2cpu_ns=N", the CPU time L2's QEMU has used so far, summed
# over its threads (KVM runs in the vCPU threads, so its time is in there)
l2_cpu() {
	pid=$(pidof qemu-system-x86_64) || return 0
	cat /proc/"${pid%% *}"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { if (NR) printf " l2cpu_ns=%.0f", s }'
}
snap() {
	line="SNAP $1 t=$(cut -d' ' -f1 /proc/uptime)$(kvm_counters)$(l2_cpu)"
	grep -q hist $UX/trigger 2>/dev/null && line="$line $(awk '
		/^\{ reason:/ { r = $3; h = $6; gsub(/[^0-9]/, "", r); u[r] = h }
		/Hits:/ { t = $2 }
		END { printf "uexit=%d uexit_io=%d uexit_mmio=%d", t, u[2], u[6] }' $UX/hist)"
	echo "$line" | tee -a $L2_RES/snaps > $S1
	grep -q hist $KX/trigger 2>/dev/null && awk -v n="$1" '
		/^\{ exit_reason:/ { r = $3; gsub(/[^0-9]/, "", r); l = l " " r ":" $6 }
		END { print "XHIST " n l }' $KX/hist > $S1
	grep -q hist $KM/trigger 2>/dev/null && awk -v n="$1" '
		/^\{ ecx:/ { m = $3; w = $5; gsub(/[^0-9]/, "", m); gsub(/[^0-9]/, "", w); l = l " " m ":" w ":" $8 }
		END { print "MHIST " n l }' $KM/hist > $S1
	# the parts' own records at the same mark
	parts snap "$1"
}

# delta A B COUNTER: COUNTER's growth between snapshots A and B
delta() {
	awk -v a="$1" -v b="$2" -v k="$3=" '
		$2 == a || $2 == b { for (i = 3; i <= NF; i++) if (index($i, k) == 1) v[$2] = substr($i, length(k) + 1) }
		END { print v[b] - v[a] }' $L2_RES/snaps
}
l2res() { cat $L2_RES/"$1" 2>/dev/null; }

l2_console() {
	while IFS= read -r line; do
		line=${line%"$CR"}
		echo "L2| $line"
		case $line in
		*PVIO-L2-MARK\ *)
			snap "${line#*PVIO-L2-MARK }"
			echo go >&3
			;;
		*PVIO-L2-RESULT\ *)
			line=${line#*PVIO-L2-RESULT }
			echo "${line#* }" > "$L2_RES/${line%% *}"
			res "$line"
			;;
		*PVIO-L2-CHECK\ *)
			echo "${line#*PVIO-L2-CHECK }" >> $L2_RES/checks
			;;
		*PVIO-L2-NOTE\ *)
			tap "# ${line#*PVIO-L2-NOTE }"
			;;
		esac
	done
}

# l2_watch SECS: if L2 still runs after SECS, print what its vCPU and its
# interrupt controllers hold (L2's QEMU monitor) before the kill: a hung L2
# shows where it waits, a lost interrupt shows as an IRR bit nobody serves
l2_watch() {
	sleep "$1"
	{ printf 'info registers\ninfo pic\ninfo lapic\n'; sleep 5; } |
		nc 127.0.0.1 4444 2>&1 | tr -d '\r' | grep -v '^(qemu)' |
		sed 's/^/PVIO-L1: L2 monitor: /'
}

# l2_host: L0's root at /host for L2's QEMU, with /host/tmp a tmpfs that
# holds the L0 files of L2_COPY (the tree may live under L0's /tmp, which
# that tmpfs hides, so they are taken along) and L2's disks (L2_DISKS,
# NAME:MIB each), and QEMU's stdin a FIFO held open on fd 3
l2_host() {
	mkdir -p /host /tmp/l0
	mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host || return 1
	mount -t tmpfs tmp /host/run
	for f in $L2_COPY; do cp -p "/host$f" /tmp/l0/ || return 1; done
	mount -t tmpfs -o size=1200m tmp /host/tmp
	cp -p /tmp/l0/* /host/tmp/ 2>/dev/null
	for d in $L2_DISKS; do
		dd if=/dev/zero of="/host/tmp/${d%:*}" bs=1M count=0 seek="${d#*:}" 2>/dev/null
	done
	mount -t devtmpfs dev /host/dev
	mount -t proc proc /host/proc
	mount -t sysfs sys /host/sys
	mkfifo /tmp/l2in
	exec 3<>/tmp/l2in
	# slirp's guestfwd commands talk to QEMU over loopback sockets
	ip link set lo up
}

# l2_run: boot L2 (L2_MEM MiB, L2_QEMU, L2_APPEND) within L2_TIMEOUT, cut
# short so that L1 still reports within its own budget; sets L2_SECS
l2_run() {
	left=$(( ${PVIO_L1_BUDGET:-1500} - $(cut -d. -f1 /proc/uptime) - 90 ))
	[ "$left" -lt "$L2_TIMEOUT" ] && L2_TIMEOUT=$left
	say "starting L2: $L2_KERNEL, ${L2_TIMEOUT}s at most"
	t0=$(date +%s)
	l2_watch $((L2_TIMEOUT - 20)) &
	watch=$!
	# L2_VMM: another QEMU for L2 (PVIO_L2_VMM in run.sh), e.g. make qemu's
	# shellcheck disable=SC2086 # L2_QEMU and L2_VMM are lists of arguments
	{ timeout -s KILL "$L2_TIMEOUT" chroot /host ${L2_VMM:-qemu-system-x86_64 -enable-kvm} \
		-cpu host -m "$L2_MEM" -nographic -no-reboot \
		-monitor tcp:127.0.0.1:4444,server=on,wait=off $L2_QEMU \
		-kernel "$L2_KERNEL" -initrd "/tmp/${L2_INITRD##*/}" \
		-append "console=ttyS0 panic=-1 $L2_APPEND" <&3 2>&1
	  echo $? > $L2_RES/qemu_rc; } | l2_console
	L2_SECS=$(($(date +%s) - t0))
	kill $watch 2>/dev/null
	exec 3>&-
	res l2_seconds $L2_SECS
}

say "L1 up, kernel $(uname -r), KVM modules from $(cat /modules.origin)"
for m in $(cat /modules.list); do
	modprobe "$m" || fail_l1 "loads $m"
done
[ -c /dev/kvm ] || fail_l1 "has /dev/kvm"
res kvm_modules "$(cat /modules.origin)"
res l1_kernel "$(uname -r)"
dmesg | grep -i -E "kvm|svm|nested" | sed 's/^/PVIO-L1: dmesg: /'

[ -f /l2.conf ] && . /l2.conf
PARTS=
for f in /parts/*.sh; do
	[ -f "$f" ] || continue
	. "$f"
	p=${f##*/}
	PARTS="$PARTS ${p%.sh}"
done
# parts PHASE: each part's PHASE function, if it has one (the names are
# the hooks' to clobber: this shell scopes locals dynamically)
parts() {
	local _phase=$1 _part
	shift
	for _part in $PARTS; do
		command -v "${_part}_$_phase" > /dev/null && "${_part}_$_phase" "$@"
	done
}
parts before
if [ -f /l2.conf ]; then
	l2_host || fail_l1 "mounts L0's root over 9p for L2"
	parts l2
	l2_run
fi
parts after
finish ok
