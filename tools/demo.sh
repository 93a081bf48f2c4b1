#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build the modules, boot a Debian 6.1 guest under QEMU TCG,
# load pvio, run its self-test on real device registers, print the counters,
# then measure the native transport's cost against direct port I/O.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
echo "== building guest modules for $KVER"
make -s -C "$ROOT" KVER="$KVER" || exit 1
echo "== booting a guest (QEMU TCG, Debian's $KVER kernel) with pvio"
"$ROOT/tests/vm/run.sh" "$ROOT/tools/demo/demo-guest.sh" > "$ROOT/build/demo.log" 2>&1
rc=$?
sed -n 's/^DEMO: //p' "$ROOT/build/vm/demo-guest/console.log"
grep -E '^(PASS|FAIL|SKIP):|passed,' "$ROOT/build/demo.log"
[ $rc -eq 0 ] || { echo "demo: guest run failed, see build/demo.log"; exit 1; }
echo "== native transport overhead (make bench BENCH=native)"
BENCH=native "$ROOT/bench/run.sh" | sed -n '/^|/p;/^Ratio/p'
