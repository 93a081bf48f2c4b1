#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# e1000_pvio with two vCPUs, so that the interrupt handler, the NAPI poll,
# ndo_start_xmit and ethtool really run at the same time on different
# CPUs: 16 MiB each way at once (plain, then with every run deferred and
# the interrupt on the second CPU) while
# ethtool -S and ping hammer the adapter lock from the other CPU, in both
# napi modes.  Peer: tests/vm/e1000-peer.sh (see e1000-traffic.sh).
# pvio-vm: modules="pvio e1000_pvio" bins="ethtool openssl" timeout=600 mem=512
# pvio-vm: qemu="-smp 2 -netdev user,id=n0,guestfwd=tcp:10.0.2.100:5000-cmd:@ROOT@/tests/vm/e1000-peer.sh -device e1000,netdev=n0"
. /lib/guest.sh

PEER="10.0.2.100 5000"
MID=16777216

st() { ethtool -S "$nic" | awk -v k="$1:" '$1 == k { print $2 }'; }
both_ways() { # SEED: 16 MiB each way at once, with ethtool and ping beside
	{ echo "recv $MID"; cat /tmp/tx; } | nc $PEER > /tmp/both_tx &
	t=$!
	( while kill -0 $t 2>/dev/null; do ethtool -S "$nic" > /dev/null; done ) &
	e=$!
	ping -q -i 0.05 -w 300 10.0.2.2 > /dev/null &
	p=$!
	b=$(rx_sum $MID "$1")
	wait $t
	kill $p $e 2>/dev/null
	wait
	a=$(echo "sum $MID $1" | nc $PEER)
	c=$(cat /tmp/both_tx)
	echo "# $1: receive host $a guest $b, send guest $tx_sum host $c"
	same "$a" "$b" && same "$tx_sum" "$c"
}

check "two CPUs online" [ "$(grep -c ^processor /proc/cpuinfo)" = 2 ]
openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:smp < /dev/zero 2>/dev/null |
	head -c $MID > /tmp/tx
tx_sum=$(sum_of < /tmp/tx)

for mode in 1 0; do
	m="napi=$mode:"
	check "$m loads" modprobe e1000_pvio napi=$mode
	nic=$(e1000p_nic)
	check "$m link up" nic_up "$nic"
	check "$m 16 MiB each way at once with ethtool and ping beside" both_ways smp$mode
	pci=$(basename "$(readlink /sys/class/net/$nic/device)")
	echo 1000000 > /sys/kernel/debug/pvio/inject_host_error
	# and with the interrupt (and so the poll) moved to the second CPU
	irq=$(cat /sys/bus/pci/devices/$pci/irq)
	c1=$(awk -v i="$irq:" '$1 == i { print $3 }' /proc/interrupts)
	echo 2 > /proc/irq/$irq/smp_affinity
	check "$m the same with every run deferred, interrupt on CPU1" both_ways smpd$mode
	check "$m CPU1 took interrupts" \
		[ "$(awk -v i="$irq:" '$1 == i { print $3 }' /proc/interrupts)" -gt "$c1" ]
	echo 3 > /proc/irq/$irq/smp_affinity
	check "$m deferred path taken" [ "$(st pvio_fallbacks)" -gt 1000 ]
	echo 0 > /sys/kernel/debug/pvio/inject_host_error
	check "$m no receive errors, no busy returns" \
		[ "$(st rx_errors)" = 0 -a "$(st tx_busy)" = 0 ]
	grep -E "CPU|$nic" /proc/interrupts | sed 's/^/# /'
	ip link set "$nic" down
	check "$m after ifdown: nothing in flight, no buffer held" \
		[ "$(st tx_in_flight)" = 0 -a "$(st rx_buffers_posted)" = 0 ]
	check "$m unloads" rmmod e1000_pvio
done
