#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build pvio-dkms and pvio-host-dkms from the files git knows of
# (tracked, and new ones it does not ignore) into
# build/deb/, and pvio-qemu from the patched qemu-system-x86_64 that
# host/qemu/build.sh (make qemu) caches.  The tree is copied to
# build/deb/pvio-<version>/ (so the .debs land in build/deb/,
# dpkg-buildpackage writing to the parent directory) and debian/changelog
# is written there from the one version, dkms.conf's PACKAGE_VERSION.
# Then lintian on the results.
#
# pvio-qemu: before dpkg-buildpackage, host/qemu/build.sh is run (a no-op
# when its cache holds this tree's key; else a cold build, about 6 min on 2
# cores, which may install build dependencies with apt) and its binary and
# BUILD-INFO are staged in the copy's debian/pvio-qemu-staged/, so the
# package build itself fetches and compiles nothing.  PVIO_DEB_QEMU=0 skips
# build.sh; then, or when no binary can be had, only the two Architecture:
# all packages are built (dpkg-buildpackage -A) and this script says that
# pvio-qemu was skipped and why.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/deb
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/dkms.conf")
SRC=$OUT/pvio-$VER

rm -rf "$OUT"
mkdir -p "$SRC"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && xargs -0 cp -a --parents -t "$SRC")
# the date of the commit, so two builds of one commit are the same
when=$(git -C "$ROOT" log -1 --format=%aD 2>/dev/null || date -R)
rev=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
cat > "$SRC/debian/changelog" <<CL
pvio ($VER) unstable; urgency=medium

  * Built from the pvio tree at $rev.

 -- $(sed -n 's/^Maintainer: //p' "$ROOT/debian/control")  $when
CL

qemu_skip=""
if [ "${PVIO_DEB_QEMU:-1}" = 0 ]; then
	qemu_skip="PVIO_DEB_QEMU=0"
elif ! "$ROOT/host/qemu/build.sh" > "$OUT/qemu.log" 2>&1; then
	qemu_skip="host/qemu/build.sh failed (build/deb/qemu.log: $(tail -1 "$OUT/qemu.log"))"
elif ! qbin=$("$ROOT/host/qemu/build.sh" --print-binary) || [ ! -x "$qbin" ]; then
	qemu_skip="host/qemu/build.sh --print-binary names no binary"
else
	mkdir -p "$SRC/debian/pvio-qemu-staged"
	cp "$qbin" "$(dirname "$qbin")/BUILD-INFO" "$SRC/debian/pvio-qemu-staged/"
fi
if [ -n "$qemu_skip" ]; then
	echo "mkdeb: pvio-qemu skipped: $qemu_skip" | tee "$OUT/qemu-skipped"
	build=-A
else
	build=-b
fi
(cd "$SRC" && dpkg-buildpackage -us -uc $build > "$OUT/build.log" 2>&1) ||
	{ tail -30 "$OUT/build.log"; exit 1; }
rm -rf "$SRC"
ls "$OUT"/*.deb
# the tags left are explained in debian/README.source
lintian --tag-display-limit 0 "$OUT"/*.changes | tee "$OUT/lintian.log"
