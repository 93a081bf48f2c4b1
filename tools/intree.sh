#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Puts pvio into a kernel source tree as drivers/pvio, hooked into
# drivers/Kconfig and drivers/Makefile, so it is configured (CONFIG_PVIO
# and friends, under "Device Drivers") and built like any in-tree driver.
#
# Usage: tools/intree.sh /path/to/linux
# Idempotent: running it again refreshes the copy.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LINUX=${1:?usage: $0 /path/to/linux}
[ -f "$LINUX/drivers/Kconfig" ] && [ -f "$LINUX/Makefile" ] ||
	{ echo "intree: $LINUX is not a kernel source tree" >&2; exit 1; }

DST=$LINUX/drivers/pvio
rm -rf "$DST"
mkdir -p "$DST"
for f in Kbuild Kconfig include pvio drivers elevator-bypass; do
	[ -e "$ROOT/$f" ] && cp -r "$ROOT/$f" "$DST/"
done
find "$DST" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
	-o -name modules.order -o -name Module.symvers \) -delete

# New files rather than in-place edits: the tree may be a hard-linked copy.
if ! grep -q 'drivers/pvio/Kconfig' "$LINUX/drivers/Kconfig"; then
	sed '$s|^endmenu$|source "drivers/pvio/Kconfig"\n\nendmenu|' \
		"$LINUX/drivers/Kconfig" > "$LINUX/drivers/Kconfig.pvio"
	rm "$LINUX/drivers/Kconfig"
	mv "$LINUX/drivers/Kconfig.pvio" "$LINUX/drivers/Kconfig"
	grep -q 'drivers/pvio/Kconfig' "$LINUX/drivers/Kconfig" ||
		{ echo "intree: could not hook drivers/Kconfig" >&2; exit 1; }
fi
if ! grep -q 'pvio/' "$LINUX/drivers/Makefile"; then
	cat "$LINUX/drivers/Makefile" > "$LINUX/drivers/Makefile.pvio"
	echo 'obj-y				+= pvio/' >> "$LINUX/drivers/Makefile.pvio"
	rm "$LINUX/drivers/Makefile"
	mv "$LINUX/drivers/Makefile.pvio" "$LINUX/drivers/Makefile"
fi
echo "intree: pvio is in $DST; enable CONFIG_PVIO under Device Drivers"
