# SPDX-License-Identifier: GPL-2.0
"""nested-latency.md (issue 11, the paper's Fig. 3: a ping's round trip
broken down) from BENCH=latency's rounds, bench/results/latency-raw/<round>.txt.

Each round is one L1 boot of the net part of bench/nested/run.sh with
NB_PROFILE=lat: L1 keeps four synthetic-event histograms over the spans of
L2's vCPU thread (bench/nested/l1/lat.sh) and prints and clears them at
every mark (LHIST lines), so a window's spans are those of its closing mark:

    kvm_lat   kvm_exit -> kvm_entry, an exit KVM handled (by SVM exit code;
              HLT is the vCPU halted, waiting, and is kept apart)
    kvm_ulat  kvm_exit -> kvm_userspace_exit, KVM's part of an exit that
              went on to QEMU (by SVM exit code)
    qemu_lat  kvm_userspace_exit -> the next KVM_RUN ioctl: QEMU (by the
              KVM_EXIT_* reason)
    krun_lat  KVM_RUN -> kvm_entry (or the next exit to QEMU): KVM again

"KVM" below is kvm_lat without HLT, kvm_ulat and krun_lat; "QEMU" is
qemu_lat.  Every window figure is less the empty window (one mark's cost),
as in the other nested tables; cells are the median over the rounds with
[min-max]."""
import os
import re
import statistics

from . import net
from .records import SVM_NAMES, Run, fmt, nested_run, table

HLT = 120
EVENTS = ("kvm_lat", "kvm_ulat", "qemu_lat", "krun_lat")
UEXIT_NAMES = {0: "UNKNOWN", 2: "IO", 3: "HYPERCALL", 6: "MMIO", 7: "IRQ_WINDOW_OPEN",
               10: "INTR (signal)", 12: "TPR_ACCESS"}
DRIVERS = ("e1000", "e1000_pvio1", "virtio_net")
LABEL = {"e1000": "e1000", "e1000_pvio1": "e1000_pvio napi=1", "virtio_net": "virtio-net"}
# (window, unit): the ping echoes (Fig. 3) and nb_rr's back-to-back transactions
WORKLOADS = (("ping", "echo"), ("rr", "transaction"))
MIN_ROUNDS = 3


def lhist(path):
    """{mark: {event: ({reason: (hits, ns)}, {reason: {log2: hits}})}} from
    the LHIST lines of a raw file."""
    out = {}
    with open(path, errors="replace") as f:
        for p in (ln.split() for ln in f if ln.startswith("LHIST ")):
            sums, logs = {}, {}
            for field in p[3:]:
                a = field.split(":")
                if len(a) != 3:
                    continue
                if a[1].startswith("2^"):
                    logs.setdefault(int(a[0]), {})[int(a[1][2:])] = int(a[2])
                else:
                    sums[int(a[0])] = (int(a[1]), int(a[2]))
            out.setdefault(p[1], {})[p[2]] = (sums, logs)
    return out


def seg(h, w, ev):
    """{reason: (hits, ns)} of event ev over window w less the empty window."""
    got = h.get(w + ".1", {}).get(ev, ({}, {}))[0]
    empty = h.get("empty.1", {}).get(ev, ({}, {}))[0]
    return {r: (got.get(r, (0, 0))[0] - empty.get(r, (0, 0))[0],
                got.get(r, (0, 0))[1] - empty.get(r, (0, 0))[1]) for r in set(got) | set(empty)}


def units(run, d, wl):
    """(echoes or transactions, round trip in us from the tool) of a window."""
    w = f"net.{d}.{wl}"
    if wl == "ping":
        m = re.search(r"= [0-9.]+/([0-9.]+)/", run.r(w + ".out"))
        return net.pings(run, d), float(m.group(1)) * 1e3 if m else 0
    o = run.r(w + ".out")
    n, s = re.search(r"transactions=([0-9]+)", o), re.search(r"seconds=([0-9.]+)", o)
    if not n or not s or int(n.group(1)) == 0:
        return 0, 0
    return int(n.group(1)), float(s.group(1)) * 1e6 / int(n.group(1))


def cells(run, h, d, wl):
    """One driver's figures per unit (us, exits) in one round's window wl;
    None without the window or its histograms."""
    w = f"net.{d}.{wl}"
    n, rtt = units(run, d, wl)
    if not run.have(w) or n <= 0 or rtt <= 0 or w + ".1" not in h or "empty.1" not in h:
        return None
    s = {ev: seg(h, w, ev) for ev in EVENTS}
    halt = s["kvm_lat"].pop(HLT, (0, 0))
    us = {ev: sum(v[1] for v in s[ev].values()) / 1e3 / n for ev in EVENTS}
    kvm = us["kvm_lat"] + us["kvm_ulat"] + us["krun_lat"]
    c = {"rtt": rtt, "kvm": kvm, "qemu": us["qemu_lat"], "halt": halt[1] / 1e3 / n,
         "kvm_in": us["kvm_lat"], "kvm_to_qemu": us["kvm_ulat"], "krun": us["krun_lat"],
         "exits": (sum(v[0] for v in s["kvm_lat"].values()) + halt[0]
                   + sum(v[0] for v in s["kvm_ulat"].values())) / n,
         "uexits": sum(v[0] for v in s["qemu_lat"].values()) / n,
         "counted": run.net(w, "exits") / n}
    # ping: the halted time is mostly the 10 ms between echoes (slirp answers
    # an echo to 10.0.2.2 while QEMU still handles the transmit); nb_rr: the
    # wait for the answer, inside the round trip.  The rest is what is left
    c["rest"] = rtt - kvm - c["qemu"]
    c["share"] = 100 * (kvm + c["qemu"]) / rtt
    for ev, key in (("kvm_lat", "k"), ("kvm_ulat", "u"), ("qemu_lat", "q")):
        for r, (hits, ns) in s[ev].items():
            c[(key, r)] = (hits / n, ns / 1e3 / n)
    c[("k", HLT)] = (halt[0] / n, halt[1] / 1e3 / n)
    c[("r", 0)] = (sum(v[0] for v in s["krun_lat"].values()) / n, us["krun_lat"])
    return c


def log2_shares(h, d, wl, ev):
    """{log2 bucket: % of the spans} of event ev (HLT left out) in a window,
    as L1 bucketed them (the empty window is not subtracted: shares)."""
    got = h.get(f"net.{d}.{wl}.1", {}).get(ev, ({}, {}))[1]
    tot = {}
    for r, b in got.items():
        if ev == "kvm_lat" and r == HLT:
            continue
        for k, v in b.items():
            tot[k] = tot.get(k, 0) + v
    n = sum(tot.values())
    return {k: 100 * v / n for k, v in tot.items()} if n else {}


def collect(paths):
    """[(round, run, hists)] of the complete rounds, in round order."""
    out = []
    for path in paths:
        run = Run(path)
        if not run.r("l2_done") or not run.has_empty():
            continue
        h = lhist(path)
        if "empty.1" not in h:
            continue
        m = re.match(r"(\S+)", run.r("bench_round"))
        name = m.group(1) if m else re.sub(r".*/|\.txt$", "", path)
        out.append((name, run, h))
    out.sort(key=lambda x: (len(x[0]), x[0]))
    return out


def spread(vals, d=0):
    """Median [min-max] of a list, "-" when empty."""
    if not vals:
        return "-"
    med, lo, hi = statistics.median(vals), min(vals), max(vals)
    if fmt(lo, d) == fmt(hi, d):
        return fmt(med, d)
    return f"{fmt(med, d)} [{fmt(lo, d)}-{fmt(hi, d)}]"


def per_driver(rounds, wl):
    """{driver: [cells of each round that has them]}."""
    out = {}
    for _, run, h in rounds:
        for d in DRIVERS:
            c = cells(run, h, d, wl)
            if c:
                out.setdefault(d, []).append(c)
    return out


def _reason_name(key, r):
    if key == "q":
        return "KVM_EXIT_" + UEXIT_NAMES.get(r, str(r))
    if key == "r":
        return "KVM_RUN -> kvm_entry"
    return SVM_NAMES.get(r, str(r))


def reason_rows(cs, top=8):
    """Rows of the by-reason table of one driver: where the time went, by
    SVM exit code (in KVM) and by KVM_EXIT_* reason (QEMU), the largest first."""
    keys = {k for c in cs for k in c if isinstance(k, tuple)}
    what = {"k": "handled in KVM", "u": "KVM's part, then to QEMU", "q": "QEMU (userspace)",
            "r": "KVM again after QEMU"}
    rows = []
    for key in sorted(keys, key=lambda k: -statistics.median([c.get(k, (0, 0))[1] for c in cs])):
        kind, r = key
        hits = [c.get(key, (0, 0))[0] for c in cs]
        us = [c.get(key, (0, 0))[1] for c in cs]
        if statistics.median(us) < 0.5 and len(rows) >= top:
            continue
        name = _reason_name(kind, r) + (" (halted: waiting)" if key == ("k", HLT) else "")
        mean = [u / x for u, x in zip(us, hits) if x > 0.01]
        rows.append([name, what[kind], spread(hits, 2), spread(us, 1), spread(mean, 1)])
    return rows


def header(rounds):
    """The metadata lines of the results file."""
    run = rounds[0][1]
    r = run.r
    commits = sorted({re.sub(r".*commit=(\S+).*", r"\1", x.r("bench_round")) for _, x, _ in rounds
                      if "commit=" in x.r("bench_round")}) or ["not recorded"]
    return [
        "# Nested rig: where an echo's round trip goes (the paper's Fig. 3)", "",
        "Generated by bench/reporter/latency.py from bench/results/latency-raw/ (do not edit by hand).",
        f"{r('l0_date')} (first round), `BENCH=latency bench/run.sh` at {', '.join(commits)}, "
        f"{len(rounds)} rounds, each one L1 boot of the net part of bench/nested/run.sh "
        "(NB_PARTS=net, NB_PROFILE=lat, NB_BG=0), the drivers in one L2 boot.",
        f"Rig: L0 {r('l0_host')}, TCG `-cpu qemu64,+svm,+npt`; L1 kernel {r('l1_kernel')} with the "
        f"patched KVM; L2 kernel {r('booted')} on {r('l2_vmm_version')} (`-enable-kvm`), 1 vCPU, "
        f"256 MiB; e1000_pvio transport {r('net.e1000_pvio1.transport') or '-'}.",
        f"Sizes: `ping -c {r('net.pings')} -i 0.01` and {units(run, 'e1000', 'rr')[0] or '-'} nb_rr "
        "1-byte transactions to 10.0.2.2 (slirp's alias for L1).",
        "L1 times the spans of L2's vCPU thread between kvm_exit, kvm_entry, kvm_userspace_exit and "
        "the KVM_RUN ioctl (synthetic events, bench/nested/l1/lat.sh), summed per reason, "
        "copied and cleared at every mark; each window is less the empty window (one mark's cost).",
        "\"KVM\" = exits handled in the kernel (kvm_exit -> kvm_entry, HLT apart) + KVM's part of "
        "the exits that went on to QEMU + KVM_RUN back to kvm_entry; \"QEMU\" = kvm_userspace_exit "
        "-> the next KVM_RUN; \"halted\" = HLT exits (the vCPU waiting).  Cells: median "
        "[min-max] over the rounds, microseconds (L1's clock) per echo or transaction.",
        "L1 has one CPU, so while L2 runs nothing else in L1 does, and a span out of L2 also holds "
        "whatever else L1 ran while the vCPU thread waited for the CPU: QEMU's I/O thread (slirp, "
        "and virtio-net's queues, which an ioeventfd hands to it: its work on a packet lands in the "
        "NPF exit of the notify that woke it), L1's nb_rr server, softirqs.  So \"KVM\" is KVM and "
        "what L1 scheduled meanwhile, and the rest is L2 running.", ""]


DECIMALS = {"share": 1, "exits": 2, "uexits": 2}


def summary(per, keys, head):
    """A table of one row per driver: the figures keys, median [min-max]."""
    rows = [[LABEL[d]] + [spread([c[k] for c in cs], DECIMALS.get(k, 0)) for k in keys]
            for d, cs in per.items()]
    return table(["L2 NIC driver"] + head, rows)


def latency_md(paths):
    """nested-latency.md, or None without a complete round."""
    rounds = collect(paths)
    if not rounds:
        return None
    out = header(rounds)
    ping, rr = per_driver(rounds, "ping"), per_driver(rounds, "rr")
    out += ["## Ping: an echo's round trip (Fig. 3)", ""]
    out += summary(ping, ("rtt", "kvm", "qemu", "rest", "share", "halt", "exits", "uexits"),
                   ["RTT (ping avg)", "KVM", "QEMU", "rest: L2 running (RTT - KVM - QEMU)",
                    "KVM + QEMU % of RTT", "halted (the 10 ms interval; the mark's wait as below)",
                    "exits / echo", "exits to QEMU / echo"])
    out += ["", "KVM and QEMU count every exit of the window, so those outside the round trip "
            "(TSC-deadline writes and ticks around the idle between echoes) are in them: their share is an upper "
            "bound.  Slirp answers a ping to 10.0.2.2 at once (e1000: in QEMU's handling of the "
            "transmit; virtio-net: in QEMU's I/O thread, which runs in the notify's exit), so an echo "
            "hardly waits halted: the halted time is the interval between echoes."]
    out += uninstrumented(paths) + [""]
    out += ["## Request/response: nb_rr's back-to-back transactions", ""]
    out += summary(rr, ("rtt", "kvm", "qemu", "rest", "share", "halt", "exits"),
                   ["round trip (nb_rr seconds / transactions)", "KVM", "QEMU",
                    "rest: L2 running and halted (round trip - KVM - QEMU)",
                    "KVM + QEMU % of round trip", "of the rest halted (see below)",
                    "exits / transaction"])
    out += ["", "Here nothing runs between transactions, so the round trip is L2 running + KVM "
            "+ QEMU + halted; the answer comes from L1's nb_rr server through slirp's socket in "
            "QEMU's main loop, while the vCPU waits halted.  The halted column is rough: every "
            "window holds one long HLT span, L2 waiting at its opening mark while L1 takes its "
            "snapshot (hundreds of ms under TCG, timed when L2 runs again, so after the clear), "
            "and the empty window's subtracts it only on average; spread over the transactions, "
            "its spread moves the column by hundreds of us, below zero at times.  KVM and QEMU "
            "carry no such span.", ""]
    out += ["## Ping, by reason: per echo", ""]
    for d, cs in ping.items():
        out += [f"### {LABEL[d]}", ""]
        out += table(["exit reason", "where", "exits / echo", "us / echo", "us / exit"],
                     reason_rows(cs))
        out.append("")
    buckets = sorted({k for _, _, h in rounds for d in ping
                      for ev in ("kvm_lat", "qemu_lat") for k in log2_shares(h, d, "ping", ev)})
    if buckets:
        out += ["## Ping: span lengths, log2 buckets (% of the spans, median over the rounds)", "",
                "Bucket 2^k holds spans of 2^k to 2^(k+1) ns; \"KVM\" is kvm_exit -> kvm_entry of "
                "the exits KVM handled (HLT left out), \"QEMU\" kvm_userspace_exit -> KVM_RUN.", ""]
        rows = []
        for d in ping:
            for ev, name in (("kvm_lat", "KVM"), ("qemu_lat", "QEMU")):
                sh = [log2_shares(h, d, "ping", ev) for _, _, h in rounds]
                sh = [s for s in sh if s]
                rows.append([LABEL[d], name] + [fmt(statistics.median([s.get(k, 0) for s in sh]), 1)
                                                 if sh else "-" for k in buckets])
        out += table(["L2 NIC driver", "span"] + [_bucket(k) for k in buckets], rows)
        out.append("")
    def held(per, test):
        return "; ".join(f"{LABEL[d]} {sum(test(c) for c in cs)} of {len(cs)} rounds"
                         for d, cs in per.items())
    out += ["## Checks", "",
            "KVM + QEMU per echo at most the RTT (ping): "
            + held(ping, lambda c: c["kvm"] + c["qemu"] <= c["rtt"]) + ".",
            "KVM + QEMU per transaction at most the round trip (nb_rr): "
            + held(rr, lambda c: c["rest"] >= 0) + ".",
            "Exits timed (kvm_lat and kvm_ulat spans) over exits counted (L1's debugfs total), ping "
            "window, median [min-max]: " + "; ".join(
                f"{LABEL[d]} {spread([c['exits'] / c['counted'] for c in cs], 3)}"
                for d, cs in ping.items() if all(c["counted"] > 0 for c in cs)) + ".", "",
            "Caveats: the histograms run in L1's exit path, which L0 emulates under TCG, so they "
            "lengthen every span they time (see the uninstrumented RTT above); all of the rig's time is TCG time (bench/nested/README.md, "
            "\"Caveats\"), so only the split, not the microseconds, compares with the paper's hardware."]
    return out


def uninstrumented(paths):
    """A line with the ping RTT of nested-e1000.md's run (no histograms) in
    the same results directory, when there is one."""
    run = nested_run(os.path.dirname(os.path.dirname(paths[0])), "nested-net-raw.txt")
    if not run:
        return []
    got = [f"{LABEL[d]} {fmt(units(run, d, 'ping')[1], 0)}" for d in DRIVERS if d in net.drivers(run)]
    return ["", "Without the histograms (nested-e1000.md's run, one round, "
            f"{run.r('net.pings')} pings) the RTT in us was: " + ", ".join(got) + "."]


def _bucket(k):
    """A log2 bucket's heading."""
    ns = 1 << k
    return f"{ns // 1000} us" if ns >= 1000 else f"{ns} ns"


def fig3(paths):
    """(rounds, {driver: cells list}) of the ping windows, for REPRODUCTION.md."""
    rounds = collect(paths)
    return len(rounds), per_driver(rounds, "ping")
