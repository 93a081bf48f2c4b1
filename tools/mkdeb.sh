#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build pvio-dkms and pvio-host-dkms from the files git knows of
# (tracked, and new ones it does not ignore) into
# build/deb/.  The tree is copied to build/deb/pvio-<version>/ (so the
# .debs land in build/deb/, dpkg-buildpackage writing to the parent
# directory) and debian/changelog is written there from the one version,
# dkms.conf's PACKAGE_VERSION.  Then lintian on the results.
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
(cd "$SRC" && dpkg-buildpackage -us -uc -b > "$OUT/build.log" 2>&1) ||
	{ tail -30 "$OUT/build.log"; exit 1; }
rm -rf "$SRC"
ls "$OUT"/*.deb
# the tags left are explained in debian/README.source
lintian --tag-display-limit 0 "$OUT"/*.changes | tee "$OUT/lintian.log"
