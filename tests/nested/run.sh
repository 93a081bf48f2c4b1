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
# Tier 5b (on by default, PVIO_NESTED_L2=0 turns it off): L1 also runs an
# L2 Debian guest with the host's QEMU over a read-only 9p share of /, which
# loads pvio.ko and pvio_selftest.ko from $PVIO_GUEST_MODULES (default
# pvio/ of this tree, built by `make`) and checks the transport it chose,
# then writes and reads back 64 MiB through pata_pvio ($PVIO_PATA_MODULE,
# default drivers/ata/pata_pvio.ko) on an IDE disk, host refusals included,
# and moves 64 MiB each way through e1000_pvio ($PVIO_E1000_MODULE) with
# napi=1 and napi=0, to tests/vm/e1000-peer.sh behind slirp's guestfwd.
#
# Environment: PVIO_KVM_MODULES, PVIO_GUEST_MODULES, PVIO_PATA_MODULE,
# PVIO_E1000_MODULE, PVIO_NESTED_L2,
# KVER (default tools/kver.sh; L1 and L2 boot that same kernel),
# PVIO_NESTED_TIMEOUT (seconds for the whole L1 run, default 1500),
# PVIO_CASE_TIMEOUT (seconds per VMM case, default 120),
# PVIO_L2_TIMEOUT (seconds for the L2 guest, default 1200; L1 shortens it to
# report within PVIO_NESTED_TIMEOUT), PVIO_SEED (the
# differential case's seed, default the time), QEMU.

set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/tests/nested
OUT=$TOP/build/nested
KVER=$("$TOP/tools/kver.sh")
KERNEL=/boot/vmlinuz-$KVER
MODROOT=/lib/modules/$KVER
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${PVIO_NESTED_TIMEOUT:-1500}
CASE_TIMEOUT=${PVIO_CASE_TIMEOUT:-120}
L2=${PVIO_NESTED_L2:-1}
L2_TIMEOUT=${PVIO_L2_TIMEOUT:-1200}
GUESTMOD=${PVIO_GUEST_MODULES:-$TOP/pvio}
PATA_KO=${PVIO_PATA_MODULE:-$TOP/drivers/ata/pata_pvio.ko}
E1000_KO=${PVIO_E1000_MODULE:-$TOP/drivers/net/e1000_pvio/e1000_pvio.ko}

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

# 5b needs pvio.ko and pvio_selftest.ko for the L2 kernel, and 9p in L1
l2_skip=
if [ "$L2" = 0 ]; then
	l2_skip="PVIO_NESTED_L2=0"
elif [ ! -f "$GUESTMOD/pvio.ko" ] || [ ! -f "$GUESTMOD/pvio_selftest.ko" ]; then
	l2_skip="no pvio.ko and pvio_selftest.ko in $GUESTMOD (run make)"
elif [ "$(modinfo -F vermagic "$GUESTMOD/pvio.ko" | cut -d' ' -f1)" != "$KVER" ]; then
	l2_skip="$GUESTMOD/pvio.ko is not built for $KVER"
fi
if [ -z "$l2_skip" ]; then
	for m in kernel/drivers/virtio/virtio_pci.ko kernel/net/9p/9pnet_virtio.ko kernel/fs/9p/9p.ko; do
		resolve "$m"
	done
fi

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

VIRTFS=()
if [ -z "$l2_skip" ]; then
	# the L2 initramfs: L1 reaches it under the same path through 9p
	R2=$OUT/l2-initramfs
	rm -rf "$R2"
	mkdir -p "$R2"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$R2/bin/busybox"
	cp "$SRC/l2-init.sh" "$R2/init"
	chmod 755 "$R2/init"
	cp "$TOP/tests/lib/tap.sh" "$TOP/tests/lib/net.sh" "$R2/lib/"
	cp "$GUESTMOD/pvio.ko" "$GUESTMOD/pvio_selftest.ko" "$R2/lib/modules/"
	# the disk part: pata_pvio, and Debian's modules for it and ata_piix
	if [ -f "$PATA_KO" ]; then
		mkdir -p "$R2/lib/modules/$KVER/extra"
		cp "$MODROOT"/modules.{builtin,builtin.modinfo,order} "$R2/lib/modules/$KVER/"
		for m in libata ata_piix sd_mod; do
			for dep in $(modprobe -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
				mkdir -p "$R2$(dirname "$dep")"
				cp "$dep" "$R2$dep"
			done
		done
		cp "$GUESTMOD/pvio.ko" "$PATA_KO" "$R2/lib/modules/$KVER/extra/"
		[ -f "$E1000_KO" ] && cp "$E1000_KO" "$R2/lib/modules/$KVER/extra/"
		depmod -b "$R2" "$KVER" || die "depmod for the L2 initramfs failed"
		# openssl makes the seeded pattern, ethtool reads the NIC's counters
		for b in openssl ethtool; do
			bin=$(command -v $b) || die "$b missing (apt-get install $b)"
			for f in "$bin" $(ldd "$bin" | grep -o '/[^ ]*'); do
				mkdir -p "$R2$(dirname "$f")"
				cp -L "$f" "$R2$f"
			done
			ln -sf "$bin" "$R2/bin/$b"
		done
	fi
	(cd "$R2" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/l2-initramfs.gz" ||
		die "cpio failed"
	cat > "$RD/l2.conf" <<-EOC
	L2_KERNEL=$KERNEL
	L2_INITRD=$OUT/l2-initramfs.gz
	L2_TIMEOUT=$L2_TIMEOUT
	L2_PEER=$TOP/tests/vm/e1000-peer.sh
	EOC
	# shellcheck disable=SC2054 # one option, its commas are QEMU's
	VIRTFS=(-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap)
fi

(cd "$RD" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT/initramfs.gz" ||
	die "cpio failed"

# ---- run L1 ------------------------------------------------------------
# L1's QEMU monitor: l1-watch.py kicks L1 out of L0's lost wakeups (see
# there) and, just before the timeout, saves L1's interrupt state
MON=$OUT/l1-monitor.sock
MONLOG=$OUT/l1-monitor.txt
WATCHLOG=$OUT/l1-watch.log

echo "# L1 kernel $KERNEL, KVM modules from $ORIGIN"
echo "# load order: $(tr '\n' ' ' < "$RD/modules.list")"
if [ -z "$l2_skip" ]; then
	echo "# L2: $KERNEL with pvio.ko and pvio_selftest.ko from $GUESTMOD"
fi
rm -f "$LOG" "$TAPRAW" "$MON" "$MONLOG"
start=$(date +%s)
python3 "$SRC/l1-watch.py" "$MON" $((TIMEOUT - 20)) "$MONLOG" > "$WATCHLOG" 2>&1 &
watch=$!
timeout -k 10 "$TIMEOUT" "$QEMU" -accel tcg -cpu qemu64,+svm,+npt -m 2048 \
	-nographic -no-reboot -monitor "unix:$MON,server=on,wait=off" \
	-serial "file:$LOG" -serial "file:$TAPRAW" \
	-kernel "$KERNEL" -initrd "$OUT/initramfs.gz" "${VIRTFS[@]}" \
	-append "console=ttyS0 loglevel=5 panic=-1 PVIO_CASE_TIMEOUT=$CASE_TIMEOUT PVIO_L1_BUDGET=$TIMEOUT${PVIO_SEED:+ PVIO_SEED=$PVIO_SEED}" \
	</dev/null >"$OUT/qemu.log" 2>&1
qrc=$?
secs=$(( $(date +%s) - start ))
wait $watch
rescues=$(grep -c '^rescue [0-9]' "$WATCHLOG")
kicks=$(sed -n 's/^kicks \([0-9]*\).*/\1/p' "$WATCHLOG")

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
	emit ok "L1 reported all $planned planned results"
else
	emit not-ok "L1 reported all planned results" "# got $got of $planned"
fi

# the splat check reads the console (kernel log at loglevel 5) and the full
# dmesg dump the init prints at the end; L2's lines carry an "L2| " prefix
# shellcheck source=tests/lib/splat.sh
. "$TOP/tests/lib/splat.sh"
grep -a -v '^L2| ' "$LOG" > "$OUT/l1-only.log" 2>/dev/null
grep -a '^L2| ' "$LOG" | sed 's/^L2| //' > "$OUT/l2-console.log" 2>/dev/null
name="L1 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)"
if ! grep -q -a "PVIO-NESTED-DMESG-END" "$LOG" 2>/dev/null; then
	emit not-ok "$name" "# L1 never dumped its log"
elif splats=$(find_splat "$OUT/l1-only.log"); then
	emit not-ok "$name"
	echo "$splats" | sed 's/^/# /'
else
	emit ok "$name"
fi
if [ -n "$l2_skip" ]; then
	emit ok "L2 tier (5b)" "# SKIP $l2_skip"
else
	name="L2 kernel log clean (no oops/BUG/WARNING/KASAN/UBSAN/lockdep)"
	if ! grep -q -a "PVIO-L2-DMESG-END" "$OUT/l2-console.log"; then
		emit not-ok "$name" "# L2 never dumped its log"
	elif splats=$(find_splat "$OUT/l2-console.log"); then
		emit not-ok "$name"
		echo "$splats" | sed 's/^/# /'
	else
		emit ok "$name"
	fi
fi

# not pvio's doing but L0's emulator: see tests/nested/l1-watch.py
echo "# L1 kept awake through L0's monitor: ${kicks:-0} periodic kicks, $rescues rescues"
grep '^rescue [0-9]' "$WATCHLOG" | sed 's/^/# /'

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	emit not-ok "L1 finished within ${TIMEOUT}s" "# timeout after ${secs}s"
elif grep -q -a "PVIO-NESTED-DONE" "$LOG" 2>/dev/null; then
	emit ok "L1 finished within ${TIMEOUT}s (${secs}s)"
else
	emit not-ok "L1 finished within ${TIMEOUT}s" "# qemu exit $qrc after ${secs}s, no end marker"
	tail -20 "$LOG" 2>/dev/null | sed 's/^/# console: /'
fi

# where L2 was when something failed: CI shows the end of this output
if [ $failed -gt 0 ] && [ -s "$OUT/l2-console.log" ]; then
	tail -30 "$OUT/l2-console.log" | sed 's/^/# L2 console: /'
	grep -a 'L2 monitor: ' "$LOG" | sed 's/^PVIO-NESTED: /# /'
fi
if [ $failed -gt 0 ] && [ -s "$MONLOG" ]; then
	grep -v '^(qemu)' "$MONLOG" | sed 's/^/# L1 monitor: /'
fi

echo "1..$n"
echo "# nested: $n tests, $failed failed; L1 run ${secs}s; logs in $OUT"
[ $failed -eq 0 ]
