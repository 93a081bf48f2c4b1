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
TARGET_USER = 1.1
TARGET_TOTAL = 2.0


def extra_cells(run, drv, d, cmds):
    """L1 CPU time per command of the dd window; nb_lat's percentiles."""
    out = {}
    a = run.snap.get(f"{drv}.{d}.0", {}).get("l2cpu_ns")
    b = run.snap.get(f"{drv}.{d}.1", {}).get("l2cpu_ns")
    if a is not None and b is not None and cmds:
        out["cpu"] = (b - a) / 1000.0 / cmds
    lat = dict(kv.partition("=")[::2] for kv in run.r(f"{drv}.lat.{d}").split())
    for k in ("p50", "p99"):
        try:
            out[k] = float(lat[k + "_us"])
        except (KeyError, ValueError):
            pass
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
    """(data {(row, direction, col): [values]}, irqless {config: [(done,
    missed)]}, meta, rounds) over the complete runs among paths."""
    data, irqless, meta, rounds = {}, {}, {}, set()
    for path in paths:
        run = Run(path)
        cfg_line = run.r("bench_config").split()
        if not cfg_line or not run.r("l2_done"):
            continue
        cfg = cfg_line[0]
        rounds.add(cfg_line[1])
        meta.setdefault("date", run.r("l0_date"))
        meta.update(l1_kernel=run.r("l1_kernel"), l0=run.r("l0_host"), cmds=run.r("cmds"),
                    qemu=cfg_line[2] if len(cfg_line) > 2 else "",
                    l2_qemu=run.r("l2_vmm_version") or "the patched QEMU",
                    lat_ops=re.sub(r"^n=(\d+).*", r"\1", run.r("pata_pvio.lat.write")) or "-")
        cells = ata_cells(run)
        irq = re.search(r"done=(\d+) missed=(\d+)", run.r("pata_pvio.irqless"))
        if irq:
            irqless.setdefault(cfg, []).append((int(irq.group(1)), int(irq.group(2))))
        for c, label, name, drv in ROWS:
            for d in ("write", "read") if c == cfg else ():
                row = cells.get((label, d))
                if row:
                    _add(data, name, d, row, extra_cells(run, drv, d, int(meta["cmds"] or 0)))
    return data, irqless, meta, rounds


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


def mode2_md(paths):
    """nested-mode2.md, or None when no run among paths completed."""
    data, irqless, meta, rounds = collect(paths)
    if not data:
        return None
    out = [
        "# Nested rig: mode 2 (the batch reaches QEMU whole) against ata_piix, coalesced PIO and virtio-blk", "",
        f"{meta['date']}, `make bench BENCH=mode2` (bench/nested/mode2.sh), {len(rounds)} rounds;",
        "each round boots L1 four times (configurations m1, m2, m0, cp; the first one rotates,",
        f"and m1's driver order rotates).  L1 kernel {meta['l1_kernel']} with the patched KVM under TCG on L0",
        f"({meta['l0']}); L2 on {meta['l2_qemu']} ({meta['qemu']}; make qemu).",
        f"Workload per driver: busybox `dd bs=4k count={meta['cmds']}` with oflag=direct (write) and",
        "iflag=direct (read), each between two marks, the empty window subtracted (bench/reporter/nested.py).",
        "L1 CPU us / cmd: the CPU time of L2's QEMU in L1 (all its threads; KVM runs in the vCPU",
        "threads) over the dd window, divided by the commands (nothing subtracted); \"-\" for runs",
        "from before the rig recorded it.",
        f"QD1 latency: after each dd pair, outside the counted windows, {meta['lat_ops']} random 4 KiB",
        "O_DIRECT writes, then reads, in the first 8 MiB, each timed on L2's clock (bench/nested/nb_lat.c;",
        "nearest-rank percentiles of the run, then the median of those over the rounds).",
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
    return out + [""] + _targets(data)
