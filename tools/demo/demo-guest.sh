#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of make demo: load pvio, run the self-test, show the counters.
# pvio-vm: modules="pvio pvio_selftest" timeout=120
. /lib/guest.sh
echo "DEMO: guest kernel $(uname -r)"
modprobe pvio && ok "pvio loaded" || not_ok "pvio loaded"
dmesg | grep 'pvio:' | sed 's/^\[[ 0-9.]*\] /DEMO: dmesg: /'
echo "DEMO: transport=$(cat /sys/kernel/debug/pvio/transport) host_abi=$(cat /sys/kernel/debug/pvio/host_abi)"
check "pvio_selftest passed" modprobe pvio_selftest
ktap_of_module "KTAP version 1" | sed 's/^/DEMO: /'
rmmod pvio_selftest
echo "DEMO: /sys/kernel/debug/pvio/stats after the self-test:"
sed 's/^/DEMO:   /' /sys/kernel/debug/pvio/stats
rmmod pvio
