#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host/kvm/check.sh: quick static checks of the host patch series, no build
# (seconds).  TAP output; exit status 0 only if every check passed.
#   1. checkpatch.pl --strict is clean on every patch and every source file
#   2. the series applies to linux-source-6.1 with patch -p1 --fuzz=0
#   3. the files the series adds equal host/kvm/src/* and the ABI header
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
LINUX_SRC=${LINUX_SRC:-/var/cache/pvio/linux-source-6.1}
CHECKPATCH=${CHECKPATCH:-$LINUX_SRC/scripts/checkpatch.pl}
UAPI=$REPO/include/uapi/linux/pvio.h
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }

echo "TAP version 13"

if [ ! -f "$CHECKPATCH" ]; then
	skip "checkpatch (no $CHECKPATCH)"
else
	for f in "$HERE"/patches/*.patch "$HERE"/src/*; do
		opt=
		case "$f" in *.patch) ;; *) opt=-f ;; esac
		# run outside the git tree: checkpatch looks at git there
		out=$(cd "$T" && perl "$CHECKPATCH" --no-tree --strict $opt "$f" 2>&1)
		if echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
			ok "checkpatch --strict: ${f#"$REPO"/}"
		else
			echo "$out" | grep -E '^(ERROR|WARNING|CHECK)' -A3 | sed 's/^/# /'
			notok "checkpatch --strict: ${f#"$REPO"/}"
		fi
	done
fi

if [ ! -d "$LINUX_SRC/arch/x86/kvm" ]; then
	skip "series applies (no Linux source at $LINUX_SRC)"
else
	mkdir -p "$T/tree"
	for p in MAINTAINERS arch/x86/kvm arch/x86/include/asm/kvm_host.h \
		 Documentation/virt/kvm/x86/hypercalls.rst; do
		mkdir -p "$T/tree/$(dirname "$p")"
		cp -a "$LINUX_SRC/$p" "$T/tree/$p"
	done
	chmod -R u+w "$T/tree"
	applied=1
	for p in "$HERE"/patches/*.patch; do
		if ! patch -d "$T/tree" -p1 --fuzz=0 --batch --forward \
			--no-backup-if-mismatch --quiet < "$p" > "$T/patch.log" 2>&1; then
			sed 's/^/# /' "$T/patch.log"
			applied=0
		fi
	done
	if [ $applied = 1 ]; then
		ok "series applies to $LINUX_SRC with --fuzz=0"
		same=1
		for f in "$HERE"/src/*; do
			cmp -s "$f" "$T/tree/arch/x86/kvm/$(basename "$f")" || {
				echo "# differs: $f"; same=0; }
		done
		cmp -s "$UAPI" "$T/tree/include/uapi/linux/pvio.h" || {
			echo "# differs: $UAPI"; same=0; }
		if [ $same = 1 ]; then
			ok "series adds exactly host/kvm/src/* and the ABI header"
		else
			notok "series adds exactly host/kvm/src/* and the ABI header (run host/kvm/mkpatches.sh)"
		fi
	else
		notok "series applies to $LINUX_SRC with --fuzz=0"
		notok "series adds exactly host/kvm/src/* and the ABI header (not checked)"
	fi
fi

echo "1..$n"
echo "# host/kvm/check.sh: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
