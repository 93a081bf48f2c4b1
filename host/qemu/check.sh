#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host/qemu/check.sh: checks of the QEMU patch series, TAP; exit status 0
# only if every check passed.  Static by default (a few seconds, no build):
#   1. patches/0001's linux-headers/linux/pvio.h equals include/uapi/linux/pvio.h
#   2. QEMU's scripts/checkpatch.pl is clean on every patch (0001 may only
#      carry the two warnings every header imported into linux-headers/ gets)
#   3. the series applies to the cached tarball with patch -p1 --fuzz=0
# 2 and 3 need the tarball that make qemu caches; without it they are
# skipped (PVIO_QEMU=1 fetches it).  PVIO_QEMU=1 also builds the patched
# QEMU (make qemu: cached, under a second; cold, about 4 min on 2 cores)
# and checks the binary: it runs, lists the new accelerator and device
# properties, and starts a machine under TCG with them.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${PVIO_CACHE:-/var/cache/pvio}
VERSION=$(sed -n 's/^VERSION=//p' "$HERE/build.sh")
TARBALL=$CACHE/qemu/src/qemu_$VERSION+ds.orig.tar.xz
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# ok, not_ok, skip NAME WHY (TAP_N counts)
# shellcheck source=tests/lib/guest.sh
. "$REPO/tests/lib/guest.sh"
failed=0
notok() { failed=$((failed + 1)); not_ok "$@"; }
note() { sed "s/^/# /"; }

echo "TAP version 13"

if "$HERE/header.sh" check 2> "$T/hdr.log"; then
	ok "patches/0001 adds a verbatim copy of include/uapi/linux/pvio.h"
else
	sed 's/^/# /' "$T/hdr.log"
	notok "patches/0001 adds a verbatim copy of include/uapi/linux/pvio.h (run host/qemu/header.sh update)"
fi

if [ "${PVIO_QEMU:-0}" = 1 ]; then
	if flock /tmp/pvio-heavy.lock "$HERE/build.sh" > "$T/build.log" 2>&1; then
		ok "make qemu: qemu $VERSION with the series ($CACHE/qemu/current)"
	else
		sed 's/^/# /' "$T/build.log" | tail -30
		notok "make qemu: qemu $VERSION with the series"
	fi
fi

if [ ! -s "$TARBALL" ]; then
	skip "checkpatch" "no $TARBALL (make qemu or PVIO_QEMU=1 fetches it)"
	skip "series applies with --fuzz=0" "no tarball"
else
	# only the files the series touches, and checkpatch
	files=$(sed -n 's|^diff --git a/\([^ ]*\) b/.*|qemu-'"$VERSION"'/\1|p' "$HERE"/patches/*.patch | sort -u)
	# shellcheck disable=SC2086 # a list of members
	tar -C "$T" -xf "$TARBALL" --ignore-failed-read \
		"qemu-$VERSION/scripts/checkpatch.pl" $files 2> /dev/null
	S=$T/qemu-$VERSION
	if [ ! -f "$S/scripts/checkpatch.pl" ]; then
		notok "checkpatch (not in $TARBALL)"
	else
		for p in "$HERE"/patches/*.patch; do
			out=$(cd "$T" && perl "$S/scripts/checkpatch.pl" --no-tree "$p" 2>&1)
			errs=$(echo "$out" | grep -c '^ERROR')
			# a header imported into linux-headers/ is always warned
			# about, and must not touch MAINTAINERS in the same patch
			warns=$(echo "$out" | grep '^WARNING' | grep -cv \
				-e 'imported from Linux, are you using scripts/update-linux-headers.sh' \
				-e 'does MAINTAINERS need updating')
			case ${p##*/} in 0001-*) ;; *) warns=$(echo "$out" | grep -c '^WARNING') ;; esac
			if [ "$errs" = 0 ] && [ "$warns" = 0 ] && echo "$out" | grep -q '^total: 0 errors'; then
				ok "checkpatch: ${p##*/}"
			else
				echo "$out" | grep -E '^(ERROR|WARNING)' -A3 | sed 's/^/# /'
				notok "checkpatch: ${p##*/}"
			fi
		done
	fi
	applied=1
	"$HERE/apply.sh" "$S" 2>&1 | note
	[ "${PIPESTATUS[0]}" = 0 ] || applied=0
	if [ $applied = 1 ] && cmp -s "$S/linux-headers/linux/pvio.h" "$REPO/include/uapi/linux/pvio.h"; then
		ok "series applies to qemu $VERSION with --fuzz=0, header as in the repository"
	else
		notok "series applies to qemu $VERSION with --fuzz=0, header as in the repository"
	fi
fi

if [ "${PVIO_QEMU:-0}" = 1 ]; then
	Q=$CACHE/qemu/current/qemu-system-x86_64
	if "$Q" -version 2>&1 | grep -q "version $VERSION"; then
		ok "$Q -version says $VERSION"
	else
		notok "$Q -version says $VERSION"
	fi
	# -accel kvm,help does not list properties; QMP does, without /dev/kvm
	h=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
		'{"execute":"qom-list-properties","arguments":{"typename":"kvm-accel"}}' \
		'{"execute":"quit"}' | timeout 60 "$Q" -M none -accel tcg -display none \
		-nodefaults -qmp stdio 2>&1)
	if echo "$h" | grep -q '"name": "pvio-batch"' && echo "$h" | grep -q '"name": "pvio-settle-us"'; then
		ok "kvm-accel has the properties pvio-batch and pvio-settle-us"
	else
		printf "%s\n" "$h" | note
		notok "kvm-accel has the properties pvio-batch and pvio-settle-us"
	fi
	# a machine with the anchor on the built-in IDE and the monitor's
	# info pvio; under TCG (no KVM here) both only have to be accepted
	out=$(printf 'info pvio\nquit\n' | timeout 60 "$Q" -accel tcg -M pc -m 64 \
		-nodefaults -display none -S -monitor stdio \
		-global piix3-ide.x-coalesced-pio=on 2>&1)
	if echo "$out" | grep -q '^pvio-batch: off' && echo "$out" | grep -q '^exits: 0'; then
		ok "TCG machine with piix3-ide.x-coalesced-pio=on; info pvio answers"
	else
		printf "%s\n" "$out" | note | tail -20
		notok "TCG machine with piix3-ide.x-coalesced-pio=on; info pvio answers"
	fi
	# -kernel/-initrd (Debian's option ROMs) under TCG: a busybox init
	# that prints its command line and powers off
	k=/boot/vmlinuz-$("$REPO/tools/kver.sh")
	if [ -f "$k" ] && [ -x /bin/busybox ]; then
		mkdir -p "$T/rd/bin" "$T/rd/proc"
		cp /bin/busybox "$T/rd/bin/"
		for a in sh mount cat poweroff; do ln -s busybox "$T/rd/bin/$a"; done
		# shellcheck disable=SC2016 # expands in the guest
		printf '#!/bin/sh\nmount -t proc proc /proc\necho "PVIO-QEMU-BOOT $(cat /proc/cmdline)"\npoweroff -f\n' > "$T/rd/init"
		chmod +x "$T/rd/init"
		(cd "$T/rd" && find . | cpio -o -H newc 2>/dev/null | gzip) > "$T/rd.gz"
		out=$(timeout 120 "$Q" -accel tcg -m 256 -nographic -no-reboot -kernel "$k" \
			-initrd "$T/rd.gz" -append "console=ttyS0 panic=-1 quiet pvio.check" \
			-global piix3-ide.x-coalesced-pio=on < /dev/null 2>&1)
		if echo "$out" | grep -q 'PVIO-QEMU-BOOT .*pvio.check'; then
			ok "boots $k under TCG (-kernel, -initrd) with the anchor on"
		else
			printf "%s\n" "$out" | note | tail -20
			notok "boots $k under TCG (-kernel, -initrd) with the anchor on"
		fi
	else
		skip "boot under TCG" "no $k or busybox"
	fi
	out=$(timeout 60 "$Q" -accel kvm,pvio-batch=bogus -M none 2>&1)
	if echo "$out" | grep -q "'pvio-batch' does not accept value 'bogus'"; then
		ok "pvio-batch=bogus is refused"
	else
		printf "%s\n" "$out" | note
		notok "pvio-batch=bogus is refused"
	fi
fi

echo "1..$TAP_N"
echo "# host/qemu/check.sh: $((TAP_N - failed)) passed, $failed failed"
[ $failed = 0 ]
