#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The private copy of block/elevator.h (elevator-bypass/pvio_elevator.h,
# used by DKMS builds on machines without a kernel source tree) must lay
# out the elevator structures exactly as the target's real header does.
# Builds pvio_bypass.o twice for $KVER, once against linux-source-X.Y's
# block/elevator.h and once against the copy, then compares what pahole
# says of the three structures (members, types, offsets) and the object
# code and data.  Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
XY=$(echo "$KVER" | cut -d. -f1,2)
KSRC=${PVIO_CACHE:-/var/cache/pvio}/linux-source-$XY
W=$ROOT/build/elevator-copy
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

if [ ! -f "$KSRC/block/elevator.h" ] || ! command -v pahole > /dev/null; then
	ok "private elevator.h copy matches $XY's # SKIP no $KSRC or no pahole"
	exit 0
fi
rm -rf "$W"
for how in real copy; do
	mkdir -p "$W/$how"
	(cd "$ROOT" && git ls-files -z Kbuild include elevator-bypass |
		xargs -0 cp --parents -t "$W/$how")
	case $how in real) ksrc=$KSRC ;; copy) ksrc= ;; esac
	check_log "pvio_bypass builds for $KVER against the $how elevator.h" "$W/$how.log" \
		make -C "/lib/modules/$KVER/build" M="$W/$how" \
		CONFIG_PVIO_BYPASS_IOSCHED=m PVIO_KSRC="$ksrc" modules || exit 1
done
# the build used what it was meant to
check "the two builds used $XY's elevator.h and the private copy" eval \
	"grep -q 'PVIO_ELEVATOR_H=.*$KSRC/block/elevator.h' '$W/real/elevator-bypass/.pvio_bypass.o.cmd' &&
	 grep -q 'PVIO_ELEVATOR_H=.*\"pvio_elevator.h\"' '$W/copy/elevator-bypass/.pvio_bypass.o.cmd'"
for s in elevator_mq_ops elevator_type elevator_queue; do
	for how in real copy; do
		pahole -C "$s" "$W/$how/elevator-bypass/pvio_bypass.o" > "$W/$how.$s" 2>&1
	done
	if [ -s "$W/real.$s" ] && cmp -s "$W/real.$s" "$W/copy.$s"; then
		ok "struct $s: same members, types and offsets ($(grep -c ';' "$W/real.$s") lines)"
	else
		diff "$W/real.$s" "$W/copy.$s" | head -20 | sed 's/^/# /'
		not_ok "struct $s: same members, types and offsets"
	fi
done
for sec in .text .data .init.text .exit.text; do
	for how in real copy; do
		o=$W/$how/elevator-bypass/pvio_bypass.o
		{ objdump -d -r -j "$sec" "$o"; objdump -s -j "$sec" "$o"; } 2>/dev/null |
			grep -v 'file format' > "$W/$how$sec"
	done
	check "$sec of pvio_bypass.o identical with either header" \
		eval "[ -s '$W/real$sec' ] && cmp -s '$W/real$sec' '$W/copy$sec'"
done
