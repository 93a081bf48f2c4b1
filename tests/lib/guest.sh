# SPDX-License-Identifier: GPL-2.0
# The guest-side library (busybox sh), copied as /lib/guest.sh into every
# initramfs tests/lib/rig.sh builds (vm cases, L1 and L2 of the nested rig,
# the benchmarks).  Source it.  The L0 runners source it for find_splat.
TAP_N=0 TAP_FAIL=0

# guest_boot: what every PID 1 here does first: busybox's applets on PATH,
# the usual file systems mounted
guest_boot() {
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t tmpfs tmpfs /tmp
}

# arg NAME [DEFAULT]: NAME= of the kernel command line, commas as
# spaces; DEFAULT when it is not there or empty
arg() {
	_v=$(tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tr -d '"' | tr ',' ' ')
	echo "${_v:-${2:-}}"
}

# ---- TAP: ok/not_ok/skip/check; TAP_PREFIX goes before each line -------
# (TAP_N results so far, TAP_FAIL of them failed)
ok() { TAP_N=$((TAP_N + 1)); echo "${TAP_PREFIX:-}ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)) TAP_FAIL=$((TAP_FAIL + 1)); echo "${TAP_PREFIX:-}not ok $TAP_N - $*"; }
skip() { TAP_N=$((TAP_N + 1)); echo "${TAP_PREFIX:-}ok $TAP_N - $1 # SKIP $2"; }

# check NAME CMD...: one result from a command's exit status, which it returns
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; return 1; fi
}
# check_log NAME LOG CMD...: check, CMD's output in LOG, whose tail
# becomes TAP comments when CMD fails
check_log() {
	_name=$1 _log=$2
	shift 2
	if "$@" > "$_log" 2>&1; then ok "$_name"; return 0; fi
	tail -20 "$_log" | sed 's/^/# /'
	not_ok "$_name"
	return 1
}

# refuses MODULE PARAM REGEX: loading MODULE with PARAM fails, and the
# kernel log says why (a line matching REGEX)
refuses() {
	dmesg -c > /dev/null
	if modprobe "$1" "$2" 2>/dev/null; then
		not_ok "$1 refuses $2"
		rmmod "$1"
	elif dmesg | grep -q "$3"; then
		ok "$1 refuses $2 and says why"
	else
		not_ok "$1 refuses $2 and says why (no message)"
	fi
}

# has FILE REGEX...: each REGEX matches a line of FILE
has() {
	_f=$1
	shift
	for _r in "$@"; do grep -q -- "$_r" "$_f" || return 1; done
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

# find_splat LOG: print the first kernel splat of a console log with what
# follows it (RIP, Code, registers, call trace; "? " frames, which are
# stale stack words, left out; at most 40 lines), and succeed if there is
# one (oops, BUG, WARNING, KASAN, UBSAN, lockdep, hung task, soft lockup,
# panic)
find_splat() {
	awk -v re='Oops|BUG:|WARNING:|Kernel panic|general protection fault|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked|soft lockup|hard LOCKUP|RCU stall|Call Trace:' '
		$0 ~ re { hit = 1 }
		hit && !/^(\[[ 0-9.]+\])? +\? / && n < 40 { print; n++ }
		END { exit !hit }' "$1"
}

# ---- counters ----------------------------------------------------------
# stat_of FILE KEY: one counter from a "name value" stats file
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
# batch_stat BATCH KEY: KEY summed over the pvio batches named BATCH*
batch_stat() {
	cat /sys/kernel/debug/pvio/batches/"$1"*/stats 2>/dev/null |
		awk -v k="$2" '$1 == k { s += $2 } END { print s + 0 }'
}
# sum_files FILE...: the numbers in FILEs added up
sum_files() { cat "$@" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
# irqs_of NAME: interrupts taken on the /proc/interrupts lines naming NAME
irqs_of() {
	awk -v n="$1" 'index($0, n) { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) t += $i }
		END { print t + 0 }' /proc/interrupts
}

# ---- data patterns and checksums ---------------------------------------
# pattern SEED [MIB]: MIB (default $MB) MiB of AES-128-CTR keystream keyed by SEED
pattern() {
	OPENSSL_CONF=/dev/null openssl enc -aes-128-ctr -nosalt \
		-K "$(printf '%032x' "$1")" -iv 0 < /dev/zero 2>/dev/null |
		head -c $((${2:-$MB} << 20))
}
# stream N SEED: the bytes tests/vm/e1000-peer.sh sends for "send N SEED"
stream() {
	openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:$2" < /dev/zero 2>/dev/null |
		head -c "$1"
}
sum_of() { md5sum | cut -d' ' -f1; }
# pat_sum SEED [MIB]: pattern SEED into /tmp/pat; print its md5
pat_sum() { pattern "$@" > /tmp/pat && sum_of < /tmp/pat; }
# dd_sum DD-ARGS...: md5 of what dd reads (if=, bs=, count=, ...)
dd_sum() { dd "$@" 2>/dev/null | sum_of; }
# same A B: two checksums, both there and equal
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

# ---- disks -------------------------------------------------------------
# pata_load [PARAM...]: checks "pvio loads", "pata_pvio loads" (with
# PARAMs), "disk sda appears"
pata_load() {
	modprobe sd_mod
	check "pvio loads" modprobe pvio &&
		check "pata_pvio loads${1:+ with $*}" modprobe pata_pvio "$@" &&
		check "disk sda appears" wait_blk
}
# pstat KEY: KEY summed over pata_pvio's batches (one per channel);
# pata_cnt NAME: a pata_pvio debugfs counter summed over both channels
pstat() { batch_stat pata_pvio. "$1"; }
pata_cnt() { sum_files /sys/kernel/debug/pata_pvio/*/"$1"; }
# pat_write SEED [MIB]: pattern SEED written to sda in 1 MiB O_DIRECT
# writes (and kept in /tmp/pat); prints its md5
pat_write() {
	pat_sum "$@" && dd if=/tmp/pat of=/dev/sda bs=1M oflag=direct 2>/dev/null
}
# fio_verify NAME FIO-ARGS...: a verify job on sda (later arguments win),
# one check; its error lines as comments when it fails
fio_verify() {
	_name=$1
	shift
	if fio --name=verify --filename=/dev/sda --direct=1 --size=24M \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--eta=never --output=/tmp/fio.out "$@" && ! grep -q 'verify: bad' /tmp/fio.out; then
		ok "$_name"
	else
		grep -E 'verify|err=' /tmp/fio.out | head -5 | sed 's/^/# /'
		not_ok "$_name"
	fi
}
# write_refused N SECS: /tmp/pat to sda in 64 KiB O_DIRECT writes, while
# pvio's inject_host_error is re-armed with N errors every SECS; dd's status
write_refused() {
	dd if=/tmp/pat of=/dev/sda bs=64k oflag=direct 2>/dev/null &
	_dd=$!
	while kill -0 $_dd 2>/dev/null; do
		echo "$1" > /sys/kernel/debug/pvio/inject_host_error
		sleep "$2"
	done
	wait $_dd
}
# bad_read NAME DD-ARGS: check NAME: a read from sda (DD-ARGS: bs=, skip=)
# fails; the failed command libata logged, as comments
bad_read() {
	dmesg -c > /dev/null
	check "$1" sh -c "! dd if=/dev/sda of=/dev/null count=1 iflag=direct $2 2>/dev/null"
	dmesg | grep -m1 -A1 'failed command: READ DMA' | sed 's/^/# /'
}
# disk_direct [DEV [MIB]]: md5 of the first MIB (default $MB) MiB, O_DIRECT
disk_direct() { dd if="/dev/${1:-sda}" bs=1M count="${2:-$MB}" iflag=direct 2>/dev/null | sum_of; }
# disk_cached [DEV [MIB]]: the same through the page cache, caches dropped first
disk_cached() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	dd if="/dev/${1:-sda}" bs=1M count="${2:-$MB}" 2>/dev/null | sum_of
}
# wait_until SECS CMD...: CMD again every 0.1 s until it succeeds, for up
# to SECS; succeeds if it did
wait_until() {
	_t=$(($1 * 10))
	shift
	until "$@"; do
		[ $_t -gt 0 ] || return 1
		sleep 0.1
		_t=$((_t - 1))
	done
}
# wait_blk [DEV]: up to 60 s for /dev/DEV (default sda) to appear
wait_blk() { wait_until 60 [ -b "/dev/${1:-sda}" ]; }
# gone_blk [DEV]: up to 30 s for /dev/DEV to go away
gone_blk() { wait_until 30 [ ! -b "/dev/${1:-sda}" ]; }

# ---- network -----------------------------------------------------------
# wait_carrier NIC [VALUE]: wait up to 10 s for NIC's carrier to read VALUE
# (default 1); succeed if it does
carrier_is() { [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = "$2" ]; }
wait_carrier() { wait_until 10 carrier_is "$1" "${2:-1}"; }
# nic_up NIC: NIC up as 10.0.2.15/24 (slirp's guest address); succeeds
# once its carrier is up
nic_up() {
	ip link set "$1" up
	ip addr add 10.0.2.15/24 dev "$1" 2>/dev/null
	wait_carrier "$1"
}
# e1000_load MODE [WHAT]: e1000_pvio napi=MODE, its interface in $nic with
# link; checks "$m WHATloads" and "$m link up"
e1000_load() {
	check "$m ${2-}loads" modprobe e1000_pvio napi="$1" || return 1
	nic=$(e1000p_nic)
	check "$m link up" nic_up "$nic"
}
# e1000_unload: $nic down; checks that nothing is in flight, and the unload
e1000_unload() {
	ip link set "$nic" down
	check "$m after ifdown: nothing in flight, no buffer held" \
		[ "$(nic_stat tx_in_flight)" = 0 -a "$(nic_stat rx_buffers_posted)" = 0 ]
	check "$m unloads" rmmod e1000_pvio
}
# nic_stat KEY: KEY of ethtool -S for the interface $nic
nic_stat() { ethtool -S "$nic" | awk -v k="$1:" '$1 == k { print $2 }'; }
# e1000p_nic: the network interface e1000_pvio made
e1000p_nic() { ls /sys/bus/pci/drivers/e1000_pvio/*/net/ | head -1; }
# The peer tests/vm/e1000-peer.sh behind slirp's guestfwd at $PEER ("host
# port"): "send N SEED" streams N bytes of stream SEED, "sum N SEED" gives
# their md5, "recv N" answers with the md5 of the N bytes it got.
# NC_SECS, if set, bounds each connection.
PEER=${PEER:-10.0.2.100 5000}
peer_nc() { if [ -n "${NC_SECS:-}" ]; then timeout "$NC_SECS" nc $PEER; else nc $PEER; fi; }
# host_sum N SEED: the peer's md5 of the stream "send N SEED" sends
host_sum() { echo "sum $1 $2" | peer_nc; }
# rx_sum N SEED: md5 of what arrived, empty unless exactly N bytes did
rx_sum() {
	echo "send $1 $2" | peer_nc > "/tmp/rx.$2"
	[ "$(wc -c < "/tmp/rx.$2")" = "$1" ] && sum_of < "/tmp/rx.$2"
	rm -f "/tmp/rx.$2"
}
# tx_sum N FILE: the peer's md5 of FILE sent to it
tx_sum() { { echo "recv $1"; cat "$2"; } | peer_nc; }
# both_ways N SEED FILE SUM: N bytes of stream SEED in while FILE (md5 SUM)
# goes out, at once; succeeds if both arrived byte-exact
both_ways() {
	tx_sum "$1" "$3" > /tmp/both_tx &
	_t=$!
	_b=$(rx_sum "$1" "$2")
	wait $_t
	_a=$(host_sum "$1" "$2")
	_c=$(cat /tmp/both_tx)
	echo "# $2: receive host $_a guest $_b, send guest $4 host $_c"
	same "$_a" "$_b" && same "$4" "$_c"
}
