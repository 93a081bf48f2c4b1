#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Maintain host/kvm/patches/X.Y, the KVM patch series against
# linux-source-X.Y, one series per kernel series (6.1, 6.12, ...).
#
# Sources of truth: host/kvm/src/* for the files the series adds under
# arch/x86/kvm/, include/uapi/linux/pvio.h for the ABI header, and the
# patches themselves for the hunks that hook the new code into KVM.  Every
# series adds the same, byte-identical files.
#
#   host/kvm/mkpatches.sh [--kver KVER] [refresh|tree|export]
#
#   refresh (default)  replay the series in a scratch git tree, copy the
#                      sources of truth over the files each patch adds,
#                      re-export
#   tree               only build the scratch git tree (one commit per
#                      patch) to edit hooks by hand
#   export             export the scratch tree's commits
#
# The series X.Y is KVER's (6.12.N+debM-amd64 -> 6.12; KVER defaults to
# tools/kver.sh).  --all does it for every series under host/kvm/patches.
# LINUX_SRC= names another extracted source tree (one series only).
# The scratch tree is build/host/patchwork-X.Y (base commit tagged "base").
# A file the series adds must be added by one patch and not touched by
# later ones.  build.sh refuses to build when the series and the sources
# of truth differ.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
UAPI=$REPO/include/uapi/linux/pvio.h
PARTS="MAINTAINERS arch/x86/kvm virt/kvm arch/x86/include/asm/kvm_host.h
       Documentation/virt/kvm/x86/hypercalls.rst"

die() { echo "host/kvm/mkpatches.sh: error: $*" >&2; exit 1; }

USER_SRC=${LINUX_SRC:-}
ALL=0
CMD=refresh
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) KVER=$2; shift 2 ;;
	--kver=*) KVER=${1#*=}; shift ;;
	--all) ALL=1; shift ;;
	refresh|tree|export) CMD=$1; shift ;;
	*) die "usage: $0 [--kver KVER | --all] [refresh|tree|export]" ;;
	esac
done

# set_series X.Y: the series directory, its Linux source and scratch tree
set_series() {
	SERIES=$1
	PATCHES=$HERE/patches/$SERIES
	LINUX_SRC=/var/cache/pvio/linux-source-$SERIES
	# LINUX_SRC= (an extracted tree) for a single series
	if [ "$ALL" = 0 ] && [ -n "$USER_SRC" ]; then
		LINUX_SRC=$USER_SRC
	fi
	W=$REPO/build/host/patchwork-$SERIES
	ls "$PATCHES"/*.patch >/dev/null 2>&1 ||
		die "no patch series for Linux $SERIES in $PATCHES (start one by copying another series' patches there and fixing their hooks in the tree command's scratch tree)"
}

NAME=$(git -C "$REPO" config user.name || echo pvio)
EMAIL=$(git -C "$REPO" config user.email || echo pvio@localhost)
export GIT_COMMITTER_NAME="$NAME" GIT_COMMITTER_EMAIL="$EMAIL"

source_of() {
	case "$1" in
	include/uapi/linux/pvio.h) echo "$UAPI" ;;
	arch/x86/kvm/*)
		if [ -f "$HERE/src/${1#arch/x86/kvm/}" ]; then
			echo "$HERE/src/${1#arch/x86/kvm/}"
		fi ;;
	esac
}

make_tree() {
	[ -d "$LINUX_SRC/arch/x86/kvm" ] || die "no Linux source at $LINUX_SRC"
	rm -rf "$W"
	mkdir -p "$W"
	for p in $PARTS; do
		mkdir -p "$W/$(dirname "$p")"
		cp -a "$LINUX_SRC/$p" "$W/$p"
	done
	chmod -R u+w "$W"
	git -C "$W" init -q
	git -C "$W" add -A
	git -C "$W" -c user.name="$NAME" -c user.email="$EMAIL" \
		commit -q -m "Linux (KVM parts of linux-source-$SERIES)"
	git -C "$W" tag base
	for p in "$PATCHES"/*.patch; do
		git -C "$W" am -q "$p" || die "$SERIES/$(basename "$p") does not apply"
		[ "${1:-}" = refresh ] || continue
		for f in $(git -C "$W" diff --name-only --diff-filter=A HEAD~1 HEAD); do
			s=$(source_of "$f")
			[ -n "$s" ] && cp "$s" "$W/$f"
		done
		git -C "$W" add -A
		git -C "$W" commit -q --amend --no-edit -s
	done
}

export_tree() {
	[ -d "$W/.git" ] || die "no scratch tree at $W"
	rm -f "$PATCHES"/*.patch
	git -C "$W" format-patch -q --zero-commit -o "$PATCHES" base..HEAD
	ls "$PATCHES"
}

run() {
	case "$CMD" in
	refresh) make_tree refresh; export_tree ;;
	tree) make_tree; echo "scratch tree: $W" ;;
	export) export_tree ;;
	esac
}

if [ "$ALL" = 1 ]; then
	for d in "$HERE"/patches/*/; do
		set_series "$(basename "$d")"
		echo "== $SERIES"
		run
	done
	exit 0
fi
if [ -z "${KVER:-}" ]; then
	KVER=$("$REPO/tools/kver.sh")
fi
s=$(echo "$KVER" | sed -n 's/^\([0-9]\{1,\}\.[0-9]\{1,\}\)\([.+-].*\)\{0,1\}$/\1/p')
[ -n "$s" ] || die "cannot tell the kernel series X.Y of KVER '$KVER'"
set_series "$s"
run
