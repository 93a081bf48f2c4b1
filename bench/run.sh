#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: runs each benchmark side by side with its baseline in one run
# and writes bench/results/*.md.  Exit counts are the headline where a
# benchmark has them; seconds go beside them.
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
#            off), virtio-blk, in NB_ROUNDS rounds (default 5) of four L1
#            boots each (bench/nested/mode2.sh; about 1 minute a boot); not in the
#            default set: BENCH=mode2 make bench
# BENCH="native nested sched net" picks (default: those four); a PNG chart of
# whatever results exist is drawn at the end (bench/chart.py).
# Results go to bench/results/ for the kernel tools/kver.sh picks by default
# and to bench/results/linux-X.Y/ for any other (KVER=... make bench), so a
# run on 6.12 sits beside the 6.1 one instead of replacing it.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
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
	local log=$ROOT/build/vm/native-overhead/console.log out=$RES/native-overhead.md
	PVIO_FAULT_INJECTION=0 "$ROOT/tests/vm/run.sh" "$ROOT/bench/native/native-overhead.sh" ||
		return 1
	local rows
	rows=$(sed -n 's/.*BENCH round=\([0-9]*\) pvio_bench: direct_ns_per_batch=\([0-9]*\) pvio_ns_per_batch=\([0-9]*\) ratio_x1000=\([0-9]*\).*/\1 \2 \3 \4/p' "$log")
	[ "$(echo "$rows" | grep -c .)" -ge 5 ] || { echo "bench: fewer than 5 rounds in $log"; return 1; }
	{
		echo "# Native-transport overhead"
		echo
		echo "$(date -u +%Y-%m-%d), \`make bench\` (BENCH=native), guest kernel $KVER under $(qemu-system-x86_64 --version | head -1) TCG (-cpu qemu64, 1 vCPU),"
		echo "product build (no test hooks), $(sed -n 's/.*BENCH round=1 pvio_bench: \(transport=.*\)/\1/p' "$log")."
		echo "A batch is 8 OUTs to the COM1 scratch register (0x3ff). Each round is one load of"
		echo "pvio_bench, which reports the medians of its interleaved rounds (times, and ratio per round)."
		echo
		echo "| round | 8 direct outb, ns | pvio batch (native), ns | ratio |"
		echo "|---|---|---|---|"
		echo "$rows" | awk '{ printf "| %s | %s | %s | %.3f |\n", $1, $2, $3, $4 / 1000 }'
		echo
		echo "$rows" | awk '{ r[NR] = $4 } END {
			n = NR; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
			med = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
			printf "Ratio pvio / direct over %d rounds: median **%.3f** (range %.3f to %.3f; goal <= 1.05: %s).\n",
				n, med / 1000, r[1] / 1000, r[n] / 1000, med <= 1050 ? "met" : "MISSED" }'
	} > "$out"
	cat "$out"
}

rig_line() {	# rig_line RESULTS: the facts run.sh recorded
	awk '$1 == "RES" && $2 == "l0_host" { $1 = $2 = ""; sub(/^ */, ""); print }' "$1"
}

res_of() { awk -v k="$2" '$1 == "RES" && $2 == k { $1 = $2 = ""; sub(/^ */, ""); v = $0 } END { print v }' "$1"; }

# build_nested: the nested rig's modules (product build, no test hooks) and
# the patched KVM, for KVER
build_nested() {
	make -s -C "$ROOT" KVER="$KVER" PVIO_FAULT_INJECTION=0 all host ||
		{ echo "bench: make all host for $KVER failed"; return 1; }
}

bench_nested() {
	local out=$ROOT/build/bench-nested r
	build_nested || return 1
	NB_OUT=$out NB_PARTS=${NB_PARTS:-uart ata bonnie} "$ROOT/bench/nested/run.sh" ||
		{ echo "bench: nested run failed, see $out"; return 1; }
	sed "s|$ROOT/||g" "$out/results.txt" > "$RES/nested-raw.txt"
	nested_report
	cat "$RES/nested-uart.md" "$RES/nested-ata.md"
}

# nested_report: nested-uart.md and nested-ata.md from nested-raw.txt
nested_report() {
	local r=$RES/nested-raw.txt
	{
		echo "# Nested rig: exits per flush of 8 UART OUTs, native vs hypercall transport"
		echo
		echo "$(res_of "$r" l0_date), \`make bench\` (BENCH=nested, bench/nested/run.sh)."
		echo "Rig: L0 $(rig_line "$r"), TCG \`-cpu qemu64,+svm,+npt\`;"
		echo "L1 kernel $(res_of "$r" l1_kernel) with the patched KVM from $(res_of "$r" kvm_modules);"
		echo "L2 kernel $(res_of "$r" booted), the host's QEMU on L1's KVM, 1 vCPU, 256 MiB."
		echo "A flush is 8 \`outb\` to the COM1 scratch register (0x3ff) through one pvio batch"
		echo "(bench/native/pvio_bench.ko flushes=N), the same L2 boot loading pvio.ko with"
		echo "transport=native, then transport=auto. Counters are L1's KVM debugfs totals and"
		echo "a kvm:kvm_userspace_exit histogram in L1, minus an empty window; per flush."
		echo "Microseconds are L2's own clock (ktime around the loop), everything below L1 is emulated."
		echo
		"$ROOT/bench/nested/report.sh" "$r" uart
		echo
		echo "Whole L1 run: $(res_of "$r" l0_seconds) s (L2 boot to power-off $(res_of "$r" l2_seconds) s)."
	} > "$RES/nested-uart.md"
	{
		echo "# Nested rig: exits per 4 KiB direct command, ata_piix vs pata_pvio vs virtio-blk"
		echo
		echo "$(res_of "$r" l0_date), \`make bench\` (BENCH=nested, bench/nested/run.sh)."
		echo "Rig: as in nested-uart.md (L2 on the patched KVM in L1, L1 under TCG with SVM)."
		echo "L2 disks: ${NB_DISK_MB:-64} MiB raw on L1's tmpfs, \`-drive if=ide,format=raw,cache=unsafe\`"
		echo "(PIIX3 IDE) and the same as \`if=virtio\`. One L2 boot: ata_piix, then rmmod and"
		echo "pata_pvio on the same controller (pvio transport $(res_of "$r" pata_pvio.transport)), then virtio-blk."
		echo "Workload per driver: busybox \`dd bs=4k count=$(res_of "$r" cmds) oflag=direct\` from /dev/zero,"
		echo "then \`dd bs=4k count=$(res_of "$r" cmds) iflag=direct\` to /dev/null, each between two marks;"
		echo "empty window subtracted. PIO exits = L1's io_exits (every guest IN/OUT that exits);"
		echo "exits to userspace = kvm:kvm_userspace_exit hits (all reasons); MB/s from L2's clock."
		echo "\"Less background\" also subtracts what L2 costs per second when it only spins (the"
		echo "timer tick: an interrupt exit and a TSC-deadline write per tick, and EOIs): under TCG a"
		echo "command takes milliseconds, so ticks land inside commands that a real host runs in"
		echo "microseconds. The raw total is the headline; both are printed."
		echo
		"$ROOT/bench/nested/report.sh" "$r" ata
		echo
		echo "Exits per flush (UART) or per command by SVM exit code (kvm:kvm_exit histogram in L1,"
		echo "empty window subtracted; rows under 0.01 left out):"
		echo
		"$ROOT/bench/nested/report.sh" "$r" breakdown
		echo
		echo "MSR exits per command by MSR (kvm:kvm_msr histogram in L1, empty window subtracted):"
		echo
		"$ROOT/bench/nested/report.sh" "$r" msr
		echo
		if grep -q '^RES .*bonnie.seconds' "$r"; then
			echo "bonnie++ in the same L2 boot, per driver (fresh ext2 on the same disks):"
			echo
			"$ROOT/bench/nested/report.sh" "$r" bonnie
			echo
		fi
		echo "Baseline: the ata_piix row above (the stock driver on the same patched KVM and QEMU)."
		echo "Target: pata_pvio at most 3 total exits per command."
		echo "pata_pvio batch counters: $(awk '$1 == "RES" && $2 == "pata_pvio.batch" { $1 = $2 = ""; print }' "$r" | tr '\n' ';')"
		echo
		echo "Whole L1 run: $(res_of "$r" l0_seconds) s (L2 boot to power-off $(res_of "$r" l2_seconds) s)."
	} > "$RES/nested-ata.md"
}

bench_net() {
	local out=$ROOT/build/bench-net
	build_nested || return 1
	NB_PARTS=net NB_OUT=$out "$ROOT/bench/nested/run.sh" ||
		{ echo "bench: nested net run failed, see $out"; return 1; }
	sed "s|$ROOT/||g" "$out/results.txt" > "$RES/nested-net-raw.txt"
	net_report
	cat "$RES/nested-e1000.md"
}

# net_report: nested-e1000.md from nested-net-raw.txt
net_report() {
	local r=$RES/nested-net-raw.txt rep=$ROOT/bench/nested/report.sh
	{
		echo "# Nested rig: e1000 vs e1000_pvio (napi=1, napi=0) vs virtio-net"
		echo
		echo "$(res_of "$r" l0_date), \`BENCH=net make bench\` (= \`NB_PARTS=net bench/nested/run.sh\`, then"
		echo "\`bench/run.sh --net-report\` for this file; defaults otherwise),"
		echo "sizes: $(res_of "$r" net.pings) pings, $(res_of "$r" net.tcp_mb) MiB per iperf3 TCP direction, UDP -b $(res_of "$r" net.udp_rate)."
		echo "Rig: L0 $(rig_line "$r"), TCG \`-cpu qemu64,+svm,+npt\`;"
		echo "L1 kernel $(res_of "$r" l1_kernel) with the patched KVM from $(res_of "$r" kvm_modules);"
		echo "L2 kernel $(res_of "$r" booted), the host's QEMU on L1's KVM, 1 vCPU, 256 MiB,"
		echo "\`$(res_of "$r" l1_net)\`."
		echo "e1000_pvio: $(res_of "$r" e1000_pvio_module)."
		echo "One L2 boot: Debian's e1000, rmmod; e1000_pvio napi=1 (pvio transport=auto), rmmod;"
		echo "napi=0, rmmod; virtio_net on the second NIC. The peer is L1 itself through slirp (10.0.2.2 ="
		echo "L1's loopback): busybox httpd, iperf3 -s (L1 chroot into the host's root), nb_rr server."
		echo "Counters: L1's KVM debugfs totals (all exits), kvm:kvm_userspace_exit hits (all reasons,"
		echo "and reason MMIO), hypercalls; NIC interrupts from L2's /proc/interrupts; an empty window"
		echo "(one mark) is subtracted from each. Raw counters: nested-net-raw.txt."
		echo
		echo "## Ping: \`ping -q -c N -i 0.01 10.0.2.2\` (busybox), per echo received"
		echo
		"$rep" "$r" net-ping
		echo
		echo "## Bulk, streams and request/response"
		echo
		"$rep" "$r" net-stream
		echo
		echo "## Background (time-based exits)"
		echo
		"$rep" "$r" net-background
		echo
		echo "\"bg-corrected\" = (window exits - busy rate x window length) / unit (the bg window and L1's"
		echo "clock, as nested-ata.md's \"less background\"). The busy rate is mostly"
		echo "L1's own timer interrupts (INTR) while L2 runs; a ping window is mostly idle in L2, so this"
		echo "over-subtracts there: read it as a lower bound, the raw figure is the headline."
		echo
		echo "## Exits by SVM exit code (kvm:kvm_exit histogram in L1), per echo and per MiB of bulk"
		echo
		"$rep" "$r" net-breakdown
		echo
		echo "## Issue-5 targets (same run, e1000 as the baseline)"
		echo
		"$rep" "$r" net-verdict
		echo
		echo "Whole L1 run: $(res_of "$r" l0_seconds) s (L2 boot to power-off $(res_of "$r" l2_seconds) s);"
		echo "L2 dmesg warnings: $(res_of "$r" dmesg_warnings). What the numbers say: bench/nested/README.md."
	} > "$RES/nested-e1000.md"
}

# bench_sched: the case twice.  First under -icount (guest time advances
# 1 ns per guest instruction, so IOPS = 1e9 / instructions per I/O, the same
# whatever else the host runs: the headline), then on the wall clock.
bench_sched() {
	local log=$ROOT/build/vm/null-blk-sched/console.log out=$RES/sched.md load0
	VM_QEMU_EXTRA="-icount shift=0,sleep=off" VM_APPEND_EXTRA="bench.rounds=3 bench.secs=1" \
		"$ROOT/tests/vm/run.sh" "$ROOT/bench/sched/null-blk-sched.sh" || return 1
	grep '^BENCH-SCHED ' "$log" > "$RES/sched-raw-icount.txt"
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	"$ROOT/tests/vm/run.sh" "$ROOT/bench/sched/null-blk-sched.sh" || return 1
	{
		echo "# host load average before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
		grep '^BENCH-SCHED ' "$log"
	} > "$RES/sched-raw.txt"
	sched_report > "$out"
	cat "$out"
}

# sched_table RAW: IOPS table, per-round pairs and the verdicts
sched_table() {
	awk '$1 == "BENCH-SCHED" { v[$3] = v[$3] (v[$3] == "" ? "" : ", ") $4; a[$3, ++n[$3]] = $4 }
	$1 == "BENCH-SCHED" && $3 == "mq-deadline" { mq[$2] = $4 }
	$1 == "BENCH-SCHED" && $3 == "pvio-bypass" { pb[$2] = $4 }
	END {
		print "| scheduler | IOPS per round | median IOPS | vs mq-deadline |"
		print "|---|---|---|---|"
		split("none mq-deadline kyber pvio-bypass", s, " ")
		for (i = 1; i <= 4; i++) {
			k = s[i]; m = n[k]
			for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++)
				if (a[k, y] < a[k, x]) { t = a[k, x]; a[k, x] = a[k, y]; a[k, y] = t }
			med[k] = m % 2 ? a[k, (m + 1) / 2] : (a[k, m / 2] + a[k, m / 2 + 1]) / 2
		}
		for (i = 1; i <= 4; i++) {
			k = s[i]
			printf "| %s | %s | %d | %.3fx |\n", k, v[k], med[k], med["mq-deadline"] ? med[k] / med["mq-deadline"] : 0
		}
		for (r = 1; r <= n["pvio-bypass"]; r++) if (mq[r] > 0) pr[++np] = pb[r] / mq[r]
		for (x = 1; x <= np; x++) for (y = x + 1; y <= np; y++)
			if (pr[y] < pr[x]) { t = pr[x]; pr[x] = pr[y]; pr[y] = t }
		pm = np % 2 ? pr[(np + 1) / 2] : (pr[np / 2] + pr[np / 2 + 1]) / 2
		printf "\npvio-bypass / mq-deadline, the two runs of each round side by side (they run back to back): "
		for (r = 1; r <= np; r++) printf "%s%.3f", (r > 1 ? ", " : ""), pb[r] / mq[r]
		printf "; median %.3fx.\n", pm
		printf "\nTargets (medians): pvio-bypass >= 1.05x mq-deadline: %s; pvio-bypass >= kyber: %s.\n", \
			(med["pvio-bypass"] >= 1.05 * med["mq-deadline"] ? "met" : "MISSED"), \
			(med["pvio-bypass"] >= med["kyber"] ? "met" : "MISSED")
	}' "$1"
}

# sched_report: sched.md from sched-raw-icount.txt and sched-raw.txt
sched_report() {
	echo "# I/O schedulers on null_blk: 4 KiB random-read IOPS, QD1"
	echo
	echo "$(date -u -r "$RES/sched-raw.txt" '+%Y-%m-%d %H:%M UTC'), \`make bench\` (BENCH=sched), guest kernel $KVER under QEMU TCG"
	echo "(-cpu qemu64, 1 vCPU, 1 GiB), null_blk queue_mode=2 irqmode=0, fio $(fio --version 2>/dev/null)"
	echo "randread bs=4k psync iodepth=1 direct=1, after 1 s ramp, rounds interleaved (order reversed"
	echo "every other round). Host: $(uname -r), $(nproc) CPUs shared with other VMs."
	echo
	echo "## Instruction clock (headline)"
	echo
	echo "QEMU \`-icount shift=0,sleep=off\`: the guest clock advances 1 ns per guest instruction, so"
	echo "IOPS = 10^9 / guest instructions per I/O, whatever else the host runs (rounds agree to"
	echo "about 0.1%). $(grep -c ' none ' "$RES/sched-raw-icount.txt") rounds of 1 s of guest time each."
	echo
	sched_table "$RES/sched-raw-icount.txt"
	echo
	echo "## Wall clock"
	echo
	echo "Same case without -icount, $(grep -c ' none ' "$RES/sched-raw.txt") rounds of 3 s"
	echo "($(sed -n 's/^# host //p' "$RES/sched-raw.txt")). Shared cores make single runs swing"
	echo "by 2x or more; compare the per-round pairs and the medians, not single numbers."
	echo
	sched_table "$RES/sched-raw.txt"
}

# bench_mode2: issue 15's rows (bench/nested/mode2.sh), raw counters of
# every run kept in nested-mode2-raw/, the table from them
bench_mode2() {
	local out=$ROOT/build/bench-mode2 f
	NB_MODE2_OUT=$out "$ROOT/bench/nested/mode2.sh" ||
		echo "bench: a mode2 run failed, see $out (the table uses the complete runs)"
	rm -rf "$RES/nested-mode2-raw"
	mkdir -p "$RES/nested-mode2-raw"
	for f in "$out"/*-*/results.txt; do
		# paths inside this tree are written relative to it
		[ -f "$f" ] && sed "s|$ROOT/||g" "$f" > "$RES/nested-mode2-raw/$(basename "$(dirname "$f")").txt"
	done
	mode2_report && cat "$RES/nested-mode2.md"
}

mode2_report() {
	/usr/bin/python3 "$ROOT/bench/nested/mode2_report.py" "$RES"/nested-mode2-raw/*.txt \
		> "$RES/nested-mode2.md"
}

case ${1:-} in	# redo the Markdown from the raw files, no VM
--sched-report) sched_report > "$RES/sched.md"; exit ;;
--nested-report) nested_report; exit ;;
--net-report) net_report; exit ;;
--mode2-report) mode2_report; exit ;;
esac
only=${BENCH:-native nested sched net}
for b in $only; do
	echo "== bench $b"
	"bench_$b" || { echo "bench $b failed"; rc=1; }
done
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
	/usr/bin/python3 "$ROOT/bench/chart.py" "$RES" || echo "bench: chart failed"
else
	echo "bench: no chart (apt-get install python3-matplotlib)"
fi
exit $rc
