#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The one place that decides which kernel pvio builds for and boots:
#   1. $KVER if the caller set it;
#   2. the running kernel, if its build tree is installed;
#   3. the kernel Debian's linux-image-amd64 metapackage points at (the
#      distribution's default), if its build tree and /boot/vmlinuz are here;
#   4. the newest installed kernel with both a build tree and /boot/vmlinuz
#      (the guest modules, the patched KVM and the L1/L2 guests all use it);
#   5. the newest with a build tree only (a machine that only builds);
#   6. the running kernel's release (the caller then says what is missing).
# No release is ever written into the tree: Debian's point releases replace
# the kernel (6.1.0-N -> 6.1.0-N+1) and the old one is gone.  Every other
# installed kernel is listed by tools/kvers.sh (the test matrix).
if [ -n "${KVER:-}" ]; then
	echo "$KVER"
	exit 0
fi
run=$(uname -r)
if [ -d "/lib/modules/$run/build" ]; then
	echo "$run"
	exit 0
fi
usable() { [ -d "/lib/modules/$1/build" ] && [ -f "/boot/vmlinuz-$1" ]; }
meta=$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
if [ -n "$meta" ] && usable "$meta"; then
	echo "$meta"
	exit 0
fi
builds=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r)
for d in $builds; do
	k=$(basename "$(dirname "$d")")
	if usable "$k"; then
		echo "$k"
		exit 0
	fi
done
for d in $builds; do
	basename "$(dirname "$d")"
	exit 0
done
echo "$run"
