#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh [SECONDS]: build and run the libFuzzer target for the
# host's batch validator (host/kvm/src/pvio_check.c, the file kvm.ko gets)
# for SECONDS (default 30).  Exit status 0 = no crash, no failed check.
# Ends with TAP lines (ok/not ok) for make check's summary.
#
# Build: clang -fsanitize=fuzzer,address,undefined into build/fuzz/.
# Corpus: build/fuzz/corpus (kept between runs), seeded from tests/fuzz/seeds.
# Crash inputs land in build/fuzz/ (crash-*); rerun one with
#   build/fuzz/fuzz_pvio build/fuzz/crash-<hash>
set -euo pipefail

SECONDS_TO_RUN=${1:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/fuzz
CC=${CC:-}
if [ -z "$CC" ]; then
	for c in clang clang-14; do
		if command -v "$c" >/dev/null; then CC=$c; break; fi
	done
fi
[ -n "$CC" ] || { echo "tests/fuzz/run.sh: clang not found" >&2; exit 1; }

# shellcheck source=tests/lib/guest.sh
. "$REPO/tests/lib/guest.sh"
mkdir -p "$OUT/corpus"
echo "# tests/fuzz/run.sh: building $OUT/fuzz_pvio with $CC"
check_log "fuzz_pvio builds (clang -fsanitize=fuzzer,address,undefined)" "$OUT/build.log" \
	"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-include "$HERE/kcompat.h" -I "$REPO/host/kvm/src" -I "$REPO/include" \
	"$HERE/fuzz_pvio.c" "$REPO/host/kvm/src/pvio_check.c" \
	-o "$OUT/fuzz_pvio" || { echo "1..1"; exit 1; }

echo "# tests/fuzz/run.sh: fuzzing for ${SECONDS_TO_RUN}s"
cd "$OUT"
status=0
./fuzz_pvio -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 \
	-use_value_profile=1 -max_len=4096 -timeout=10 \
	corpus "$HERE/seeds" > fuzz.log 2>&1 || status=$?
tail -25 fuzz.log | sed 's/^/# /'
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz.log)
check "fuzz_pvio ${SECONDS_TO_RUN}s, ${runs:-?} inputs: no crash, no failed check (log $OUT/fuzz.log)" \
	[ "$status" = 0 ] || echo "tests/fuzz/run.sh: FAILED (status $status); inputs:" \
	"$(find "$OUT" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \) | tr '\n' ' ')" >&2
echo "1..2"
[ "$status" = 0 ]
