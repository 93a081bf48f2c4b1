#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages on this machine: make deb (lintian without errors or
# warnings), then pvio-dkms, pvio-host-dkms and pvio-qemu in turn: install
# with apt-get, check what dkms, modinfo, the file system and the program
# say, and purge: nothing may be left behind.  Installing pvio-host-dkms
# must not touch the running kvm; Debian's QEMU and firmware packages must
# stay untouched.  The pvio-guest tuned profile is loaded with tuned's own
# profile code (no daemon here: tuned-adm verify needs it).  Whatever
# happens, the trap purges the packages, so the machine is left as found.
# Prints TAP.  Needs root and apt (Debian); skips otherwise.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
OUT=$ROOT/build/pkg
DEB=$ROOT/build/deb
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/dkms.conf")
KVERS=$("$ROOT/tools/kvers.sh")
GUEST_MODS=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' "$ROOT/dkms.conf")
PKGS="pvio-dkms pvio-host-dkms pvio-qemu"
RULE=/lib/udev/rules.d/60-pvio-bypass.rules
MODCONF=/etc/modprobe.d/pvio-dkms.conf
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=tests/lib/guest.sh
. "$ROOT/tests/lib/guest.sh"
# as_found NAME FILE CMD...: CMD's output now is FILE's (taken before)
as_found() { local name=$1 f=$2; shift 2; "$@" > "$f.after"; check_log "$name" "$f.diff" diff "$f" "$f.after"; }
skip_all() { echo "ok 1 - Debian packages # SKIP $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v apt-get > /dev/null && command -v dpkg-buildpackage > /dev/null ||
	skip_all "needs apt-get and dpkg-dev (Debian)"
# the system's DKMS tree and /usr/src: one of this and tests/build/dkms.sh
# at a time
exec 9> /tmp/pvio-dkms.lock
flock 9
installed() { dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null | grep -q installed; }
no_dkms() { [ -z "$(dkms status -m "$1" 2>/dev/null)" ]; }
for p in $PKGS; do
	installed "$p" && skip_all "$p is installed here already; not touching it"
done
for m in pvio pvio-host; do
	no_dkms "$m" || skip_all "dkms has $m already (dkms status); not touching it"
done
mkdir -p "$OUT"

# the kvm modules loaded now, with their taint and refcount (from sysfs: a
# container may have no /proc/modules); a reload would change the
# refcount or add pvio_enable
kvm_loaded() {
	local m
	for m in /sys/module/kvm /sys/module/kvm_amd /sys/module/kvm_intel; do
		[ -d "$m/sections" ] || continue
		echo "${m##*/} refcnt=$(cat "$m/refcnt") taint=$(cat "$m/taint")" \
			"pvio=$([ -e /sys/module/kvm/parameters/pvio_enable ] && echo yes || echo no)"
	done
}
# what "as found" means: module trees, DKMS trees, rules, modprobe.d, kvm
state() {
	# shellcheck disable=SC2046,SC2086 # one path per kernel
	find $(printf '/lib/modules/%s ' $KVERS) /usr/src /var/lib/dkms /lib/udev/rules.d \
		/etc/modprobe.d /usr/lib/tuned /usr/share/dkms -maxdepth 3 \
		-not -name 'modules.*' 2>/dev/null | sort
	kvm_loaded | sed 's/^/loaded /'
}
state > "$OUT/state"
# Debian's QEMU and the firmware: package states and dpkg's file check
debian_qemu() {
	local p
	for p in qemu-system-x86 qemu-system-data seabios ipxe-qemu; do
		echo "$p $(dpkg-query -W -f '${Version} ${db:Status-Status}' "$p" 2>&1)"
		dpkg --verify "$p" 2>&1
	done
	ls -l /usr/bin/qemu-system-x86_64 2>&1
}
debian_qemu > "$OUT/debian-qemu"
trap 'for p in $PKGS; do installed "$p" && apt-get purge -y -qq "$p" >> "$OUT/cleanup.log" 2>&1; done' EXIT

deb() { ls "$DEB/$1"_*.deb 2>/dev/null | head -1; }
# apt_do LOG ARGS...: apt-get -y ARGS, its output in $OUT/LOG.log
apt_do() { check_log "apt-get $2 ./${3##*/}" "$OUT/$1.log" apt-get -y "$2" "$3"; }
purge() { check_log "apt-get purge $2" "$OUT/$1.log" apt-get -y purge "$2"; }
# dkms_installed MODULE [KERNEL], mod_path MODULE [KERNEL], under_dkms
# MODULE [KERNEL]: KERNEL defaults to $KVER
dkms_installed() { dkms status -m "$1" -v "$VER" -k "${2:-$KVER}" 2>/dev/null | grep -q ': installed'; }
mod_path() { modinfo -k "${2:-$KVER}" -n "$1" 2>/dev/null; }
under_dkms() { case $(mod_path "$1" "${2:-}") in "/lib/modules/${2:-$KVER}/updates/dkms/"*) return 0 ;; esac; return 1; }
# the other installed kernels pvio-host-dkms builds for: those of a series
# with a host patch series (host/kvm/patches/X.Y) whose linux-source-X.Y
# is installed; dh_dkms's postinst builds for them when it builds for
# every kernel (a chroot or container, as here) or they are the newest
host_others() {
	local k s
	for k in $KVERS; do
		[ "$k" = "$KVER" ] && continue
		s=$(echo "$k" | sed -n 's/^\([0-9]*\.[0-9]*\)[.+-].*/\1/p')
		[ -n "$s" ] && ls "$ROOT/host/kvm/patches/$s"/*.patch > /dev/null 2>&1 &&
			[ -f "/usr/src/linux-source-$s.tar.xz" ] && echo "$k"
	done
}
gone() { # name paths...: none of the paths exists
	local name=$1 p left=""
	shift
	for p in "$@"; do [ -e "$p" ] && left="$left $p"; done
	check "$name${left:+ (left:$left)}" [ -z "$left" ]
}

# guest_package: pvio-dkms installed, its modules built for every kernel
# and in their place, its files there; purged, nothing left
guest_package() {
	local t0
	t0=$(date +%s)
	apt_do install-guest install "$(deb pvio-dkms)"
	echo "# pvio-dkms installed and built in $(($(date +%s) - t0)) s"
	dkms status -m pvio 2>&1 | sed 's/^/# /'
	check "dkms status: pvio/$VER installed for $KVER" dkms_installed pvio
	# every other installed kernel with headers gets its build at install time,
	# and again when its headers come later: the headers package's hook
	# (/etc/kernel/header_postinst.d/dkms) runs dkms autoinstall for it
	for k in $(echo "$KVERS" | tail -n +2); do
		check "dkms status: pvio/$VER installed for $k too" dkms_installed pvio "$k"
		dkms remove "pvio/$VER" -k "$k" > "$OUT/remove-$k.log" 2>&1
		dkms status -m pvio 2>/dev/null | sed 's/^/# after remove: /'
		check "after dkms remove -k $k, pvio is not installed for $k" \
			eval "! dkms_installed pvio '$k' && ! under_dkms pvio '$k'"
		/etc/kernel/header_postinst.d/dkms "$k" > "$OUT/autoinstall-$k.log" 2>&1
		check "the headers hook for $k (dkms autoinstall) builds and installs pvio again" \
			eval "dkms_installed pvio '$k' && under_dkms pata_pvio '$k'"
	done
	for m in $GUEST_MODS; do
		check "modinfo -k $KVER finds $m under updates/dkms" under_dkms "$m"
	done
	check "modprobe resolves pata_pvio's dependency pvio in updates/dkms" \
		eval "modprobe -S '$KVER' --show-depends pata_pvio | grep -q 'updates/dkms/pvio.ko'"
	check "the udev rule is in $RULE" grep -q 'ATTR{queue/scheduler}="pvio-bypass"' "$RULE"
	check "$MODCONF holds examples only (every line commented)" \
		eval "[ -f '$MODCONF' ] && ! grep -v '^#' '$MODCONF' | grep -q ."
	check "pvio-stat and its man page are installed" \
		test -x /usr/sbin/pvio-stat -a -f /usr/share/man/man8/pvio-stat.8.gz
	check "tuned-adm list shows pvio-guest" eval "tuned-adm list 2>/dev/null | grep -q '^- pvio-guest '"
	# tuned's own loader: the include resolves, and the elevator goes to the
	# disks QEMU emulates and to no other
	check_log "tuned loads pvio-guest: virtual-guest included, pvio-bypass on QEMU disks only" \
		"$OUT/tuned.log" /usr/bin/python3 - <<-'PY'
	import sys
	import tuned.profiles as P
	import tuned.utils.global_config as G
	from tuned.profiles.variables import Variables
	from tuned.hardware.device_matcher_udev import DeviceMatcherUdev
	loader = P.Loader(P.Locator(["/usr/lib/tuned"]), P.Factory(), P.Merger(),
	                  G.GlobalConfig(), Variables())
	prof = loader.load(["pvio-guest"])
	u = prof.units["pvio_disk"]
	rx = u.devices_udev_regex
	m = DeviceMatcherUdev()
	cases = [({"DEVNAME": "/dev/vda"}, True),
	         ({"DEVNAME": "/dev/sda", "ID_VENDOR": "QEMU"}, True),
	         ({"DEVNAME": "/dev/sdb", "ID_MODEL": "QEMU_HARDDISK"}, True),
	         ({"DEVNAME": "/dev/sdc", "ID_VENDOR": "ATA", "ID_MODEL": "WDC_WD10"}, False),
	         ({"DEVNAME": "/dev/nvme0n1"}, False)]
	bad = [c for c, want in cases if m.match(rx, c) != want]
	ok = (u.type == "disk" and u.options.get("elevator") == "pvio-bypass"
	      and "vm.dirty_ratio" in prof.units["sysctl"].options  # virtual-guest
	      and not bad)
	print(prof.name, dict(u.options), rx, "mismatches:", bad)
	sys.exit(0 if ok else 1)
	PY

	purge purge-guest pvio-dkms
	check "dkms status: no pvio" no_dkms pvio
	check "modinfo -k $KVER finds no pvio" eval "[ -z \"\$(mod_path pvio)\" ]"
	# shellcheck disable=SC2046,SC2086 # one path per kernel
	gone "nothing left of pvio-dkms" "/usr/src/pvio-$VER" /var/lib/dkms/pvio \
		$(printf '/lib/modules/%s/updates/dkms/pvio.ko ' $KVERS) \
		"$RULE" "$MODCONF" /usr/sbin/pvio-stat /usr/lib/tuned/pvio-guest/tuned.conf
}

# host_package: pvio-host-dkms installed and built without touching the
# running kvm; purged, Debian's kvm back and nothing left
host_package() {
	local kvm_before stock_kvm t0
	kvm_before=$(kvm_loaded)
	stock_kvm=$(mod_path kvm)
	t0=$(date +%s)
	apt_do install-host install "$(deb pvio-host-dkms)"
	echo "# pvio-host-dkms installed and built in $(($(date +%s) - t0)) s (cached kvm: see $OUT/install-host.log)"
	dkms status -m pvio-host 2>&1 | sed 's/^/# /'
	check "dkms status: pvio-host/$VER installed for $KVER" dkms_installed pvio-host
	for m in kvm kvm-amd kvm-intel; do
		check "modinfo -k $KVER finds $m under updates/dkms" under_dkms "$m"
	done
	# the postinst's "Building for A and B" names the kernels it tried
	for k in $(host_others); do
		grep -qF "$k" <(grep '^Building for ' "$OUT/install-host.log") || continue
		check "dkms status: pvio-host/$VER installed for $k too (its own series)" dkms_installed pvio-host "$k"
		check "modinfo -k $k finds kvm under updates/dkms" under_dkms kvm "$k"
	done
	check "dkms status: built and installed modules are the same" \
		eval "! dkms status -m pvio-host | grep -q WARNING"
	check "the installed kvm.ko has pvio_enable" \
		eval "modinfo -k '$KVER' -F parm kvm | grep -q '^pvio_enable:'"
	check "the postinst says how to reload kvm and what happens to running VMs" \
		has "$OUT/install-host.log" 'modprobe -r kvm_amd kvm' 'With a VM running'
	echo "# kvm loaded before: '${kvm_before:-none}', after: '$(kvm_loaded)'"
	check "installing did not load, unload or reload kvm" eval '[ "$(kvm_loaded)" = "$kvm_before" ]'
	purge purge-host pvio-host-dkms
	check "dkms status: no pvio-host" no_dkms pvio-host
	check "modinfo -k $KVER finds Debian's kvm again ($stock_kvm)" \
		eval "[ -n '$stock_kvm' ] && [ \"\$(mod_path kvm)\" = '$stock_kvm' ]"
	# shellcheck disable=SC2046,SC2086 # one path per kernel
	gone "nothing left of pvio-host-dkms" "/usr/src/pvio-host-$VER" /var/lib/dkms/pvio-host \
		"/lib/modules/$KVER/updates/dkms/kvm.ko" \
		$(for k in $(host_others); do echo "/lib/modules/$k/updates/dkms/kvm.ko"; done) \
		/usr/share/dkms/modules_to_force_install/pvio-host-dkms

}

# ---- pvio-qemu ----------------------------------------------------------------
QLIB=/usr/lib/pvio/qemu-system-x86_64
QBIN=/usr/bin/pvio-qemu-system-x86_64
QDOC=/usr/share/doc/pvio-qemu
QMAN=/usr/share/man/man1/pvio-qemu-system-x86_64.1.gz
QFW_DIRS="/usr/share/seabios /usr/share/qemu /usr/lib/ipxe/qemu"
QPC=("$QBIN" -M pc -accel tcg -display none -nodefaults -serial none -monitor stdio)
# a TCG PC to the BIOS: SeaBIOS prints its banner on the debug port 0x402;
# the e1000 needs its option ROM (ipxe-qemu).  Once the banner is there the
# monitor gets "info pvio" and "quit".  Output in $OUT/boot.{txt,dbg}.
qemu_boot() {
	local rc
	rm -f "$OUT/boot.dbg"
	{
		for _ in $(seq 150); do
			grep -q 'SeaBIOS (version' "$OUT/boot.dbg" 2>/dev/null && break
			sleep 0.2
		done
		printf 'info pvio\nquit\n'
	} | timeout 60 "${QPC[@]}" \
		-chardev file,id=dbg,path="$OUT/boot.dbg" -device isa-debugcon,iobase=0x402,chardev=dbg \
		-netdev user,id=n -device e1000,netdev=n 2>&1 | tr -d '\r' > "$OUT/boot.txt"
	rc=${PIPESTATUS[1]}
	return "$rc"
}
# the same machine in a private mount namespace with empty tmpfs over the
# firmware directories: it must not start.  (-L EMPTYDIR does not do: the
# configured firmware path is searched after the -L directories.)
qemu_nofw() {
	# shellcheck disable=SC2016 # "$d" and "$@" are the inner shell's
	echo quit | timeout 60 unshare -m sh -c '
		for d in '"$QFW_DIRS"'; do mount -t tmpfs -o size=1m pvio-nofw "$d" || exit 99; done
		exec "$@"' sh "${QPC[@]}" > "$OUT/nofw.out" 2>&1
}

# qemu_package: pvio-qemu installed beside Debian's QEMU, runs and boots a
# PC, needs the firmware packages it depends on; purged, nothing left
qemu_package() {
	local deps rc nofw
	if [ -f "$DEB/qemu-skipped" ] || [ -z "$(deb pvio-qemu)" ]; then
		not_ok "make deb built pvio-qemu ($(cat "$DEB/qemu-skipped" 2>/dev/null || echo 'no .deb'))"
		return
	fi
	ok "make deb built pvio-qemu"
	apt_do install-qemu install "$(deb pvio-qemu)"
	deps=$(dpkg-query -W -f '${Depends}' pvio-qemu 2>/dev/null)
	echo "# Depends: $deps"
	depends_on() { # packages...: all in pvio-qemu's Depends
		local d
		for d in "$@"; do echo "$deps" | grep -qE "(^|, )$d( |,|\$)" || return 1; done
	}
	check "Depends: libraries from dh_shlibdeps, seabios, ipxe-qemu, qemu-system-data" \
		depends_on libc6 libglib2.0-0 libslirp0 libfdt1 zlib1g seabios ipxe-qemu qemu-system-data
	check "$QBIN -> $QLIB" eval "[ -x '$QLIB' ] && [ \"\$(readlink -f '$QBIN')\" = '$QLIB' ]"
	check "$QDOC has the patches it was built from, BUILD-INFO, README; the man page" eval \
		"[ \$(ls '$QDOC'/patches/*.patch | wc -l) = $(ls "$ROOT"/host/qemu/patches/*.patch | wc -l) ] &&
		 [ -s '$QDOC/BUILD-INFO' ] && [ -f '$QDOC/README.md.gz' ] && [ -f '$QMAN' ]"
	"$QBIN" --version > "$OUT/version.txt" 2>&1
	head -1 "$OUT/version.txt" | sed 's/^/# /'
	check "pvio-qemu-system-x86_64 --version: QEMU 10.0.2" \
		has "$OUT/version.txt" '^QEMU emulator version 10\.0\.2$'
	"$QBIN" -object kvm-accel,help > "$OUT/accel-help.txt" 2>&1
	grep pvio "$OUT/accel-help.txt" | sed 's/^/# /'
	check "-object kvm-accel,help lists pvio-batch=<OnOffAuto> and pvio-settle-us=<uint32>" \
		has "$OUT/accel-help.txt" '^  pvio-batch=<OnOffAuto> ' '^  pvio-settle-us=<uint32> '
	qemu_boot
	rc=$?
	head -1 "$OUT/boot.dbg" 2>/dev/null | sed 's/^/# debugcon: /'
	check "a TCG pc with an e1000 boots to SeaBIOS and quits from the monitor (rc $rc)" \
		eval "[ $rc = 0 ] && has '$OUT/boot.dbg' '^SeaBIOS (version'"
	grep -E '^[a-z-]+: ' "$OUT/boot.txt" | sed 's/^/# info pvio: /'
	check "info pvio in its monitor: pvio-batch (off under TCG), pvio-settle-us, exits" \
		has "$OUT/boot.txt" '^pvio-batch: off$' '^pvio-settle-us: 2000$' '^exits: 0$'
	nofw="with $QFW_DIRS empty it does not start"
	if ! unshare -m true 2> /dev/null; then
		ok "$nofw # SKIP no unshare -m here"
	else
		qemu_nofw
		rc=$?
		grep -v '^QEMU.*monitor' "$OUT/nofw.out" | head -2 | sed 's/^/# firmware hidden: /'
		if [ $rc = 99 ]; then
			ok "$nofw # SKIP cannot mount tmpfs"
		else
			check "$nofw (rc $rc)" eval "[ $rc != 0 ] && has '$OUT/nofw.out' 'could not load PC BIOS'"
		fi
	fi
	purge purge-qemu pvio-qemu
	gone "nothing left of pvio-qemu" /usr/lib/pvio "$QBIN" "$QDOC" "$QMAN"
}

# ---- main: the packages built, then each installed, checked and purged -----
check_log "make deb: pvio-dkms and pvio-host-dkms in build/deb/" "$OUT/mkdeb.log" \
	"$ROOT/tools/mkdeb.sh" || exit 1
sed -n 's/^\([EWIP]\): /# lintian: &/p' "$DEB/lintian.log"
check "lintian: no error or warning tag" eval "! grep -qE '^[EW]: ' '$DEB/lintian.log'"

guest_package
host_package
qemu_package
as_found "Debian's qemu-system-x86, qemu-system-data, seabios, ipxe-qemu untouched" "$OUT/debian-qemu" debian_qemu
as_found "module, DKMS, udev, modprobe.d and tuned trees as found; kvm untouched" "$OUT/state" state
