#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: runs each benchmark side by side with its baseline in one run,
# saves its raw records (bench/results/*-raw*.txt) and has bench/report.py
# render bench/results/*.md from them.  Exit counts are the headline where
# a benchmark has them; seconds go beside them.  bench/run.sh --report (or
# any of the old --sched-report, --nested-report, --net-report,
# --mode2-report) redoes every table from the raw files, no VM.
#
#   native   batch of 8 OUTs to the UART scratch register through pvio's
#            native transport vs 8 direct outb, TCG guest, 5 rounds (goal:
#            median <= 1.05x)
#   nested   nested rig (L2 on the patched KVM in a TCG L1): exits per flush
#            of 8 UART OUTs, native vs hypercall transport; exits per 4 KiB
#            direct command for ata_piix, pata_pvio, virtio-blk
#            (bench/nested/README.md)
#   sched    null_blk 4 KiB random-read IOPS at QD1 under TCG for none,
#            mq-deadline, kyber and pvio-bypass, on an instruction clock
#            (-icount) and on the wall clock
#   net      nested rig, NIC part: exits per ping echo / NIC interrupt /
#            MiB and iperf3 + request/response throughput for e1000,
#            e1000_pvio napi=1 and napi=0, virtio-net in one L2 boot
#            (bench/nested/README.md; NB_PINGS, NB_BULK_MB, ... size it)
#   mode2    nested rig on the patched QEMU (make qemu): ata_piix, ata_piix +
#            coalesced PIO, pata_pvio mode 1 and mode 2 (settle on and
#            off), virtio-blk; e1000, e1000_pvio mode 1 and 2, virtio-net;
#            NB_ROUNDS rounds (default 5) of six L1 boots each
#            (bench/nested/mode2.sh; 1-2 minutes a boot); not in the
#            default set: BENCH=mode2 make bench
#   napi     nested rig, net part: e1000_pvio napi=1 vs napi=0 (and e1000)
#            over NB_ROUNDS L1 boots (default 5, about 2 minutes each), the
#            order changing every round (bench/nested/napi.sh); raw files in
#            napi-raw/, table nested-napi.md; not in the default set
#   pit      nested rig, L2 ticking on the periodic PIT: kvm's
#            pit_reload_divisor 1, 2, 4, 10; exits/s idle and busy, a CPU
#            loop and 4 KiB direct dd timed on L1's clock, NB_ROUNDS rounds
#            (default 5) of one L1 boot per divisor (bench/nested/pit.sh);
#            raw files in pit-raw/, table nested-pit.md; not in the default set
#   profile  nested rig, disk and net parts: exits by L2's RIP (Tables 1-3)
#            and ACPI PM-timer reads by port (Fig. 8) for ata_piix against
#            pata_pvio and e1000 against e1000_pvio, NB_ROUNDS L1 boots
#            (default 5); raw files in profile-raw/, table
#            nested-profile.md; not in the default set
#   shsched  nested rig, the paper's elevator setting: L2 and a neighbour
#            guest on one null_blk in L1 under mq-deadline; 4 KiB QD1 random
#            reads and writes in L2 under mq-deadline, none and pvio-bypass,
#            NB_ROUNDS L1 boots (default 5; bench/nested/shsched.sh); raw
#            files in sched-shared-raw/, table sched-shared.md; not in the
#            default set
#   latency  nested rig, net part: where an echo's round trip goes (KVM's
#            exit handling by exit code, QEMU, the rest; Fig. 3) from L1's
#            kvm_exit/kvm_entry/kvm_userspace_exit spans, e1000, e1000_pvio
#            napi=1, virtio-net, NB_ROUNDS L1 boots (default 5); raw files in
#            latency-raw/, table nested-latency.md; not in the default set
#   bonnie   nested rig, the paper's Fig. 1/2: bonnie++ in L1 itself (loop
#            device over a tmpfs file, as L2's disks) against L2 on
#            ata_piix, pata_pvio, virtio-blk; MB/s and CPU per phase,
#            NB_ROUNDS L1 boots (default 5, bench/nested/bonnie.sh); raw
#            files in bonnie-raw/, table nested-bonnie.md; not in the default set
#   ablate   nested rig: pata_pvio as shipped against the native transport,
#            fastpath=0, irqless=off and max_batch 1..128 (disk), and the UART
#            flushes at each max_batch, in one L1 boot per round, NB_ROUNDS
#            (default 5, bench/nested/ablate.sh); raw files in ablate-raw/,
#            table nested-ablate.md; not in the default set
# Every run (and --report) also renders REPRODUCTION.md at the top of the
# tree (bench/reporter/reproduction.py: one row per experiment of the NPC
# 2010 paper, from bench/results/ and bench/results/linux-X.Y/).  make
# reproduce runs BENCH="nested sched net napi pit mode2 profile latency
# bonnie shsched", then renders it.
# BENCH="native nested sched net" picks (default: those four); the reporter
# also draws bench.png from whatever raw records exist and, for
# bench/results/, rewrites the README's headline table.
# Results go to bench/results/ for the kernel tools/kver.sh picks by default
# and to bench/results/linux-X.Y/ for any other (KVER=... make bench), so a
# run on 6.12 sits beside the 6.1 one instead of replacing it.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/nested/rounds.sh"
KVER=${KVER:-$("$ROOT/tools/kver.sh")}
RES=$ROOT/bench/results
if [ "$KVER" != "$(env -u KVER "$ROOT/tools/kver.sh")" ]; then
	RES=$RES/linux-$(echo "$KVER" | cut -d. -f1-2)
fi
mkdir -p "$RES"
export KVER
rc=0

# bench_native: pvio's native transport against direct outb, product build
# (no test hooks), five module loads; median and range of their ratios
bench_native() {
	local log=$ROOT/build/vm/native-overhead/console.log raw=$RES/native-raw.txt
	PVIO_FAULT_INJECTION=0 "$ROOT/tests/vm/run.sh" "$ROOT/bench/native/native-overhead.sh" ||
		return 1
	{
		echo "# date $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "# guest_kernel $KVER"
		echo "# qemu $(qemu-system-x86_64 --version | head -1)"
		sed -n 's/.*\(BENCH round=[0-9]* pvio_bench: \)/\1/p' "$log"
	} > "$raw"
	[ "$(grep -c 'ratio_x1000=' "$raw")" -ge 5 ] || { echo "bench: fewer than 5 rounds in $log"; return 1; }
	report; cat "$RES/native-overhead.md"
}

# build_nested: the nested rig's modules (product build, no test hooks) and
# the patched KVM, for KVER
build_nested() {
	make -s -C "$ROOT" KVER="$KVER" PVIO_FAULT_INJECTION=0 all host ||
		{ echo "bench: make all host for $KVER failed"; return 1; }
}

bench_nested() {
	local out=$ROOT/build/bench-nested
	build_nested || return 1
	NB_OUT=$out NB_PARTS=${NB_PARTS:-uart ata bonnie} "$ROOT/bench/nested/run.sh" ||
		{ echo "bench: nested run failed, see $out"; return 1; }
	sed "s|$ROOT/||g" "$out/results.txt" > "$RES/nested-raw.txt"
	report; cat "$RES/nested-uart.md" "$RES/nested-ata.md"
}

bench_net() {
	local out=$ROOT/build/bench-net
	build_nested || return 1
	NB_PARTS=net NB_OUT=$out "$ROOT/bench/nested/run.sh" ||
		{ echo "bench: nested net run failed, see $out"; return 1; }
	sed "s|$ROOT/||g" "$out/results.txt" > "$RES/nested-net-raw.txt"
	report; cat "$RES/nested-e1000.md"
}

# bench_sched: the case twice.  First under -icount (guest time advances
# 1 ns per guest instruction, so IOPS = 1e9 / instructions per I/O, the same
# whatever else the host runs: the headline), then on the wall clock.
bench_sched() {
	local log=$ROOT/build/vm/null-blk-sched/console.log load0
	VM_QEMU_EXTRA="-icount shift=0,sleep=off" VM_APPEND_EXTRA="bench.rounds=3 bench.secs=1" \
		"$ROOT/tests/vm/run.sh" "$ROOT/bench/sched/null-blk-sched.sh" || return 1
	grep '^BENCH-SCHED ' "$log" > "$RES/sched-raw-icount.txt"
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	"$ROOT/tests/vm/run.sh" "$ROOT/bench/sched/null-blk-sched.sh" || return 1
	{
		echo "# host load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "# date $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "# guest_kernel $KVER"
		echo "# fio $(fio --version 2>/dev/null)"
		echo "# host_system $(uname -r), $(nproc) CPUs"
		grep '^BENCH-SCHED ' "$log"
	} > "$RES/sched-raw.txt"
	report; cat "$RES/sched.md"
}

# keep_raw OUT DIR: OUT/<run>/results.txt of a multi-boot benchmark as
# $RES/DIR/<run>.txt (replacing what DIR held), paths inside this tree
# written relative to it
keep_raw() {
	local f
	rm -rf "${RES:?}/$2"
	mkdir -p "$RES/$2"
	for f in "$1"/*/results.txt; do
		[ -f "$f" ] && sed "s|$ROOT/||g" "$f" > "$RES/$2/$(basename "$(dirname "$f")").txt"
	done
}

# multi_boot NAME OUTVAR RAWDIR MD: a benchmark of several L1 boots,
# bench/nested/NAME.sh with its output in build/bench-NAME (OUTVAR names
# it for the script), the results.txt of every boot kept in RAWDIR/, MD
# rendered from them (the complete boots, when one failed)
multi_boot() {
	local out=$ROOT/build/bench-$1
	env "$2=$out" "$ROOT/bench/nested/$1.sh" ||
		echo "bench: a $1 boot failed, see $out (the table uses the complete boots)"
	keep_raw "$out" "$3"
	report; cat "$RES/$4"
}

# issue 15's rows (bench/nested/mode2.sh): nested-mode2-raw/, nested-mode2.md
bench_mode2() { multi_boot mode2 NB_MODE2_OUT nested-mode2-raw nested-mode2.md; }
# issue 11's Fig. 9 (bench/nested/napi.sh): napi=1 vs napi=0 (and e1000)
# over NB_ROUNDS L1 boots of the net part: napi-raw/<round>.txt, nested-napi.md
bench_napi() { multi_boot napi NB_NAPI_OUT napi-raw nested-napi.md; }
# issue 11's Fig. 7 (bench/nested/pit.sh): L2 on the PIT, one boot per
# divisor and round: pit-raw/<round>-d<divisor>.txt, nested-pit.md
bench_pit() { multi_boot pit NB_PIT_OUT pit-raw nested-pit.md; }
# issue 11's elevator on a shared host disk (bench/nested/shsched.sh):
# sched-shared-raw/<round>.txt, sched-shared.md
bench_shsched() { multi_boot shsched NB_SHSCHED_OUT sched-shared-raw sched-shared.md; }
# issue 11's Fig. 1/2 (bench/nested/bonnie.sh): bonnie++ in L1 against L2
bench_bonnie() { multi_boot bonnie NB_BONNIE_OUT bonnie-raw nested-bonnie.md; }
# issue 11's ablations (bench/nested/ablate.sh): pata_pvio with one thing
# changed per variant, a max_batch sweep: ablate-raw/<round>.txt, nested-ablate.md
bench_ablate() { multi_boot ablate NB_ABLATE_OUT ablate-raw nested-ablate.md; }

# nested_rounds NAME VAR=VALUE...: NB_ROUNDS L1 boots (default 5) of
# bench/nested/run.sh with those variables, in build/bench-NAME/<round>/
# (bench/nested/rounds.sh; each results.txt ends with "RES bench_round
# <round> commit=<HEAD>")
nested_rounds() {
	local r
	rounds_init "$1" "$ROOT/build/bench-$1" 5 || return 1
	shift
	for r in $(seq "$FROM" "$ROUNDS"); do
		boot "$OUT/$r" "bench_round $r" "$@"
	done
}

# bench_profile: issue 11's Tables 1-3 and Fig. 8 (bench/nested/README.md):
# NB_ROUNDS L1 boots with the profile histograms; bench/report.py keeps each
# boot's records with its RIPs resolved in profile-raw/<round>.txt
bench_profile() {
	nested_rounds profile NB_PARTS="ata net" NB_PROFILE=1 NB_BG=0 NB_DRIVERS="ata_piix pata_pvio" \
		NB_NET_DRIVERS="e1000 e1000_pvio1" NB_CMDS="${NB_CMDS:-512}" || return 1
	/usr/bin/python3 "$ROOT/bench/report.py" --keep-profile "$ROOT/build/bench-profile" "$RES/profile-raw" || return 1
	report; cat "$RES/nested-profile.md"
}

# bench_latency: issue 11's Fig. 3 (bench/nested/README.md): NB_ROUNDS L1
# boots of the net part with L1's exit-latency histograms (NB_PROFILE=lat):
# latency-raw/<round>.txt, nested-latency.md
bench_latency() {
	nested_rounds latency NB_PARTS=net NB_PROFILE=lat NB_BG=0 \
		NB_NET_DRIVERS="${NB_NET_DRIVERS:-e1000 e1000_pvio1 virtio_net}" || return 1
	keep_raw "$ROOT/build/bench-latency" latency-raw
	report; cat "$RES/nested-latency.md"
}

# report: every table in $RES from the raw records there (bench/report.py)
report() {
	/usr/bin/python3 "$ROOT/bench/report.py" "$RES"
}

case ${1:-} in	# redo the Markdown from the raw files, no VM (the old
		# per-file flags all redo every table now)
--report|--sched-report|--nested-report|--net-report|--mode2-report) report; exit ;;
esac
only=${BENCH:-native nested sched net}
for b in $only; do
	echo "== bench $b"
	"bench_$b" || { echo "bench $b failed"; rc=1; }
done
exit $rc
