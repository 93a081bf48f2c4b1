#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernels make check tests: tools/kver.sh's choice first, then every
# other installed kernel with both a build tree and /boot/vmlinuz, newest
# first, one per line.  PVIO_KVERS="a b" replaces the list.
if [ -n "${PVIO_KVERS:-}" ]; then
	printf '%s\n' $PVIO_KVERS
	exit 0
fi
first=$("$(dirname "$0")/kver.sh")
echo "$first"
for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
	k=$(basename "$(dirname "$d")")
	[ "$k" = "$first" ] && continue
	[ -f "/boot/vmlinuz-$k" ] && echo "$k"
done
exit 0
