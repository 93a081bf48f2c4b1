#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/nested/mode2.sh: issue 15's disk comparison (make bench BENCH=mode2).
# L2 runs on the patched QEMU (make qemu) in four configurations, each its
# own L1 boot of bench/nested/run.sh with NB_PARTS=ata:
#
#   m1  -accel kvm,pvio-batch=off                ata_piix, pata_pvio (mode 1), virtio-blk
#   m2  -accel kvm,pvio-batch=on                 pata_pvio (mode 2)
#   m0  pvio-batch=on,pvio-settle-us=0           pata_pvio (mode 2, no settle wait)
#   cp  pvio-batch=off, piix3-ide.x-coalesced-pio=on   ata_piix (+ coalesced PIO)
#
# NB_ROUNDS rounds (default 5); each round starts with another configuration
# and m1's driver order rotates.  Every run's raw counters are kept in
# $NB_MODE2_OUT/<round>-<config>/results.txt; bench/reporter/mode2.py
# turns them into bench/results/nested-mode2.md (median and min-max).
#
# Env: NB_ROUNDS=5  NB_CMDS=512  NB_LAT_OPS=500  NB_MODE2_OUT=build/bench-mode2
#      NB_SETTLE_US (pvio-settle-us of m2, default QEMU's), and those of
#      bench/nested/run.sh.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${NB_ROUNDS:-5}
OUT=${NB_MODE2_OUT:-$ROOT/build/bench-mode2}
export NB_PARTS=ata NB_BG=0 NB_CMDS=${NB_CMDS:-512} NB_LAT_OPS=${NB_LAT_OPS:-500}

make -s -C "$ROOT" host qemu || exit 1
QEMU_PVIO=$("$ROOT/host/qemu/build.sh" --print-binary) || exit 1
key=$(basename "$(dirname "$QEMU_PVIO")")
M1_DRIVERS=(ata_piix pata_pvio virtio_blk)

# run_cfg ROUND CFG: one L1 boot in configuration CFG
run_cfg() {
	local dir=$OUT/$1-$2 accel=pvio-batch=off args="" drivers k
	case $2 in
	m1)
		k=$(($1 % 3))
		drivers="${M1_DRIVERS[*]:$k} ${M1_DRIVERS[*]:0:$k}"
		drivers=${drivers% }
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
	esac
	mkdir -p "$dir"
	echo "bench-mode2: round $1, $2: $drivers ($accel${args:+ $args})"
	NB_OUT=$dir NB_DRIVERS="$drivers" PVIO_L2_VMM="$QEMU_PVIO -accel kvm,$accel" \
	PVIO_L2_QEMU_ARGS="$args" "$ROOT/bench/nested/run.sh" > "$dir.log" 2>&1 ||
		{ tail -5 "$dir.log"; echo "bench-mode2: round $1, $2 failed"; return 1; }
	echo "RES bench_config $2 round=$1 qemu_key=$key" >> "$dir/results.txt"
}

rm -rf "$OUT"
mkdir -p "$OUT"
cfgs=(m1 m2 m0 cp)
rc=0
for r in $(seq 1 "$ROUNDS"); do
	for i in 0 1 2 3; do
		run_cfg "$r" "${cfgs[$(((r + i) % 4))]}" || rc=1
	done
done
exit $rc
