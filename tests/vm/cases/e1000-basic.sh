#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# e1000_pvio on QEMU's e1000 behind slirp (napi=1): probe, MAC, link, ping.
# pvio-vm: modules="pvio e1000_pvio" bins="ethtool" timeout=90
# pvio-vm: qemu="-netdev user,id=n0 -device e1000,netdev=n0,mac=52:54:00:12:34:56"
. /lib/guest.sh

check "e1000_pvio loads" modprobe e1000_pvio
dev=$(basename "$(readlink -f /sys/bus/pci/drivers/e1000_pvio/0000:*)")
check "bound to the 82540EM ($dev)" [ -n "$dev" ]
nic=$(ls /sys/bus/pci/devices/$dev/net/ 2>/dev/null | head -1)
check "network interface created ($nic)" [ -n "$nic" ]
check "MAC address read from the device" \
	[ "$(cat /sys/class/net/$nic/address)" = 52:54:00:12:34:56 ]
ip link set lo up
check "link up (carrier 1)" nic_up "$nic"
check "ping 10.0.2.2" ping -c 3 -W 5 10.0.2.2
ip neigh show | sed 's/^/# /'
ethtool -S "$nic" | sed 's/^/# /'
ip link set "$nic" down
check "unload" rmmod e1000_pvio
dmesg | grep -i e1000 | sed 's/^/# /'
