# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # sets variables for its callers
# The L0 side of every guest the tests and benchmarks boot (bash; source it
# after setting TOP to the top of the tree).  Builds initramfs images
# (busybox, tests/lib/guest.sh, Debian's modules with their modprobe
# dependencies, our modules, host programs with their shared libraries)
# and boots the nested rig's L1 under TCG with SVM, kept awake by
# tests/nested/l1-watch.py.
KVER=${KVER:-$("$TOP/tools/kver.sh")}
KERNEL=/boot/vmlinuz-$KVER
MODROOT=/lib/modules/$KVER

# rd_new DIR INIT: a fresh initramfs tree in DIR with INIT as /init
rd_new() {
	rm -rf "$1"
	mkdir -p "$1"/{bin,dev,proc,sys,tmp,mnt,lib/modules/"$KVER"/extra}
	cp /bin/busybox "$1/bin/busybox"
	cp "$2" "$1/init"
	chmod 755 "$1/init"
	cp "$TOP/tests/lib/guest.sh" "$1/lib/guest.sh"
	cp "$MODROOT"/modules.{builtin,builtin.modinfo,order} "$1/lib/modules/$KVER/" 2>/dev/null
	return 0
}

# kmod_paths MODULE...: Debian's files for MODULEs and their dependencies,
# in load order
kmod_paths() {
	local m
	for m in "$@"; do
		modprobe -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

# rd_kmods DIR MODULE...: Debian's MODULEs and their dependencies, at their
# own paths (rd_pack runs depmod, so the guest's modprobe finds them)
rd_kmods() {
	local d=$1 f
	shift
	for f in $(kmod_paths "$@"); do
		mkdir -p "$d$(dirname "$f")"
		cp "$f" "$d$f" || return 1
	done
}

# rd_ko DIR KO...: our built modules, into DIR's extra/
rd_ko() {
	local d=$1
	shift
	cp "$@" "$d/lib/modules/$KVER/extra/"
}

# rd_bins DIR PROGRAM...: host programs into DIR/bin, their shared
# libraries (as ldd lists them) at their own paths
rd_bins() {
	local d=$1 p path lib
	shift
	for p in "$@"; do
		path=$(command -v "$p") || { echo "rig: host program $p missing" >&2; return 1; }
		cp "$path" "$d/bin/"
		for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
			mkdir -p "$d$(dirname "$lib")"
			cp -L "$lib" "$d$lib"
		done
	done
}

# rd_pack DIR IMAGE: depmod DIR's modules, pack DIR as a gzipped newc cpio
rd_pack() {
	depmod -b "$1" "$KVER" || return 1
	(cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"
}

# kvm_pick [stock]: the KVM modules L1 loads, in KVMDIR (described in
# KVM_ORIGIN): $PVIO_KVM_MODULES, else host/build/$KVER/ (make host), else
# with "stock" Debian's own (no pvio handler), else fail
kvm_pick() {
	if [ -n "${PVIO_KVM_MODULES:-}" ]; then
		KVMDIR=$PVIO_KVM_MODULES
		KVM_ORIGIN="$KVMDIR (PVIO_KVM_MODULES)"
	elif [ -f "$TOP/host/build/$KVER/kvm.ko" ] && [ -f "$TOP/host/build/$KVER/kvm-amd.ko" ]; then
		KVMDIR=$TOP/host/build/$KVER
		KVM_ORIGIN="$KVMDIR (make host)"
	elif [ "${1:-}" = stock ]; then
		KVMDIR=$MODROOT/kernel/arch/x86/kvm
		KVM_ORIGIN="$KVMDIR (stock Debian)"
	else
		echo "rig: no patched KVM: run make host, or set PVIO_KVM_MODULES" >&2
		return 1
	fi
	# Debian's own may be compressed (6.12: kvm.ko.xz)
	compgen -G "$KVMDIR/kvm.ko*" > /dev/null && compgen -G "$KVMDIR/kvm-amd.ko*" > /dev/null ||
		{ echo "rig: no kvm.ko and kvm-amd.ko in $KVMDIR" >&2; return 1; }
}

# rd_kvm DIR: kvm-amd.ko and kvm.ko from KVMDIR in place of Debian's, with
# Debian's modules they need; L1 then runs `modprobe kvm-amd`
rd_kvm() {
	local k=$1$MODROOT/kernel/arch/x86/kvm
	rd_kmods "$1" kvm-amd || return 1
	[ "$KVMDIR" = "$MODROOT/kernel/arch/x86/kvm" ] && return 0
	# Debian's may be compressed (6.12 ships kvm.ko.xz): with both there,
	# depmod would list Debian's and L1 would load it instead of ours
	rm -f "$k"/kvm.ko* "$k"/kvm-amd.ko*
	cp "$KVMDIR/kvm.ko" "$KVMDIR/kvm-amd.ko" "$k/"
}

# rd_l1 DIR MODULE...: L1's initramfs tree: tests/nested/l1-init.sh, the
# KVM modules of KVMDIR (kvm_pick) and MODULEs with Debian's modules they
# need; the caller adds its parts (DIR/parts/NAME.sh) and programs
rd_l1() {
	local d=$1
	shift
	rd_new "$d" "$TOP/tests/nested/l1-init.sh"
	mkdir -p "$d/parts"
	echo kvm_amd "$@" > "$d/modules.list"
	echo "$KVM_ORIGIN" > "$d/modules.origin"
	rd_kmods "$d" "$@" && rd_kvm "$d"
}

# l1_boot OUT INITRD TTYS1-FILE TIMEOUT APPEND [QEMU-ARG...]: boot L1
# (TCG, SVM with nested paging, 2 GiB) with its console in
# OUT/l1-console.log and its second serial port in TTYS1-FILE, under
# `timeout` and l1-watch.py.  Sets L1_RC (qemu's exit status), L1_SECS,
# L1_KICKS and L1_RESCUES (the watcher's; its log is OUT/l1-watch.log).
l1_boot() {
	local out=$1 rd=$2 s1=$3 tmo=$4 append=$5 mon=$1/l1-monitor.sock watch t0
	shift 5
	rm -f "$out/l1-console.log" "$s1" "$mon" "$out/l1-monitor.txt"
	t0=$(date +%s)
	python3 "$TOP/tests/nested/l1-watch.py" "$mon" $((tmo - 20)) "$out/l1-monitor.txt" \
		> "$out/l1-watch.log" 2>&1 &
	watch=$!
	timeout -k 10 "$tmo" "${QEMU:-qemu-system-x86_64}" -accel tcg -cpu qemu64,+svm,+npt -m 2048 \
		-nographic -no-reboot -monitor "unix:$mon,server=on,wait=off" \
		-serial "file:$out/l1-console.log" -serial "file:$s1" \
		-kernel "$KERNEL" -initrd "$rd" -append "console=ttyS0 loglevel=5 panic=-1 $append" \
		"$@" < /dev/null > "$out/qemu.log" 2>&1
	L1_RC=$?
	L1_SECS=$(($(date +%s) - t0))
	wait $watch
	L1_RESCUES=$(grep -c '^rescue [0-9]' "$out/l1-watch.log")
	L1_KICKS=$(sed -n 's/^kicks \([0-9]*\).*/\1/p' "$out/l1-watch.log")
	grep -a '^L2| ' "$out/l1-console.log" | sed 's/^L2| //' > "$out/l2-console.log"
	return 0
}

# rd_l2conf DIR: DIR/l2.conf, L2 for tests/nested/l1-init.sh: the kernel
# (L2_KERNEL, a path on L0; default L1's KERNEL), L2_INITRD, L2_TIMEOUT
# (s), L2_MEM (MiB), L2_QEMU (arguments), L2_APPEND, L2_DISKS (NAME:MIB raw
# images on L1's tmpfs), L2_COPY (L0 files L2's QEMU needs, in its /tmp:
# L2_INITRD is taken along), L2_VMM (the QEMU command and its accelerator,
# from L0's root; default: see l1-init.sh)
rd_l2conf() {
	local v
	for v in L2_INITRD L2_TIMEOUT L2_MEM L2_QEMU L2_APPEND L2_DISKS L2_COPY L2_VMM; do
		printf "%s='%s'\n" "$v" "${!v:-}"
	done > "$1/l2.conf"
	echo "L2_KERNEL='${L2_KERNEL:-$KERNEL}'" >> "$1/l2.conf"
	echo "L2_COPY=\"\$L2_COPY $L2_INITRD\"" >> "$1/l2.conf"
}

# the -virtfs option through which L1 mounts L0's root read-only
# shellcheck disable=SC2054 # commas are QEMU's
L0_ROOT_9P=(-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap)
