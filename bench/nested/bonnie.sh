#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/bonnie.sh: the paper's Fig. 1/2 (BENCH=bonnie bench/run.sh):
# bonnie++ natively in L1 against L2 on ata_piix, pata_pvio and virtio-blk,
# NB_ROUNDS L1 boots (default 5) of bench/nested/run.sh with NB_PARTS=bonnie
# and NB_L1_BONNIE (l1-bench.sh: the native run, before L2 in odd rounds,
# after it in even ones); L2's driver order rotates one place every round.
# Every boot's raw records go to $NB_BONNIE_OUT/<round>/results.txt
# (bench/run.sh keeps them as bench/results/bonnie-raw/<round>.txt);
# bench/reporter/bonnie.py makes bench/results/nested-bonnie.md.
#
# Env: NB_ROUNDS=5  NB_BONNIE_FROM=1 (N: run rounds N..NB_ROUNDS only, keeping
#      the earlier ones)  NB_BONNIE_MB=32  NB_DISK_MB=2*NB_BONNIE_MB
#      NB_BONNIE_OUT=build/bench-bonnie, and those of bench/nested/run.sh.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${NB_BONNIE_OUT:-$ROOT/build/bench-bonnie}
export NB_BG=0 NB_PARTS=bonnie NB_BONNIE_MB=${NB_BONNIE_MB:-32}
export NB_DISK_MB=${NB_DISK_MB:-$((NB_BONNIE_MB * 2))}

make -s -C "$ROOT" PVIO_FAULT_INJECTION=0 ${KVER:+KVER=$KVER} all host || exit 1
FROM=${NB_BONNIE_FROM:-1}
[ "$FROM" = 1 ] && rm -rf "$OUT"
mkdir -p "$OUT"
rc=0
drv=(ata_piix pata_pvio virtio_blk)
for r in $(seq "$FROM" "${NB_ROUNDS:-5}"); do
	k=$(((r - 1) % 3))
	order="${drv[*]:k} ${drv[*]:0:k}"
	order=${order% }
	native=before
	[ $((r % 2)) -eq 0 ] && native=after
	echo "bench-bonnie: round $r: L1 native $native L2; L2 $order"
	if NB_OUT=$OUT/$r NB_DRIVERS="$order" NB_L1_BONNIE=$native \
		"$ROOT/bench/nested/run.sh" > "$OUT/$r.log" 2>&1; then
		echo "RES bench_round $r order=${order// /,} native=$native" >> "$OUT/$r/results.txt"
	else
		tail -5 "$OUT/$r.log"
		echo "bench-bonnie: round $r failed"
		rc=1
	fi
done
exit $rc
