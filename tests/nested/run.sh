#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pvio nested tier: a real KVM host you control, under TCG.
#
#   L0 (this machine)  qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt
#    `- L1 (Debian 6.1 kernel, busybox initramfs)  kvm.ko + kvm-amd.ko
#        `- pvio-vmm: one small VM per test case on L1's /dev/kvm
#
# The KVM modules come from $PVIO_KVM_MODULES (a directory with kvm.ko and
# kvm-amd.ko), else host/build/$KVER/ when `make host` has built it, else
# Debian's stock modules (no handler: handler cases SKIP).
#
# Output: TAP on stdout (the VMM's cases renumbered, then the runner's own
# checks).  Exit status 0 only if nothing failed.  Logs and the initramfs
# are kept in build/nested/.
#
# Environment: PVIO_KVM_MODULES, PVIO_L1_KVER (default 6.1.0-56-amd64),
# PVIO_NESTED_TIMEOUT (seconds for the whole L1 run, default 900),
# PVIO_CASE_TIMEOUT (seconds per VMM case, default 120), QEMU.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/tests/nested
OUT=$TOP/build/nested
KVER=${PVIO_L1_KVER:-6.1.0-56-amd64}
KERNEL=/boot/vmlinuz-$KVER
MODROOT=/lib/modules/$KVER
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${PVIO_NESTED_TIMEOUT:-900}
CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120}

die() { echo "Bail out! $*"; exit 2; }

# ---- which KVM modules -------------------------------------------------
if [ -n "${PVIO_KVM_MODULES:-}" ]; then
	KVMDIR=$PVIO_KVM_MODULES
	ORIGIN="$KVMDIR (PVIO_KVM_MODULES)"
elif [ -f "$TOP/host/build/$KVER/kvm.ko" ] && [ -f "$TOP/host/build/$KVER/kvm-amd.ko" ]; then
	KVMDIR=$TOP/host/build/$KVER
	ORIGIN="$KVMDIR (make host)"
else
	KVMDIR=$MODROOT/kernel/arch/x86/kvm
	ORIGIN="$KVMDIR (stock Debian)"
fi
for f in kvm.ko kvm-amd.ko; do
	[ -f "$KVMDIR/$f" ] || die "$KVMDIR/$f missing"
done
[ -f "$KERNEL" ] || die "$KERNEL missing (apt-get install linux-image-amd64)"
[ -f "$MODROOT/modules.dep" ] || die "$MODROOT/modules.dep missing"
command -v "$QEMU" >/dev/null || die "$QEMU missing (apt-get install qemu-system-x86)"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
command -v cpio >/dev/null || die "cpio missing"

mkdir -p "$OUT"
LOG=$OUT/l1-console.log
TAPRAW=$OUT/l1-tap.txt

# ---- the test VMM ------------------------------------------------------
make -s -C "$SRC/vmm" O="$OUT/vmm" >"$OUT/vmm-build.log" 2>&1 ||
	{ cat "$OUT/vmm-build.log"; die "building pvio-vmm failed"; }

# ---- module load order from modules.dep --------------------------------
# Prints the dependencies of a module path (relative to $MODROOT) first,
# each once, then the module itself.
declare -A seen
resolve() {
	local m=$1 d
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	for d in $(awk -v m="$m:" '$1 == m { for (i = 2; i <= NF; i++) print $i }' "$MODROOT/modules.dep"); do
		resolve "$d"
	done
	order+=("$m")
}
order=()
resolve kernel/arch/x86/kvm/kvm-amd.ko

# ---- initramfs ---------------------------------------------------------
RD=$OUT/initramfs
rm -rf "$RD"
mkdir -p "$RD"/{bin,dev,proc,sys,tmp,lib/modules}
cp /bin/busybox "$RD/bin/busybox"
cp "$OUT/vmm/pvio-vmm" "$RD/bin/pvio-vmm"
cp "$SRC/init.sh" "$RD/init"
chmod 755 "$RD/init"
: > "$RD/modules.list"
for m in "${order[@]}"; do
	b=$(basename "$m")
	case $b in
	kvm.ko|kvm-amd.ko) cp "$KVMDIR/$b" "$RD/lib/modules/$b" ;;
	*) cp "$MODROOT/$m" "$RD/lib/modules/$b" ;;
	esac
	echo "$b" >> "$RD/modules.list"
done
echo "$ORIGIN" > "$RD/modules.origin"
(cd "$RD" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/initramfs.gz" ||
	die "cpio failed"

# ---- run L1 ------------------------------------------------------------
echo "# L1 kernel $KERNEL, KVM modules from $ORIGIN"
echo "# load order: $(tr '\n' ' ' < "$RD/modules.list")"
rm -f "$LOG" "$TAPRAW"
start=$(date +%s)
timeout -k 10 "$TIMEOUT" "$QEMU" -accel tcg -cpu qemu64,+svm,+npt -m 2048 \
	-nographic -no-reboot -monitor none \
	-serial "file:$LOG" -serial "file:$TAPRAW" \
	-kernel "$KERNEL" -initrd "$OUT/initramfs.gz" \
	-append "console=ttyS0 loglevel=5 panic=-1 PVIO_CASE_TIMEOUT=$CASE_TIMEOUT" \
	</dev/null >"$OUT/qemu.log" 2>&1
qrc=$?
secs=$(( $(date +%s) - start ))

# ---- TAP ---------------------------------------------------------------
n=0
failed=0
emit() {	# emit ok|not-ok "name" ["# directive"]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2${3:+ $3}"
	else
		echo "not ok $n - $2${3:+ $3}"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
planned=0
got=0
if [ -f "$TAPRAW" ]; then
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"1.."*)
			planned=$((planned + ${line#1..}))
			;;
		"ok "*|"not ok "*)
			got=$((got + 1))
			st=ok
			[ "${line#not ok }" != "$line" ] && st=not-ok
			rest=${line#*ok }
			rest=${rest#* - }
			emit $st "$rest"
			;;
		"#"*)
			echo "$line"
			;;
		esac
	done < "$TAPRAW"
fi

if [ "$planned" -gt 0 ] && [ "$got" -eq "$planned" ]; then
	emit ok "pvio-vmm reported all $planned planned results"
else
	emit not-ok "pvio-vmm reported all planned results" "# got $got of $planned"
fi

# the splat check reads the console (kernel log at loglevel 5) and the full
# dmesg dump the init prints at the end
splats=$(grep -a -n -E 'Oops|BUG:|WARNING:|kernel BUG|KASAN|UBSAN|lockdep|possible circular locking|possible recursive locking|inconsistent lock state|general protection fault|Kernel panic|soft lockup|hard LOCKUP|blocked for more than|rcu.*stall|Call Trace' "$LOG" 2>/dev/null | head -20)
if grep -q -a "PVIO-NESTED-DMESG-END" "$LOG" 2>/dev/null && [ -z "$splats" ]; then
	emit ok "L1 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)"
elif [ -n "$splats" ]; then
	emit not-ok "L1 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)"
	echo "$splats" | sed 's/^/# /'
else
	emit not-ok "L1 kernel log clean" "# L1 never dumped its log"
fi

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	emit not-ok "L1 finished within ${TIMEOUT}s" "# timeout after ${secs}s"
elif grep -q -a "PVIO-NESTED-DONE" "$LOG" 2>/dev/null; then
	emit ok "L1 finished within ${TIMEOUT}s (${secs}s)"
else
	emit not-ok "L1 finished within ${TIMEOUT}s" "# qemu exit $qrc after ${secs}s, no end marker"
	tail -20 "$LOG" 2>/dev/null | sed 's/^/# console: /'
fi

echo "1..$n"
echo "# nested: $n tests, $failed failed; L1 run ${secs}s; logs in $OUT"
[ $failed -eq 0 ]
