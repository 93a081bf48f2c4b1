#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/bonnie.sh: the paper's Fig. 1/2 (BENCH=bonnie bench/run.sh):
# bonnie++ natively in L1 against L2 on ata_piix, pata_pvio and virtio-blk,
# NB_ROUNDS L1 boots (default 5) of bench/nested/run.sh with NB_PARTS=bonnie
# and NB_L1_BONNIE (l1/native.sh: the native run, before L2 in odd rounds,
# after it in even ones); L2's driver order rotates one place every round.
# Every boot's raw records go to $NB_BONNIE_OUT/<round>/results.txt
# (bench/run.sh keeps them as bench/results/bonnie-raw/<round>.txt);
# bench/reporter/bonnie.py makes bench/results/nested-bonnie.md.
#
# Env: NB_ROUNDS=5  NB_FROM=1 (rounds.sh)  NB_BONNIE_MB=32  NB_DISK_MB=2*NB_BONNIE_MB
#      NB_BONNIE_OUT=build/bench-bonnie, and those of bench/nested/run.sh.
set -u
. "$(dirname "$0")/rounds.sh"
export NB_BG=0 NB_PARTS=bonnie NB_BONNIE_MB=${NB_BONNIE_MB:-32}
export NB_DISK_MB=${NB_DISK_MB:-$((NB_BONNIE_MB * 2))}

rounds_init bonnie "${NB_BONNIE_OUT:-$ROOT/build/bench-bonnie}" 5 || exit 1
for r in $(seq "$FROM" "$ROUNDS"); do
	order=$(rotate $((r - 1)) ata_piix pata_pvio virtio_blk)
	native=before
	[ $((r % 2)) -eq 0 ] && native=after
	echo "bench-bonnie: round $r: L1 native $native L2; L2 $order"
	boot "$OUT/$r" "bench_round $r order=${order// /,} native=$native" NB_DRIVERS="$order" NB_L1_BONNIE=$native
done
exit $RC
