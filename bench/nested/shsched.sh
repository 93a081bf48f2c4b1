#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/shsched.sh: issue 11's elevator experiment in the paper's
# setting (BENCH=shsched bench/run.sh): guests whose disks share one host
# device under the host's own scheduler.  NB_ROUNDS L1 boots of
# bench/nested/run.sh with NB_PARTS=shsched and NB_SHARED: L1's null_blk
# runs mq-deadline, a neighbour guest loops random I/O on its region, and
# L2 runs 4 KiB QD1 random reads and writes (nb_lat) on its own region under mq-deadline, none and pvio-bypass,
# the order rotated one place per round (bench/nested/README.md).
#
# Every boot's raw records go to $NB_SHSCHED_OUT/<round>/results.txt
# (bench/run.sh keeps them as bench/results/sched-shared-raw/<round>.txt);
# bench/reporter/shsched.py makes bench/results/sched-shared.md from them.
#
# Env: NB_ROUNDS=5  NB_FROM=1 (rounds.sh)  NB_SHS_OPS=2000 (4 KiB QD1 I/Os per window)
#      NB_SHARED=256 (MiB per guest)  NB_SHSCHED_OUT=build/bench-shsched
set -u
. "$(dirname "$0")/rounds.sh"
export NB_BG=0 NB_PARTS=shsched NB_SHARED=${NB_SHARED:-256}

rounds_init shsched "${NB_SHSCHED_OUT:-$ROOT/build/bench-shsched}" 5 || exit 1
for r in $(seq "$FROM" "$ROUNDS"); do
	order=$(rotate $((r - 1)) mq-deadline none pvio-bypass)
	echo "bench-shsched: round $r: $order"
	boot "$OUT/$r" "bench_round $r order=${order// /,}" \
		NB_L2_APPEND="bench.scheds=${order// /,} bench.shs_ops=${NB_SHS_OPS:-2000}"
done
exit $RC
