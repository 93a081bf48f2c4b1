#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/ablate.sh: issue 11's ablations (BENCH=ablate bench/run.sh):
# each of pata_pvio's gains put down to its cause, in one L1 boot per
# round.  L2's ata part runs pata_pvio as shipped (pv_base) and with one
# thing changed (l2-bench.sh's pv_variant): the native transport on the
# patched host, fastpath=0, irqless=off, and pvio's max_batch at 1, 2, 4,
# 8, 16, 32 and 128 (64 is pv_base); its uart_sweep part flushes 8 OUTs to
# the UART at each max_batch.  The order of both lists rotates one place
# every round.
#
# Every boot's raw records go to $NB_ABLATE_OUT/<round>/results.txt
# (bench/run.sh keeps them as bench/results/ablate-raw/<round>.txt);
# bench/reporter/ablate.py makes bench/results/nested-ablate.md from them.
#
# Env: NB_ROUNDS=5  NB_FROM=1 (rounds.sh)  NB_CMDS=256 (4 KiB commands per
#      direction and variant)  NB_FLUSHES=200 (UART flushes per max_batch)
#      NB_ABLATE_OUT=build/bench-ablate, and those of bench/nested/run.sh.
set -u
. "$(dirname "$0")/rounds.sh"
VARIANTS=(pv_base pv_native pv_fastpath0 pv_irqoff pv_mb1 pv_mb2 pv_mb4 pv_mb8 pv_mb16 pv_mb32 pv_mb128)
MBS=(1 2 4 8 16 32 64 128)
export NB_BG=0 NB_PARTS="uart_sweep ata" NB_CMDS=${NB_CMDS:-256} NB_FLUSHES=${NB_FLUSHES:-200}

rounds_init ablate "${NB_ABLATE_OUT:-$ROOT/build/bench-ablate}" 5 || exit 1
for r in $(seq "$FROM" "$ROUNDS"); do
	drivers=$(rotate $((r - 1)) "${VARIANTS[@]}")
	mbs=$(rotate $((r - 1)) "${MBS[@]}")
	echo "bench-ablate: round $r: disk $drivers; uart max_batch $mbs"
	boot "$OUT/$r" "bench_round $r order=${drivers// /,} mbs=${mbs// /,}" \
		NB_DRIVERS="$drivers" NB_L2_APPEND="bench.mbs=${mbs// /,}"
done
exit $RC
