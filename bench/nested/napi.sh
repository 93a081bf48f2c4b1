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
# Env: NB_ROUNDS=5  NB_FROM=1 (rounds.sh)  NB_NAPI_BASELINE=e1000 (empty: only the two e1000_pvio
#      modes)  NB_NAPI_OUT=build/bench-napi, and those of bench/nested/run.sh
#      (NB_PINGS, NB_BULK_MB, NB_TCP_MB, NB_UDP_SECS, NB_UDP_RATE, NB_RR).
set -u
. "$(dirname "$0")/rounds.sh"
BASE=${NB_NAPI_BASELINE-e1000}
export NB_BG=0 NB_PARTS=net

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

rounds_init napi "${NB_NAPI_OUT:-$ROOT/build/bench-napi}" 5 || exit 1
for r in $(seq "$FROM" "$ROUNDS"); do
	drivers=$(order "$r")
	echo "bench-napi: round $r of $ROUNDS: $drivers"
	boot "$OUT/$r" "bench_round $r order=${drivers// /,}" NB_NET_DRIVERS="$drivers"
done
exit $RC
