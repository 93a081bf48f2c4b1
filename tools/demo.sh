#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build the modules, boot a Debian 6.1 guest under QEMU TCG,
# load pvio, run its self-test on real device registers, print the counters,
# measure the native transport's cost against direct port I/O, then build
# the patched host KVM and compare ata_piix with pata_pvio in the nested rig.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
mkdir -p "$ROOT/build"
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
echo "== patched host KVM (make host; cached after the first build)"
make -s -C "$ROOT" host KVER="$KVER" > "$ROOT/build/demo-host.log" 2>&1 ||
	{ tail -30 "$ROOT/build/demo-host.log"; echo "demo: make host failed"; exit 1; }
grep '^host/kvm/build.sh: \(up to date\|taken from\|built in\)' "$ROOT/build/demo-host.log"
echo "== nested rig: L1 (TCG + SVM) runs the patched KVM, L2 runs Debian with a 64 MiB IDE disk"
echo "   exits per 4 KiB O_DIRECT command, ata_piix vs pata_pvio over the hypercall (about 2 minutes)"
"$ROOT/bench/nested-ata.sh" || { echo "demo: the nested rig failed"; exit 1; }
