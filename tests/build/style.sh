#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module build with -Werror, checkpatch --strict and sparse over every
# kernel source file of the project.  Prints TAP.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
SRC=${PVIO_CACHE:-/var/cache/pvio}/linux-source-6.1
OUT=$ROOT/build/style
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
mkdir -p "$OUT"
cd "$ROOT" || exit 1

if make -s -C "/lib/modules/$KVER/build" M="$ROOT" clean > /dev/null 2>&1 &&
   make KVER="$KVER" > "$OUT/build.log" 2>&1 &&
   ! grep -q 'warning:' "$OUT/build.log"; then
	ok "modules build for $KVER with -Werror, no warnings"
else
	grep -E 'error|warning' "$OUT/build.log" | head -20
	not_ok "modules build for $KVER with -Werror, no warnings"
fi

# kernel C: everything under the guest and host source dirs and the headers
files=$(git ls-files 'pvio/*.[ch]' 'drivers/*.[ch]' 'elevator-bypass/*.[ch]' \
	'include/*.h' 'host/kvm/*.[ch]')
# (the host patch series itself is checked by host/kvm/check.sh)
for f in $files; do
	if perl "$SRC/scripts/checkpatch.pl" --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		$(case $f in *.patch) ;; *) echo -f ;; esac) "$f" > "$OUT/checkpatch.log" 2>&1; then
		ok "checkpatch --strict $f"
	else
		sed 's/^/# /' "$OUT/checkpatch.log" | head -30
		not_ok "checkpatch --strict $f"
	fi
done

make -s -C "/lib/modules/$KVER/build" M="$ROOT" clean > /dev/null 2>&1
if make KVER="$KVER" C=2 CHECK="sparse -Wsparse-all -Wno-declaration-after-statement" \
	> "$OUT/sparse.log" 2>&1 &&
   ! grep -E '^/.*: (warning|error):' "$OUT/sparse.log" | grep -v '/usr/src/' | grep -q .; then
	ok "sparse clean"
else
	grep -E '(warning|error):' "$OUT/sparse.log" | grep -v '/usr/src/' | head -20
	not_ok "sparse clean"
fi
