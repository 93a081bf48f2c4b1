#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# e1000_pvio's stall check, napi=1 then napi=0: an interrupt the driver
# never serves (debugfs lose_irqs: ICR read, then nothing) leaves done
# descriptors in the rings; within two checks (2 s apart) the driver
# raises the interrupt again through ICS, counts it (ethtool -S kicks)
# and says so in dmesg.  With IPv6 off nothing else moves the rings, so
# the ping below only completes through a kick.  Normal traffic kicks 0.
# pvio-vm: modules="pvio e1000_pvio" bins="ethtool" timeout=240
# pvio-vm: qemu="-netdev user,id=n0 -device e1000,netdev=n0"
. /lib/guest.sh

kicks() { nic_stat kicks; }
kick_lines() { dmesg | grep -c "no interrupt for 2 s"; }
# rtt_ms: the round trip of the single ping in /tmp/ping, in whole ms
rtt_ms() { sed -n 's/.*time=\([0-9]*\).*/\1/p' /tmp/ping; }

echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
ip link set lo up
for mode in 1 0; do
	m="napi=$mode:"
	e1000_load $mode "e1000_pvio "
	dbg=/sys/kernel/debug/e1000_pvio/$(basename "$(readlink /sys/class/net/$nic/device)")
	check "$m ping 10.0.2.2 (ARP resolved)" ping -c 2 -W 5 10.0.2.2

	k0=$(kicks)
	ping -c 20 -i 0.2 -W 5 10.0.2.2 > /dev/null
	sleep 5
	check "$m 20 pings and 5 s idle: no kick ($(kicks))" [ "$(kicks)" = "$k0" ]

	# the echo request's completion and the reply's interrupt are lost
	# (or one interrupt carrying both, and the first kick's)
	l0=$(kick_lines)
	echo 2 > "$dbg/lose_irqs"
	ping -c 1 -W 15 10.0.2.2 > /tmp/ping
	rc=$?
	sed 's/^/# /' /tmp/ping
	check "$m the ping completes after its interrupts were lost" [ $rc -eq 0 ]
	check "$m its reply waited for the stall check ($(rtt_ms) ms)" \
		[ "$(rtt_ms)" -ge 1000 ]
	check "$m both losses happened" [ "$(cat "$dbg/lose_irqs")" = 0 ]
	check "$m ethtool -S kicks counted it ($(kicks))" [ "$(kicks)" -gt "$k0" ]
	check "$m dmesg says so" [ "$(kick_lines)" -gt "$l0" ]
	dmesg | grep "no interrupt for 2 s" | tail -2 | sed 's/^/# /'
	check "$m the NIC works on: ping -c 5" ping -c 5 -i 0.2 -W 5 10.0.2.2

	e1000_unload
	check "$m its debugfs directory is gone" [ ! -e "$dbg" ]
done
check "the debugfs root is gone with the module" [ ! -e /sys/kernel/debug/e1000_pvio ]
