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
# Env: NB_ROUNDS=3  NB_SHS_OPS=2000 (4 KiB QD1 I/Os per window)
#      NB_SHARED=256 (MiB per guest)  NB_SHSCHED_OUT=build/bench-shsched
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${NB_SHSCHED_OUT:-$ROOT/build/bench-shsched}
SCHEDS=(mq-deadline none pvio-bypass)
export NB_BG=0 NB_PARTS=shsched NB_SHARED=${NB_SHARED:-256}

make -s -C "$ROOT" PVIO_FAULT_INJECTION=0 ${KVER:+KVER=$KVER} all host || exit 1
rm -rf "$OUT"
rc=0
for r in $(seq 1 "${NB_ROUNDS:-3}"); do
	k=$(((r - 1) % 3))
	o=("${SCHEDS[@]:k}" "${SCHEDS[@]:0:k}")
	order=${o[*]}
	mkdir -p "$OUT/$r"
	echo "bench-shsched: round $r: $order"
	if NB_OUT=$OUT/$r NB_L2_APPEND="bench.scheds=${order// /,} bench.shs_ops=${NB_SHS_OPS:-2000}" \
		"$ROOT/bench/nested/run.sh" > "$OUT/$r.log" 2>&1; then
		echo "RES bench_round $r order=${order// /,}" >> "$OUT/$r/results.txt"
	else
		tail -5 "$OUT/$r.log"
		echo "bench-shsched: round $r failed"
		rc=1
	fi
done
exit $rc
