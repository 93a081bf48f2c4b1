#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# host/qemu/apply.sh DIR: applies patches/*.patch, in order, to the QEMU
# source tree DIR with patch -p1 --fuzz=0; stops at the first patch that
# does not apply exactly, names it and fails.
HERE=$(cd "$(dirname "$0")" && pwd)
for p in "$HERE"/patches/*.patch; do
	patch -d "$1" -p1 --fuzz=0 --batch --forward --no-backup-if-mismatch \
		--quiet < "$p" >&2 || { echo "apply.sh: ${p##*/} does not apply to $1 with --fuzz=0" >&2; exit 1; }
done
