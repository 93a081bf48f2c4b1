#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs what make check/demo/bench need from Debian's packages, once:
# quiet when everything is there.  Also extracts each linux-source-X.Y into
# the cache (checkpatch, the in-tree build test and the host KVM build use
# it).  Two kernel series: Debian 12's default (linux-image-amd64, 6.1) and
# 6.12 from Debian 12's security archive, the kernel Debian 13 runs;
# make check tests both (tools/kvers.sh).
set -e
PKGS="build-essential bc bison flex libelf-dev libssl-dev kmod cpio
busybox-static qemu-system-x86 linux-image-amd64 linux-headers-amd64
linux-source-6.1 linux-image-6.12-amd64 linux-headers-6.12-amd64
linux-source-6.12 dkms sparse clang libclang-rt-14-dev xz-utils python3
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

# The extracted trees are keyed by the package's version: a point release
# of linux-source-X.Y (it moves with Debian's kernel) replaces it, so the
# host build never pairs a new kernel's headers with an old tree.
CACHE=${PVIO_CACHE:-/var/cache/pvio}
for tarball in /usr/src/linux-source-*.tar.xz; do
	[ -f "$tarball" ] || continue
	name=$(basename "$tarball" .tar.xz)
	SRC=$CACHE/$name
	ver=$(dpkg-query -W -f '${Version}' "$name" 2>/dev/null) || continue
	if [ "$(cat "$SRC/.pvio-extracted" 2>/dev/null)" != "$ver" ]; then
		echo "deps: extracting $name $ver into $CACHE"
		mkdir -p "$CACHE"
		rm -rf "$SRC"
		tar -C "$CACHE" -xf "$tarball"
		echo "$ver" > "$SRC/.pvio-extracted"
	fi
done
