#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/napi.sh: issue 11's Fig. 9 comparison (BENCH=napi make bench):
# e1000_pvio napi=1 against napi=0, with Debian's e1000 as the stock
# baseline, over NB_ROUNDS L1 boots of the net part of bench/nested/run.sh
# (NB_PARTS=net, the host's QEMU, no bg window).  The order of the drivers
# changes every round: napi=1 and napi=0 swap places each round and e1000
# moves through the three positions, so neither mode always runs first in
# its L2 boot.
#
# Every boot's raw counters are kept in $NB_NAPI_OUT/<round>/results.txt
# (bench/run.sh copies them to bench/results/napi-raw/<round>.txt);
# bench/reporter/napi.py makes bench/results/nested-napi.md from them
# (median [min-max] per driver, napi=0 / napi=1 per round, verdicts).
#
# Env: NB_ROUNDS=5  NB_NAPI_BASELINE=e1000 (empty: only the two e1000_pvio
#      modes)  NB_NAPI_OUT=build/bench-napi, and those of bench/nested/run.sh
#      (NB_PINGS, NB_BULK_MB, NB_TCP_MB, NB_UDP_SECS, NB_UDP_RATE, NB_RR).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${NB_ROUNDS:-5}
OUT=${NB_NAPI_OUT:-$ROOT/build/bench-napi}
BASE=${NB_NAPI_BASELINE-e1000}
export NB_BG=0

make -s -C "$ROOT" PVIO_FAULT_INJECTION=0 ${KVER:+KVER=$KVER} all host || exit 1

# order ROUND: the drivers of round ROUND (1-based): napi=1 before napi=0 in
# odd rounds, after it in even ones; the baseline at position ROUND mod 3
order() {
	local r=$1 pair=(e1000_pvio1 e1000_pvio0) k
	[ $((r % 2)) -eq 0 ] && pair=(e1000_pvio0 e1000_pvio1)
	[ -n "$BASE" ] || { echo "${pair[*]}"; return; }
	k=$((r % 3))
	case $k in
	0) echo "$BASE ${pair[*]}" ;;
	1) echo "${pair[0]} $BASE ${pair[1]}" ;;
	*) echo "${pair[*]} $BASE" ;;
	esac
}

rm -rf "$OUT"
mkdir -p "$OUT"
rc=0
for r in $(seq 1 "$ROUNDS"); do
	dir=$OUT/$r
	drivers=$(order "$r")
	mkdir -p "$dir"
	echo "bench-napi: round $r of $ROUNDS: $drivers"
	if NB_OUT=$dir NB_PARTS=net NB_NET_DRIVERS="$drivers" "$ROOT/bench/nested/run.sh" > "$dir.log" 2>&1; then
		echo "RES bench_round $r order=${drivers// /,}" >> "$dir/results.txt"
	else
		tail -5 "$dir.log"
		echo "bench-napi: round $r failed"
		rc=1
	fi
done
exit $rc
