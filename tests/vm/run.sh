#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest tests under QEMU TCG.  For each case in tests/vm/cases/NAME.sh:
# an initramfs (tests/lib/rig.sh) with what the case names, Debian's kernel
# booted on it, the TAP/KTAP lines of its serial console as PASS/FAIL/SKIP,
# and a failure for any kernel splat (find_splat) or hang.
# A case declares what it needs in header lines:
#   # pvio-vm: modules="pvio pvio_selftest"   our modules (built by make)
#   # pvio-vm: kmods="null_blk"                Debian modules (deps resolved)
#   # pvio-vm: timeout=120 mem=512 disks="64M" append="..." qemu="..."
#   # pvio-vm: bins="openssl"                  host programs (+ their libs)
# In qemu=, @DISK0@ .. @DISKn@ name the raw images made from disks=, @ROOT@
# the top of the tree (for host-side helpers, e.g. a slirp guestfwd cmd:).
#
# Usage: tests/vm/run.sh [case...]   (default: every case; a case with a
# slash is a path, used by make demo and make bench)
# Env: KVER (guest kernel), VM_RESULTS (file to append the three counts to),
# PVIO_FAULT_INJECTION=0 builds the modules without the test hooks,
# VM_QEMU_EXTRA / VM_APPEND_EXTRA go into every case's qemu= / append=
# (make bench runs a case under -icount this way), VM_VERBOSE=1.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOP=$ROOT
OUT=$ROOT/build/vm
# shellcheck source=tests/lib/rig.sh
. "$ROOT/tests/lib/rig.sh"
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"

die() { echo "vm: $*" >&2; exit 2; }
[ -r "$KERNEL" ] || die "no guest kernel $KERNEL (apt-get install linux-image-amd64)"
[ -d "/lib/modules/$KVER/kernel" ] || die "no modules for $KVER"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing"

header() { # header FILE KEY -> value of KEY in "# pvio-vm:" lines
	sed -n 's/^# pvio-vm: *//p' "$1" | tr '\n' ' ' |
		grep -o "$2=\"[^\"]*\"\|$2=[^ \"]*" | head -1 | sed "s/^$2=//; s/^\"//; s/\"\$//"
}

# find_ko NAME: our built module NAME.ko anywhere in the tree
find_ko() {
	find "$ROOT" -path "$ROOT/build" -prune -o -name "$1.ko" -print | head -1
}

build_initramfs() { # case-file workdir
	local cs=$1 w=$2 st=$2/root m ko
	rd_new "$st" "$ROOT/tests/vm/init"
	cp "$ROOT/tools/pvio-stat" "$st/bin/pvio-stat"
	cp "$cs" "$st/case.sh"
	# shellcheck disable=SC2046 # lists of names
	rd_kmods "$st" $(header "$cs" kmods) && rd_bins "$st" $(header "$cs" bins) || return 1
	for m in $(header "$cs" modules); do
		ko=$(find_ko "$m")
		[ -n "$ko" ] || { echo "vm: module $m.ko not built (run make)"; return 1; }
		rd_ko "$st" "$ko"
	done
	rd_pack "$st" "$w/initramfs.gz"
}

declare -A count=([PASS]=0 [FAIL]=0 [SKIP]=0)
report() { # verdict case name
	echo "$1: $2: $3"
	count[$1]=$((count[$1] + 1))
}

# smp_append QEMU-ARGS: what a guest with more than one vCPU adds to its
# command line.  Multi-threaded TCG can run a translation of kernel text
# that another vCPU has just patched (a stale int3 of text_poke_bp: "Oops:
# int3" in ttwu_do_activate within seconds of toggling sched tracepoints
# while fio runs on both vCPUs; never in 3 minutes with thread=single).
# Such a guest must not patch live text on its own: 6.12 keeps the TSC,
# marks sched_clock stable at runtime and flips that static key back when
# the clocksource watchdog gives up on the TSC under load; tsc=unstable
# settles it at boot, as 6.1 does by itself (TSCs unsynchronized).
smp_append() {
	[[ $1 =~ -smp\ +([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 1 ] && echo " tsc=unstable"
}

run_case() {
	local cs=$1 name w log tmo mem qemu disks append i sz n=0 v desc rc splat
	local fail0=${count[FAIL]}
	name=$(basename "$cs" .sh)
	w=$OUT/$name
	mkdir -p "$w"
	log=$w/console.log
	tmo=$(header "$cs" timeout); tmo=${tmo:-120}
	mem=$(header "$cs" mem); mem=${mem:-512}
	qemu="$(header "$cs" qemu) ${VM_QEMU_EXTRA:-}"
	append="$(header "$cs" append) ${VM_APPEND_EXTRA:-}"
	append+=$(smp_append "$qemu")
	disks=$(header "$cs" disks)
	i=0
	for sz in $disks; do
		rm -f "$w/disk$i.img"
		truncate -s "$sz" "$w/disk$i.img"
		qemu=${qemu//@DISK$i@/$w/disk$i.img}
		i=$((i + 1))
	done
	qemu=${qemu//@ROOT@/$ROOT}
	if ! build_initramfs "$cs" "$w" > "$w/build.log" 2>&1; then
		cat "$w/build.log"
		report FAIL "$name" "initramfs build"
		return
	fi
	# loglevel=5: warnings reach the console, so find_splat sees a WARN()
	# (KERN_WARNING) too; at 4 a failing WARN_ON in a module's init was silent
	# shellcheck disable=SC2086
	timeout --foreground -k 5 "$tmo" qemu-system-x86_64 -accel tcg -cpu qemu64 \
		-m "$mem" -smp 1 -nodefaults -nographic -no-reboot -serial stdio \
		-monitor none -kernel "$KERNEL" -initrd "$w/initramfs.gz" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=5 $append" \
		$qemu < /dev/null > "$log" 2>&1
	rc=$?
	tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"

	# KTAP from dmesg carries a timestamp
	while read -r v desc; do
		report "$v" "$name" "$desc"
		n=$((n + 1))
	done < <(sed -n -E 's/^(\[[ 0-9.]+\] )?//; /^(not )?ok [0-9]+ /!d
		s/^not ok [0-9]+ (- )?/FAIL /p; s/^ok [0-9]+ (- )?(.*# SKIP)/SKIP \2/p; s/^ok [0-9]+ (- )?/PASS /p' "$log")

	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		report FAIL "$name" "guest finished within ${tmo}s (hung)"
	elif ! grep -q '^PVIO-VM-DONE' "$log"; then
		report FAIL "$name" "guest ran the case to the end (qemu rc $rc)"
	elif [ $n -eq 0 ]; then
		report FAIL "$name" "case printed at least one result"
	fi
	if splat=$(find_splat "$log"); then
		echo "$splat" | sed 's/^/    /'
		report FAIL "$name" "guest kernel log free of oops/BUG/WARN/KASAN/UBSAN/lockdep"
	fi
	if [ "${VM_VERBOSE:-0}" = 1 ] || [ "${count[FAIL]}" -gt "$fail0" ]; then
		# indented: the guest's own "ok N" lines are not results of this run
		echo "---- $name: tail of $log ----"
		tail -40 "$log" | sed 's/^/    /'
		echo "----"
	fi
}

mkdir -p "$OUT"
make -s -C "$ROOT" KVER="$KVER" PVIO_FAULT_INJECTION="${PVIO_FAULT_INJECTION:-1}" > "$OUT/make.log" 2>&1 || { cat "$OUT/make.log"; die "module build failed"; }
cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do
		case $c in
		*/*) cases+=("$(cd "$(dirname "$c")" && pwd)/$(basename "$c")") ;;
		*) cases+=("$ROOT/tests/vm/cases/${c%.sh}.sh") ;;
		esac
	done
else
	cases=("$ROOT"/tests/vm/cases/*.sh)
fi
for c in "${cases[@]}"; do
	[ -r "$c" ] || die "no such case $c"
	run_case "$c"
done
set -- "${count[PASS]}" "${count[FAIL]}" "${count[SKIP]}"
echo "vm: $1 passed, $2 failed, $3 skipped"
[ -n "${VM_RESULTS:-}" ] && echo "$*" >> "$VM_RESULTS"
[ "$2" -eq 0 ]
