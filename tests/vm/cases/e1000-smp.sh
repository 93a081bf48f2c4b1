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

MID=16777216

smp_ways() { # SEED: 16 MiB each way at once, with ethtool and ping beside
	rm -f /tmp/stop
	( while [ ! -e /tmp/stop ]; do ethtool -S "$nic" > /dev/null; done ) &
	ping -q -i 0.05 -w 300 10.0.2.2 > /dev/null &
	p=$!
	both_ways $MID "$1" /tmp/tx "$tx_sum"
	r=$?
	touch /tmp/stop
	kill $p 2>/dev/null
	wait
	return $r
}

check "two CPUs online" [ "$(grep -c ^processor /proc/cpuinfo)" = 2 ]
stream $MID smp > /tmp/tx
tx_sum=$(sum_of < /tmp/tx)

for mode in 1 0; do
	m="napi=$mode:"
	e1000_load $mode
	check "$m 16 MiB each way at once with ethtool and ping beside" smp_ways smp$mode
	pci=$(basename "$(readlink /sys/class/net/$nic/device)")
	echo 1000000 > /sys/kernel/debug/pvio/inject_host_error
	# and with the interrupt (and so the poll) moved to the second CPU
	irq=$(cat /sys/bus/pci/devices/$pci/irq)
	cpu1() { awk -v i="$irq:" '$1 == i { print $3 }' /proc/interrupts; }
	c1=$(cpu1)
	echo 2 > /proc/irq/$irq/smp_affinity
	check "$m the same with every run deferred, interrupt on CPU1" smp_ways smpd$mode
	check "$m CPU1 took interrupts" \
		[ "$(cpu1)" -gt "$c1" ]
	echo 3 > /proc/irq/$irq/smp_affinity
	check "$m deferred path taken" [ "$(nic_stat pvio_fallbacks)" -gt 1000 ]
	echo 0 > /sys/kernel/debug/pvio/inject_host_error
	check "$m no receive errors, no busy returns" \
		[ "$(nic_stat rx_errors)" = 0 -a "$(nic_stat tx_busy)" = 0 ]
	grep -E "CPU|$nic" /proc/interrupts | sed 's/^/# /'
	e1000_unload
done
