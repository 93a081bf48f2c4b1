#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested-ata.sh: for make demo.  Boots the nested rig once (L1 under
# TCG with the patched KVM, L2 with a 64 MiB IDE disk) and prints the table
# of exits per 4 KiB direct command, ata_piix vs pata_pvio (hypercall
# transport).  Needs make and make host first.
#
# Env: NB_CMDS (default 512 commands per direction; make bench uses 2048),
#      NB_DRIVERS (default "ata_piix pata_pvio"; add virtio_blk for a third
#      row pair), plus those of bench/nested/run.sh.
# Takes about 1.5 minutes with the defaults (77 s L1 run measured; more when
# the 2 shared cores are busy).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export NB_PARTS=ata
export NB_CMDS=${NB_CMDS:-512}
export NB_DRIVERS=${NB_DRIVERS:-ata_piix pata_pvio}
export NB_OUT=${NB_OUT:-$ROOT/build/bench-nested-ata}
mkdir -p "$NB_OUT"
"$ROOT/bench/nested/run.sh" > "$NB_OUT.log" 2>&1
rc=$?
if ! grep -q '^SNAP empty.1' "$NB_OUT/results.txt" 2>/dev/null; then
	cat "$NB_OUT.log"
	echo "nested-ata: no results (see $NB_OUT)"
	exit 1
fi
r=$NB_OUT/results.txt
echo "ata_piix vs pata_pvio, nested rig (L2 on the patched KVM in a TCG L1), $NB_CMDS direct 4 KiB commands per direction"
echo "pata_pvio: $(awk '$2 == "pata_pvio_module" { $1 = $2 = ""; sub(/^ */, ""); print }' "$r")"
echo
/usr/bin/python3 "$ROOT/bench/report.py" --demo-ata "$r"
echo "L1 run $(awk '$2 == "l0_seconds" { print $3 }' "$r") s; raw counters in $r"
[ $rc -eq 0 ]
