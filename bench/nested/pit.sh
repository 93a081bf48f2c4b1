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
# Env: NB_ROUNDS=5  NB_FROM=1 (rounds.sh)  NB_PIT_DIVS="1 2 4 10"  NB_PIT_SECS=5
#      NB_PIT_LOOPS=400000  NB_CMDS=256  NB_PIT_OUT=build/bench-pit
set -u
. "$(dirname "$0")/rounds.sh"
read -r -a DIVS <<< "${NB_PIT_DIVS:-1 2 4 10}"
PIT_APPEND="lapic=notscdeadline nolapic_timer hpet=disable nohz=off highres=off"
export NB_BG=0 NB_CMDS=${NB_CMDS:-256} NB_PARTS=pit
export NB_L2_APPEND="$PIT_APPEND bench.pit_secs=${NB_PIT_SECS:-5} bench.pit_loops=${NB_PIT_LOOPS:-400000}"

rounds_init pit "${NB_PIT_OUT:-$ROOT/build/bench-pit}" 5 || exit 1
for r in $(seq "$FROM" "$ROUNDS"); do
	order=$(rotate $((r - 1)) "${DIVS[@]}")
	echo "bench-pit: round $r of $ROUNDS: divisors $order"
	for d in $order; do
		boot "$OUT/$r-d$d" "bench_round $r divisor=$d order=${order// /,} l2_append=${PIT_APPEND// /,}" NB_PIT_DIV="$d"
	done
done
exit $RC
