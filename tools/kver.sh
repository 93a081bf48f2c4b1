#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The one place that decides which kernel pvio builds for and boots:
#   1. $KVER if the caller set it;
#   2. the running kernel, if its build tree is installed;
#   3. the newest installed kernel with both a build tree and /boot/vmlinuz
#      (the guest modules, the patched KVM and the L1/L2 guests all use it);
#   4. the newest with a build tree only (a machine that only builds);
#   5. the running kernel's release (the caller then says what is missing).
# No release is ever written into the tree: Debian's point releases replace
# the kernel (6.1.0-N -> 6.1.0-N+1) and the old one is gone.
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
run=$(uname -r)
if [ -d "/lib/modules/$run/build" ]; then
	echo "$run"
	exit 0
fi
builds=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r)
for d in $builds; do
	k=$(basename "$(dirname "$d")")
	if [ -f "/boot/vmlinuz-$k" ]; then
		echo "$k"
		exit 0
	fi
done
for d in $builds; do
	basename "$(dirname "$d")"
	exit 0
done
echo "$run"
