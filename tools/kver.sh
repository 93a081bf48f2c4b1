#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel to build for: the running one if its build tree is installed,
# else the newest kernel under /lib/modules that has one.
run=$(uname -r)
if [ -d "/lib/modules/$run/build" ]; then
	echo "$run"
	exit 0
fi
for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
	basename "$(dirname "$d")"
	exit 0
done
echo "$run"
