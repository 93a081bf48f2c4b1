# SPDX-License-Identifier: GPL-2.0
# TAP helpers for guest test scripts (busybox sh).  Source it, then call
# ok/not_ok/skip/check; ktap_of_module prints a module's KTAP from dmesg.
TAP_N=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $*"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }

# check NAME CMD...: one result from a command's exit status
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# ktap_of_module MARK: the KTAP lines dmesg holds since the last line
# containing MARK (e.g. the module's "KTAP version 1" header)
ktap_of_module() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' | awk -v m="$1" '
		index($0, m) { buf = "" }
		{ buf = buf $0 "\n" }
		END { printf "%s", buf }' |
		grep -E '^(not )?ok [0-9]+ |^ *#|^1\.\.'
}

# dbg FILE: one counter line "name value" from a debugfs stats file
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
