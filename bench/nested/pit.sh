#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/pit.sh: issue 11's Fig. 7 (BENCH=pit make bench): L2 ticking
# on the periodic PIT with kvm's pit_reload_divisor at each of NB_PIT_DIVS
# in L1, one L1 boot of bench/nested/run.sh's pit part per divisor and
# round (the divisor is set before L2 boots, since it applies when the
# guest programs the PIT); the divisors rotate one place every round.
#
# L2's kernel command line (PIT_APPEND) keeps the tick on the PIT: no
# TSC-deadline timer and no LAPIC timer (otherwise the LAPIC takes the
# tick and the PIT is switched off), no HPET (it would take the tick before
# the PIT), and no NO_HZ nor high-resolution mode (either switches the tick
# device to one-shot, PIT mode 0, which the divisor leaves alone).
#
# Every boot's raw counters go to $NB_PIT_OUT/<round>-d<divisor>/results.txt
# (bench/run.sh copies them to bench/results/pit-raw/);
# bench/reporter/pit.py makes bench/results/nested-pit.md from them.
#
# Env: NB_ROUNDS=3  NB_PIT_FROM=1 (first round to run: later rounds can be
#      run in calls of their own)  NB_PIT_DIVS="1 2 4 10"  NB_PIT_SECS=5
#      NB_PIT_LOOPS=400000  NB_CMDS=256  NB_PIT_OUT=build/bench-pit
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${NB_ROUNDS:-3}
FROM=${NB_PIT_FROM:-1}
OUT=${NB_PIT_OUT:-$ROOT/build/bench-pit}
read -r -a DIVS <<< "${NB_PIT_DIVS:-1 2 4 10}"
PIT_APPEND="lapic=notscdeadline nolapic_timer hpet=disable nohz=off highres=off"
export NB_BG=0 NB_CMDS=${NB_CMDS:-256}
export NB_L2_APPEND="$PIT_APPEND bench.pit_secs=${NB_PIT_SECS:-5} bench.pit_loops=${NB_PIT_LOOPS:-400000}"

make -s -C "$ROOT" PVIO_FAULT_INJECTION=0 ${KVER:+KVER=$KVER} all host || exit 1

[ "$FROM" -gt 1 ] || rm -rf "$OUT"
mkdir -p "$OUT"
rc=0
for r in $(seq "$FROM" "$ROUNDS"); do
	k=$(((r - 1) % ${#DIVS[@]}))
	order="${DIVS[*]:k} ${DIVS[*]:0:k}"
	echo "bench-pit: round $r of $ROUNDS: divisors $order"
	for d in $order; do
		dir=$OUT/$r-d$d
		rm -rf "$dir"
		mkdir -p "$dir"
		if NB_OUT=$dir NB_PARTS=pit NB_PIT_DIV=$d "$ROOT/bench/nested/run.sh" > "$dir.log" 2>&1; then
			echo "RES bench_round $r divisor=$d order=${order// /,} commit=$(git -C "$ROOT" rev-parse --short HEAD) l2_append=${PIT_APPEND// /,}" >> "$dir/results.txt"
		else
			tail -5 "$dir.log"
			echo "bench-pit: round $r divisor $d failed"
			rc=1
		fi
	done
done
exit $rc
