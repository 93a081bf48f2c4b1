#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the L1 guest of the pvio nested tier (tests/nested/run.sh).
# Loads the modules listed in /modules.list (modprobe) (patched or stock, the
# runner decides), runs the test VMM against L1's /dev/kvm with its TAP
# output on the second serial port (ttyS1), prints L1's KVM counters around
# it, dumps the kernel log between markers for the runner's splat check,
# and powers off.  Console lines for the runner start with "PVIO-NESTED".
#
# With /l2.conf (tier 5b) it then mounts the L0 root read-only over 9p and
# runs an L2 Debian guest with the host's QEMU in a chroot, on L1's KVM;
# see l2-init.sh for the L2 side.  L2's console is copied to L1's console
# with an "L2| " prefix; L2 results become TAP lines on ttyS1.

/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs none /sys/kernel/debug
mount -t tmpfs tmp /tmp

TAP=/dev/ttyS1
KVMDBG=/sys/kernel/debug/kvm

say() { echo "PVIO-NESTED: $*"; }
tap() { echo "$*" > $TAP; }

finish() {
	say "kernel log follows"
	echo "PVIO-NESTED-DMESG-BEGIN"
	dmesg
	echo "PVIO-NESTED-DMESG-END"
	echo "PVIO-NESTED-DONE $1"
	sync
	poweroff -f
}

counters() {
	out=""
	for f in exits io_exits mmio_exits hypercalls halt_exits $KVMDBG/pvio*; do
		f=${f##*/}
		[ -f "$KVMDBG/$f" ] && out="$out $f=$(cat "$KVMDBG/$f")"
	done
	echo "$out"
}

say "L1 up, kernel $(uname -r), modules from $(cat /modules.origin)"
for m in $(cat /modules.list); do
	if ! modprobe "$m"; then
		say "modprobe $m failed"
		tap "not ok 1 - L1 loads $m"
		finish fail
	fi
done
if [ ! -c /dev/kvm ]; then
	say "no /dev/kvm after loading the modules"
	tap "not ok 1 - L1 has /dev/kvm"
	finish fail
fi
dmesg | grep -i -E "kvm|svm|nested" | sed 's/^/PVIO-NESTED: dmesg: /'
. /lib/guest.sh
# the patched KVM's parameters, counters and PIT scaling (l1-smoke.sh)
S1=$TAP
if [ -f /l1-smoke.sh ]; then
	. /l1-smoke.sh
	smoke_before
fi

# KVM's global debugfs counters sum over the VMs that exist at the time,
# so they read 0 between cases; each case prints its own VM's counters.
tap "# L1 KVM counters before (live VMs only): $(counters)"
tap "# reference path: the positive cases with plain guest IN/OUT/MOV"
PVIO_CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120} /bin/pvio-vmm -n > $TAP 2>&1
nrc=$?
tap "# hypercall path"
PVIO_CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120} /bin/pvio-vmm > $TAP 2>&1
rc=$?
tap "# L1 KVM counters after (live VMs only): $(counters)"
tap "# pvio-vmm exit status: reference $nrc, hypercall $rc"
say "pvio-vmm exit status: reference $nrc, hypercall $rc"

# ---- 5b: an L2 Linux guest with pvio.ko --------------------------------
CR=$(printf '\r')
L2_RES=/tmp/l2res

l2res() { cat $L2_RES/$1 2>/dev/null; }

# snap NAME: L1's KVM totals (the L2 VM is alive, so they are meaningful)
snap() {
	for f in exits io_exits mmio_exits hypercalls $KVMDBG/pvio*; do
		f=${f##*/}
		[ -f "$KVMDBG/$f" ] && echo "$f $(cat "$KVMDBG/$f")"
	done > "$L2_RES/snap.$1"
}

# delta A B COUNTER: counter growth between snapshots A and B
delta() {
	a=$(awk -v k=$3 '$1 == k { print $2 }' $L2_RES/snap.$1)
	b=$(awk -v k=$3 '$1 == k { print $2 }' $L2_RES/snap.$2)
	echo $(( ${b:-0} - ${a:-0} ))
}

l2_console() {
	while IFS= read -r line; do
		line=${line%"$CR"}
		echo "L2| $line"
		case $line in
		*PVIO-L2-MARK\ *)
			snap ${line#*PVIO-L2-MARK }
			echo go >&3
			;;
		*PVIO-L2-RESULT\ *)
			set -- ${line#*PVIO-L2-RESULT }
			k=$1
			shift
			echo "$*" > $L2_RES/$k
			;;
		*PVIO-L2-CHECK\ *)
			echo "${line#*PVIO-L2-CHECK }" >> $L2_RES/checks
			;;
		*PVIO-L2-KTAP\ *)
			tap "# L2 selftest: ${line#*PVIO-L2-KTAP }"
			;;
		*PVIO-L2-STATS\ *)
			tap "# L2 pvio stats: ${line#*PVIO-L2-STATS }"
			;;
		esac
	done
}

# l2_watch SECS: if L2 still runs after SECS, print what its vCPU and its
# interrupt controllers hold (L2's QEMU monitor) before the kill: a hung L2
# shows where it waits, a lost interrupt shows as an IRR bit nobody serves
l2_watch() {
	sleep $1
	{ printf 'info registers\ninfo pic\ninfo lapic\n'; sleep 5; } |
		nc 127.0.0.1 4444 2>&1 | tr -d '\r' | grep -v '^(qemu)' |
		sed 's/^/PVIO-NESTED: L2 monitor: /'
}

# TAP lines of the L2 phase, counted for its plan line
l2n=0
l2tap() {
	l2n=$((l2n + 1))
	tap "$*"
}

l2_phase() {
	. /l2.conf
	mkdir -p $L2_RES /host
	: > $L2_RES/checks
	if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host; then
		l2tap "not ok 0 - L2: L1 mounts L0's root over 9p"
		tap "1..$l2n"
		return
	fi
	mount -t tmpfs tmp /host/run
	# the tree may live under L0's /tmp, which the tmpfs below hides:
	# take the L2 initramfs along into that tmpfs
	cp "/host$L2_INITRD" /tmp/l2-initramfs.gz
	cp "/host$L2_PEER" /tmp/e1000-peer.sh
	mount -t tmpfs tmp /host/tmp
	cp /tmp/l2-initramfs.gz /host/tmp/l2-initramfs.gz
	cp /tmp/e1000-peer.sh /host/tmp/e1000-peer.sh
	chmod 755 /host/tmp/e1000-peer.sh
	L2_INITRD=/tmp/l2-initramfs.gz
	mount -t devtmpfs dev /host/dev
	mount -t proc proc /host/proc
	mount -t sysfs sys /host/sys
	mkfifo /tmp/l2in
	exec 3<>/tmp/l2in
	# slirp's guestfwd command talks to QEMU over a loopback socket pair
	ip link set lo up
	# L2's IDE disk, on L1's tmpfs; every read of its sector 150000 fails
	dd if=/dev/zero of=/host/tmp/ide.img bs=1M count=0 seek=80 2>/dev/null

	# L2 ends early enough for L1 to report and dump its log within the
	# runner's budget for the whole L1 run
	left=$(( ${PVIO_L1_BUDGET:-1500} - $(cut -d. -f1 /proc/uptime) - 90 ))
	[ "$left" -lt "$L2_TIMEOUT" ] && L2_TIMEOUT=$left
	say "starting L2: $L2_KERNEL, $L2_INITRD, ${L2_TIMEOUT}s at most"
	t0=$(date +%s)
	l2_watch $((L2_TIMEOUT - 20)) &
	watch=$!
	{ timeout -s KILL $L2_TIMEOUT chroot /host qemu-system-x86_64 -enable-kvm \
		-cpu host -m 384 -nographic -no-reboot \
		-monitor tcp:127.0.0.1:4444,server=on,wait=off \
		-drive if=ide,format=raw,cache=unsafe,file.driver=blkdebug,file.image.filename=/tmp/ide.img,file.inject-error.0.event=read_aio,file.inject-error.0.sector=150000,file.inject-error.0.errno=5 \
		-netdev user,id=n0,guestfwd=tcp:10.0.2.100:5000-cmd:/tmp/e1000-peer.sh \
		-device e1000,netdev=n0 \
		-kernel $L2_KERNEL -initrd $L2_INITRD \
		-append "console=ttyS0 loglevel=5 panic=-1" <&3 2>&1
	  echo $? > $L2_RES/qemu_rc; } | l2_console
	t1=$(date +%s)
	kill $watch 2>/dev/null
	exec 3>&-

	tr=$(l2res transport)
	if [ -n "$(l2res booted)" ]; then
		l2tap "ok 0 - L2: Debian $(l2res booted) boots on L1's KVM (host QEMU over 9p)"
	else
		l2tap "not ok 0 - L2: Debian kernel boots on L1's KVM (host QEMU over 9p)"
		l2tap "not ok 0 - L2: ran to the end # qemu status $(cat $L2_RES/qemu_rc 2>/dev/null) after $((t1 - t0))s"
		tap "1..$l2n"
		return
	fi
	if [ "$(l2res pvio_load)" = 0 ]; then
		l2tap "ok 0 - L2: pvio.ko loads with transport=auto"
	else
		l2tap "not ok 0 - L2: pvio.ko loads with transport=auto # insmod status $(l2res pvio_load)"
	fi
	tap "# L2 pvio: transport '$tr', host_abi '$(l2res host_abi)'; L1 probe: $handler"
	if [ "$tr" = hypercall ]; then
		l2tap "ok 0 - L2: debugfs transport says hypercall"
	elif [ "$handler" = none ]; then
		l2tap "ok 0 - L2: debugfs transport says hypercall # SKIP no pvio handler in L1's KVM (transport is '$tr')"
	else
		l2tap "not ok 0 - L2: debugfs transport says hypercall # got '$tr' although L1 has a handler"
	fi
	if [ "$(l2res selftest)" = 0 ]; then
		l2tap "ok 0 - L2: pvio_selftest passes (transport $tr)"
	else
		l2tap "not ok 0 - L2: pvio_selftest passes (transport $tr) # insmod status $(l2res selftest)"
	fi

	# counters: the selftest window minus an empty window (one mark's cost)
	if [ -f $L2_RES/snap.selftest ]; then
		eh=$(delta empty0 empty1 hypercalls)
		ei=$(delta empty0 empty1 io_exits)
		ee=$(delta empty0 empty1 exits)
		sh=$(delta empty1 selftest hypercalls)
		si=$(delta empty1 selftest io_exits)
		se=$(delta empty1 selftest exits)
		tap "# L1 KVM counters, empty window: hypercalls $eh io_exits $ei exits $ee"
		tap "# L1 KVM counters, selftest window: hypercalls $sh io_exits $si exits $se"
		tap "# selftest net of one mark: hypercalls $((sh - eh)) io_exits $((si - ei)) exits $((se - ee)); L2 pvio counted $(l2res guest_hypercalls) hypercalls"
		for f in $(awk '$1 ~ /^pvio/ { print $1 }' $L2_RES/snap.selftest); do
			tap "# L1 KVM $f: selftest window $(delta empty1 selftest $f)"
		done
		if [ "$tr" = hypercall ]; then
			if [ $((sh - eh)) -gt 0 ] && [ $((sh - eh)) -ge "$(l2res guest_hypercalls)" ]; then
				l2tap "ok 0 - L2: L1's hypercalls counter covers the selftest's hypercalls"
			else
				l2tap "not ok 0 - L2: L1's hypercalls counter covers the selftest's hypercalls # L1 +$((sh - eh)), L2 pvio +$(l2res guest_hypercalls)"
			fi
		else
			l2tap "ok 0 - L2: L1's hypercalls counter covers the selftest's hypercalls # SKIP transport is '$tr'"
		fi
	else
		l2tap "not ok 0 - L2: console handshake snapshots taken"
	fi
	# the disk part's checks, as L2 reported them
	while read -r line; do
		case $line in
		ok*) l2tap "ok 0 - L2: ${line#* - }" ;;
		*) l2tap "not ok 0 - L2: ${line#* - }" ;;
		esac
	done < $L2_RES/checks
	if [ "$(l2res disk_part)" != done ]; then
		l2tap "not ok 0 - L2: the pata_pvio disk part ran to the end # $(l2res disk_part)"
	fi
	if [ "$(l2res net_part)" != done ]; then
		l2tap "not ok 0 - L2: the e1000_pvio network part ran to the end # $(l2res net_part)"
	fi
	if [ -f $L2_RES/finished ]; then
		l2tap "ok 0 - L2: ran to the end and powered off ($((t1 - t0))s)"
	else
		l2tap "not ok 0 - L2: ran to the end and powered off # qemu status $(cat $L2_RES/qemu_rc 2>/dev/null) after $((t1 - t0))s"
	fi
	tap "1..$l2n"
}

if [ -f /l2.conf ]; then
	/bin/pvio-vmm -p > /dev/null 2>&1
	case $? in
	0) handler=present ;;
	77) handler=none ;;
	*) handler=unknown ;;
	esac
	l2_phase
fi
[ -f /l1-smoke.sh ] && smoke_after
finish "rc=$rc/$nrc"
