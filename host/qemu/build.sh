#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host/qemu/build.sh: the patched qemu-system-x86_64 (make qemu).
#
# QEMU $VERSION from Debian's bookworm-backports suite (the upstream +ds
# tarball), host/qemu/patches/*.patch applied with patch -p1 --fuzz=0, the
# minimal x86_64-softmmu configuration, firmware from Debian's seabios and
# ipxe-qemu.  The result is cached by sha256(tarball, patches, build.sh, apply.sh):
#
#   $PVIO_CACHE/qemu/<key>/qemu-system-x86_64   (PVIO_CACHE=/var/cache/pvio)
#   $PVIO_CACHE/qemu/current -> <key>
#
# A second run with nothing changed prints nothing and takes under a second.
#   --force      rebuild even if the cache holds the key
#   --print-binary  print where this tree's binary is (or will be) cached,
#                $PVIO_CACHE/qemu/<key>/qemu-system-x86_64, and exit
#                (fetches the tarball if needed)
#   --keep       keep the build tree ($PVIO_CACHE/qemu/build) afterwards
# JOBS= sets ninja's parallelism (default: the number of CPUs).
set -euo pipefail

VERSION=10.0.2
SUITE=bookworm-backports
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${PVIO_CACHE:-/var/cache/pvio}
QC=$CACHE/qemu
TARBALL=$QC/src/qemu_$VERSION+ds.orig.tar.xz
SOURCES=/etc/apt/sources.list.d/pvio-qemu-backports.sources
PREFS=/etc/apt/preferences.d/pvio-backports
BUILD_DEPS="ninja-build libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev
flex bison python3-venv seabios ipxe-qemu bzip2 xz-utils patch"
BACKPORTS_DEPS="meson python3-pycotap"
MESON_MIN=1.5.0

force=0 keep=0 print_binary=0
for a in "$@"; do
	case $a in
	--force) force=1 ;;
	--keep) keep=1 ;;
	--print-binary) print_binary=1 ;;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown argument $a" >&2; exit 2 ;;
	esac
done

say() { echo "qemu: $*"; }
die() { echo "qemu: $*" >&2; exit 1; }

# backports_on / backports_off: a temporary sources entry for the suite;
# callers arm `trap backports_off EXIT` first.  Nothing of it stays.
backports_on() {
	cat > "$SOURCES" <<EOF
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	apt-get update -qq
}
backports_off() {
	if [ -f "$SOURCES" ]; then
		rm -f "$SOURCES"
		apt-get update -qq || true
	fi
}

# Only meson and python3-pycotap come from backports: everything else of
# the suite is pinned below anything from bookworm.
write_prefs() {
	local want
	want=$(cat <<EOF
# pvio (host/qemu/build.sh): QEMU $VERSION needs meson >= $MESON_MIN; take
# only meson and python3-pycotap from $SUITE, nothing else.
Package: *
Pin: release n=$SUITE
Pin-Priority: 1

Package: $BACKPORTS_DEPS
Pin: release n=$SUITE
Pin-Priority: 500
EOF
)
	[ "$(cat "$PREFS" 2>/dev/null)" = "$want" ] || echo "$want" > "$PREFS"
}

installed() { dpkg-query -W -f '${Status}\n' "$1" 2>/dev/null | grep -q 'ok installed'; }

meson_ok() {
	local v
	v=$(dpkg-query -W -f '${Version}' meson 2>/dev/null) || return 1
	installed meson && installed python3-pycotap &&
		dpkg --compare-versions "$v" ge "$MESON_MIN"
}

deps() {
	local missing="" p
	for p in $BUILD_DEPS; do installed "$p" || missing="$missing $p"; done
	meson_ok || missing="$missing $BACKPORTS_DEPS"
	[ -n "$missing" ] || return 0
	say "installing$missing (meson from $SUITE, pinned in $PREFS)"
	export DEBIAN_FRONTEND=noninteractive
	write_prefs
	trap backports_off EXIT
	backports_on
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing > "$QC/apt.log" 2>&1 ||
		{ tail -20 "$QC/apt.log"; die "apt-get install failed"; }
	backports_off
	trap - EXIT
	meson_ok || die "meson >= $MESON_MIN not installed (see $QC/apt.log)"
}

fetch() {
	[ -s "$TARBALL" ] && return 0
	local d
	d=$(mktemp -d "$QC/src/fetch.XXXXXX")
	say "fetching qemu $VERSION (+ds orig tarball) from $SUITE"
	trap 'backports_off; rm -rf "$d"' EXIT
	backports_on
	# The suite's .dsc and debian.tar.xz answer 404 (only the orig tarball
	# is there), so apt-get source fails after fetching the tarball; apt
	# checks its sha256 before it keeps it.
	(cd "$d" && apt-get source --download-only -qq "qemu/$SUITE") > "$d/log" 2>&1 || true
	[ -s "$d/qemu_$VERSION+ds.orig.tar.xz" ] ||
		{ tail -5 "$d/log"; die "apt-get source qemu/$SUITE did not fetch qemu_$VERSION+ds.orig.tar.xz"; }
	mv "$d/qemu_$VERSION+ds.orig.tar.xz" "$TARBALL"
	backports_off
	rm -rf "$d"
	trap - EXIT
}

mkdir -p "$QC/src"
"$HERE/header.sh" check || die "patches/0001 is not a copy of include/uapi/linux/pvio.h (run host/qemu/header.sh update)"
fetch
key=$(cat "$TARBALL" "$HERE"/patches/*.patch "$HERE/build.sh" "$HERE/apply.sh" | sha256sum | cut -c1-16)
OUTD=$QC/$key
if [ $print_binary = 1 ]; then echo "$OUTD/qemu-system-x86_64"; exit 0; fi
if [ $force = 0 ] && [ -x "$OUTD/qemu-system-x86_64" ]; then
	[ "$(readlink "$QC/current" 2>/dev/null)" = "$key" ] || ln -sfn "$key" "$QC/current"
	exit 0
fi

deps
t0=$(date +%s)
B=$QC/build
rm -rf "$B"
mkdir -p "$B"
say "building qemu $VERSION + $(find "$HERE/patches" -name '*.patch' | wc -l) patches in $B (key $key)"
tar -C "$B" -xf "$TARBALL"
S=$B/qemu-$VERSION
[ -d "$S" ] || die "tarball did not unpack to qemu-$VERSION"
"$HERE/apply.sh" "$S" || die "the series does not apply"
cmp -s "$S/linux-headers/linux/pvio.h" "$REPO/include/uapi/linux/pvio.h" ||
	die "linux-headers/linux/pvio.h differs from include/uapi/linux/pvio.h"
# The +ds tarball has no edk2 blobs, but meson.build unpacks them whenever
# bzip2 is found: switch that step off, and fail if the line moved.
sed -i 's/^\(    unpack_edk2_blobs = \)bzip2.found()$/\1false/' "$S/meson.build"
[ "$(grep -c 'unpack_edk2_blobs = false' "$S/meson.build")" = 2 ] ||
	die "meson.build: the edk2 unpack line was not found; update the sed"
mkdir -p "$S/build"
(cd "$S/build" && ../configure --python=/usr/bin/python3 \
	--target-list=x86_64-softmmu --without-default-features \
	--enable-kvm --enable-tcg --enable-slirp --enable-fdt=system \
	--disable-docs --disable-install-blobs --disable-werror \
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu) \
	> "$B/configure.log" 2>&1 || { tail -30 "$B/configure.log"; die "configure failed ($B/configure.log)"; }
ninja -C "$S/build" ${JOBS:+-j "$JOBS"} qemu-system-x86_64 > "$B/ninja.log" 2>&1 ||
	{ grep -B2 -A12 -m3 'error' "$B/ninja.log" | head -60; die "ninja failed ($B/ninja.log)"; }
"$S/build/qemu-system-x86_64" -version > /dev/null || die "the built binary does not run"
rm -rf "$OUTD.tmp"
mkdir -p "$OUTD.tmp"
cp "$S/build/qemu-system-x86_64" "$OUTD.tmp/"
strip --strip-debug "$OUTD.tmp/qemu-system-x86_64"
cp "$HERE"/patches/*.patch "$OUTD.tmp/"
echo "$VERSION $key $(date -u +%FT%TZ) $(($(date +%s) - t0))s" > "$OUTD.tmp/BUILD-INFO"
rm -rf "$OUTD"
mv "$OUTD.tmp" "$OUTD"
ln -sfn "$key" "$QC/current"
[ $keep = 1 ] || rm -rf "$B"
say "built in $(($(date +%s) - t0)) s: $QC/current/qemu-system-x86_64"
