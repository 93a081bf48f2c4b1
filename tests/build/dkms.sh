#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DKMS round trip for the guest package on the target kernel: add, build,
# install (modules land under updates/dkms, modinfo finds them), remove.
# Prints TAP.  Leaves the system as it found it.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
NAME=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$ROOT/dkms.conf")
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/dkms.conf")
MODS=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' "$ROOT/dkms.conf")
LOG=$ROOT/build/dkms.log
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
step() { local name=$1; shift; check_log "$name" "$LOG.step" "$@"; cat "$LOG.step" >> "$LOG"; }
# /usr/src/$NAME-$VER and the DKMS tree are the system's, and so are
# tests/pkg/run.sh's packages: one of the two at a time, also when two make
# check runs overlap
exec 9> /tmp/pvio-dkms.lock
flock 9

mkdir -p "$ROOT/build"
: > "$LOG"
dkms remove "$NAME/$VER" --all >> "$LOG" 2>&1
rm -rf "/usr/src/$NAME-$VER"
mkdir -p "/usr/src/$NAME-$VER"
# the package as a user gets it: the tracked files, no build products
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "/usr/src/$NAME-$VER")

step "dkms add $NAME/$VER" dkms add "$NAME/$VER"
step "dkms build for $KVER" dkms build "$NAME/$VER" -k "$KVER"
step "dkms install for $KVER" dkms install "$NAME/$VER" -k "$KVER" --force
for m in $MODS; do
	f=$(modinfo -k "$KVER" -n "$m" 2>/dev/null)
	check "modinfo finds $m under updates/dkms" [ "${f#*/updates/dkms/}" != "$f" ] || echo "# got '$f'"
done
step "dkms remove" dkms remove "$NAME/$VER" --all
f=$(modinfo -k "$KVER" -n pvio 2>/dev/null)
check "nothing left after remove${f:+ ($f)}" [ -z "$f" ]
rm -rf "/usr/src/$NAME-$VER"
[ "$TAP_FAIL" = 0 ]
