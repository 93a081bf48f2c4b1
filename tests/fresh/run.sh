#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's first command, as a new user runs it: clone HEAD into an
# empty folder and run `make demo` there to its final table (ata_piix vs
# pata_pvio in the nested rig).  Catches a demo that only works in a tree
# someone has already built in: missing folders, stale kernel releases,
# files that are not committed.  The patched KVM comes from the machine's
# cache (host/kvm/build.sh, /var/cache/pvio/kvm/<KVER>/) when this tree's
# sources have been built before, so this costs minutes, not a rebuild.
#
# Env: PVIO_FRESH_KEEP=1 keeps the clone.  Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/fresh
mkdir -p "$OUT"
LOG=$OUT/demo.log

if ! git -C "$ROOT" rev-parse --git-dir > /dev/null 2>&1; then
	echo "ok 1 - clean clone runs make demo # SKIP not a git checkout"
	exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/pvio-fresh.XXXXXX") || exit 1
[ "${PVIO_FRESH_KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT

head=$(git -C "$ROOT" rev-parse --short HEAD)
git clone -q "$ROOT" "$W/pvio" || { echo "not ok 1 - git clone of HEAD"; exit 1; }
echo "# clone of $head in $W/pvio"
start=$(date +%s)
make -C "$W/pvio" demo > "$LOG" 2>&1
rc=$?
secs=$(($(date +%s) - start))
sed -n 's/^host\/kvm\/build.sh: \(up to date\|taken from\|built in\)/# make host: \1/p' "$LOG" |
	sed "s|$W/pvio/||"

# the demo's last part prints the per-command table of the nested rig
table=$(grep -E '^\| *(ata_piix|pata_pvio)' "$LOG")
if [ $rc -eq 0 ] && echo "$table" | grep -q ata_piix && echo "$table" | grep -q pata_pvio; then
	echo "ok 1 - clean clone of $head: make demo ran to its final table (${secs} s)"
	echo "$table" | sed 's/^/# /'
else
	tail -25 "$LOG" | sed 's/^/# demo: /'
	echo "not ok 1 - clean clone of $head: make demo ran to its final table # exit $rc after ${secs} s, log in $LOG"
	exit 1
fi
