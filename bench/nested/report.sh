#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh RESULTS PART: Markdown table(s) from a bench/nested/run.sh
# results file.  PART is uart, ata, bonnie, breakdown (exits per flush or
# command by SVM exit code, from the kvm_exit histogram) or msr (MSR exits
# per command by MSR, from the kvm_msr histogram).  Every window is the counter growth
# between its two marks minus the empty window (the cost of one mark).
set -u
RES=$1
PART=$2
awk -v part="$PART" '
function get(w, k) { return snap[w ".1", k] - snap[w ".0", k] }
function net(w, k) { return get(w, k) - get("empty", k) }
function f(x, d) { return sprintf("%." d "f", x) }
# a bonnie++ KiB/s field in MB/s; "+++++" means the phase took under 0.5 s
function mbs(k) { return k ~ /^[0-9]+$/ ? f(k * 1024 / 1e6, 2) : (k ~ /^\+/ ? "< 0.5 s" : "-") }
function span(w) { return snap[w ".1", "t"] - snap[w ".0", "t"] }
# exits per L1 second while L2 spins with no I/O (0 without a bg window)
function bgrate() {
	if (!have["bg.1"] || span("bg") <= span("empty")) return 0
	return net("bg", "exits") / (span("bg") - span("empty"))
}
# the exits of window w less the background share of its length
function lessbg(w) { return net(w, "exits") - bgrate() * (span(w) - span("empty")) }
$1 == "SNAP" {
	have[$2] = 1
	for (i = 3; i <= NF; i++) { split($i, kv, "="); snap[$2, kv[1]] = kv[2] }
	next
}
$1 == "XHIST" {
	hx[$2] = 1
	for (i = 3; i <= NF; i++) { split($i, kv, ":"); xh[$2, kv[1]] = kv[2]; codes[kv[1]] = 1 }
	next
}
$1 == "MHIST" {
	hm[$2] = 1
	for (i = 3; i <= NF; i++) { split($i, kv, ":"); mh[$2, kv[1] ":" kv[2]] = kv[3]; msrs[kv[1] ":" kv[2]] = 1 }
	next
}
$1 == "RES" { k = $2; $1 = ""; $2 = ""; sub(/^  */, ""); res[k] = $0; next }
END {
	if (!have["empty.0"] || !have["empty.1"]) { print "no empty window in results"; exit 1 }
	if (part == "uart") {
		print "| transport | flushes | total exits / flush | io_exits / flush | hypercalls / flush | exits to userspace / flush | us / op (L2 clock) | us / flush | window s (L2) |"
		print "|---|---|---|---|---|---|---|---|---|"
		for (t = 1; t <= 2; t++) {
			tr = t == 1 ? "native" : "hypercall"
			w = "uart." tr
			if (!have[w ".1"]) continue
			m = res[w ".module"]
			n = 0; ns = 0
			if (match(m, /flushes=[0-9]+/)) n = substr(m, RSTART + 8, RLENGTH - 8)
			if (match(m, /ns=[0-9]+/)) ns = substr(m, RSTART + 3, RLENGTH - 3)
			if (n == 0) continue
			printf "| %s (%s) | %d | %s | %s | %s | %s | %s | %s | %s |\n", tr, res[w ".transport"], n,
				f(net(w, "exits") / n, 2), f(net(w, "io_exits") / n, 2),
				f(net(w, "hypercalls") / n, 2), f(net(w, "uexit") / n, 2),
				f(ns / 1000 / (n * 8), 2), f(ns / 1000 / n, 1), res[w ".seconds"]
		}
		print ""
		printf "Empty window (one mark, subtracted): %d exits, %d io_exits, %d hypercalls, %d exits to userspace.", \
			get("empty", "exits"), get("empty", "io_exits"), get("empty", "hypercalls"), get("empty", "uexit")
		if (have["uart.load1.1"])
			printf " Loading the module with flushes=1, net of the empty window: %d exits, %d io_exits, %d hypercalls, %d exits to userspace.", \
				net("uart.load1", "exits"), net("uart.load1", "io_exits"), net("uart.load1", "hypercalls"), net("uart.load1", "uexit")
		print ""
	} else if (part == "bonnie") {
		mb = res["bonnie_mb"] + 0
		print "| L2 disk driver | block write MB/s | rewrite MB/s | block read MB/s | total exits | less background | exits / MiB of file | exits to userspace | hypercalls | seconds |"
		print "|---|---|---|---|---|---|---|---|---|---|"
		nd = split("ata_piix pata_pvio virtio_blk", drv, " ")
		for (d = 1; d <= nd; d++) {
			w = drv[d] ".bonnie"
			if (!have[w ".1"]) continue
			split(res[drv[d] ".bonnie_csv"], bc, ",")
			label = drv[d] == "virtio_blk" ? "virtio-blk" : drv[d]
			# CSV fields 12, 14, 18: block write, rewrite, block read (KiB/s)
			printf "| %s | %s | %s | %s | %d | %s | %s | %d | %d | %s |\n", label,
				mbs(bc[12]), mbs(bc[14]), mbs(bc[18]),
				net(w, "exits"), (bgrate() ? sprintf("%d", lessbg(w)) : "-"),
				(mb ? f(net(w, "exits") / mb, 1) : "-"),
				net(w, "uexit"), net(w, "hypercalls"), res[w ".seconds"]
		}
		print ""
		printf "bonnie++ -s %d -r %d -n 0 -f -D (O_DIRECT) on ext2, %d MiB file; the window holds every phase (block write, rewrite, block read, seeks). \"< 0.5 s\": bonnie++ could not time the phase (L2 page cache).\n", mb, mb / 2, mb
	} else if (part == "msr") {
		if (!hm["empty.0"]) { print "(no kvm_msr histogram in these results)"; exit 0 }
		split("1760:IA32_TSC_DEADLINE 2059:X2APIC_EOI 2096:X2APIC_ICR 2104:X2APIC_TMICT", nm, " ")
		for (i in nm) { split(nm[i], kv, ":"); name[kv[1]] = kv[2] }
		n = res["cmds"] + 0
		nw = split("ata_piix.write ata_piix.read pata_pvio.write pata_pvio.read virtio_blk.write virtio_blk.read", W, " ")
		hdr = "| MSR (access) |"; sep = "|---|"
		for (w = 1; w <= nw; w++) if (hm[W[w] ".1"]) { hdr = hdr " " W[w] " |"; sep = sep "---|" }
		print hdr; print sep
		for (k in msrs) {
			split(k, kv, ":")
			line = sprintf("| 0x%x %s(%s) |", kv[1], (kv[1] in name ? name[kv[1]] " " : ""), kv[2] ? "write" : "read"); any = 0
			for (w = 1; w <= nw; w++) {
				if (!hm[W[w] ".1"]) continue
				v = (mh[W[w] ".1", k] - mh[W[w] ".0", k] - (mh["empty.1", k] - mh["empty.0", k])) / n
				if (v >= 0.01 || v <= -0.01) any = 1
				line = line " " f(v, 2) " |"
			}
			if (any) print line
		}
	} else if (part == "breakdown") {
		if (!hx["empty.0"]) { print "(no kvm_exit histogram in these results)"; exit 0 }
		split("16:CR0_WRITE 19:CR3_WRITE 20:CR4_WRITE 96:INTR 97:NMI 100:VINTR 110:RDTSC 114:CPUID 120:HLT 121:INVLPG 123:IOIO 124:MSR 129:VMMCALL 1024:NPF 1025:AVIC_IPI 1026:AVIC_NOACCEL 119:PAUSE 141:XSETBV 135:RDTSCP", nm, " ")
		for (i in nm) { split(nm[i], kv, ":"); name[kv[1]] = kv[2] }
		n = res["cmds"] + 0
		nw = split("uart.native uart.hypercall ata_piix.write ata_piix.read pata_pvio.write pata_pvio.read virtio_blk.write virtio_blk.read", W, " ")
		hdr = "| SVM exit code |"; sep = "|---|"
		for (w = 1; w <= nw; w++) if (hx[W[w] ".1"]) { hdr = hdr " " W[w] " |"; sep = sep "---|" }
		print hdr; print sep
		for (c in codes) {
			line = "| " c (c in name ? " " name[c] : "") " |"; any = 0
			for (w = 1; w <= nw; w++) {
				if (!hx[W[w] ".1"]) continue
				d = W[w] ~ /^uart/ ? res["flushes"] : n
				v = (xh[W[w] ".1", c] - xh[W[w] ".0", c] - (xh["empty.1", c] - xh["empty.0", c])) / d
				if (v >= 0.01 || v <= -0.01) any = 1
				line = line " " f(v, 2) " |"
			}
			if (any) print line
		}
	} else {
		n = res["cmds"] + 0
		print "| L2 disk driver | direction | commands | total exits / cmd | less background / cmd | PIO exits (io_exits) / cmd | exits to userspace / cmd | hypercalls / cmd | MMIO exits to userspace / cmd | MB/s (L2 clock) | seconds |"
		print "|---|---|---|---|---|---|---|---|---|---|---|"
		nd = split("ata_piix pata_pvio virtio_blk", drv, " ")
		for (d = 1; d <= nd; d++) for (r = 1; r <= 2; r++) {
			dir = r == 1 ? "write" : "read"
			w = drv[d] "." dir
			if (!have[w ".1"]) continue
			s = res[w ".seconds"] + 0
			label = drv[d]
			if (drv[d] == "pata_pvio") label = label " (" res["pata_pvio.transport"] ")"
			if (drv[d] == "virtio_blk") label = "virtio-blk"
			printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, dir, n,
				f(net(w, "exits") / n, 2), (bgrate() ? f(lessbg(w) / n, 2) : "-"),
				f(net(w, "io_exits") / n, 2),
				f(net(w, "uexit") / n, 2), f(net(w, "hypercalls") / n, 2),
				f(net(w, "uexit_mmio") / n, 2),
				(s > 0 ? f(n * 4096 / s / 1e6, 3) : "-"), s
		}
		print ""
		printf "Empty window (one mark, subtracted): %d exits, %d io_exits, %d hypercalls, %d exits to userspace.\n", \
			get("empty", "exits"), get("empty", "io_exits"), get("empty", "hypercalls"), get("empty", "uexit")
		if (bgrate())
			printf "\nBackground (L2 spinning, no I/O): %d exits in %s s of L1 time, %.0f exits/s; \"less background\" subtracts that rate times the window length (L1 clock).\n", \
				net("bg", "exits"), f(span("bg") - span("empty"), 2), bgrate()
	}
}' "$RES"
