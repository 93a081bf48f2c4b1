#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# host/kvm/smoke.sh [MODDIR]: boot the Debian kernel under TCG with AMD SVM
# (qemu64,+svm,+npt) and a busybox initramfs, load MODDIR/kvm.ko and
# MODDIR/kvm-amd.ko (default host/build/<KVER>/, i.e. `make host` first),
# and check: both load, /dev/kvm exists, the pvio_* counters are in
# debugfs, pvio_enable and pit_reload_divisor accept valid values and
# refuse invalid ones, and the kernel log has no splat.  TAP output.  The
# runtime tests of the pvio handler and of the divisor's effect on a guest's
# PIT are in tests/nested (the test VMM's "PIT:" cases).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KVER=$("$REPO/tools/kver.sh")
MODDIR=${1:-$REPO/host/build/$KVER}
KERNEL=/boot/vmlinuz-$KVER
MODROOT=/lib/modules/$KVER
W=$REPO/build/host/smoke
BUSYBOX=${BUSYBOX:-/bin/busybox}

for f in "$MODDIR/kvm.ko" "$MODDIR/kvm-amd.ko" "$KERNEL" "$BUSYBOX"; do
	[ -f "$f" ] || { echo "Bail out! missing $f"; exit 1; }
done

rm -rf "$W"
mkdir -p "$W/rd/bin" "$W/rd/lib/modules" "$W/rd/proc" "$W/rd/sys" "$W/rd/dev"
cp "$BUSYBOX" "$W/rd/bin/busybox"
for m in virt/lib/irqbypass.ko drivers/crypto/ccp/ccp.ko; do
	cp "$MODROOT/kernel/$m" "$W/rd/lib/modules/"
done
cp "$MODDIR/kvm.ko" "$MODDIR/kvm-amd.ko" "$W/rd/lib/modules/"

cat > "$W/rd/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
mount -t debugfs none /sys/kernel/debug
n=0
t() {	# t "description" command...
	d=$1; shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; fi
}
echo "TAP version 13"
for m in irqbypass ccp; do insmod /lib/modules/$m.ko; done
t "insmod kvm.ko (patched)" insmod /lib/modules/kvm.ko
t "insmod kvm-amd.ko (patched)" insmod /lib/modules/kvm-amd.ko
t "/dev/kvm exists" test -c /dev/kvm
P=/sys/module/kvm/parameters
for c in pvio_batches pvio_ops pvio_ops_user pvio_user_exits pvio_wb_faults pvio_dropped \
	 pvio_rejected pvio_rej_func pvio_rej_count pvio_rej_array pvio_rej_fault \
	 pvio_rej_kind pvio_rej_width pvio_rej_range pvio_rej_ram pvio_rej_busy; do
	t "debugfs kvm/$c" test -f /sys/kernel/debug/kvm/$c
done
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
t "tracepoint kvm:kvm_pvio" test -d /sys/kernel/tracing/events/kvm/kvm_pvio
t "pvio_enable defaults to Y" grep -qx Y $P/pvio_enable
t "pvio_enable can be switched off" sh -c "echo 0 > $P/pvio_enable && grep -qx N $P/pvio_enable"
t "pvio_enable can be switched on" sh -c "echo 1 > $P/pvio_enable && grep -qx Y $P/pvio_enable"
t "pit_reload_divisor defaults to 1" grep -qx 1 $P/pit_reload_divisor
t "pit_reload_divisor accepts 8" sh -c "echo 8 > $P/pit_reload_divisor && grep -qx 8 $P/pit_reload_divisor"
t "pit_reload_divisor accepts 1024" sh -c "echo 1024 > $P/pit_reload_divisor"
t "pit_reload_divisor refuses 0" sh -c "! echo 0 > $P/pit_reload_divisor"
t "pit_reload_divisor refuses 1025" sh -c "! echo 1025 > $P/pit_reload_divisor"
t "pit_reload_divisor refuses junk" sh -c "! echo x > $P/pit_reload_divisor"
t "pit_reload_divisor kept 1024" grep -qx 1024 $P/pit_reload_divisor
t "rmmod kvm-amd kvm" sh -c "rmmod kvm_amd && rmmod kvm"
t "kernel log has no splat" sh -c "! dmesg | grep -qiE 'BUG:|WARNING:|Oops|UBSAN|KASAN|disagrees about version|Unknown symbol|Call Trace'"
echo "1..$n"
echo "--- dmesg (kvm) ---"
dmesg | grep -iE 'kvm|svm|pvio' | head -20
poweroff -f
EOF
chmod +x "$W/rd/init"
(cd "$W/rd" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$W/initrd.gz")

# L0's lost wakeups of L1: see tests/nested/l1-watch.py
python3 "$REPO/tests/nested/l1-watch.py" "$W/monitor.sock" 280 "$W/monitor.txt" \
	> "$W/watch.log" 2>&1 &
watch=$!
timeout 300 qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 1024 -smp 1 \
	-nographic -no-reboot -monitor "unix:$W/monitor.sock,server=on,wait=off" \
	-kernel "$KERNEL" -initrd "$W/initrd.gz" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4" > "$W/console.log" 2>&1 || true
wait $watch

tr -d '\r' < "$W/console.log" | grep -E '^(ok|not ok|1\.\.|TAP|# )' > "$W/tap.txt" || true
cat "$W/tap.txt"
total=$(grep -cE '^(ok|not ok) ' "$W/tap.txt" || true)
bad=$(grep -c '^not ok ' "$W/tap.txt" || true)
if ! grep -q '^1\.\.' "$W/tap.txt"; then
	echo "not ok - L1 did not finish (console in $W/console.log)"
	exit 1
fi
echo "# L1 kept awake: $(tr '\n' ' ' < "$W/watch.log")"
echo "# host/kvm/smoke.sh: $((total - bad)) passed, $bad failed (console: $W/console.log)"
[ "$bad" = 0 ]
