#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the native-overhead benchmark (run by bench/run.sh).
# pvio-vm: modules="pvio pvio_bench" timeout=300
. /lib/guest.sh
modprobe pvio transport=native
if modprobe pvio_bench; then
	dmesg | grep 'pvio_bench:' | sed 's/^\[[ 0-9.]*\] /BENCH /'
	ok "pvio_bench ran"
else
	not_ok "pvio_bench ran"
fi
rmmod pvio_bench pvio
