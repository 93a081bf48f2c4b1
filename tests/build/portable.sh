#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Nothing in the tree may name one machine's kernel: Debian's point releases
# replace it (6.1.0-N -> 6.1.0-N+1) and a written release breaks every
# script that boots or builds for it.  Scripts ask tools/kver.sh.  Only the
# recorded results under bench/results/ say which kernel they ran on.
# Prints TAP.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
name="no kernel release written in a tracked file (outside bench/results/)"
git rev-parse --git-dir > /dev/null 2>&1 || { skip "$name" "not a git checkout"; exit 0; }
hits=$(git ls-files -z -- . ':!bench/results/' |
	xargs -0 grep -I -n -E '[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+|\+deb[0-9]+)-amd64' -- 2>/dev/null)
echo "$hits" | grep . | sed 's/^/# /'
check "$name" [ -z "$hits" ]
