#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: runs each benchmark side by side with its baseline in one run
# and writes bench/results/*.md.  Exit counts are the headline where a
# benchmark has them; seconds go beside them.
#
#   native   batch of 8 OUTs to the UART scratch register through pvio's
#            native transport vs 8 direct outb, TCG guest (goal: <= 1.10x)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RES=$ROOT/bench/results
mkdir -p "$RES"
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
rc=0

bench_native() {
	local log=$ROOT/build/vm/native-overhead/console.log out=$RES/native-overhead.md
	"$ROOT/tests/vm/run.sh" "$ROOT/bench/native/native-overhead.sh" || return 1
	local d p r
	d=$(sed -n 's/.*direct_ns_per_batch=\([0-9]*\).*/\1/p' "$log")
	p=$(sed -n 's/.*pvio_ns_per_batch=\([0-9]*\).*/\1/p' "$log")
	r=$(sed -n 's/.*ratio_x1000=\([0-9]*\).*/\1/p' "$log")
	[ -n "$r" ] || { echo "bench: no result in $log"; return 1; }
	local ratio verdict
	ratio=$(awk -v r="$r" 'BEGIN { printf "%.3f", r / 1000 }')
	verdict=$(awk -v r="$r" 'BEGIN { print (r <= 1100 ? "met" : "MISSED") }')
	{
		echo "# Native-transport overhead"
		echo
		echo "$(date -u +%Y-%m-%d), \`make bench\`, guest kernel $KVER under QEMU TCG (-cpu qemu64, 1 vCPU),"
		echo "$(sed -n 's/.*pvio_bench: \(transport=.*\)/\1/p' "$log")."
		echo "A batch is 8 OUTs to the COM1 scratch register (0x3ff); median of the interleaved rounds."
		echo
		echo "| path | ns per batch of 8 OUTs |"
		echo "|---|---|"
		echo "| 8 direct outb | $d |"
		echo "| pvio batch, native transport | $p |"
		echo
		echo "Ratio pvio / direct: **$ratio** (goal <= 1.10: $verdict)."
	} > "$out"
	cat "$out"
}

only=${BENCH:-native}
for b in $only; do
	echo "== bench $b"
	"bench_$b" || { echo "bench $b failed"; rc=1; }
done
exit $rc
