#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pvio nested tier: a real KVM host you control, under TCG.
#
#   L0 (this machine)  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt
#    `- L1 (Debian kernel, busybox initramfs)  kvm.ko + kvm-amd.ko
#        |- pvio-vmm: one small VM per test case on L1's /dev/kvm
#        `- L2: Debian guest, the host's QEMU over a read-only 9p share of /
#
# The rig is tests/lib/rig.sh with l1-init.sh and l2-init.sh; this tier's
# parts are l1-smoke.sh (the patched KVM's parameters and counters),
# l1-vmm.sh (the VMM's cases; L2's results as TAP) and l2-tests.sh
# (pvio_selftest, pata_pvio and e1000_pvio data integrity).  KVM modules:
# rig.sh's kvm_pick, Debian's stock ones last (handler cases SKIP).
# Prints TAP (L1's results renumbered, then the runner's own checks); exit
# status 0 only if nothing failed.  Environment: tests/nested/README.md.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/tests/nested
OUT=${PVIO_NESTED_OUT:-$TOP/build/nested}
# shellcheck source=tests/lib/rig.sh
. "$TOP/tests/lib/rig.sh"
# shellcheck source=tests/lib/guest.sh
. "$TOP/tests/lib/guest.sh"
TIMEOUT=${PVIO_NESTED_TIMEOUT:-1500}
CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120}
GUESTMOD=${PVIO_GUEST_MODULES:-$TOP/pvio}
PATA_KO=${PVIO_PATA_MODULE:-$TOP/drivers/ata/pata_pvio.ko}
E1000_KO=${PVIO_E1000_MODULE:-$TOP/drivers/net/e1000_pvio/e1000_pvio.ko}
LOG=$OUT/l1-console.log
TAPRAW=$OUT/l1-tap.txt

die() { echo "Bail out! $*"; exit 2; }

# l2_skip: why L2 cannot run (empty if it can): it needs pvio.ko and
# pvio_selftest.ko for the L2 kernel
l2_skip() {
	if [ "${PVIO_NESTED_L2:-1}" = 0 ]; then
		echo "PVIO_NESTED_L2=0"
	elif [ ! -f "$GUESTMOD/pvio.ko" ] || [ ! -f "$GUESTMOD/pvio_selftest.ko" ]; then
		echo "no pvio.ko and pvio_selftest.ko in $GUESTMOD (run make)"
	elif [ "$(modinfo -F vermagic "$GUESTMOD/pvio.ko" | cut -d' ' -f1)" != "$KVER" ]; then
		echo "$GUESTMOD/pvio.ko is not built for $KVER"
	fi
}

# build_l1 DIR MODULES: L1's initramfs tree (rd_l1) with the VMM and the
# parts (smoke only on a patched KVM)
build_l1() {
	# shellcheck disable=SC2086 # a list of names
	rd_l1 "$1" $2 || return 1
	cp "$OUT/vmm/pvio-vmm" "$1/bin/pvio-vmm"
	cp "$SRC/l1-vmm.sh" "$1/parts/vmm.sh"
	[ "$KVMDIR" = "$MODROOT/kernel/arch/x86/kvm" ] ||
		cp "$SRC/l1-smoke.sh" "$1/parts/smoke.sh"
}

# build_l2 DIR L1DIR: L2's initramfs as $OUT/l2-initramfs.gz, and
# L1DIR/l2.conf: an 80 MiB IDE disk whose sector 150000 fails every read
# (blkdebug), an e1000 whose guestfwd peer is tests/vm/e1000-peer.sh
build_l2() {
	rd_new "$1" "$SRC/l2-init.sh"
	mkdir -p "$1/parts"
	cp "$SRC/l2-tests.sh" "$1/parts/tests.sh"
	rd_ko "$1" "$GUESTMOD/pvio.ko" "$GUESTMOD/pvio_selftest.ko" || return 1
	if [ -f "$PATA_KO" ]; then
		# openssl makes the seeded pattern, ethtool reads the NIC's counters,
		# fio verifies random writes
		rd_kmods "$1" libata ata_piix sd_mod && rd_ko "$1" "$PATA_KO" &&
			rd_bins "$1" openssl ethtool fio || return 1
		[ -f "$E1000_KO" ] && rd_ko "$1" "$E1000_KO"
	fi
	rd_pack "$1" "$OUT/l2-initramfs.gz" || return 1
	L2_INITRD=$OUT/l2-initramfs.gz L2_TIMEOUT=${PVIO_L2_TIMEOUT:-1200} L2_MEM=384 \
	L2_DISKS=ide.img:80 L2_COPY=$TOP/tests/vm/e1000-peer.sh \
	L2_APPEND="loglevel=5 rig.parts=selftest,pata,e1000" \
	L2_QEMU="-drive if=ide,format=raw,cache=unsafe,file.driver=blkdebug,file.image.filename=/tmp/ide.img,file.inject-error.0.event=read_aio,file.inject-error.0.sector=150000,file.inject-error.0.errno=5 \
-netdev user,id=n0,guestfwd=tcp:10.0.2.100:5000-cmd:/tmp/e1000-peer.sh -device e1000,netdev=n0${PVIO_L2_QEMU_ARGS:+ $PVIO_L2_QEMU_ARGS}" \
	L2_VMM=${PVIO_L2_VMM:-} \
		rd_l2conf "$2"
}

# l1_tap: L1's TAP renumbered, then whether every planned result arrived
l1_tap() {
	local planned=0 got=0 line
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"1.."*) planned=$((planned + ${line#1..})) ;;
		"ok "*) got=$((got + 1)); ok "${line#ok * - }" ;;
		"not ok "*) got=$((got + 1)); not_ok "${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < <(cat "$TAPRAW" 2>/dev/null)
	if [ "$planned" -gt 0 ] && [ "$got" -eq "$planned" ]; then
		ok "L1 reported all $planned planned results"
	else
		not_ok "L1 reported all planned results # got $got of $planned"
	fi
}

# log_clean WHO LOG END: WHO's kernel log (ending with the marker END) has
# no oops, BUG, WARNING, KASAN, UBSAN, lockdep, hung-task or RCU-stall report
log_clean() {
	local name="$1 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)" splats
	if ! grep -q -a "$3" "$2"; then
		not_ok "$name # $1 never dumped its log"
	elif splats=$(find_splat "$2"); then
		not_ok "$name"
		echo "$splats" | sed 's/^/# /'
	else
		ok "$name"
	fi
}

# l1_end: L1 finished in time; on a failure, where L1 and L2 were
l1_end() {
	# not pvio's doing but L0's emulator: see tests/nested/l1-watch.py
	echo "# L1 kept awake through L0's monitor: ${L1_KICKS:-0} periodic kicks, $L1_RESCUES rescues"
	grep '^rescue [0-9]' "$OUT/l1-watch.log" | sed 's/^/# /'
	if [ "$L1_RC" -eq 124 ] || [ "$L1_RC" -eq 137 ]; then
		not_ok "L1 finished within ${TIMEOUT}s # timeout after ${L1_SECS}s"
	elif grep -q -a "PVIO-L1-DONE" "$LOG"; then
		ok "L1 finished within ${TIMEOUT}s (${L1_SECS}s)"
	else
		not_ok "L1 finished within ${TIMEOUT}s # qemu exit $L1_RC after ${L1_SECS}s, no end marker"
		tail -20 "$LOG" | sed 's/^/# console: /'
	fi
	[ $TAP_FAIL -gt 0 ] || return 0
	[ -s "$OUT/l2-console.log" ] && tail -30 "$OUT/l2-console.log" | sed 's/^/# L2 console: /'
	grep -a 'L2 monitor: ' "$LOG" | sed 's/^PVIO-L1: /# /'
	[ -s "$OUT/l1-monitor.txt" ] && grep -v '^(qemu)' "$OUT/l1-monitor.txt" | sed 's/^/# L1 monitor: /'
}

kvm_pick stock || die "no KVM modules"
[ -f "$KERNEL" ] || die "$KERNEL missing (apt-get install linux-image-amd64)"
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null || die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
mkdir -p "$OUT"
make -s -C "$SRC/vmm" O="$OUT/vmm" >"$OUT/vmm-build.log" 2>&1 ||
	{ cat "$OUT/vmm-build.log"; die "building pvio-vmm failed"; }
l2_skip=$(l2_skip)
l1_mods=
VIRTFS=()
[ -z "$l2_skip" ] && { l1_mods="virtio_pci 9pnet_virtio 9p"; VIRTFS=("${L0_ROOT_9P[@]}"); }
build_l1 "$OUT/initramfs" "$l1_mods" || die "building L1's initramfs failed"
if [ -z "$l2_skip" ]; then
	build_l2 "$OUT/l2-initramfs" "$OUT/initramfs" || die "building L2's initramfs failed"
fi
rd_pack "$OUT/initramfs" "$OUT/initramfs.gz" || die "packing L1's initramfs failed"

echo "# L1 kernel $KERNEL, KVM modules from $KVM_ORIGIN"
# shellcheck disable=SC2086 # a list of names
echo "# L1 loads: $(kmod_paths kvm_amd $l1_mods | xargs -n1 basename | tr '\n' ' ')"
[ -z "$l2_skip" ] && echo "# L2: $KERNEL with pvio.ko and pvio_selftest.ko from $GUESTMOD"
l1_boot "$OUT" "$OUT/initramfs.gz" "$TAPRAW" "$TIMEOUT" \
	"PVIO_CASE_TIMEOUT=$CASE_TIMEOUT PVIO_L1_BUDGET=$TIMEOUT PVIO_VMM_CASES=${PVIO_NESTED_VMM:-1}${PVIO_SEED:+ PVIO_SEED=$PVIO_SEED}" \
	"${VIRTFS[@]}"

echo "TAP version 13"
l1_tap
grep -a -v '^L2| ' "$LOG" > "$OUT/l1-only.log"
log_clean L1 "$OUT/l1-only.log" PVIO-L1-DMESG-END
if [ -n "$l2_skip" ]; then
	skip "L2 tier (5b)" "$l2_skip"
else
	log_clean L2 "$OUT/l2-console.log" PVIO-L2-DMESG-END
fi
l1_end
echo "1..$TAP_N"
echo "# nested: $TAP_N tests, $TAP_FAIL failed; L1 run ${L1_SECS}s; logs in $OUT"
[ $TAP_FAIL -eq 0 ]
