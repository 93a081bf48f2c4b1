#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Nothing in the tree may name one machine's kernel: Debian's point releases
# replace it (6.1.0-N -> 6.1.0-N+1) and a written release breaks every
# script that boots or builds for it.  Scripts ask tools/kver.sh.  Only the
# recorded results under bench/results/ say which kernel they ran on.
# Prints TAP.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
name="no kernel release written in a tracked file (outside bench/results/)"
if ! git rev-parse --git-dir > /dev/null 2>&1; then
	echo "ok 1 - $name # SKIP not a git checkout"
	exit 0
fi
hits=$(git ls-files -z -- . ':!bench/results/' |
	xargs -0 grep -I -n -E '[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+|\+deb[0-9]+)-amd64' -- 2>/dev/null)
if [ -z "$hits" ]; then
	echo "ok 1 - $name"
else
	echo "$hits" | sed 's/^/# /'
	echo "not ok 1 - $name"
	exit 1
fi
