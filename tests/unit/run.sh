#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds and runs the userspace ABI tests (with the sanitizers), prints TAP.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/unit
mkdir -p "$OUT"
for cc in gcc clang; do
	command -v $cc > /dev/null || continue
	$cc -std=c11 -Wall -Wextra -Werror -pedantic -fsanitize=address,undefined \
		-fno-sanitize-recover=all -I"$ROOT/include/uapi" \
		"$ROOT/tests/unit/test_abi.c" -o "$OUT/test_abi.$cc"
done
"$OUT/test_abi.gcc"
