#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nested benchmark rig: L0 (this machine, TCG with SVM) boots L1, which
# loads the patched KVM (host/build/$KVER/, or $PVIO_KVM_MODULES) and runs
# the host's QEMU over 9p to boot an L2 Debian guest with an IDE disk and a
# virtio disk (and, for the net part, an e1000 and a virtio-net NIC on
# slirp).  L2 runs the parts asked for between console marks; L1
# snapshots its KVM exit counters (debugfs) and a kvm_userspace_exit
# histogram at every mark.  The rig is the nested tier's
# (tests/lib/rig.sh, tests/nested/l1-init.sh and l2-init.sh); the
# benchmark's parts are l1/ (L1: bench.sh and one file per experiment)
# and l2-bench.sh.  See
# bench/nested/README.md.
#
# Usage: bench/nested/run.sh            (parts from the environment)
# Env:   NB_PARTS="uart ata"  NB_FLUSHES=1000  NB_CMDS=2048
#        NB_DRIVERS="ata_piix pata_pvio virtio_blk"  NB_DISK_MB=64
#        NB_BG=3 (seconds of the background window; 0: none)
#        NB_BONNIE_MB=16 (bonnie++ file size, part bonnie)
#        net part (NB_PARTS="net"): NB_NET_DRIVERS="e1000 e1000_pvio1
#        e1000_pvio0 virtio_net"  NB_PINGS=300  NB_BULK_MB=8  NB_TCP_MB=8
#        NB_UDP_SECS=3  NB_UDP_RATE=20M  NB_RR=1000
#        NB_LAT_OPS=0 (ata part: 4 KiB QD1 latency samples per direction
#        and driver, bench/nested/nb_lat.c, outside the counted windows)
#        NB_PROFILE=1 (BENCH=profile: L1 keeps per-window histograms of
#        exits by L2's RIP and of port accesses; L2 boots with nokaslr and
#        prints its modules' text symbols after each driver's windows);
#        NB_PROFILE=lat (BENCH=latency: L1 sums the spans of L2's exits
#        by reason, in KVM and in QEMU, per window; l1/lat.sh)
#        NB_OUT=build/bench-nested  NB_TIMEOUT=1500 (whole L1 run, s)
#        NB_L2_APPEND (more of L2's kernel command line), NB_PIT_DIV (kvm's
#        pit_reload_divisor in L1 before L2 boots; bench/nested/pit.sh),
#        NB_L1_BONNIE=before|after (bonnie++ in L1 itself; bonnie.sh)
#        NB_SHARED=MIB (BENCH=shsched: L1's null_blk under its mq-deadline;
#        L2 gets MIB of it as a virtio disk, a neighbour guest the next MIB;
#        bench/nested/shsched.sh)
#        NB_L2_KVER (L2 boots this installed kernel, with its modules, while
#        L1 boots KVER: a cross run; default KVER), NB_L2_MODULES=DIR (L2's
#        pvio.ko, pata_pvio.ko, e1000_pvio.ko, pvio_bench.ko and
#        pvio_bypass.ko from DIR, built for L2's kernel, instead of the
#        tree's; needed with NB_L2_KVER)
#        NB_L1_SCHED_FEATURES="NO_X Y" (written to L1's
#        /sys/kernel/debug/sched/features before L2 boots; l1/sched.sh)
#        NB_L1_SCHED_HIST=1 (L1 counts its context switches by the tasks
#        and the state of the one switched out, per window: SHIST lines;
#        l1/sched.sh)
#        PVIO_KVM_MODULES, KVER, QEMU; PVIO_L2_VMM, PVIO_L2_QEMU_ARGS (L2's
#        QEMU and more arguments for it, as in tests/nested/run.sh)
# Output: $NB_OUT/results.txt (SNAP and RES lines from L1), the consoles;
#         exit 0 if L2 ran to the end.  bench/report.py makes the tables.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$TOP/bench/nested
# shellcheck source=tests/lib/rig.sh
. "$TOP/tests/lib/rig.sh"
QEMU=${QEMU:-qemu-system-x86_64}
OUT=${NB_OUT:-$TOP/build/bench-nested}
PARTS=${NB_PARTS:-uart ata}
FLUSHES=${NB_FLUSHES:-1000}
CMDS=${NB_CMDS:-2048}
DRIVERS=${NB_DRIVERS:-ata_piix pata_pvio virtio_blk}
DISK_MB=${NB_DISK_MB:-64}
BG=${NB_BG:-3}
BONNIE_MB=${NB_BONNIE_MB:-16}
TIMEOUT=${NB_TIMEOUT:-1500}
NET_DRIVERS=${NB_NET_DRIVERS:-e1000 e1000_pvio1 e1000_pvio0 virtio_net}
PINGS=${NB_PINGS:-300}
BULK_MB=${NB_BULK_MB:-8}
TCP_MB=${NB_TCP_MB:-8}
UDP_SECS=${NB_UDP_SECS:-3}
UDP_RATE=${NB_UDP_RATE:-20M}
RR=${NB_RR:-1000}
LAT_OPS=${NB_LAT_OPS:-0}
PROFILE=${NB_PROFILE:-0}
SHARED=${NB_SHARED:-}
SCHED_FEAT=${NB_L1_SCHED_FEATURES:-}
SCHED_HIST=${NB_L1_SCHED_HIST:-0}
L2_KVER=${NB_L2_KVER:-$KVER}
L2_MODULES=${NB_L2_MODULES:-}
case " $PARTS " in *" net "*) NET=1 ;; *) NET=0 ;; esac

die() { echo "bench-nested: $*" >&2; exit 2; }

# l2_ko PATH: L2's copy of our module at PATH in the tree: that one, or its
# namesake in NB_L2_MODULES
l2_ko() { echo "${L2_MODULES:-$TOP/$(dirname "$1")}/${1##*/}"; }

# as_l2 CMD...: CMD in a subshell with rig.sh's KVER and MODROOT those of
# L2's kernel: the rd_* helpers take the kernel from them
as_l2() (
	KVER=$L2_KVER
	# shellcheck disable=SC2034 # rig.sh's, read there
	MODROOT=/lib/modules/$L2_KVER
	"$@"
)

# preflight: the patched KVM, L2's modules (built for L2's kernel), the
# kernels and the net part's programs are there
preflight() {
	local m ko
	kvm_pick || die "no KVM modules"
	[ "$L2_KVER" = "$KVER" ] || [ -n "$L2_MODULES" ] ||
		die "NB_L2_KVER without NB_L2_MODULES (the tree's modules are built for $KVER)"
	for m in pvio/pvio.ko bench/native/pvio_bench.ko drivers/ata/pata_pvio.ko \
		 drivers/net/e1000_pvio/e1000_pvio.ko ${SHARED:+elevator-bypass/pvio_bypass.ko}; do
		ko=$(l2_ko "$m")
		[ -f "$ko" ] || die "$ko not built (make)"
		# a folder built for another kernel would fail only in L2, at insmod
		[ -z "$L2_MODULES" ] || [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$L2_KVER" ] ||
			die "$ko is not built for $L2_KVER"
	done
	[ -f "$KERNEL" ] || die "$KERNEL missing"
	for m in "/boot/vmlinuz-$L2_KVER" "/lib/modules/$L2_KVER"; do
		[ -e "$m" ] || die "$m missing (L2's kernel)"
	done
	[ $NET = 1 ] || return 0
	command -v iperf3 > /dev/null || die "iperf3 missing (sh tools/deps.sh)"
	command -v gcc > /dev/null || die "gcc missing (for bench/nested/nb_rr.c)"
}

# build_tools: the static helpers the parts run (nb_rr: net; nb_lat:
# latency samples and the shared disk)
build_tools() {
	if [ $NET = 1 ]; then
		gcc -static -O2 -Wall -o "$OUT/nb_rr" "$SRC/nb_rr.c" || die "nb_rr build failed"
	fi
	if [ "$LAT_OPS" -gt 0 ] || [ -n "$SHARED" ]; then
		gcc -static -O2 -Wall -o "$OUT/nb_lat" "$SRC/nb_lat.c" || die "nb_lat build failed"
	fi
}

# build_l1 DIR: the rig's L1 (tests/nested/l1-init.sh) with the l1/ parts,
# /bench.conf and /l2.conf (L2's disks, NICs and command line)
build_l1() {
	local rd=$1 netargs rparts append
	# L1's bonnie++ (l1/native.sh) mounts ext2 through ext4, which wants crc32c at
	# mount time; L1 has no /sbin/modprobe for the kernel to load it on demand
	rd_l1 "$rd" virtio_pci 9pnet_virtio 9p ${NB_L1_BONNIE:+loop crc32c_generic ext4} || die "copying L1's modules failed"
	[ -n "$SHARED" ] && { rd_kmods "$rd" null_blk || die "null_blk missing"; }
	[ $NET = 1 ] && cp "$OUT/nb_rr" "$rd/bin/"
	# the base part, and each experiment's own L1 side only when it runs
	cp "$SRC/l1/bench.sh" "$rd/parts/"
	[ -n "${NB_PIT_DIV:-}" ] && cp "$SRC/l1/pit.sh" "$rd/parts/"
	[ -n "$SHARED" ] && cp "$SRC/l1/shared.sh" "$rd/parts/"
	[ -n "${NB_L1_BONNIE:-}" ] && cp "$SRC/l1/native.sh" "$rd/parts/"
	case $PROFILE in 1) cp "$SRC/l1/profile.sh" "$rd/parts/" ;; lat) cp "$SRC/l1/lat.sh" "$rd/parts/" ;; esac
	{ [ -n "$SCHED_FEAT" ] || [ "$SCHED_HIST" = 1 ]; } && cp "$SRC/l1/sched.sh" "$rd/parts/"
	printf 'NET=%s\nBULK_MB=%s\nPROFILE=%s\nPIT_DIV=%s\nL1_BONNIE=%s\nBONNIE_MB=%s\nDISK_MB=%s\nSHARED=%s\nSCHED_FEAT="%s"\nSCHED_HIST=%s\n' \
		$NET "$BULK_MB" "$PROFILE" "${NB_PIT_DIV:-}" "${NB_L1_BONNIE:-}" "$BONNIE_MB" "$DISK_MB" "$SHARED" \
		"$SCHED_FEAT" "$SCHED_HIST" > "$rd/bench.conf"
	netargs="-net none"
	[ $NET = 1 ] && netargs="-netdev user,id=n0 -device e1000,netdev=n0 -netdev user,id=n1 -device virtio-net-pci,netdev=n1"
	# the shared disk: MIB from offset 0 of L1's null_blk, O_DIRECT (cache=none),
	# unlocked: the neighbour guest (l1/shared.sh) opens the same device
	[ -n "$SHARED" ] && netargs="$netargs -drive file=/dev/nullb0,file.locking=off,format=raw,offset=0,size=$((SHARED << 20)),if=none,id=shd,cache=none -device virtio-blk-pci,drive=shd,serial=shared"
	NETARGS=$netargs
	rparts=$PARTS
	[ "$BG" -gt 0 ] && rparts="bg_window $PARTS"
	append="quiet oops=panic rig.parts=${rparts// /,} bench.flushes=$FLUSHES bench.cmds=$CMDS bench.drivers=${DRIVERS// /,} bench.bg=$BG bench.bonnie_mb=$BONNIE_MB bench.lat_ops=$LAT_OPS${NB_L2_APPEND:+ $NB_L2_APPEND}"
	[ "$PROFILE" = 1 ] && append="$append nokaslr bench.ksyms=1"
	[ $NET = 1 ] && append="$append bench.net_drivers=${NET_DRIVERS// /,} bench.pings=$PINGS bench.bulk_mb=$BULK_MB bench.tcp_mb=$TCP_MB bench.udp_secs=$UDP_SECS bench.udp_rate=$UDP_RATE bench.rr=$RR"
	L2_INITRD=$OUT/l2-initramfs.gz L2_TIMEOUT=$((TIMEOUT - 60)) L2_MEM=256 L2_APPEND=$append \
	L2_DISKS="ide.img:$DISK_MB vd.img:$DISK_MB" L2_COPY='' \
	L2_QEMU="$netargs -drive file=/tmp/ide.img,if=ide,format=raw,cache=unsafe -drive file=/tmp/vd.img,if=virtio,format=raw,cache=unsafe${PVIO_L2_QEMU_ARGS:+ $PVIO_L2_QEMU_ARGS}" \
	L2_VMM=${PVIO_L2_VMM:-} L2_KERNEL=/boot/vmlinuz-$L2_KVER \
		rd_l2conf "$rd"
}

# build_l2 DIR: the rig's L2 (tests/nested/l2-init.sh) with l2-bench.sh,
# our modules and the programs the parts asked for; run it as_l2
build_l2() {
	local r2=$1
	rd_new "$r2" "$TOP/tests/nested/l2-init.sh"
	mkdir -p "$r2/parts"
	cp "$SRC/l2-bench.sh" "$r2/parts/bench.sh"
	rd_kmods "$r2" libata ata_piix sd_mod virtio_pci virtio_blk ext4 e1000 virtio_net &&
		rd_ko "$r2" "$(l2_ko pvio/pvio.ko)" "$PATA_KO" "$(l2_ko drivers/net/e1000_pvio/e1000_pvio.ko)" ||
		die "copying L2's modules failed"
	cp "$(l2_ko bench/native/pvio_bench.ko)" "$r2/lib/modules/"
	if [ $NET = 1 ]; then
		rd_bins "$r2" iperf3 || die "iperf3 missing"
		cp "$OUT/nb_rr" "$r2/bin/"
	fi
	{ [ "$LAT_OPS" -gt 0 ] || [ -n "$SHARED" ]; } && cp "$OUT/nb_lat" "$r2/bin/"
	[ -n "$SHARED" ] && rd_ko "$r2" "$(l2_ko elevator-bypass/pvio_bypass.ko)"
	if [[ " $PARTS " == *" bonnie "* ]]; then
		rd_bins "$r2" bonnie++ || die "bonnie++ missing (tools/deps.sh)"
		mkdir -p "$r2/etc"
		echo "root:x:0:0:root:/:/bin/sh" > "$r2/etc/passwd"
	fi
	return 0
}

# rig_records: the RES lines L0 adds to L1's: the run, the modules, the VMMs
rig_records() {
	local vmm
	echo "RES l0_seconds $L1_SECS"
	echo "RES l0_qemu_rc $L1_RC"
	echo "RES l1_rescues $L1_RESCUES"
	echo "RES l1_kicks $L1_KICKS"
	echo "RES l0_date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "RES disk_mb $DISK_MB"
	echo "RES l2_kver $L2_KVER"
	echo "RES pata_pvio_module $PATA_ORIGIN"
	echo "RES e1000_pvio_module $E1000P_ORIGIN"
	[ $NET = 1 ] && echo "RES l1_net $NETARGS"
	echo "RES l2_vmm ${PVIO_L2_VMM:-qemu-system-x86_64 -enable-kvm}${PVIO_L2_QEMU_ARGS:+ $PVIO_L2_QEMU_ARGS}"
	# L1 runs L2's QEMU from L0's root over 9p: the same binary answers here
	vmm=${PVIO_L2_VMM:-qemu-system-x86_64}
	echo "RES l2_vmm_version $(${vmm%% *} --version 2>/dev/null | head -1)"
	echo "RES l0_host $(uname -r), $(nproc) CPUs, $("$QEMU" --version | head -1)"
}

PATA_KO=$(l2_ko drivers/ata/pata_pvio.ko)
# a cross run's modules are NB_L2_MODULES' (said without the folder's path)
L2_BUILT=" as built${L2_MODULES:+ for $L2_KVER (NB_L2_MODULES)}"
PATA_ORIGIN="drivers/ata/pata_pvio.ko$L2_BUILT (ata $(git -C "$TOP" log -1 --format=%h -- drivers/ata/pata_pvio.c 2>/dev/null))"
E1000P_ORIGIN="drivers/net/e1000_pvio/e1000_pvio.ko$L2_BUILT (last commit $(git -C "$TOP" log -1 --format=%h -- drivers/net/e1000_pvio 2>/dev/null)$(git -C "$TOP" diff --quiet HEAD -- drivers/net/e1000_pvio 2>/dev/null || echo ', uncommitted changes'))"

preflight
mkdir -p "$OUT"
rm -f "$OUT"/results.txt "$OUT"/l1-console.log
build_tools
build_l1 "$OUT/l1-root"
as_l2 build_l2 "$OUT/l2-root" || exit 2
as_l2 rd_pack "$OUT/l2-root" "$OUT/l2-initramfs.gz" && rd_pack "$OUT/l1-root" "$OUT/l1-initramfs.gz" ||
	die "packing the initramfs images failed"

echo "bench-nested: pata_pvio: $PATA_ORIGIN"
[ $NET = 1 ] && echo "bench-nested: e1000_pvio: $E1000P_ORIGIN; net drivers $NET_DRIVERS"
echo "bench-nested: L1 $KERNEL, KVM from $KVM_ORIGIN; L2 /boot/vmlinuz-$L2_KVER; parts: $PARTS (flushes $FLUSHES, cmds $CMDS, drivers $DRIVERS)"
l1_boot "$OUT" "$OUT/l1-initramfs.gz" "$OUT/results.txt" "$TIMEOUT" "PVIO_L1_BUDGET=$TIMEOUT" "${L0_ROOT_9P[@]}"
tr -d '\r' < "$OUT/results.txt" > "$OUT/results.tmp" && mv "$OUT/results.tmp" "$OUT/results.txt"
rig_records >> "$OUT/results.txt"
echo "bench-nested: L1 run ${L1_SECS}s (qemu rc $L1_RC); results in $OUT/results.txt"
grep -q '^RES l2_done' "$OUT/results.txt"
