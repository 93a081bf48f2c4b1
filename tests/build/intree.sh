#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-tree build: put pvio into a copy of linux-source-X.Y, the series of
# $KVER, configure it with that kernel's Debian config plus CONFIG_PVIO=m,
# check olddefconfig keeps it, build the pvio directory.  Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
XY=$(echo "$KVER" | cut -d. -f1,2)
SRC=${PVIO_CACHE:-/var/cache/pvio}/linux-source-$XY
W=$ROOT/build/intree
T=$W/linux-$XY
# one output tree per series, kept: modules_prepare is done once
O=$W/out-$XY
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

for f in "$SRC/Makefile" "/boot/config-$KVER"; do
	[ -f "$f" ] || { not_ok "in-tree build for $KVER: no $f (make deps)"; exit 1; }
done
rm -rf "$T" "$O/drivers/pvio"
mkdir -p "$W" "$O"
# hard links are cheap; intree.sh replaces the two files it edits
cp -al "$SRC" "$T"
check_log "intree.sh hooks pvio into drivers/" "$W/intree.log" "$ROOT/tools/intree.sh" "$T" || exit 1
cmp -s "$SRC/drivers/Kconfig" "$T/drivers/Kconfig" && not_ok "cache untouched" && exit 1

cp "/boot/config-$KVER" "$O/.config"
cat >> "$O/.config" <<EOC
CONFIG_PVIO=m
CONFIG_PVIO_SELFTEST=m
CONFIG_PVIO_BYPASS_IOSCHED=m
CONFIG_PATA_PVIO=m
CONFIG_E1000_PVIO=m
CONFIG_SYSTEM_TRUSTED_KEYS=""
CONFIG_SYSTEM_REVOCATION_KEYS=""
EOC
make -s -C "$T" O="$O" olddefconfig > "$W/config.log" 2>&1
check "olddefconfig keeps CONFIG_PVIO=m and CONFIG_PVIO_SELFTEST=m" \
	has "$O/.config" '^CONFIG_PVIO=m' '^CONFIG_PVIO_SELFTEST=m' || grep PVIO "$O/.config"
for sym in PVIO_BYPASS_IOSCHED PATA_PVIO E1000_PVIO; do
	# only symbols this tree declares yet
	grep -rqs --include=Kconfig "^config $sym\$" "$ROOT" &&
		check "olddefconfig keeps CONFIG_$sym=m" grep -q "^CONFIG_$sym=m" "$O/.config"
done
check_log "in-tree build of drivers/pvio" "$W/build.log" \
	sh -c "make -s -C '$T' O='$O' -j2 modules_prepare && make -C '$T' O='$O' -j2 drivers/pvio/"
objs=$(find "$O/drivers/pvio" -name '*.o' | wc -l)
check "in-tree build produced $objs objects" [ "$objs" -gt 0 ]
[ "$TAP_FAIL" = 0 ]
