# SPDX-License-Identifier: GPL-2.0
#
# The nested benchmark's parts of L2 (tests/nested/l2-init.sh runs those
# that rig.parts names): bg, uart, uart_sweep, ata, bonnie, net, pit, shsched.  Every measured piece
# of work sits between two marks NAME.0 and NAME.1 (L1 snapshots its
# counters at each); "PVIO-L2-RESULT key value" lines carry L2-side facts.
#
# Kernel command line: bench.flushes=N (UART
# flushes per transport), bench.cmds=N (4 KiB commands per direction),
# bench.drivers="ata_piix pata_pvio virtio_blk", bench.bg=S (seconds of the
# background window, 0: none), bench.bonnie_mb=N (bonnie++ file size); for the net part
# bench.net_drivers="e1000 e1000_pvio1 e1000_pvio0 virtio_net",
# bench.pings, bench.bulk_mb, bench.tcp_mb, bench.udp_secs, bench.udp_rate,
# bench.rr; bench.lat_ops=N (QD1 latency samples per direction after each
# dd pair, 0: none); bench.ksyms=1 (BENCH=profile: after each driver's
# windows, the symbols bench/reporter/profile.py resolves L2's RIPs with);
# bench.pit_secs=S and bench.pit_loops=N (the pit part's idle window and
# CPU loop) (see bench/nested/run.sh, pit.sh); bench.mbs="1 2 4 ..." (the
# uart_sweep part's max_batch values; bench.drivers may then name pata_pvio
# variants, pv_variant; bench/nested/ablate.sh).

FLUSHES=$(arg bench.flushes 1000)
CMDS=$(arg bench.cmds 2048)
DRIVERS=$(arg bench.drivers "ata_piix pata_pvio virtio_blk")
BG=$(arg bench.bg 3)
BONNIE_MB=$(arg bench.bonnie_mb 16)
P=/sys/kernel/debug/pvio
NET_DRIVERS=$(arg bench.net_drivers "e1000 e1000_pvio1 e1000_pvio0 virtio_net")
PINGS=$(arg bench.pings 300)
BULK_MB=$(arg bench.bulk_mb 8)
TCP_MB=$(arg bench.tcp_mb 8)
UDP_SECS=$(arg bench.udp_secs 3)
UDP_RATE=$(arg bench.udp_rate 20M)
RR=$(arg bench.rr 1000)
LAT_OPS=$(arg bench.lat_ops 0)
KSYMS=$(arg bench.ksyms)
PIT_SECS=$(arg bench.pit_secs 5)
PIT_LOOPS=$(arg bench.pit_loops 400000)

now() { cut -d' ' -f1 /proc/uptime; }
# timed NAME CMD...: CMD between marks NAME.0 and NAME.1, L2 seconds as a result
timed() {
	n=$1
	shift
	mark "$n.0"
	a=$(now)
	"$@"
	rc=$?
	b=$(now)
	mark "$n.1"
	res "$n.seconds" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }')"
	res "$n.rc" $rc
}
res parts "$(arg rig.parts)"
res cmds "$CMDS"
res flushes "$FLUSHES"
res bonnie_mb "$BONNIE_MB"

# bg_window, the first part when bench.bg > 0: L2 busy with no I/O.  Its exits
# (the timer tick, about two exits per tick) grow with time, not with the
# work; bench/reporter/ subtracts this rate times a window's length beside the
# raw figures.
bg_window() {
	mark bg.0
	timeout -s KILL "$BG" sh -c 'while :; do :; done'
	mark bg.1
}

# uart_flushes TRANSPORT: FLUSHES flushes of 8 outb through pvio_bench in
# one window, with what the module counted
uart_flushes() {
	timed "uart.$1" insmod /lib/modules/pvio_bench.ko flushes="$FLUSHES"
	dmesg | sed -n "s/.*pvio_bench: count stats /uart.$1.stats /p; s/.*pvio_bench: count /uart.$1.module /p" |
		tail -2 |
		while read -r l; do res "$l"; done
	rmmod pvio_bench
}

uart() {
	modprobe pvio transport=native
	res uart.native.transport "$(cat $P/transport)"
	uart_flushes native
	# the fixed cost of loading the module, for reference
	timed uart.load1 insmod /lib/modules/pvio_bench.ko flushes=1
	rmmod pvio_bench
	rmmod pvio
	modprobe pvio transport=auto
	res uart.hypercall.transport "$(cat $P/transport)"
	res uart.hypercall.host_abi "$(cat $P/host_abi 2>/dev/null)"
	uart_flushes hypercall
}

# ksyms NAME: with bench.ksyms=1, L2's text symbols (all on the first call,
# then the modules', which move as drivers come and go) as "NAME addr
# symbol [module]" lines written to the virtio disk, which L1 copies to L0
# at the end (profile_after in l1/profile.sh; the console would take minutes)
ksyms() {
	[ "$KSYMS" = 1 ] || return 0
	[ -b /dev/vda ] || { modprobe virtio_pci; modprobe virtio_blk; wait_blk vda; }
	all=1
	[ -f /tmp/ksyms ] && all=0
	awk -v n="$1" -v all=$all '$2 ~ /^[tT]$/ && (all || $4 ~ /^\[/) { print n, $1, $3, $4 }' \
		/proc/kallsyms >> /tmp/ksyms
	dd if=/tmp/ksyms of=/dev/vda bs=1M conv=fsync 2> /dev/null
	res ksyms.bytes "$(wc -c < /tmp/ksyms)"
	res ioports.pm_tmr "$(grep -i pm_tmr /proc/ioports | tr -s ' ')"
}

# dd_pair NAME DEV: CMDS direct 4 KiB writes, then CMDS direct reads; then
# (outside the marked windows) LAT_OPS random ones of each, timed one by one
# on L2's clock by nb_lat (bench/nested/nb_lat.c) for the latency columns
dd_pair() {
	# dd's record counts would go to the serial console: UART exits
	timed "$1.write" dd if=/dev/zero of="/dev/$2" bs=4k count="$CMDS" oflag=direct 2>/tmp/dd.log
	timed "$1.read" dd if="/dev/$2" of=/dev/null bs=4k count="$CMDS" iflag=direct 2>>/tmp/dd.log
	res "$1.scheduler" "$(cat "/sys/block/$2/queue"/scheduler)"
	[ "$LAT_OPS" -gt 0 ] || return 0
	# not "d": this shell has no locals, and ata()'s loop over the drivers is d
	for dir in write read; do
		res "$1.lat.$dir" "$(nb_lat "/dev/$2" $dir "$LAT_OPS" 2>&1)"
	done
}

# pv_variant NAME (BENCH=ablate): pata_pvio with one thing changed, loaded
# with pvio afresh: pv_native (pvio's native transport: every port op its
# own exit, the driver without batching), pv_base (nothing changed: the
# reference, loaded the same way), pv_fastpath0 (fastpath=0:
# libata's step-by-step sequences, a flush per step), pv_irqoff
# (irqless=off: an interrupt per command), pv_mbN (pvio's max_batch=N)
pv_variant() {
	tr=auto fp=1 irq=hypercall mb=64
	case $1 in
	pv_native) tr=native ;;
	pv_fastpath0) fp=0 ;;
	pv_irqoff) irq=off ;;
	pv_mb*) mb=${1#pv_mb} ;;
	esac
	rmmod pvio 2>/dev/null
	modprobe pvio transport=$tr max_batch="$mb" || return 1
	res "$1.transport" "$(cat $P/transport)"
	res "$1.params" "transport=$tr max_batch=$mb fastpath=$fp irqless=$irq"
	modprobe pata_pvio fastpath=$fp irqless=$irq
}

# attach_disk DRIVER: load it (and pvio for pata_pvio); the disk name in DEV
attach_disk() {
	case $1 in
	ata_piix|pata_pvio|pv_*)
		if [ "$1" = pata_pvio ]; then
			grep -q '^pvio ' /proc/modules || modprobe pvio transport=auto
			res pata_pvio.transport "$(cat $P/transport)"
		fi
		case $1 in
		pv_*) pv_variant "$1" || return 1 ;;
		*) modprobe "$1" ;;
		esac
		wait_blk sda || return 1
		res "$1.driver" "$(basename "$(readlink /sys/bus/pci/devices/0000:00:01.1/driver)")"
		DEV=sda
		;;
	virtio_blk)
		modprobe virtio_pci
		modprobe virtio_blk
		wait_blk vda || return 1
		DEV=vda
		;;
	esac
}

# detach_disk DRIVER: the IDE drivers leave the controller to the next one
detach_disk() {
	case $1 in
	ata_piix|pata_pvio|pv_*)
		if [ "$1" != ata_piix ]; then
			for s in "$P"/batches/pata_pvio.*/stats; do
				res "$1.batch $(awk '{ printf "%s=%s ", $1, $2 }' "$s")"
			done
			res "$1.irqless" "done=$(sum_files /sys/kernel/debug/pata_pvio/*/irqless_done) missed=$(sum_files /sys/kernel/debug/pata_pvio/*/irqless_missed)"
		fi
		case $1 in
		pv_*) rmmod pata_pvio ;;
		*) rmmod "$1" ;;
		esac
		gone_blk sda
		;;
	esac
}

# uart_sweep (BENCH=ablate): the uart part's flushes of 8 OUTs through the
# hypercall transport at each max_batch of bench.mbs, in windows uart.mbN
uart_sweep() {
	for mb in $(arg bench.mbs); do
		rmmod pvio 2>/dev/null
		modprobe pvio transport=auto max_batch="$mb" || { res "uart.mb$mb.error" "modprobe pvio"; continue; }
		res "uart.mb$mb.transport" "$(cat $P/transport)"
		uart_flushes "mb$mb"
	done
	rmmod pvio
}

ata() {
	modprobe sd_mod
	for d in $DRIVERS; do
		if ! attach_disk "$d"; then res "$d.error" "no disk"; continue; fi
		dd_pair "$d" "$DEV"
		ksyms "$d"
		detach_disk "$d"
	done
}

# bonnie++ needs a file of at least twice the RAM it is told about
run_bonnie() {
	bonnie++ -d /mnt -s "$BONNIE_MB" -r $((BONNIE_MB / 2)) -n 0 -f -D -q -u 0:0 \
		> /tmp/bonnie.csv 2> /tmp/bonnie.err < /dev/null
}

# bonnie++ block write, rewrite and read (O_DIRECT) on ext2, per driver
bonnie() {
	modprobe sd_mod
	modprobe ext4
	mkdir -p /mnt
	for d in $DRIVERS; do
		if ! attach_disk "$d"; then res "$d.error" "no disk"; continue; fi
		# stdin stays with the mark handshake
		if ! mke2fs "/dev/$DEV" > /tmp/mke2fs.log 2>&1 < /dev/null ||
		   ! mount -t ext2 "/dev/$DEV" /mnt; then
			res "$d.error" "mke2fs/mount"
			detach_disk "$d"
			continue
		fi
		timed "$d.bonnie" run_bonnie
		[ -s /tmp/bonnie.csv ] || res "$d.bonnie_err" "$(head -3 /tmp/bonnie.err | tr '\n' ' ')"
		res "$d.bonnie_csv" "$(tail -1 /tmp/bonnie.csv)"
		umount /mnt
		detach_disk "$d"
	done
}

# ---- net: e1000, e1000_pvio napi=1 and napi=0, virtio-net on slirp ----
PEER=10.0.2.2	# slirp's alias for L1's loopback: httpd, iperf3, nb_rr there

pci_find() {	# pci_find VENDOR DEVICE: the first such PCI address
	for pd in /sys/bus/pci/devices/*; do
		[ "$(cat "$pd/vendor"):$(cat "$pd/device")" = "$1:$2" ] && basename "$pd" && return
	done
}
# dev_irqs PCIDEV: interrupts taken so far on the device's MSI vectors, or
# on its INTx line if it has none (L2 has one vCPU, but sum every column)
dev_irqs() {
	dp=/sys/bus/pci/devices/$1
	l=$(ls "$dp/msi_irqs" 2>/dev/null)
	[ -n "$l" ] || l=$(cat "$dp/irq")
	for i in $l; do
		awk -v i="$i:" '$1 == i { for (c = 2; c <= NF && $c ~ /^[0-9]+$/; c++) s += $c } END { print s + 0 }' /proc/interrupts
	done | awk '{ s += $1 } END { print s + 0 }'
}
nic_of() {	# nic_of PCIDEV: its network interface, waiting up to 30 s
	i=0
	while [ $i -lt 60 ]; do
		for n in "/sys/bus/pci/devices/$1"/net/* "/sys/bus/pci/devices/$1"/virtio*/net/*; do
			[ -e "$n" ] && echo "${n##*/}" && return 0
		done
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
to_file() { f=$1; shift; "$@" > "$f" 2>&1; }
# nwin NAME PCIDEV CMD...: CMD (output in /tmp/out) as a timed window, the
# device's interrupts over it as NAME.irqs
nwin() {
	n=$1; pd=$2
	shift 2
	i0=$(dev_irqs "$pd")
	timed "$n" to_file /tmp/out "$@"
	res "$n.irqs" $(($(dev_irqs "$pd") - i0))
}
# iperf_res NAME: the receiver summary line of /tmp/out, or the error
iperf_res() {
	if grep -q 'receiver$' /tmp/out; then
		res "$1.iperf" "$(grep 'receiver$' /tmp/out | tail -1 | tr -s ' ')"
	else
		res "$1.error" "$(tail -2 /tmp/out | tr '\n' ' ')"
	fi
}

net_measure() {	# net_measure LABEL PCIDEV
	L=net.$1
	nic=$(nic_of "$2") || { res "$L.error" "no interface on $2"; return 1; }
	res "$L.driver" "$(basename "$(readlink "/sys/bus/pci/devices/$2/driver")") $nic"
	nic_up "$nic"
	# ARP and slirp warm-up, outside any window
	ping -c 3 -W 5 $PEER > /dev/null 2>&1 || res "$L.error" "warm-up ping failed"

	nwin "$L.ping" "$2" ping -q -c "$PINGS" -i 0.01 -W 5 $PEER
	res "$L.ping.out" "$(grep -E 'transmitted|round-trip' /tmp/out | tr '\n' ' ')"
	nwin "$L.bulk" "$2" sh -c "wget -q -O - http://$PEER:8080/bulk | wc -c"
	res "$L.bulk.bytes" "$(tail -1 /tmp/out)"
	nwin "$L.tcp_tx" "$2" iperf3 -c $PEER -p 5201 -n "${TCP_MB}M" -f m
	iperf_res "$L.tcp_tx"
	nwin "$L.tcp_rx" "$2" iperf3 -c $PEER -p 5201 -n "${TCP_MB}M" -f m -R
	iperf_res "$L.tcp_rx"
	nwin "$L.udp" "$2" iperf3 -c $PEER -p 5201 -u -l 1400 -b "$UDP_RATE" -t "$UDP_SECS" -f m
	iperf_res "$L.udp"
	nwin "$L.rr" "$2" nb_rr client $PEER 5300 "$RR" 1
	res "$L.rr.out" "$(tail -1 /tmp/out)"
	for s in "$P"/batches/e1000p*/stats; do
		[ -f "$s" ] && res "$L.batch $(awk '{ printf "%s=%s ", $1, $2 }' "$s")"
	done
	res "$L.stats" "$(cd "/sys/class/net/$nic/statistics" && for f in rx_packets tx_packets rx_errors tx_errors rx_dropped tx_dropped; do printf '%s=%s ' $f "$(cat $f)"; done)"
	ksyms "$L"
	ip link set "$nic" down
}

net() {
	ip link set lo up
	e1k=$(pci_find 0x8086 0x100e)
	vnet=$(pci_find 0x1af4 0x1000)
	res net.pci "e1000=$e1k virtio_net=$vnet"
	res net.tcp_mb "$TCP_MB"
	res net.udp_rate "$UDP_RATE"
	res net.pings "$PINGS"
	# beside the busy background window (bg, before the parts): the
	# same length idle, for the time-based exit rate with nothing to do
	[ "$BG" -gt 0 ] && timed net.idle sleep "$BG"
	for d in $NET_DRIVERS; do
		case $d in
		e1000)
			modprobe e1000
			net_measure "$d" "$e1k"
			rmmod e1000
			;;
		e1000_pvio1|e1000_pvio0)
			grep -q '^pvio ' /proc/modules || modprobe pvio transport=auto
			res "net.$d.transport" "$(cat $P/transport)"
			modprobe e1000_pvio napi="${d#e1000_pvio}"
			net_measure "$d" "$e1k"
			rmmod e1000_pvio
			;;
		virtio_net)
			modprobe virtio_pci
			modprobe virtio_net
			net_measure "$d" "$vnet"
			;;
		*)
			res "net.$d.error" "unknown driver"
			;;
		esac
	done
}


# ---- pit: issue 11's Fig. 7, L2 ticking on the periodic PIT -------------
# (bench/nested/pit.sh boots it with the tick on the PIT and sets kvm's
# pit_reload_divisor in L1 first)
jiffies() { awk '/^jiffies:/ { print $2; exit }' /proc/timer_list; }
irq0() { awk '$1 == "0:" { print $2 }' /proc/interrupts; }
# pit_win NAME CMD...: CMD as a timed window, with the jiffies and the
# interrupts on IRQ 0 (the PIT's) it took
pit_win() {
	n=$1
	shift
	j0=$(jiffies)
	i0=$(irq0)
	timed "$n" "$@"
	res "$n.jiffies" $(($(jiffies) - j0))
	res "$n.irq0" $(($(irq0) - i0))
}
spin() { awk -v n="$PIT_LOOPS" 'BEGIN { for (i = 0; i < n; i++) s += i }'; }

pit() {
	# CPU 0's tick device and its mode (0 periodic, 1 one-shot)
	res pit.tick "$(awk '/^Tick Device: mode:/ { m = $4 } /^Per CPU device: 0/ { p = 1 }
		p && /^Clock Event Device:/ { print $4, "mode=" m; exit }' /proc/timer_list)"
	res pit.clocksource "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	res pit.loops "$PIT_LOOPS"
	pit_win pit.idle sleep "$PIT_SECS"
	pit_win pit.busy spin
	modprobe sd_mod
	attach_disk ata_piix || { res pit.error "no ata_piix disk"; return 1; }
	dd_pair pit.ata_piix sda
}

# ---- shsched: the guest's elevator on a disk shared on the host ---------
# (BENCH=shsched, bench/nested/shsched.sh): the virtio disk with serial
# "shared" is a region of L1's null_blk, which runs mq-deadline and serves a
# neighbour guest too.  For each scheduler of bench.scheds, in that order,
# bench.shs_ops 4 KiB random reads, then writes, at QD1 with O_DIRECT over
# the whole disk (nb_lat: fio and its libraries do not fit the initramfs),
# each in its own window; bench/reporter/shsched.py reads nb_lat's line.
shared_dev() { for v in /sys/block/vd*; do grep -qx shared "$v/serial" 2>/dev/null && echo "${v##*/}"; done; }
has_shared() { [ -n "$(shared_dev)" ]; }
shsched() {
	modprobe virtio_pci
	modprobe virtio_blk
	modprobe pvio_bypass
	wait_until 60 has_shared || { res shsched.error "no shared disk"; return 1; }
	dev=$(shared_dev)
	ops=$(arg bench.shs_ops 2000)
	mb=$(($(cat "/sys/block/$dev/size") / 2048))
	res shsched.disk "$dev $mb MiB, $ops ops per window, QD1"
	for s in $(arg bench.scheds); do
		echo "$s" > "/sys/block/$dev/queue/scheduler"
		res "shsched.$s.active" "$(sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/block/$dev/queue/scheduler")"
		for dir in read write; do
			timed "shsched.$s.$dir" to_file /tmp/lat.out nb_lat "/dev/$dev" $dir "$ops" "$mb"
			res "shsched.$s.$dir.lat" "$(cat /tmp/lat.out)"
		done
	done
}
# neighbour: the other guest's part (l1/shared.sh boots it): 4 KiB random
# reads and writes at QD1 on its region, 200 of each then 0.2 s idle, until
# killed
neighbour() {
	modprobe virtio_pci
	modprobe virtio_blk
	wait_blk vda || return 1
	res neighbour.start "nb_lat 200 writes, 200 reads, sleep 0.2, QD1"
	n=1
	while :; do
		res "neighbour.lat.$n" "$(nb_lat /dev/vda write 200 64 2>&1) / $(nb_lat /dev/vda read 200 64 2>&1)"
		sleep 0.2
		n=$((n + 1))
	done
}
