#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Maintain host/kvm/patches, the KVM patch series against linux-source-6.1.
#
# Sources of truth: host/kvm/src/* for the files the series adds under
# arch/x86/kvm/, include/uapi/linux/pvio.h for the ABI header, and the
# patches themselves for the hunks that hook the new code into KVM.
#
#   host/kvm/mkpatches.sh            refresh: replay the series in a scratch
#                                    git tree, copy the sources of truth over
#                                    the files each patch adds, re-export
#   host/kvm/mkpatches.sh tree       only build the scratch git tree (one
#                                    commit per patch) to edit hooks by hand
#   host/kvm/mkpatches.sh export     export the scratch tree's commits
#
# The scratch tree is build/host/patchwork (base commit tagged "base").
# A file the series adds must be added by one patch and not touched by
# later ones.  build.sh refuses to build when the series and the sources
# of truth differ.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LINUX_SRC=${LINUX_SRC:-/var/cache/pvio/linux-source-6.1}
W=$REPO/build/host/patchwork
UAPI=$REPO/include/uapi/linux/pvio.h
PARTS="MAINTAINERS arch/x86/kvm virt/kvm arch/x86/include/asm/kvm_host.h
       Documentation/virt/kvm/x86/hypercalls.rst"

die() { echo "host/kvm/mkpatches.sh: error: $*" >&2; exit 1; }

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
		commit -q -m "Linux (KVM parts of linux-source-6.1)"
	git -C "$W" tag base
	for p in "$HERE"/patches/*.patch; do
		git -C "$W" am -q "$p" || die "$(basename "$p") does not apply"
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
	rm -f "$HERE"/patches/*.patch
	git -C "$W" format-patch -q --zero-commit -o "$HERE/patches" base..HEAD
	ls "$HERE"/patches
}

case "${1:-refresh}" in
refresh) make_tree refresh; export_tree ;;
tree) make_tree; echo "scratch tree: $W" ;;
export) export_tree ;;
*) die "usage: $0 [refresh|tree|export]" ;;
esac
