#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pvio nested tier: a real KVM host you control, under TCG.
#
#   L0 (this machine)  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt
#    `- L1 (Debian 6.1 kernel, busybox initramfs)  kvm.ko + kvm-amd.ko
#        `- pvio-vmm: one small VM per test case on L1's /dev/kvm
#
# The KVM modules come from $PVIO_KVM_MODULES (a directory with kvm.ko and
# kvm-amd.ko), else host/build/$KVER/ when `make host` has built it, else
# Debian's stock modules (no handler: handler cases SKIP).
#
# Output: TAP on stdout (the VMM's cases renumbered, then the runner's own
# checks).  Exit status 0 only if nothing failed.  Logs and the initramfs
# are kept in build/nested/.
#
# Tier 5b (on by default, PVIO_NESTED_L2=0 turns it off): L1 also runs an
# L2 Debian guest with the host's QEMU over a read-only 9p share of /, which
# loads pvio.ko and pvio_selftest.ko from $PVIO_GUEST_MODULES (default
# pvio/ of this tree, built by `make`) and checks the transport it chose,
# then writes and reads back 64 MiB through pata_pvio ($PVIO_PATA_MODULE,
# default drivers/ata/pata_pvio.ko) on an IDE disk, host refusals included,
# and moves 64 MiB each way through e1000_pvio ($PVIO_E1000_MODULE) with
# napi=1 and napi=0, to tests/vm/e1000-peer.sh behind slirp's guestfwd.
#
# Environment: PVIO_KVM_MODULES, PVIO_GUEST_MODULES, PVIO_PATA_MODULE,
# PVIO_E1000_MODULE, PVIO_NESTED_L2,
# KVER (default tools/kver.sh; L1 and L2 boot that same kernel),
# PVIO_NESTED_TIMEOUT (seconds for the whole L1 run, default 1500),
# PVIO_CASE_TIMEOUT (seconds per VMM case, default 120),
# PVIO_L2_TIMEOUT (seconds for the L2 guest, default 1200; L1 shortens it to
# report within PVIO_NESTED_TIMEOUT), PVIO_SEED (the
# differential case's seed, default the time), QEMU.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/tests/nested
OUT=$TOP/build/nested
# shellcheck source=tests/lib/rig.sh
. "$TOP/tests/lib/rig.sh"
TIMEOUT=${PVIO_NESTED_TIMEOUT:-1500}
CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120}
L2=${PVIO_NESTED_L2:-1}
L2_TIMEOUT=${PVIO_L2_TIMEOUT:-1200}
GUESTMOD=${PVIO_GUEST_MODULES:-$TOP/pvio}
PATA_KO=${PVIO_PATA_MODULE:-$TOP/drivers/ata/pata_pvio.ko}
E1000_KO=${PVIO_E1000_MODULE:-$TOP/drivers/net/e1000_pvio/e1000_pvio.ko}

die() { echo "Bail out! $*"; exit 2; }

kvm_pick stock || die "no KVM modules"
[ -f "$KERNEL" ] || die "$KERNEL missing (apt-get install linux-image-amd64)"
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null || die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
command -v cpio >/dev/null || die "cpio missing"

mkdir -p "$OUT"
LOG=$OUT/l1-console.log
TAPRAW=$OUT/l1-tap.txt

# ---- the test VMM ------------------------------------------------------
make -s -C "$SRC/vmm" O="$OUT/vmm" >"$OUT/vmm-build.log" 2>&1 ||
	{ cat "$OUT/vmm-build.log"; die "building pvio-vmm failed"; }

# 5b needs pvio.ko and pvio_selftest.ko for the L2 kernel, and 9p in L1
l2_skip=
if [ "$L2" = 0 ]; then
	l2_skip="PVIO_NESTED_L2=0"
elif [ ! -f "$GUESTMOD/pvio.ko" ] || [ ! -f "$GUESTMOD/pvio_selftest.ko" ]; then
	l2_skip="no pvio.ko and pvio_selftest.ko in $GUESTMOD (run make)"
elif [ "$(modinfo -F vermagic "$GUESTMOD/pvio.ko" | cut -d' ' -f1)" != "$KVER" ]; then
	l2_skip="$GUESTMOD/pvio.ko is not built for $KVER"
fi
L1_MODS=kvm_amd
[ -z "$l2_skip" ] && L1_MODS="$L1_MODS virtio_pci 9pnet_virtio 9p"

# ---- initramfs ---------------------------------------------------------
RD=$OUT/initramfs
rd_new "$RD" "$SRC/init.sh"
cp "$OUT/vmm/pvio-vmm" "$RD/bin/pvio-vmm"
# shellcheck disable=SC2086 # a list of names
rd_kvm "$RD" && rd_kmods "$RD" $L1_MODS || die "copying L1's modules failed"
echo "$L1_MODS" > "$RD/modules.list"
echo "$KVM_ORIGIN" > "$RD/modules.origin"
# the patched KVM's own checks, pitvm (host/kvm/tests/pitvm.c) among them
if [ "$KVMDIR" != "$MODROOT/kernel/arch/x86/kvm" ]; then
	cp "$SRC/l1-smoke.sh" "$RD/l1-smoke.sh"
	${CC:-gcc} -static -O2 -Wall -Wextra -Werror -o "$RD/bin/pitvm" \
		"$TOP/host/kvm/tests/pitvm.c" "$TOP/host/kvm/tests/pitvm_guest.S" ||
		die "cannot build host/kvm/tests/pitvm.c (static libc needed)"
fi

VIRTFS=()
if [ -z "$l2_skip" ]; then
	# the L2 initramfs: L1 reaches it under the same path through 9p
	R2=$OUT/l2-initramfs
	rd_new "$R2" "$SRC/l2-init.sh"
	cp "$GUESTMOD/pvio.ko" "$GUESTMOD/pvio_selftest.ko" "$R2/lib/modules/"
	# the disk part: pata_pvio, and Debian's modules for it and ata_piix;
	# openssl makes the seeded pattern, ethtool reads the NIC's counters
	if [ -f "$PATA_KO" ]; then
		rd_kmods "$R2" libata ata_piix sd_mod && rd_ko "$R2" "$GUESTMOD/pvio.ko" "$PATA_KO" &&
			rd_bins "$R2" openssl ethtool || die "copying L2's modules and programs failed"
		[ -f "$E1000_KO" ] && rd_ko "$R2" "$E1000_KO"
	fi
	rd_pack "$R2" "$OUT/l2-initramfs.gz" || die "packing the L2 initramfs failed"
	cat > "$RD/l2.conf" <<-EOC
	L2_KERNEL=$KERNEL
	L2_INITRD=$OUT/l2-initramfs.gz
	L2_TIMEOUT=$L2_TIMEOUT
	L2_PEER=$TOP/tests/vm/e1000-peer.sh
	EOC
	VIRTFS=("${L0_ROOT_9P[@]}")
fi
rd_pack "$RD" "$OUT/initramfs.gz" || die "packing the L1 initramfs failed"

# ---- run L1 ------------------------------------------------------------
# l1-watch.py kicks L1 out of L0's lost wakeups (see there) and, just
# before the timeout, saves L1's interrupt state in l1-monitor.txt
MONLOG=$OUT/l1-monitor.txt
WATCHLOG=$OUT/l1-watch.log
echo "# L1 kernel $KERNEL, KVM modules from $KVM_ORIGIN"
echo "# L1 loads: $(kmod_paths $L1_MODS | xargs -n1 basename | tr '\n' ' ')"
if [ -z "$l2_skip" ]; then
	echo "# L2: $KERNEL with pvio.ko and pvio_selftest.ko from $GUESTMOD"
fi
l1_boot "$OUT" "$OUT/initramfs.gz" "$TAPRAW" "$TIMEOUT" \
	"PVIO_CASE_TIMEOUT=$CASE_TIMEOUT PVIO_L1_BUDGET=$TIMEOUT${PVIO_SEED:+ PVIO_SEED=$PVIO_SEED}" \
	"${VIRTFS[@]}"
qrc=$L1_RC
secs=$L1_SECS

# ---- TAP ---------------------------------------------------------------
n=0
failed=0
emit() {	# emit ok|not-ok "name" ["# directive"]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2${3:+ $3}"
	else
		echo "not ok $n - $2${3:+ $3}"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
planned=0
got=0
if [ -f "$TAPRAW" ]; then
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"1.."*)
			planned=$((planned + ${line#1..}))
			;;
		"ok "*|"not ok "*)
			got=$((got + 1))
			st=ok
			[ "${line#not ok }" != "$line" ] && st=not-ok
			rest=${line#*ok }
			rest=${rest#* - }
			emit $st "$rest"
			;;
		"#"*)
			echo "$line"
			;;
		esac
	done < "$TAPRAW"
fi

if [ "$planned" -gt 0 ] && [ "$got" -eq "$planned" ]; then
	emit ok "L1 reported all $planned planned results"
else
	emit not-ok "L1 reported all planned results" "# got $got of $planned"
fi

# the splat check reads the console (kernel log at loglevel 5) and the full
# dmesg dump the init prints at the end; L2's lines carry an "L2| " prefix
# shellcheck source=tests/lib/guest.sh
. "$TOP/tests/lib/guest.sh"
grep -a -v '^L2| ' "$LOG" > "$OUT/l1-only.log" 2>/dev/null
name="L1 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)"
if ! grep -q -a "PVIO-NESTED-DMESG-END" "$LOG" 2>/dev/null; then
	emit not-ok "$name" "# L1 never dumped its log"
elif splats=$(find_splat "$OUT/l1-only.log"); then
	emit not-ok "$name"
	echo "$splats" | sed 's/^/# /'
else
	emit ok "$name"
fi
if [ -n "$l2_skip" ]; then
	emit ok "L2 tier (5b)" "# SKIP $l2_skip"
else
	name="L2 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)"
	if ! grep -q -a "PVIO-L2-DMESG-END" "$OUT/l2-console.log"; then
		emit not-ok "$name" "# L2 never dumped its log"
	elif splats=$(find_splat "$OUT/l2-console.log"); then
		emit not-ok "$name"
		echo "$splats" | sed 's/^/# /'
	else
		emit ok "$name"
	fi
fi

# not pvio's doing but L0's emulator: see tests/nested/l1-watch.py
echo "# L1 kept awake through L0's monitor: ${L1_KICKS:-0} periodic kicks, $L1_RESCUES rescues"
grep '^rescue [0-9]' "$WATCHLOG" | sed 's/^/# /'

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	emit not-ok "L1 finished within ${TIMEOUT}s" "# timeout after ${secs}s"
elif grep -q -a "PVIO-NESTED-DONE" "$LOG" 2>/dev/null; then
	emit ok "L1 finished within ${TIMEOUT}s (${secs}s)"
else
	emit not-ok "L1 finished within ${TIMEOUT}s" "# qemu exit $qrc after ${secs}s, no end marker"
	tail -20 "$LOG" 2>/dev/null | sed 's/^/# console: /'
fi

# where L2 was when something failed: CI shows the end of this output
if [ $failed -gt 0 ] && [ -s "$OUT/l2-console.log" ]; then
	tail -30 "$OUT/l2-console.log" | sed 's/^/# L2 console: /'
	grep -a 'L2 monitor: ' "$LOG" | sed 's/^PVIO-NESTED: /# /'
fi
if [ $failed -gt 0 ] && [ -s "$MONLOG" ]; then
	grep -v '^(qemu)' "$MONLOG" | sed 's/^/# L1 monitor: /'
fi

echo "1..$n"
echo "# nested: $n tests, $failed failed; L1 run ${secs}s; logs in $OUT"
[ $failed -eq 0 ]
