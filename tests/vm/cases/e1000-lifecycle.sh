#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# e1000_pvio life cycle: bad module parameters, ifdown/ifup (idle and in
# the middle of a TCP transfer, which must still arrive byte-exact), link
# flap through autonegotiation restart (LSC interrupt), MAC address and
# promiscuous changes, and unloading during receive and send traffic in
# both napi modes.  Peer: tests/vm/e1000-peer.sh (see e1000-traffic.sh).
# pvio-vm: modules="pvio e1000_pvio" bins="ethtool" timeout=600 mem=512
# pvio-vm: qemu="-netdev user,id=n0,guestfwd=tcp:10.0.2.100:5000-cmd:@ROOT@/tests/vm/e1000-peer.sh -device e1000,netdev=n0,mac=52:54:00:12:34:56"
. /lib/guest.sh

N=33554432		# 32 MiB

bring_up() { # napi mode
	modprobe e1000_pvio napi=$1 || return 1
	nic=$(e1000p_nic)
	nic_up "$nic"
}
pings() { ping -c "${1:-2}" -W 5 10.0.2.2 > /dev/null; }
no_batch() { [ -z "$(find /sys/kernel/debug/pvio/batches/ -name 'e1000p*')" ]; }
no_irq() { ! grep -q "$nic" /proc/interrupts; }
# unload_under WHAT COUNTER PID...: once COUNTER shows WHAT traffic
# flowing, unload; then end the traffic's processes
unload_under() {
	sleep 1
	p0=$(nic_stat "$2")
	sleep 1
	check "$m $1 traffic is flowing" [ $(( $(nic_stat "$2") - p0 )) -gt 100 ]
	check "$m unloads during $1 traffic" rmmod e1000_pvio
	shift 2
	kill "$@" 2>/dev/null
	wait
}

# ---- parameters ----
modprobe pvio
for bad in napi=2 napi=yes napi=-1 napi=; do
	refuses e1000_pvio $bad "e1000_pvio: napi=.* is not 0"
done
check "nothing bound after the refusals" [ ! -d /sys/bus/pci/drivers/e1000_pvio ]

for mode in 1 0; do
	m="napi=$mode:"
	e1000_load $mode

	# ---- ifdown / ifup ----
	k=0
	for i in 1 2 3 4 5; do
		ip link set "$nic" down
		ip link set "$nic" up
		wait_carrier "$nic" 1 && pings 1 && k=$((k + 1))
	done
	check "$m five ifdown/ifup cycles, ping after each" [ $k = 5 ]

	a=$(host_sum $N flap$mode)
	# The reader takes 1 MiB, pauses until /tmp/go appears, then reads on:
	# the interface goes down during the pause, so the transfer is surely
	# under way, and the window reopens while it is down, so frames meet a
	# down link.  (A fixed pause lost that race on a loaded host.)
	: > /tmp/rx
	rm -f /tmp/go
	echo "send $N flap$mode" | nc $PEER |
		{ dd bs=4096 count=256 2>/dev/null
		  while [ ! -e /tmp/go ]; do sleep 0.1; done
		  cat; } >> /tmp/rx &
	bg=$!
	wait_until 30 eval '[ "$(wc -c < /tmp/rx)" -ge 1048576 ]'
	ip link set "$nic" down
	got=$(wc -c < /tmp/rx)
	check "$m that transfer was under way at ifdown ($got bytes in)" \
		[ "$got" -gt 0 -a "$got" -lt $N ]
	touch /tmp/go
	sleep 3
	ip link set "$nic" up
	wait "$bg"
	b=$( [ "$(wc -c < /tmp/rx)" = $N ] && sum_of < /tmp/rx)
	rm -f /tmp/rx
	echo "# transfer across ifdown/ifup: host $a guest $b"
	check "$m ifdown/ifup during a 32 MiB receive: still byte-exact" same "$a" "$b"

	# ---- link flap: autonegotiation restart -> LSC ----
	lc=$(nic_stat link_changes)
	cc=$(cat /sys/class/net/$nic/carrier_changes)
	check "$m ethtool -r accepted" ethtool -r "$nic"
	check "$m carrier drops at once" carrier_is "$nic" 0
	check "$m LSC interrupt brings the carrier back" wait_carrier "$nic" 1
	check "$m link_changes counted both" [ "$(nic_stat link_changes)" = $((lc + 2)) ]
	check "$m carrier_changes counted both" \
		[ "$(cat /sys/class/net/$nic/carrier_changes)" = $((cc + 2)) ]
	check "$m ping after the flap" pings 2

	check "$m MTU 1501 refused" eval '! ip link set "$nic" mtu 1501 2>/dev/null'
	check "$m MTU 1500 accepted" ip link set "$nic" mtu 1500

	# ---- address filters ----
	ip link set "$nic" address 52:54:00:ab:cd:ef
	ip neigh flush dev "$nic"
	check "$m ping from a changed MAC address" pings 2
	ip link set "$nic" address 52:54:00:12:34:56
	ip link set "$nic" promisc on
	check "$m ping in promiscuous mode" pings 2
	ip link set "$nic" promisc off
	ip link set "$nic" allmulticast on
	check "$m ping with all-multicast" pings 2
	ip link set "$nic" allmulticast off

	# ---- unload under traffic ----
	echo "send $N unload$mode" | nc $PEER > /dev/null &
	bg=$!
	ping -q -A -w 30 10.0.2.2 > /dev/null &
	pg=$!
	unload_under receive rx_packets "$bg" "$pg"
	check "$m its pvio batch is gone" no_batch
	check "$m its interrupt is released" no_irq

	check "$m reloads" bring_up $mode
	{ echo "recv $N"; head -c $N /dev/zero; } | nc $PEER > /dev/null &
	bg=$!
	unload_under send tx_packets "$bg"
	check "$m reloads, ping works" eval 'bring_up $mode && pings 2'
	e1000_unload
done
