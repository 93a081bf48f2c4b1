#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs what make check/demo/bench need from Debian's packages, once:
# quiet when everything is there.  Also extracts linux-source-6.1 into the
# cache (checkpatch, the in-tree build test and the host KVM build use it).
set -e
PKGS="build-essential bc bison flex libelf-dev libssl-dev kmod cpio
busybox-static qemu-system-x86 linux-image-amd64 linux-headers-amd64
linux-source-6.1 dkms sparse clang libclang-rt-14-dev xz-utils python3
fio python3-matplotlib ethtool openssl iperf3 bonnie++
debhelper dh-dkms lintian tuned"
missing=""
for p in $PKGS; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing > /tmp/pvio-apt.log 2>&1 ||
		{ tail -20 /tmp/pvio-apt.log; exit 1; }
fi

# The extracted tree is keyed by the package's version: a point release of
# linux-source-6.1 (it moves with Debian's kernel) replaces it, so the host
# build never pairs a new kernel's headers with an old tree.
CACHE=${PVIO_CACHE:-/var/cache/pvio}
SRC=$CACHE/linux-source-6.1
ver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
if [ "$(cat "$SRC/.pvio-extracted" 2>/dev/null)" != "$ver" ]; then
	echo "deps: extracting linux-source-6.1 $ver into $CACHE"
	mkdir -p "$CACHE"
	rm -rf "$SRC"
	tar -C "$CACHE" -xf /usr/src/linux-source-6.1.tar.xz
	echo "$ver" > "$SRC/.pvio-extracted"
fi
