#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host/kvm/check.sh [--kver KVER]: quick static checks of the host patch
# series, no build (seconds).  TAP output; exit status 0 only if every check
# passed.  For every series host/kvm/patches/X.Y (only KVER's with --kver):
#   1. checkpatch.pl --strict of linux-source-X.Y is clean on every patch of
#      the series and on every source file
#   2. the series applies to linux-source-X.Y with patch -p1 --fuzz=0
#   3. the files the series adds equal host/kvm/src/* and the ABI header
# and, without --kver, that dkms.conf's BUILD_EXCLUSIVE_KERNEL admits the
# kernels of exactly the series that have patches.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
UAPI=$REPO/include/uapi/linux/pvio.h
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

USER_CHECKPATCH=${CHECKPATCH:-}
KVER=
case "${1:-}" in
--kver) KVER=${2:-} ;;
--kver=*) KVER=${1#*=} ;;
"") ;;
*) echo "usage: $0 [--kver KVER]" >&2; exit 2 ;;
esac

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }

echo "TAP version 13"

if [ -n "$KVER" ]; then
	S=$(echo "$KVER" | sed -n 's/^\([0-9]\{1,\}\.[0-9]\{1,\}\)\([.+-].*\)\{0,1\}$/\1/p')
	if [ -z "$S" ] || ! ls "$HERE/patches/$S"/*.patch >/dev/null 2>&1; then
		notok "a patch series for KVER '$KVER' (host/kvm/patches/${S:-?} has none)"
		echo "1..$n"
		exit 1
	fi
	SERIES=$S
else
	SERIES=$(cd "$HERE/patches" && ls -d -- */ | tr -d / | sort -V)
fi
[ -n "$SERIES" ] || { notok "host/kvm/patches has a series"; echo "1..$n"; exit 1; }

for S in $SERIES; do
	echo "# series $S"
	P=$HERE/patches/$S
	LINUX_SRC=/var/cache/pvio/linux-source-$S
	CHECKPATCH=${USER_CHECKPATCH:-$LINUX_SRC/scripts/checkpatch.pl}
	if ! ls "$P"/*.patch >/dev/null 2>&1; then
		notok "$S: the series has patches"
		continue
	fi

	if [ ! -f "$CHECKPATCH" ]; then
		skip "$S: checkpatch (no $CHECKPATCH)"
	else
		for f in "$P"/*.patch "$HERE"/src/*; do
			opt=
			case "$f" in *.patch) ;; *) opt=-f ;; esac
			# run outside the git tree: checkpatch looks at git there
			out=$(cd "$T" && perl "$CHECKPATCH" --no-tree --strict $opt "$f" 2>&1)
			if echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
				ok "$S: checkpatch --strict: ${f#"$REPO"/}"
			else
				echo "$out" | grep -E '^(ERROR|WARNING|CHECK)' -A3 | sed 's/^/# /'
				notok "$S: checkpatch --strict: ${f#"$REPO"/}"
			fi
		done
	fi

	if [ ! -d "$LINUX_SRC/arch/x86/kvm" ]; then
		skip "$S: series applies (no Linux source at $LINUX_SRC)"
		continue
	fi
	rm -rf "$T/tree"
	mkdir -p "$T/tree"
	for p in MAINTAINERS arch/x86/kvm arch/x86/include/asm/kvm_host.h \
		 Documentation/virt/kvm/x86/hypercalls.rst; do
		mkdir -p "$T/tree/$(dirname "$p")"
		cp -a "$LINUX_SRC/$p" "$T/tree/$p"
	done
	chmod -R u+w "$T/tree"
	applied=1
	for p in "$P"/*.patch; do
		if ! patch -d "$T/tree" -p1 --fuzz=0 --batch --forward \
			--no-backup-if-mismatch --quiet < "$p" > "$T/patch.log" 2>&1; then
			sed 's/^/# /' "$T/patch.log"
			applied=0
		fi
	done
	if [ $applied = 1 ]; then
		ok "$S: series applies to $LINUX_SRC with --fuzz=0"
		same=1
		for f in "$HERE"/src/*; do
			cmp -s "$f" "$T/tree/arch/x86/kvm/$(basename "$f")" || {
				echo "# differs: $f"; same=0; }
		done
		cmp -s "$UAPI" "$T/tree/include/uapi/linux/pvio.h" || {
			echo "# differs: $UAPI"; same=0; }
		if [ $same = 1 ]; then
			ok "$S: series adds exactly host/kvm/src/* and the ABI header"
		else
			notok "$S: series adds exactly host/kvm/src/* and the ABI header (run host/kvm/mkpatches.sh --kver <$S kernel>)"
		fi
	else
		notok "$S: series applies to $LINUX_SRC with --fuzz=0"
		notok "$S: series adds exactly host/kvm/src/* and the ABI header (not checked)"
	fi
done

if [ -z "$KVER" ]; then
	# 6.1.0-N-amd64 and 6.12.N+bpo-amd64 style releases of every series
	# with patches must match, those of the neighbouring series must not
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$HERE/dkms.conf")
	bad=
	for S in $SERIES; do
		for k in "$S.0-1-amd64" "$S.9+bpo-amd64"; do
			[[ $k =~ $re ]] || bad="$bad $k(not admitted)"
		done
		maj=${S%%.*} min=${S#*.}
		for o in "$maj.$((min + 1))" "$maj.$((min - 1))" "$maj.${min}0" "$((maj - 1)).$min"; do
			echo "$SERIES" | grep -qx "${o//./\\.}" && continue
			[[ "$o.0-1-amd64" =~ $re ]] && bad="$bad $o.0-1-amd64(admitted)"
		done
	done
	if [ -n "$re" ] && [ -z "$bad" ]; then
		ok "dkms.conf BUILD_EXCLUSIVE_KERNEL '$re' admits the series $(echo $SERIES) and no other"
	else
		notok "dkms.conf BUILD_EXCLUSIVE_KERNEL '$re' vs series $(echo $SERIES):$bad"
	fi
fi

echo "1..$n"
echo "# host/kvm/check.sh: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
