#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the pvio-patched KVM modules (kvm.ko, kvm-amd.ko, kvm-intel.ko) out
# of tree against an installed kernel's headers package.
#
#   host/kvm/build.sh [--kver KVER] [--kdir DIR] [--out DIR] [--work DIR]
#                     [--uapi FILE] [--force] [--prepare]
#
# The kernel series X.Y comes from KVER (6.1.0-N-amd64 -> 6.1): the patch
# series is host/kvm/patches/X.Y/ and the source linux-source-X.Y; a series
# without patches fails at once.
#
# 1. copies the parts of linux-source-X.Y KVM needs into a scratch tree
#    (build/host/<KVER>/tree, or --work DIR; from the extracted
#    /var/cache/pvio/linux-source-X.Y if it is there, else from
#    /usr/src/linux-source-X.Y.tar.xz; if that is another stable update
#    than the kernel's, from linux-source-X.Y of linux-image-KVER's package
#    version, fetched with apt-get download into the cache),
# 2. applies host/kvm/patches/X.Y/*.patch with patch -p1 --fuzz=0 (fails
#    loudly),
# 3. checks that the files the series adds are byte-identical to their
#    sources of truth (host/kvm/src/* and include/uapi/linux/pvio.h), so the
#    series and the fuzzed code cannot drift apart,
# 4. builds the three modules against /lib/modules/<KVER>/build with the
#    patched asm/kvm_host.h placed first on the include path of all three,
# 5. puts debug-stripped copies under host/build/<KVER>/ (or --out DIR).
#
# --prepare stops after step 3 (no build, no cache) and leaves the tree in
# build/host/prepare-<KVER>/ (or --work DIR), not touching a build's tree.
#
# The result is cached: a stamp holds the sha256 of the patches, sources,
# this script, the ABI header, KVER and the headers' Module.symvers; with an
# unchanged key a second run only prints where the modules are.  A copy
# under $PVIO_CACHE/kvm/<KVER>/ (default /var/cache/pvio) serves other
# clones of the same sources for the same kernel.
#
# Environment: KVER, KDIR, LINUX_SRC (an extracted tree), LINUX_TARBALL,
# PVIO_PATCHES (the series directory, default host/kvm/patches/X.Y),
# JOBS (default 2), PVIO_UAPI (= --uapi, path of pvio.h; the DKMS copy
# has it as uapi/pvio.h), PVIO_HOST_WORK (= --work).

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

die() { echo "host/kvm/build.sh: error: $*" >&2; exit 1; }
say() { echo "host/kvm/build.sh: $*"; }

OUT=
FORCE=0
PREPARE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) KVER=$2; shift 2 ;;
	--kver=*) KVER=${1#*=}; shift ;;
	--kdir) KDIR=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--work) PVIO_HOST_WORK=$2; shift 2 ;;
	--uapi) PVIO_UAPI=$2; shift 2 ;;
	--force) FORCE=1; shift ;;
	--prepare) PREPARE=1; shift ;;
	-h|--help) sed -n '3,/^$/{/^#/p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
done

if [ -z "${KVER:-}" ]; then
	if [ -x "$REPO/tools/kver.sh" ]; then
		KVER=$("$REPO/tools/kver.sh")
	else
		KVER=$(uname -r)
	fi
fi
KDIR=${KDIR:-/lib/modules/$KVER/build}
JOBS=${JOBS:-2}
# the kernel series: 6.1.0-N-amd64 -> 6.1, 6.12.N+debM-amd64 -> 6.12
SERIES=$(echo "$KVER" | sed -n 's/^\([0-9]\{1,\}\.[0-9]\{1,\}\)\([.+-].*\)\{0,1\}$/\1/p')
[ -n "$SERIES" ] || die "cannot tell the kernel series X.Y of KVER '$KVER'"
PATCHES=${PVIO_PATCHES:-$HERE/patches/$SERIES}
LINUX_SRC=${LINUX_SRC:-/var/cache/pvio/linux-source-$SERIES}
LINUX_TARBALL=${LINUX_TARBALL:-/usr/src/linux-source-$SERIES.tar.xz}
OUT=${OUT:-$REPO/host/build/$KVER}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
if [ "$PREPARE" = 1 ]; then
	WORK=${PVIO_HOST_WORK:-$REPO/build/host/prepare-$KVER}
else
	WORK=${PVIO_HOST_WORK:-$REPO/build/host/$KVER}
fi
case "$WORK" in /*) ;; *) WORK=$PWD/$WORK ;; esac

if [ -n "${PVIO_UAPI:-}" ]; then
	UAPI=$PVIO_UAPI
	case "$UAPI" in /*) ;; *) UAPI=$PWD/$UAPI ;; esac
elif [ -f "$REPO/include/uapi/linux/pvio.h" ]; then
	UAPI=$REPO/include/uapi/linux/pvio.h
else
	UAPI=$HERE/uapi/pvio.h
fi

if ! ls "$PATCHES"/*.patch >/dev/null 2>&1; then
	have=$(cd "$HERE/patches" 2>/dev/null && ls -d -- */ 2>/dev/null | tr -d / | tr '\n' ' ')
	have=${have% }
	die "no pvio host patch series for Linux $SERIES (KVER $KVER): $PATCHES has no *.patch; series available: ${have:-none}"
fi
[ -d "$KDIR" ] || die "no kernel build tree at $KDIR (install linux-headers-$KVER)"
[ -f "$UAPI" ] || die "ABI header pvio.h not found (looked at $UAPI)"

MODS="kvm kvm-amd kvm-intel"

# ---- cache -----------------------------------------------------------------
key() {
	{
		echo "KVER=$KVER"
		sha256sum "$PATCHES"/*.patch "$HERE"/src/* "$HERE/build.sh" \
			"$UAPI" | awk '{print $1}'
		sha256sum "$KDIR/Module.symvers" 2>/dev/null | awk '{print $1}'
	} | sha256sum | awk '{print $1}'
}
KEY=$(key)
# has_key DIR: DIR holds the three modules built under this very key
has_key() {
	local m
	[ -f "$1/.pvio-host-key" ] && [ "$(cat "$1/.pvio-host-key")" = "$KEY" ] || return 1
	for m in $MODS; do [ -f "$1/$m.ko" ] || return 1; done
}
# A machine-wide copy of the last build for this kernel, outside the tree,
# so that another clone of the same sources skips the build.
SHARED=${PVIO_CACHE:-/var/cache/pvio}/kvm/$KVER
if [ "$FORCE" = 0 ] && [ "$PREPARE" = 0 ]; then
	if has_key "$OUT"; then
		say "up to date (cache key ${KEY:0:12}), modules in $OUT:"
		for m in $MODS; do echo "  $OUT/$m.ko"; done
		exit 0
	fi
	if has_key "$SHARED"; then
		mkdir -p "$OUT"
		for m in $MODS; do cp "$SHARED/$m.ko" "$OUT/$m.ko"; done
		echo "$KEY" > "$OUT/.pvio-host-key"
		say "taken from $SHARED (cache key ${KEY:0:12}), modules in $OUT:"
		for m in $MODS; do echo "  $OUT/$m.ko"; done
		exit 0
	fi
fi

# ---- source tree -----------------------------------------------------------
KVERSION=$(make -s -C "$KDIR" kernelversion 2>/dev/null) ||
	die "cannot ask $KDIR for its kernel version"
TREE=$WORK/tree
rm -rf "$WORK"
mkdir -p "$TREE"

PARTS="MAINTAINERS arch/x86/kvm virt/kvm arch/x86/include/asm/kvm_host.h
       Documentation/virt/kvm/x86/hypercalls.rst"
# from_tree DIR, from_tarball FILE: KVM's parts of a Linux source into TREE,
# its top Makefile as TREE/Makefile.upstream
from_tree() {
	say "copying KVM sources from $1"
	for p in $PARTS; do
		mkdir -p "$TREE/$(dirname "$p")"
		cp -a "$1/$p" "$TREE/$p"
	done
	cp "$1/Makefile" "$TREE/Makefile.upstream"
}
from_tarball() {
	local top members=""
	say "extracting KVM sources from $1"
	top=$(tar -tJf "$1" 2>/dev/null | head -1 | cut -d/ -f1) || true
	[ -n "$top" ] || die "cannot list $1"
	for p in $PARTS Makefile; do members="$members $top/$p"; done
	# shellcheck disable=SC2086
	tar -xJf "$1" -C "$TREE" --strip-components=1 $members ||
		die "extracting from $1 failed"
	mv "$TREE/Makefile" "$TREE/Makefile.upstream"
}
source_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
		END{print v "." p "." s}' "$TREE/Makefile.upstream"
}
# matching_tarball: the linux-source-X.Y tarball of the kernel package's
# own version (Debian's linux-source-X.Y can move to the next stable update
# before linux-image-KVER does), downloaded once into the cache; prints its
# path
matching_tarball() {
	local ver dir
	ver=$(dpkg-query -W -f '${Version}' "linux-image-$KVER" 2>/dev/null) && [ -n "$ver" ] ||
		return 1
	dir=${PVIO_CACHE:-/var/cache/pvio}/linux-source-$SERIES-$ver
	if [ ! -s "$dir/linux-source-$SERIES.tar.xz" ]; then
		say "fetching linux-source-$SERIES=$ver (the version of linux-image-$KVER)" >&2
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
			(cd "$dir.tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-source-$SERIES=$ver") >&2 &&
			dpkg-deb --fsys-tarfile "$dir.tmp"/linux-source-*.deb |
			tar -xO "./usr/src/linux-source-$SERIES.tar.xz" > "$dir.tmp/linux-source-$SERIES.tar.xz" &&
			rm -f "$dir.tmp"/*.deb && rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
	fi
	echo "$dir/linux-source-$SERIES.tar.xz"
}

if [ -f "$LINUX_SRC/Makefile" ] && [ -d "$LINUX_SRC/arch/x86/kvm" ]; then
	from_tree "$LINUX_SRC"
elif [ -f "$LINUX_TARBALL" ]; then
	from_tarball "$LINUX_TARBALL"
else
	die "no Linux source: install linux-source-$SERIES (or set LINUX_SRC/LINUX_TARBALL)"
fi
SVERSION=$(source_version)
if [ "$SVERSION" != "$KVERSION" ]; then
	if [ "${PVIO_ALLOW_VERSION_MISMATCH:-0}" = 1 ]; then
		say "warning: source is $SVERSION, $KDIR is $KVERSION (forced)"
	else
		tarball=$(matching_tarball) ||
			die "source is Linux $SVERSION but $KDIR is $KVERSION, and linux-source-$SERIES of linux-image-$KVER's version could not be fetched; modules would not match the running kernel (PVIO_ALLOW_VERSION_MISMATCH=1 to force)"
		rm -rf "$TREE" && mkdir -p "$TREE"
		from_tarball "$tarball"
		SVERSION=$(source_version)
		[ "$SVERSION" = "$KVERSION" ] || die "the fetched $tarball is Linux $SVERSION, not $KVERSION"
	fi
fi
chmod -R u+w "$TREE"

# ---- patches -----------------------------------------------------------------
for p in "$PATCHES"/*.patch; do
	say "applying $SERIES/$(basename "$p")"
	patch -d "$TREE" -p1 --fuzz=0 --batch --forward --no-backup-if-mismatch \
		--quiet < "$p" || die "$(basename "$p") does not apply to Linux $SVERSION"
done

# ---- drift check: files the series adds == their sources of truth -------------
drift=0
check_same() {
	if ! cmp -s "$1" "$2"; then
		echo "host/kvm/build.sh: drift: $1 differs from $2" >&2
		drift=1
	fi
}
for f in "$HERE"/src/*; do
	check_same "$TREE/arch/x86/kvm/$(basename "$f")" "$f"
done
check_same "$TREE/include/uapi/linux/pvio.h" "$UAPI"
[ $drift = 0 ] || die "the patch series and host/kvm/src (or the ABI header) disagree; run host/kvm/mkpatches.sh"
if [ "$PREPARE" = 1 ]; then
	say "patched tree ready in $TREE (no build: --prepare)"
	exit 0
fi

# ---- out-of-tree build fixups (build only, not part of the series) ------------
# The headers package has neither virt/kvm nor arch/x86/kvm: point the KVM
# Makefile at the copies; put the patched asm/kvm_host.h (struct kvm_vcpu_stat
# and struct kvm_vcpu_arch grow) and uapi/linux/pvio.h in front of
# LINUXINCLUDE for every object of all three modules; give define_trace.h an
# include/trace directory from which ../../arch/x86/kvm/trace.h resolves.
OVR=$WORK/override
mkdir -p "$OVR/asm" "$OVR/uapi/linux" "$TREE/include/trace"
cp "$TREE/arch/x86/include/asm/kvm_host.h" "$OVR/asm/kvm_host.h"
cp "$TREE/include/uapi/linux/pvio.h" "$OVR/uapi/linux/pvio.h"
MK=$TREE/arch/x86/kvm/Makefile
# shellcheck disable=SC2016 # $(srctree) and $(src) are make's, not ours
sed -i \
	-e 's|^include $(srctree)/virt/kvm/Makefile.kvm|include $(src)/../../../virt/kvm/Makefile.kvm|' \
	-e 's|-I $(srctree)/arch/x86/kvm|-I $(src)|' "$MK"
grep -q 'src)/../../../virt/kvm/Makefile.kvm' "$MK" || die "could not retarget Makefile.kvm in $MK"
cat >> "$MK" <<EOF

# added by host/kvm/build.sh for the out-of-tree build
NOSTDINC_FLAGS := -I$OVR \$(NOSTDINC_FLAGS)
ccflags-y += -I$TREE/include/trace
EOF

# ---- build -------------------------------------------------------------------
say "building kvm, kvm-amd, kvm-intel for $KVER (Linux $KVERSION) with -j$JOBS"
start=$(date +%s)
make -C "$KDIR" M="$TREE/arch/x86/kvm" -j"$JOBS" modules > "$WORK/build.log" 2>&1 || {
	tail -40 "$WORK/build.log" >&2
	die "kernel build failed, full log in $WORK/build.log"
}
end=$(date +%s)
if grep -E 'warning:' "$WORK/build.log" >&2; then
	die "the build printed warnings (see $WORK/build.log)"
fi

# every object of all three modules must have seen the patched header
for o in x86.o svm/svm.o vmx/vmx.o; do
	cmd="$TREE/arch/x86/kvm/$(dirname "$o")/.$(basename "$o").cmd"
	grep -q "$OVR/asm/kvm_host.h" "$cmd" ||
		die "$o was not built with the patched asm/kvm_host.h"
	if grep -q "$KDIR/arch/x86/include/asm/kvm_host.h\|/usr/src/linux-headers-[^ ]*/arch/x86/include/asm/kvm_host.h" "$cmd"; then
		die "$o also saw the unpatched asm/kvm_host.h"
	fi
done

mkdir -p "$OUT"
for m in $MODS; do
	ko="$TREE/arch/x86/kvm/$m.ko"
	[ -f "$ko" ] || die "$m.ko was not built"
	strip --strip-debug -o "$OUT/$m.ko" "$ko"
done
echo "$KEY" > "$OUT/.pvio-host-key"
if mkdir -p "$SHARED" 2>/dev/null; then
	for m in $MODS; do cp "$OUT/$m.ko" "$SHARED/$m.ko"; done
	echo "$KEY" > "$SHARED/.pvio-host-key"
fi
say "built in $((end - start)) s; modules in $OUT:"
for m in $MODS; do echo "  $OUT/$m.ko"; done
