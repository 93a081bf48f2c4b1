#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host/kvm/dkms-src.sh [DEST]: stage the DKMS source tree of pvio-host
# (default DEST: /usr/src/pvio-host-<version>, the place `dkms add
# pvio-host/<version>` looks at).  Copies dkms.conf, build.sh, the patch
# series, host/kvm/src and the ABI header (as uapi/pvio.h).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# one version for the whole tree: the guest package's dkms.conf
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
DEST=${1:-/usr/src/pvio-host-$VER}

rm -rf "$DEST"
mkdir -p "$DEST/src" "$DEST/uapi"
sed "s/#MODULE_VERSION#/$VER/" "$HERE/dkms.conf" > "$DEST/dkms.conf"
cp "$HERE/build.sh" "$DEST/"
# every series: build.sh picks patches/X.Y for the kernel DKMS builds for
cp -r "$HERE/patches" "$DEST/patches"
cp "$HERE"/src/* "$DEST/src/"
cp "$REPO/include/uapi/linux/pvio.h" "$DEST/uapi/pvio.h"
echo "$DEST"
