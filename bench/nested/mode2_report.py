#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Issue 15's disk table from bench/nested/mode2.sh's runs.

Usage: mode2_report.py RESULTS... > nested-mode2.md

Every RESULTS file (a run's results.txt) is one L1 boot; its ata table
comes from bench/nested/report.sh (the same per-window arithmetic as
nested-ata.md).  Rows are keyed by configuration and driver; each cell is
the median over the rounds with [min-max].  Nothing here is typed in: the
targets are the issue's, the verdicts come from the medians.
"""
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = [  # (config, driver label in report.sh's table, row name, driver)
    ("m1", "ata_piix", "ata_piix", "ata_piix"),
    ("cp", "ata_piix", "ata_piix + coalesced PIO", "ata_piix"),
    ("m1", "pata_pvio (hypercall)", "pata_pvio mode 1", "pata_pvio"),
    ("m2", "pata_pvio (hypercall)", "pata_pvio mode 2", "pata_pvio"),
    ("m0", "pata_pvio (hypercall)", "pata_pvio mode 2, settle off", "pata_pvio"),
    ("m1", "virtio-blk", "virtio-blk", "virtio_blk"),
]
COLS = [  # (column index in report.sh's row, heading)
    (3, "total exits / cmd"),
    (6, "exits to userspace / cmd"),
    (7, "hypercalls / cmd"),
    (9, "MB/s (L2 clock)"),
    ("cpu", "L1 CPU us / cmd"),
    ("p50", "QD1 latency p50 us"),
    ("p99", "QD1 latency p99 us"),
]
TARGET_USER = 1.1
TARGET_TOTAL = 2.0


def res_of(path, key):
    val = ""
    with open(path) as f:
        for line in f:
            p = line.split(None, 2)
            if len(p) >= 2 and p[0] == "RES" and p[1] == key:
                val = p[2].strip() if len(p) > 2 else ""
    return val


def snap_of(path, name, key):
    """KEY's value in the SNAP line NAME, or None"""
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) > 2 and p[0] == "SNAP" and p[1] == name:
                for kv in p[2:]:
                    k, _, v = kv.partition("=")
                    if k == key:
                        return int(v)
    return None


def extra_cells(path, drv, d, cmds):
    """L1 CPU time per command of the dd window; nb_lat's percentiles"""
    out = {}
    a = snap_of(path, f"{drv}.{d}.0", "l2cpu_ns")
    b = snap_of(path, f"{drv}.{d}.1", "l2cpu_ns")
    if a is not None and b is not None and cmds:
        out["cpu"] = (b - a) / 1000.0 / cmds
    lat = dict(kv.partition("=")[::2] for kv in res_of(path, f"{drv}.lat.{d}").split())
    for k in ("p50", "p99"):
        try:
            out[k] = float(lat[k + "_us"])
        except (KeyError, ValueError):
            pass
    return out


def ata_rows(path):
    out = subprocess.run([os.path.join(HERE, "report.sh"), path, "ata"],
                         capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 11 and cells[1] in ("write", "read"):
            rows[(cells[0], cells[1])] = cells
    return rows


def fmt(vals, exact_ok=True):
    if not vals:
        return "-"
    med = statistics.median(vals)
    lo, hi = min(vals), max(vals)
    if lo == hi:
        return f"{med:.2f} (all {len(vals)} equal)" if exact_ok else f"{med:.3f}"
    return f"{med:.2f} [{lo:.2f}-{hi:.2f}]"


def main(files):
    data = {}      # (row name, direction, col) -> [values]
    irqless = {}   # config -> [(done, missed)] of pata_pvio, per run
    meta = {}
    rounds = set()
    for res in files:
        cfg_line = res_of(res, "bench_config").split()
        if not cfg_line or not res_of(res, "l2_done"):
            continue
        cfg = cfg_line[0]
        rounds.add(cfg_line[1])
        meta.setdefault("date", res_of(res, "l0_date"))
        meta["l1_kernel"] = res_of(res, "l1_kernel")
        meta["l0"] = res_of(res, "l0_host")
        meta["cmds"] = res_of(res, "cmds")
        meta["qemu"] = cfg_line[2] if len(cfg_line) > 2 else ""
        meta["l2_qemu"] = res_of(res, "l2_vmm_version") or "the patched QEMU"
        meta["lat_ops"] = re.sub(r"^n=(\d+).*", r"\1", res_of(res, "pata_pvio.lat.write")) or "-"
        table = ata_rows(res)
        irq = re.search(r"done=(\d+) missed=(\d+)", res_of(res, "pata_pvio.irqless"))
        if irq:
            irqless.setdefault(cfg, []).append((int(irq.group(1)), int(irq.group(2))))
        for c, label, name, drv in ROWS:
            if c != cfg:
                continue
            for d in ("write", "read"):
                cells = table.get((label, d))
                if not cells:
                    continue
                extra = extra_cells(res, drv, d, int(meta["cmds"] or 0))
                for idx, _ in COLS:
                    try:
                        v = extra[idx] if isinstance(idx, str) else float(cells[idx])
                    except (KeyError, ValueError):
                        continue
                    data.setdefault((name, d, idx), []).append(v)
    if not data:
        sys.exit("mode2_report: no complete runs among the files given")

    print("# Nested rig: mode 2 (the batch reaches QEMU whole) against ata_piix, coalesced PIO and virtio-blk")
    print()
    print(f"{meta['date']}, `make bench BENCH=mode2` (bench/nested/mode2.sh), {len(rounds)} rounds;")
    print(f"each round boots L1 four times (configurations m1, m2, m0, cp; the first one rotates,")
    print(f"and m1's driver order rotates).  L1 kernel {meta['l1_kernel']} with the patched KVM under TCG on L0")
    print(f"({meta['l0']}); L2 on {meta['l2_qemu']} ({meta['qemu']}; make qemu).")
    print(f"Workload per driver: busybox `dd bs=4k count={meta['cmds']}` with oflag=direct (write) and")
    print("iflag=direct (read), each between two marks, the empty window subtracted (bench/nested/report.sh).")
    print("L1 CPU us / cmd: the CPU time of L2's QEMU in L1 (all its threads; KVM runs in the vCPU")
    print("threads) over the dd window, divided by the commands (nothing subtracted); \"-\" for runs")
    print("from before the rig recorded it.")
    print(f"QD1 latency: after each dd pair, outside the counted windows, {meta['lat_ops']} random 4 KiB")
    print("O_DIRECT writes, then reads, in the first 8 MiB, each timed on L2's clock (bench/nested/nb_lat.c;")
    print("nearest-rank percentiles of the run, then the median of those over the rounds).")
    print("Cells: median over the rounds [min-max]; a count equal in every round says so.")
    print()
    print("| row | direction | " + " | ".join(h for _, h in COLS) + " |")
    print("|---|---|" + "---|" * len(COLS))
    for _, _, name, _ in ROWS:
        for d in ("write", "read"):
            cells = [fmt(data.get((name, d, idx), []), idx in (3, 6, 7)) for idx, _ in COLS]
            if all(c == "-" for c in cells):
                continue
            print(f"| {name} | {d} | " + " | ".join(cells) + " |")
    print()
    names = {c: n for c, label, n, _ in ROWS if label.startswith("pata_pvio")}
    for cfg, runs_ in sorted(irqless.items()):
        print(f"- {names.get(cfg, cfg)}: commands completed in their issue flush without an "
              f"interrupt / missed (both directions, per run): "
              + ", ".join(f"{d}/{m}" for d, m in runs_))
    print()
    print("Targets (issue 15), from the medians:")
    for d in ("write", "read"):
        u = data.get(("pata_pvio mode 2", d, 6), [])
        t = data.get(("pata_pvio mode 2", d, 3), [])
        mb2 = data.get(("pata_pvio mode 2", d, 9), [])
        mbv = data.get(("virtio-blk", d, 9), [])
        if not u:
            print(f"- {d}: no mode 2 rows")
            continue
        mu, mt = statistics.median(u), statistics.median(t)
        print(f"- {d}: exits to userspace per command {mu:.2f} (target <= {TARGET_USER}): "
              f"{'met' if mu <= TARGET_USER else 'MISSED'}; total exits per command {mt:.2f} "
              f"(target <= {TARGET_TOTAL}): {'met' if mt <= TARGET_TOTAL else 'MISSED'}")
        if mb2 and mbv:
            a, b = statistics.median(mb2), statistics.median(mbv)
            print(f"- {d}: MB/s {a:.3f} against virtio-blk's {b:.3f} (target: at least equal): "
                  f"{'met' if a >= b else 'MISSED'}; L1 runs under TCG, so seconds spread widely "
                  f"(see [min-max]); exit counts are the headline")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
