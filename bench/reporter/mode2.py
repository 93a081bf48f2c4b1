# SPDX-License-Identifier: GPL-2.0
"""nested-mode2.md (issue 15's disk table) from bench/nested/mode2.sh's
runs, bench/results/nested-mode2-raw/*.txt.

Every file is one L1 boot; its per-command cells are nested.ata_cells (the
same per-window arithmetic and rounding as nested-ata.md).  Rows are keyed
by configuration and driver; each cell is the median over the rounds with
[min-max].  The targets are the issue's, the verdicts come from the medians.
"""
import re
import statistics

from . import net
from .nested import ata_cells
from .records import Run

ROWS = [  # (config, driver label in the ata table, row name, driver)
    ("m1", "ata_piix", "ata_piix", "ata_piix"),
    ("cp", "ata_piix", "ata_piix + coalesced PIO", "ata_piix"),
    ("m1", "pata_pvio (hypercall)", "pata_pvio mode 1", "pata_pvio"),
    ("m2", "pata_pvio (hypercall)", "pata_pvio mode 2", "pata_pvio"),
    ("m0", "pata_pvio (hypercall)", "pata_pvio mode 2, settle off", "pata_pvio"),
    ("m1", "virtio-blk", "virtio-blk", "virtio_blk"),
]
COLS = [  # (column index in the ata table's row, heading)
    (3, "total exits / cmd"),
    (6, "exits to userspace / cmd"),
    (7, "hypercalls / cmd"),
    (9, "MB/s (L2 clock)"),
    ("cpu", "L1 CPU us / cmd"),
    ("p50", "QD1 latency p50 us"),
    ("p99", "QD1 latency p99 us"),
]
COUNTS = (3, 6, 7)      # columns that are counts: "all N equal" is news there
NET_ROWS = [  # (config, driver in the net part, row name)
    ("n1", "e1000", "e1000"),
    ("n1", "e1000_pvio1", "e1000_pvio mode 1"),
    ("n2", "e1000_pvio1", "e1000_pvio mode 2"),
    ("n1", "virtio_net", "virtio-net"),
]
NET_COLS = [  # (key, heading, is a count)
    ("echo_exits", "total exits / echo", True),
    ("echo_uexit", "exits to userspace / echo", True),
    ("echo_hc", "hypercalls / echo", True),
    ("echo_cpu", "L1 CPU us / echo", False),
    ("rtt", "ping RTT ms", False),
    ("bulk_exits", "total exits / MiB bulk", True),
    ("bulk_uexit", "exits to userspace / MiB bulk", True),
    ("bulk_cpu", "L1 CPU ms / MiB bulk", False),
    ("tcp_tx", "TCP L2->L1 Mbit/s", False),
    ("tcp_rx", "TCP L1->L2 Mbit/s", False),
    ("rr", "TCP RR trans/s", False),
]
TARGET_USER = 1.1
TARGET_TOTAL = 2.0


def extra_cells(run, drv, d, cmds):
    """L1 CPU time per command of the dd window; nb_lat's percentiles."""
    out = {}
    cpu = run.cpu_us(f"{drv}.{d}")
    if cpu is not None and cmds:
        out["cpu"] = cpu / cmds
    lat = dict(kv.partition("=")[::2] for kv in run.r(f"{drv}.lat.{d}").split())
    for k in ("p50", "p99"):
        try:
            out[k] = float(lat[k + "_us"])
        except (KeyError, ValueError):
            pass
    return out


def net_cells(run, d):
    """One driver's net figures of one run: per echo of the ping window,
    per MiB of the bulk download, and the stream rates."""
    out = {}
    p = net.pings(run, d)
    if p > 0:
        w = f"net.{d}.ping"
        out.update(echo_exits=run.net(w, "exits") / p, echo_uexit=run.net(w, "uexit") / p,
                   echo_hc=run.net(w, "hypercalls") / p)
        cpu = run.cpu_us(w)
        if cpu is not None:
            out["echo_cpu"] = cpu / p
        m = re.search(r"= [0-9.]+/([0-9.]+)/", run.r(w + ".out"))
        if m:
            out["rtt"] = float(m.group(1))
    mib = net.bulk_mib(run, d)
    if mib > 0:
        w = f"net.{d}.bulk"
        out.update(bulk_exits=run.net(w, "exits") / mib, bulk_uexit=run.net(w, "uexit") / mib)
        cpu = run.cpu_us(w)
        if cpu is not None:
            out["bulk_cpu"] = cpu / 1000.0 / mib
    for t in ("tcp_tx", "tcp_rx", "rr"):
        v = net.rate(run, f"net.{d}.{t}", t)
        if v > 0:
            out[t] = v
    return out


def fmt(vals, count=True):
    """Median [min-max] over the rounds; a count equal in every round says so."""
    if not vals:
        return "-"
    med = statistics.median(vals)
    lo, hi = min(vals), max(vals)
    if lo == hi:
        return f"{med:.2f} (all {len(vals)} equal)" if count else f"{med:.3f}"
    return f"{med:.2f} [{lo:.2f}-{hi:.2f}]"


def collect(paths):
    """(data {(row, direction, col): [values]}, netdata {(row, key):
    [values]}, irqless {config: [(done, missed)]}, meta, rounds) over the
    complete runs among paths."""
    data, irqless, meta, rounds = {}, {}, {}, set()
    netdata = {}   # (row name, key) -> [values]
    for path in paths:
        run = Run(path)
        cfg_line = run.r("bench_config").split()
        if not cfg_line or not run.r("l2_done"):
            continue
        cfg = cfg_line[0]
        rounds.add(cfg_line[1])
        meta.setdefault("cfgs", set()).add(cfg)
        meta.setdefault("dates", {}).setdefault(cfg, []).append(run.r("l0_date"))
        meta.setdefault("date", run.r("l0_date"))
        meta.update(l1_kernel=run.r("l1_kernel"), l0=run.r("l0_host"), cmds=run.r("cmds"),
                    qemu=cfg_line[2] if len(cfg_line) > 2 else "",
                    l2_qemu=run.r("l2_vmm_version") or "the patched QEMU")
        for c, drv, name in NET_ROWS:
            for k, v in (net_cells(run, drv).items() if c == cfg else ()):
                netdata.setdefault((name, k), []).append(v)
                meta.setdefault("net_sizes", f"{run.r('net.pings')} pings, "
                                f"{run.r('net.tcp_mb')} MiB per iperf3 TCP direction")
        lat = re.match(r"n=(\d+)", run.r("pata_pvio.lat.write"))
        if lat:
            meta["lat_ops"] = lat.group(1)
        cells = ata_cells(run)
        irq = re.search(r"done=(\d+) missed=(\d+)", run.r("pata_pvio.irqless"))
        if irq:
            irqless.setdefault(cfg, []).append((int(irq.group(1)), int(irq.group(2))))
        for c, label, name, drv in ROWS:
            for d in ("write", "read") if c == cfg else ():
                row = cells.get((label, d))
                if row:
                    _add(data, name, d, row, extra_cells(run, drv, d, int(meta["cmds"] or 0)))
    return data, netdata, irqless, meta, rounds


def _add(data, name, d, row, extra):
    """One run's cells of one row into the per-cell lists."""
    for idx, _ in COLS:
        try:
            v = extra[idx] if isinstance(idx, str) else float(row[idx])
        except (KeyError, ValueError):
            continue
        data.setdefault((name, d, idx), []).append(v)


def _targets(data):
    """Issue 15's verdicts from the medians (never from a single round)."""
    out = ["Targets (issue 15), from the medians:"]
    for d in ("write", "read"):
        u = data.get(("pata_pvio mode 2", d, 6), [])
        t = data.get(("pata_pvio mode 2", d, 3), [])
        mb2 = data.get(("pata_pvio mode 2", d, 9), [])
        mbv = data.get(("virtio-blk", d, 9), [])
        if not u:
            out.append(f"- {d}: no mode 2 rows")
            continue
        mu, mt = statistics.median(u), statistics.median(t)
        out.append(f"- {d}: exits to userspace per command {mu:.2f} (target <= {TARGET_USER}): "
                   f"{'met' if mu <= TARGET_USER else 'MISSED'}; total exits per command {mt:.2f} "
                   f"(target <= {TARGET_TOTAL}): {'met' if mt <= TARGET_TOTAL else 'MISSED'}")
        if mb2 and mbv:
            a, b = statistics.median(mb2), statistics.median(mbv)
            out.append(f"- {d}: MB/s {a:.3f} against virtio-blk's {b:.3f} (target: at least equal): "
                       f"{'met' if a >= b else 'MISSED'}; L1 runs under TCG, so seconds spread widely "
                       f"(see [min-max]); exit counts are the headline")
    return out


def _net_lines(netdata, meta):
    """The NIC table: e1000, e1000_pvio in mode 1 and 2, virtio-net."""
    if not netdata:
        return []
    out = ["", "## NIC: e1000 vs e1000_pvio mode 1 and mode 2 vs virtio-net", "",
           "Configurations n1 (pvio-batch=off: e1000, e1000_pvio napi=1, virtio-net, order rotated)",
           f"and n2 (pvio-batch=on: e1000_pvio napi=1), the net part of bench/nested/run.sh "
           f"({meta.get('net_sizes', '')}); per",
           "echo of `ping -c N -i 0.01 10.0.2.2` and per MiB of an HTTP download from L1, empty window",
           "subtracted (as nested-e1000.md); L1 CPU as above; rates on L2's clock.", "",
           "| row | " + " | ".join(h for _, h, _ in NET_COLS) + " |",
           "|---|" + "---|" * len(NET_COLS)]
    for _, _, name in NET_ROWS:
        cells = [fmt(netdata.get((name, k), []), c) for k, _, c in NET_COLS]
        if any(c != "-" for c in cells):
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def mode2_md(paths):
    """nested-mode2.md, or None when no run among paths completed."""
    data, netdata, irqless, meta, rounds = collect(paths)
    if not data and not netdata:
        return None
    out = [
        "# Nested rig: mode 2 (the batch reaches QEMU whole) against ata_piix, coalesced PIO and virtio-blk", "",
        f"{meta['date']}, `make bench BENCH=mode2` (bench/nested/mode2.sh), {len(rounds)} rounds;",
        f"each round boots L1 once per configuration ({', '.join(sorted(meta.get('cfgs', [])))}; the first one rotates,",
        f"and m1's and n1's driver orders rotate).  L1 kernel {meta['l1_kernel']} with the patched KVM under TCG on L0",
        f"({meta['l0']}); L2 on {meta['l2_qemu']} ({meta['qemu']}; make qemu).",
        f"Workload per driver: busybox `dd bs=4k count={meta['cmds']}` with oflag=direct (write) and",
        "iflag=direct (read), each between two marks, the empty window subtracted (bench/reporter/nested.py).",
        "L1 CPU us / cmd: the CPU time of L2's QEMU in L1 (all its threads; KVM runs in the vCPU",
        "threads) over the dd window, divided by the commands (nothing subtracted); \"-\" for runs",
        "from before the rig recorded it.",
        f"QD1 latency: after each dd pair, outside the counted windows, {meta.get('lat_ops', '-')} random 4 KiB",
        "O_DIRECT writes, then reads, in the first 8 MiB, each timed on L2's clock (bench/nested/nb_lat.c;",
        "nearest-rank percentiles of the run, then the median of those over the rounds).",
        "When each configuration's boots ran (the date bench/nested/run.sh recorded after each): "
        + "; ".join(f"{c} {min(d)} to {max(d)}" for c, d in sorted(meta.get("dates", {}).items())) + ".",
        "Cells: median over the rounds [min-max]; a count equal in every round says so.", "",
        "| row | direction | " + " | ".join(h for _, h in COLS) + " |",
        "|---|---|" + "---|" * len(COLS)]
    for _, _, name, _ in ROWS:
        for d in ("write", "read"):
            cells = [fmt(data.get((name, d, idx), []), idx in COUNTS) for idx, _ in COLS]
            if any(c != "-" for c in cells):
                out.append(f"| {name} | {d} | " + " | ".join(cells) + " |")
    out.append("")
    names = {c: n for c, label, n, _ in ROWS if label.startswith("pata_pvio")}
    for cfg, runs in sorted(irqless.items()):
        out.append(f"- {names.get(cfg, cfg)}: commands completed in their issue flush without an "
                   "interrupt / missed (both directions, per run): "
                   + ", ".join(f"{d}/{m}" for d, m in runs))
    return out + [""] + _targets(data) + _net_lines(netdata, meta)
