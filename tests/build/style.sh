#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module build with -Werror, checkpatch --strict and sparse over every
# kernel source file of the project.  Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
# checkpatch.pl of 6.1 is the reference for both kernel series
SRC=${PVIO_CACHE:-/var/cache/pvio}/linux-source-6.1
OUT=$ROOT/build/style
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
mkdir -p "$OUT"
cd "$ROOT" || exit 1

# both builds: the product one (DKMS, distributions) and make check's, with
# the test hooks (PVIO_FAULT_INJECTION=1); the product one must hold none
for fi in 0 1; do
	what="modules build for $KVER with -Werror, no warnings (PVIO_FAULT_INJECTION=$fi)"
	built=0
	if make -s -C "/lib/modules/$KVER/build" M="$ROOT" clean > /dev/null 2>&1 &&
	   make KVER="$KVER" PVIO_FAULT_INJECTION=$fi > "$OUT/build.log" 2>&1 &&
	   ! grep -q 'warning:' "$OUT/build.log"; then
		ok "$what"
		built=1
	else
		grep -E 'error|warning' "$OUT/build.log" | head -20
		not_ok "$what"
	fi
	hooks=$(nm pvio/pvio.ko drivers/net/e1000_pvio/e1000_pvio.ko 2>/dev/null |
		grep -c -e inject -e lose_irq)
	# only a build that succeeded says anything about its symbols
	[ $built = 1 ] || hooks=none
	case $fi:$hooks in
	0:0) ok "PVIO_FAULT_INJECTION=0: no test hooks in the modules" ;;
	1:[1-9]*) ok "PVIO_FAULT_INJECTION=1: test hooks built in ($hooks symbols)" ;;
	*) not_ok "PVIO_FAULT_INJECTION=$fi: $hooks test hook symbols" ;;
	esac
done

# kernel C: everything under the guest and host source dirs and the headers
# (the host patch series itself is checked by host/kvm/check.sh)
files=$(git ls-files 'pvio/*.[ch]' 'drivers/*.[ch]' 'elevator-bypass/*.[ch]' \
	'include/*.h' 'host/kvm/*.[ch]')
for f in $files; do
	check_log "checkpatch --strict $f" "$OUT/checkpatch.log" perl "$SRC/scripts/checkpatch.pl" \
		--no-tree --strict --quiet --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "$f"
done

# -Wno-flexible-array-sizeof: every trace event's generated code takes the
# size of its struct trace_event_raw_*, which ends in the kernel's __data[]
# (include/trace/trace_events.h); the kernel's own C=1 does not enable it.
# -Wno-constexpr-not-const: from 6.12 on the kernel's ___ADDRESSABLE()
# (behind every module_init, EXPORT_SYMBOL and trace event) initializes a
# static pointer through a uintptr_t cast, which sparse 0.6.4 does not count
# as constant; the kernel's C=1 does not enable this one either, and gcc
# already rejects a static initializer that really is not constant
for fi in 0 1; do
	make -s -C "/lib/modules/$KVER/build" M="$ROOT" clean > /dev/null 2>&1
	if make KVER="$KVER" PVIO_FAULT_INJECTION=$fi C=2 \
		CHECK="sparse -Wsparse-all -Wno-declaration-after-statement -Wno-flexible-array-sizeof -Wno-constexpr-not-const" \
		> "$OUT/sparse.log" 2>&1 &&
	   ! grep -E '^/.*: (warning|error):' "$OUT/sparse.log" | grep -v '/usr/src/' | grep -q .; then
		ok "sparse clean (PVIO_FAULT_INJECTION=$fi)"
	else
		grep -E '(warning|error):' "$OUT/sparse.log" | grep -v '/usr/src/' | head -20
		not_ok "sparse clean (PVIO_FAULT_INJECTION=$fi)"
	fi
done
