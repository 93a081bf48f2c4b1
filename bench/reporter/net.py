# SPDX-License-Identifier: GPL-2.0
"""nested-e1000.md from nested-net-raw.txt (the net part of
bench/nested/run.sh): ping, streams, background, exit breakdown and the
issue-5 verdicts, one row or column per driver with a ping window.

"device exits" are the IOIO, VMMCALL and NPF exits of a window (kvm_exit
histogram in L1), as in nested-ata.md.  The raw total is the headline."""
import re

from .nested import DEVICE_NOTE, per
from .records import MSR_NAMES, SVM_NAMES, fmt, gnum, num, table

DRIVERS = ("e1000", "e1000_pvio1", "e1000_pvio0", "virtio_net")
WORKLOADS = ("bulk", "tcp_tx", "tcp_rx", "udp", "rr")
TARGET_PING = 0.5      # issue 5: e1000_pvio at most half e1000's exits per echo
NOISE = 0.95           # throughput below 0.95 x e1000 counts as worse (rig noise)


def label(run, d):
    """A driver's row label (e1000_pvio names napi and its transport)."""
    if d.startswith("e1000_pvio"):
        return f"e1000_pvio napi={d[-1]} ({run.r('net.' + d + '.transport')})"
    return "virtio-net" if d == "virtio_net" else d


def pings(run, d):
    """Echoes received in driver d's ping window."""
    m = re.search(r"[0-9]+ packets received", run.r(f"net.{d}.ping.out"))
    return num(m.group(0)) if m else 0


def per_ping(run, d, k):
    """Counter k per echo received: the ping table's unit."""
    return run.net(f"net.{d}.ping", k) / pings(run, d)


def bulk_mib(run, d):
    """MiB the bulk download moved (0 without one): the bulk columns' unit."""
    return run.rnum(f"net.{d}.bulk.bytes") / 1048576


def drivers(run):
    """The drivers with a ping window that received echoes."""
    return [d for d in DRIVERS if run.have(f"net.{d}.ping") and pings(run, d) > 0]


def iperf(run, w, what):
    """From the iperf3 receiver line: Mbit/s ("mbit") or datagrams (UDP)."""
    a = run.r(w + ".iperf").split()
    if "sec" not in a:
        return 0
    if what == "mbit":
        i = a.index("sec")
        unit = a[i + 4] if i + 4 < len(a) else ""
        return num(a[i + 3]) * (1e-3 if unit.startswith("K") else 1e3 if unit.startswith("G") else 1)
    for x in a:
        if re.fullmatch(r"[0-9]+/[0-9]+", x):
            return num(x.split("/")[1])
    return 0


def ping_table(run):
    """Exits per echo and per NIC interrupt, per driver."""
    rows = []
    for d in drivers(run):
        w = f"net.{d}.ping"
        p, s, irq = pings(run, d), run.r(w + ".seconds"), run.rnum(w + ".irqs")
        rtt = re.sub(r"/.*", "", re.sub(r".*= [0-9.]+/", "", run.r(w + ".out"), count=1), count=1)
        rows.append([label(run, d), "%d" % p, "**%s**" % fmt(per_ping(run, d, "exits"), 2),
                     per(run.device(w), p, 2)]
                    + [fmt(per_ping(run, d, k), 2) for k in ("uexit_mmio", "uexit", "hypercalls")]
                    + [fmt(irq / p, 2), fmt(run.net(w, "exits") / irq, 2) if irq > 0 else "-", rtt, s])
    return table(["L2 NIC driver", "echoes", "**total exits / echo**", "device exits / echo",
                  "MMIO exits to userspace / echo", "exits to userspace / echo", "hypercalls / echo",
                  "NIC interrupts / echo", "exits / NIC interrupt", "avg RTT ms", "window s"], rows)


def workload(run, d, wl, w, s):
    """(amount, text of it, unit, throughput, what) of window w."""
    if wl == "bulk":
        n = bulk_mib(run, d)
        tp = fmt(n * 1048576 * 8 / s / 1e6, 1) + " Mbit/s" if s > 0 else "-"
        return n, fmt(n, 1) + " MiB", "MiB", tp, "HTTP download (wget, L1 httpd)"
    if wl in ("tcp_tx", "tcp_rx"):
        n = run.rnum("net.tcp_mb")
        return (n, gnum(n) + " MiB", "MiB", fmt(iperf(run, w, "mbit"), 1) + " Mbit/s",
                "iperf3 TCP L2->L1" if wl == "tcp_tx" else "iperf3 TCP L1->L2 (-R)")
    if wl == "udp":
        n = iperf(run, w, "pkts")
        return (n, f"{gnum(n)} datagrams ({fmt(n * 1400 / 1048576, 1)} MiB)", "datagram",
                fmt(iperf(run, w, "mbit"), 1) + " Mbit/s",
                "iperf3 UDP L2->L1, 1400 B, -b " + run.r("net.udp_rate"))
    o = run.r(w + ".out")
    m = re.search(r"transactions=([0-9]+)", o)
    n = num(m.group(1)) if m else 0
    m = re.search(r"per_second=([0-9.]+)", o)
    return (n, f"{gnum(n)} transactions", "transaction", m.group(1) + " trans/s" if m else "-",
            "nb_rr TCP 1-byte request/response")


def stream_table(run):
    """Bulk, iperf3 TCP/UDP and nb_rr: exits per unit beside throughput;
    a window with an error or no amount says so instead of dividing."""
    rows = []
    for d in drivers(run):
        for wl in WORKLOADS:
            w = f"net.{d}.{wl}"
            if not run.have(w):
                continue
            s = run.rnum(w + ".seconds")
            if run.r(w + ".error"):
                rows.append(f"| {label(run, d)} | {wl} | error: {run.r(w + '.error')} |||||||")
                continue
            n, amt, unit, tp, what = workload(run, d, wl, w, s)
            if n <= 0:
                rows.append(f"| {label(run, d)} | {what} | no amount |||||||")
                continue
            rows.append([label(run, d), what, amt,
                         "**%s** / %s" % (fmt(run.net(w, "exits") / n, 2), unit),
                         per(run.device(w), n, 2), fmt(run.net(w, "uexit") / n, 2),
                         fmt(run.net(w, "hypercalls") / n, 2), fmt(run.rnum(w + ".irqs") / n, 2),
                         tp, gnum(s)])
    return table(["L2 NIC driver", "workload", "amount", "**total exits / unit**",
                  "device exits / unit", "exits to userspace / unit", "hypercalls / unit",
                  "NIC interrupts / unit", "throughput (L2 clock)", "window s"], rows)


def _counts(run, w):
    """The time-based exits of window w: what a quiet L2 still costs."""
    return "%d MSR, %d INTR, %d HLT." % (run.xget(w, 124), run.xget(w, 96), run.xget(w, 120))


def background_lines(run):
    """The busy (bg) and idle windows: the time-based exit rate."""
    out = []
    if run.bgrate():
        out.append("Busy window (bg, %s s of L1 time, L2 spinning in a shell loop): %d exits = "
                   "%s exits/s; " % (fmt(run.span("bg") - run.span("empty"), 2),
                                     run.net("bg", "exits"), fmt(run.bgrate(), 1)) + _counts(run, "bg"))
    for w, name, what in (("net.spin", "Busy", "spinning in a shell loop"),
                          ("net.idle", "Idle", "in sleep")):
        s = run.rnum(w + ".seconds")
        if s > 0:
            out.append("%s window (%s s, L2 %s): %d exits = %s exits/s; " % (
                name, gnum(s), what, run.net(w, "exits"), fmt(run.net(w, "exits") / s, 1))
                + _counts(run, w))
    return out


def breakdown_lines(run):
    """Exits per echo and per MiB of bulk by SVM exit code, then the MSRs
    behind the MSR exits per echo."""
    cs = drivers(run)
    bs = [d for d in cs if bulk_mib(run, d) > 0]
    rows = []
    for c in run.codes():
        echo = [run.xget(f"net.{d}.ping", c) / pings(run, d) for d in cs]
        bulk = [run.xget(f"net.{d}.bulk", c) / bulk_mib(run, d) for d in bs]
        if any(abs(v) >= 0.01 for v in echo) or any(abs(v) >= 0.05 for v in bulk):
            rows.append([f"{c} {SVM_NAMES[c]}" if c in SVM_NAMES else str(c)]
                        + [fmt(v, 2) for v in echo] + [fmt(v, 1) for v in bulk])
    out = table(["SVM exit code"] + [d + " / echo" for d in cs] + [d + " / MiB bulk" for d in bs], rows)
    out += ["", "MSR exits per echo by MSR (kvm:kvm_msr histogram in L1; w = write, r = read; "
            "rows under 0.05 left out):", ""]
    rows = []
    for m, wr in run.msrs():
        vals = [run.mget(f"net.{d}.ping", (m, wr)) / pings(run, d) for d in cs]
        if any(abs(v) >= 0.05 for v in vals):
            rows.append(["%x%s%s" % (m, "w" if wr else "r", " " + MSR_NAMES[m] if m in MSR_NAMES else "")]
                        + [fmt(v, 2) for v in vals])
    return out + table(["MSR"] + cs, rows)


def rate(run, w, wl):
    """Throughput of window w: Mbit/s, or transactions/s for rr."""
    if wl != "rr":
        return iperf(run, w, "mbit")
    return num(re.sub(r".*per_second=", "", run.r(w + ".out"), count=1))


def regs(run, d):
    """Register-access exits per echo (NPF + VMMCALL)."""
    return (run.xget(f"net.{d}.ping", 1024) + run.xget(f"net.{d}.ping", 129)) / pings(run, d)


def verdict_lines(run):
    """Issue 5's targets for e1000_pvio, against this run's e1000."""
    ok = drivers(run)
    if "e1000" not in ok:
        return ["no e1000 row: no verdict"]
    e = per_ping(run, "e1000", "exits")
    eb = run.net("net.e1000.bulk", "exits") / bulk_mib(run, "e1000")
    out = []
    for d in ("e1000_pvio1", "e1000_pvio0"):
        if d not in ok:
            continue
        p = per_ping(run, d, "exits")
        b = run.net(f"net.{d}.bulk", "exits") / bulk_mib(run, d)
        pairs = [(t, rate(run, f"net.{d}.{t}", t), rate(run, f"net.e1000.{t}", t))
                 for t in ("tcp_tx", "tcp_rx", "udp", "rr")]
        pairs = [(t, c, a) for t, c, a in pairs if a > 0 and c > 0]
        worse = sum(c < NOISE * a for _, c, a in pairs)
        out.append(
            f"- {label(run, d)}: {fmt(p, 2)} exits per echo vs e1000 {fmt(e, 2)} ({fmt(p / e, 2)} x; "
            f"target <= {TARGET_PING} x): **{'met' if p <= e * TARGET_PING else 'MISSED'}**. "
            f"Bulk {fmt(b, 1)} vs {fmt(eb, 1)} exits per MiB (target: no more): "
            f"**{'met' if b <= eb else 'MISSED'}**. Throughput (this/e1000) "
            + ", ".join(f"{t} {fmt(c, 1)}/{fmt(a, 1)}" for t, c, a in pairs)
            + ": " + (f"**worse in {worse}**" if worse else "**equal or better**") + "."
            f" Register-access exits per echo (NPF + VMMCALL): {fmt(regs(run, d), 2)} vs e1000 "
            f"{fmt(regs(run, 'e1000'), 2)}.")
    return out


def e1000_md(run):
    """nested-e1000.md."""
    r = run.r
    return [
        "# Nested rig: e1000 vs e1000_pvio (napi=1, napi=0) vs virtio-net", "",
        f"{r('l0_date')}, `BENCH=net make bench` (= `NB_PARTS=net bench/nested/run.sh`, then",
        "`bench/report.py` for this file; defaults otherwise),",
        f"sizes: {r('net.pings')} pings, {r('net.tcp_mb')} MiB per iperf3 TCP direction, UDP -b {r('net.udp_rate')}.",
        f"Rig: L0 {r('l0_host')}, TCG `-cpu qemu64,+svm,+npt`;",
        f"L1 kernel {r('l1_kernel')} with the patched KVM from {r('kvm_modules')};",
        f"L2 kernel {r('booted')}, the host's QEMU on L1's KVM, 1 vCPU, 256 MiB,",
        f"`{r('l1_net')}`.",
        f"e1000_pvio: {r('e1000_pvio_module')}.",
        "One L2 boot: Debian's e1000, rmmod; e1000_pvio napi=1 (pvio transport=auto), rmmod;",
        "napi=0, rmmod; virtio_net on the second NIC. The peer is L1 itself through slirp (10.0.2.2 =",
        "L1's loopback): busybox httpd, iperf3 -s (L1 chroot into the host's root), nb_rr server.",
        "Counters: L1's KVM debugfs totals (all exits), kvm:kvm_userspace_exit hits (all reasons,",
        "and reason MMIO), hypercalls; NIC interrupts from L2's /proc/interrupts; an empty window",
        "(one mark) is subtracted from each. Raw counters: nested-net-raw.txt.", "",
        "## Ping: `ping -q -c N -i 0.01 10.0.2.2` (busybox), per echo received", ""
    ] + ping_table(run) + ["", "## Bulk, streams and request/response", ""] + stream_table(run) + [
        "", "## Background (time-based exits)", ""] + background_lines(run) + [
        "",
        DEVICE_NOTE, "",
        "## Exits by SVM exit code (kvm:kvm_exit histogram in L1), per echo and per MiB of bulk", ""
    ] + breakdown_lines(run) + ["", "## Issue-5 targets (same run, e1000 as the baseline)", ""] + \
        verdict_lines(run) + [
        "",
        f"Whole L1 run: {r('l0_seconds')} s (L2 boot to power-off {r('l2_seconds')} s);",
        f"L2 dmesg warnings: {r('dmesg_warnings')}. What the numbers say: bench/nested/README.md."]
