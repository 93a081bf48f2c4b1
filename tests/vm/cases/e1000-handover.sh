#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The NIC hand-over of drivers/net/e1000_pvio/README.md, step by step:
# Debian's e1000 has it, driver_override gives it to e1000_pvio, then back.
# pvio-vm: modules="pvio e1000_pvio" kmods="e1000" bins="ethtool" timeout=300
# pvio-vm: qemu="-netdev user,id=n0 -device e1000,netdev=n0"
. /lib/guest.sh

drv() { basename "$(readlink /sys/bus/pci/devices/$dev/driver)" 2>/dev/null; }
nic() { ls /sys/bus/pci/devices/$dev/net/ 2>/dev/null | head -1; }
up_ping() {
	n=$(nic)
	[ -n "$n" ] || return 1
	nic_up "$n"
	ping -c 2 -W 5 10.0.2.2 > /dev/null
}

modprobe e1000
dev=$(grep -l 0x100e /sys/bus/pci/devices/*/device | head -1 | xargs dirname | xargs basename)
check "e1000 has the NIC ($dev)" [ "$(drv)" = e1000 ]
check "ping through e1000" up_ping

ip link set "$(nic)" down
echo "$dev" > /sys/bus/pci/devices/$dev/driver/unbind
echo e1000_pvio > /sys/bus/pci/devices/$dev/driver_override
modprobe e1000_pvio
check "driver_override hands it to e1000_pvio" [ "$(drv)" = e1000_pvio ]
check "ping through e1000_pvio" up_ping

ip link set "$(nic)" down
echo "$dev" > /sys/bus/pci/drivers/e1000_pvio/unbind
check "unbound from e1000_pvio" [ -z "$(drv)" ]
echo "$dev" > /sys/bus/pci/drivers/e1000/bind 2>/dev/null
check "e1000 cannot bind it while the override names e1000_pvio" [ -z "$(drv)" ]
echo > /sys/bus/pci/devices/$dev/driver_override
echo "$dev" > /sys/bus/pci/drivers_probe
check "cleared override: e1000 has it again" [ "$(drv)" = e1000 ]
check "ping through e1000 again" up_ping
check "e1000_pvio unloads with nothing bound" rmmod e1000_pvio
