# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmarks made of several L1 boots (bonnie.sh, mode2.sh,
# napi.sh, pit.sh, shsched.sh): the build, the output folder, an order that
# rotates every round, and one L1 boot of run.sh that records its round.
#
# bench/run.sh's profile and latency benchmarks use it too.
#
# Env: NB_ROUNDS (each benchmark's default), NB_FROM=1 (N: run rounds N..
#      only, keeping the earlier ones' folders)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# rounds_init NAME OUT_DIR DEFAULT_ROUNDS [MAKE_TARGET...]: builds the
# modules (without test hooks) and the patched KVM, then sets NAME, OUT,
# ROUNDS, FROM and RC (1 once a boot failed); 1 if the build failed
rounds_init() {
	NAME=$1 OUT=$2 ROUNDS=${NB_ROUNDS:-$3} FROM=${NB_FROM:-1} RC=0
	shift 3
	make -s -C "$ROOT" PVIO_FAULT_INJECTION=0 ${KVER:+KVER=$KVER} all host "$@" ||
		{ echo "bench-$NAME: the build failed"; return 1; }
	[ "$FROM" -gt 1 ] || rm -rf "$OUT"
	mkdir -p "$OUT"
}

# rotate K WORD...: the words, starting at the (K mod count)th (from 0)
rotate() {
	local k=$(($1 % ($# - 1)))
	shift
	set -- "$@" "${@:1:$k}"
	shift "$k"
	echo "$*"
}

# boot DIR FACT [VAR=VALUE...]: one L1 boot of run.sh into DIR with those
# variables; when it completes, "RES FACT commit=<HEAD>" ends its results.txt
boot() {
	local dir=$1 fact=$2
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	if env NB_OUT="$dir" "$@" "$ROOT/bench/nested/run.sh" > "$dir.log" 2>&1; then
		echo "RES $fact commit=$(git -C "$ROOT" rev-parse --short HEAD)" >> "$dir/results.txt"
	else
		tail -5 "$dir.log"
		echo "bench-$NAME: ${dir##*/} failed, see $dir.log"
		RC=1
	fi
}
