#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the native-overhead benchmark (run by bench/run.sh): five
# loads of pvio_bench, each its own median of interleaved rounds.
# pvio-vm: modules="pvio pvio_bench" timeout=300
. /lib/guest.sh
modprobe pvio transport=native
for round in 1 2 3 4 5; do
	dmesg -c > /dev/null
	if modprobe pvio_bench; then
		dmesg | grep 'pvio_bench:' | sed "s/^\[[ 0-9.]*\] /BENCH round=$round /"
		ok "pvio_bench round $round ran"
	else
		not_ok "pvio_bench round $round ran"
	fi
	rmmod pvio_bench
done
rmmod pvio
