#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds and runs the userspace ABI tests (with the sanitizers), prints TAP.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/unit
mkdir -p "$OUT"
# The kernel's UAPI header test (usr/include/Makefile, CONFIG_UAPI_HEADER_TEST):
# C90, the header included twice, here with every warning an error.
for cc in gcc clang; do
	command -v $cc > /dev/null || continue
	if ! $cc -std=c90 -Wall -Werror -fsyntax-only -I"$ROOT/include/uapi" \
		-x c /dev/null -include linux/pvio.h -include linux/pvio.h \
		> "$OUT/c90.$cc.log" 2>&1; then
		sed 's/^/# /' "$OUT/c90.$cc.log" | head -20
		echo "Bail out! include/uapi/linux/pvio.h fails the UAPI header test (-std=c90, $cc)"
		exit 1
	fi
done
for cc in gcc clang; do
	command -v $cc > /dev/null || continue
	$cc -std=c11 -Wall -Wextra -Werror -pedantic -fsanitize=address,undefined \
		-fno-sanitize-recover=all -I"$ROOT/include/uapi" \
		"$ROOT/tests/unit/test_abi.c" -o "$OUT/test_abi.$cc"
	echo "# test_abi built with $cc"
	"$OUT/test_abi.$cc"
done
