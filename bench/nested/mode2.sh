#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/mode2.sh: issue 15's disk comparison (make bench BENCH=mode2).
# L2 runs on the patched QEMU (make qemu) in six configurations, each its
# own L1 boot of bench/nested/run.sh (NB_PARTS=ata, or net for n1 and n2):
#
#   m1  -accel kvm,pvio-batch=off                ata_piix, pata_pvio (mode 1), virtio-blk
#   m2  -accel kvm,pvio-batch=on                 pata_pvio (mode 2)
#   m0  pvio-batch=on,pvio-settle-us=0           pata_pvio (mode 2, no settle wait)
#   cp  pvio-batch=off, piix3-ide.x-coalesced-pio=on   ata_piix (+ coalesced PIO)
#   n1  -accel kvm,pvio-batch=off, NB_PARTS=net  e1000, e1000_pvio napi=1 (mode 1), virtio-net
#   n2  -accel kvm,pvio-batch=on, NB_PARTS=net   e1000_pvio napi=1 (mode 2)
#
# NB_ROUNDS rounds (default 5); each round starts with another configuration
# and m1's and n1's driver orders rotate.  Every run's raw counters are kept in
# $NB_MODE2_OUT/<round>-<config>/results.txt; bench/reporter/mode2.py
# turns them into bench/results/nested-mode2.md (median and min-max).
#
# Env: NB_MODE2_CFGS="m1 m2 m0 cp n1 n2"  NB_ROUNDS=5  NB_FROM=1 (rounds.sh)  NB_CMDS=512  NB_LAT_OPS=500  NB_MODE2_OUT=build/bench-mode2
#      NB_SETTLE_US (pvio-settle-us of m2, default QEMU's), and those of
#      bench/nested/run.sh.
set -u
. "$(dirname "$0")/rounds.sh"
export NB_BG=0 NB_CMDS=${NB_CMDS:-512} NB_LAT_OPS=${NB_LAT_OPS:-500}

rounds_init mode2 "${NB_MODE2_OUT:-$ROOT/build/bench-mode2}" 5 qemu || exit 1
QEMU_PVIO=$("$ROOT/host/qemu/build.sh" --print-binary) || exit 1
key=$(basename "$(dirname "$QEMU_PVIO")")
M1_DRIVERS=(ata_piix pata_pvio virtio_blk)
N1_DRIVERS=(e1000 e1000_pvio1 virtio_net)

# run_cfg ROUND CFG: one L1 boot in configuration CFG
run_cfg() {
	local accel=pvio-batch=off args="" drivers parts=ata
	case $2 in
	m1)
		drivers=$(rotate "$1" "${M1_DRIVERS[@]}")
		;;
	m2)
		accel=pvio-batch=on${NB_SETTLE_US:+,pvio-settle-us=$NB_SETTLE_US}
		drivers=pata_pvio
		;;
	m0)
		accel=pvio-batch=on,pvio-settle-us=0
		drivers=pata_pvio
		;;
	cp)
		args="-global piix3-ide.x-coalesced-pio=on"
		drivers=ata_piix
		;;
	n1)
		parts=net
		drivers=$(rotate "$1" "${N1_DRIVERS[@]}")
		;;
	n2)
		parts=net
		accel=pvio-batch=on${NB_SETTLE_US:+,pvio-settle-us=$NB_SETTLE_US}
		drivers=e1000_pvio1
		;;
	*)
		echo "bench-mode2: unknown configuration $2"
		return 1
		;;
	esac
	echo "bench-mode2: round $1, $2: $drivers ($accel${args:+ $args})"
	boot "$OUT/$1-$2" "bench_config $2 round=$1 qemu_key=$key" NB_PARTS=$parts NB_DRIVERS="$drivers" \
		NB_NET_DRIVERS="$drivers" PVIO_L2_VMM="$QEMU_PVIO -accel kvm,$accel" PVIO_L2_QEMU_ARGS="$args"
}

read -ra cfgs <<< "${NB_MODE2_CFGS:-m1 m2 m0 cp n1 n2}"
for r in $(seq "$FROM" "$ROUNDS"); do
	for c in $(rotate "$r" "${cfgs[@]}"); do
		run_cfg "$r" "$c" || RC=1
	done
done
exit $RC
