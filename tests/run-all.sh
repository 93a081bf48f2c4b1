#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every tier, one summary line.
#   unit    userspace ABI tests
#   build   modules with -Werror, checkpatch --strict, sparse, DKMS, in-tree
#   fuzz    bounded run of the host validation fuzzer (when present)
#   vm      guest tests under QEMU TCG
#   nested  patched KVM in an L1 guest under TCG (when present)
#   fresh   a clean clone of HEAD runs make demo to its final table
# Each tier prints TAP (ok/not ok) or PASS:/FAIL:/SKIP: lines; a tier that
# exits non-zero without reporting a failure counts as one failure.
# TIERS="unit vm" make check runs a subset.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGDIR=$ROOT/build/check
mkdir -p "$LOGDIR"
TIERS=${TIERS:-unit build fuzz vm nested fresh}
pass=0 fail=0 skip=0
start=$(date +%s)

tier_cmd() {
	case $1 in
	unit) echo "$ROOT/tests/unit/run.sh" ;;
	build) echo "$ROOT/tests/build/run.sh" ;;
	fuzz) [ -x "$ROOT/tests/fuzz/run.sh" ] && echo "$ROOT/tests/fuzz/run.sh" ;;
	vm) echo "$ROOT/tests/vm/run.sh" ;;
	nested) [ -x "$ROOT/tests/nested/run.sh" ] && echo "nested_tier" ;;
	fresh) echo "$ROOT/tests/fresh/run.sh" ;;
	esac
}

# the nested tier proves the host handler: build the patched KVM first
# (cached, seconds when nothing changed); a failed build is a failure
nested_tier() {
	if make -s -C "$ROOT" host > "$LOGDIR/host-build.log" 2>&1; then
		echo "ok 1 - make host: patched kvm modules for the L1 kernel"
	else
		tail -30 "$LOGDIR/host-build.log"
		echo "not ok 1 - make host: patched kvm modules for the L1 kernel"
		return 1
	fi
	"$ROOT/tests/nested/run.sh"
}

for t in $TIERS; do
	cmd=$(tier_cmd "$t")
	[ -n "$cmd" ] || { echo "== $t: not present, skipped"; continue; }
	echo "== $t"
	t0=$(date +%s)
	$cmd 2>&1 | tee "$LOGDIR/$t.log"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+ .*# SKIP|^SKIP:' "$LOGDIR/$t.log")
	s=$p
	p=$(grep -E '^ok [0-9]+|^PASS:' "$LOGDIR/$t.log" | grep -cv '# SKIP')
	f=$(grep -cE '^not ok [0-9]+|^FAIL:' "$LOGDIR/$t.log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t tier exited with status $rc"
		f=1
	fi
	echo "== $t: $p passed, $f failed, $s skipped ($(($(date +%s) - t0)) s)"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
echo "make check took $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
