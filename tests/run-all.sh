#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every tier (TIERS, default: unit build fuzz vm nested mode2
# pkg fresh; pkg after nested, whose make host fills the kvm cache the host
# package's DKMS build takes), then KTIERS (default: kbuild vm nested) for
# every other installed kernel (tools/kvers.sh; PVIO_KVERS="a b" names
# them, the first runs TIERS) in a copy of the tree in build/kernels/<kernel>;
# KTIERS="" skips them.  The tiers: README.md, "Tests".  Each tier prints
# TAP (ok/not ok) or PASS:/FAIL:/SKIP: lines; a tier that exits non-zero
# without reporting a failure counts as one failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGDIR=$ROOT/build/check
mkdir -p "$LOGDIR"
TIERS=${TIERS-unit build fuzz vm nested mode2 pkg fresh}
KTIERS=${KTIERS-kbuild vm nested}
pass=0 fail=0 skip=0
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
start=$(date +%s)

# tier_cmd TIER: its command, run in the tree $R
tier_cmd() {
	case $1 in
	unit) echo "$R/tests/unit/run.sh" ;;
	build) echo "$R/tests/build/run.sh" ;;
	kbuild) echo "$R/tests/build/run.sh --kernel-only" ;;
	fuzz) [ -x "$R/tests/fuzz/run.sh" ] && echo "$R/tests/fuzz/run.sh" ;;
	vm) echo "$R/tests/vm/run.sh" ;;
	nested) [ -x "$R/tests/nested/run.sh" ] && echo "nested_tier" ;;
	mode2) [ -x "$R/host/qemu/build.sh" ] && echo "mode2_tier" ;;
	pkg) echo "$R/tests/pkg/run.sh" ;;
	fresh) echo "$R/tests/fresh/run.sh" ;;
	esac
}

# the nested tier proves the host handler: build the patched KVM first
# (cached, seconds when nothing changed) and the guest modules with their
# test hooks (L2 injects host errors), whatever a tier before it built; a
# failed build is a failure
nested_tier() {
	check_log "make all host: test-build modules, patched kvm modules for the L1 kernel" \
		"$LOGDIR/host-build.log" make -s -C "$R" PVIO_FAULT_INJECTION=1 all host && "$R/tests/nested/run.sh"
}

# mode 2 end to end: the patched QEMU (make qemu, cached by key; a cold
# build takes about 6 minutes) runs L2 with its batch exits on, and L2's
# pata_pvio and e1000_pvio integrity checks must hold there too
mode2_tier() {
	local qemu
	check_log "make qemu: patched QEMU for L2" "$LOGDIR/qemu-build.log" \
		make -s -C "$R" PVIO_FAULT_INJECTION=1 all host qemu &&
		qemu=$("$R/host/qemu/build.sh" --print-binary 2>> "$LOGDIR/qemu-build.log") || return 1
	echo "# L2's QEMU: $qemu"
	PVIO_NESTED_OUT=$R/build/nested-mode2 PVIO_NESTED_VMM=0 \
	PVIO_L2_VMM="$qemu -accel kvm,pvio-batch=on" "$R/tests/nested/run.sh"
}

# run_tier TIER LABEL: one tier in $R, counted into the totals
run_tier() {
	local t=$1 label=$2 cmd rc p s f t0 log
	cmd=$(tier_cmd "$t")
	[ -n "$cmd" ] || { echo "== $label: not present, skipped"; return; }
	echo "== $label"
	log=$LOGDIR/${label//[^A-Za-z0-9.+_-]/_}.log
	t0=$(date +%s)
	$cmd 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	s=$(grep -cE '^ok [0-9]+ .*# SKIP|^SKIP:' "$log")
	p=$(grep -E '^ok [0-9]+|^PASS:' "$log" | grep -cv '# SKIP')
	f=$(grep -cE '^not ok [0-9]+|^FAIL:' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $label tier exited with status $rc"
		f=1
	fi
	echo "== $label: $p passed, $f failed, $s skipped ($(($(date +%s) - t0)) s)"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

# copy_tree DIR: the tree's tracked files, as they are now, into DIR, with
# a git index of them (the DKMS test copies what git lists)
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$ROOT" && git ls-files -z | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | cpio -0pdm --quiet "$1") &&
	git -C "$1" init -q && git -C "$1" add -A
}

kvers=$("$ROOT/tools/kvers.sh")
first=$(echo "$kvers" | head -1)
R=$ROOT
for t in $TIERS; do
	KVER=$first run_tier "$t" "$t"
done
if [ -n "$KTIERS" ]; then
	for k in $(echo "$kvers" | tail -n +2); do
		R=$ROOT/build/kernels/$k
		echo "== kernel $k: $KTIERS in $R"
		copy_tree "$R" || { echo "not ok - copy the tree for $k"; fail=$((fail + 1)); continue; }
		for t in $KTIERS; do
			KVER=$k run_tier "$t" "$t@$k"
		done
	done
fi
echo "make check took $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
