# SPDX-License-Identifier: GPL-2.0
"""bench.png: one panel per measurement, drawn from the raw records through
the same reporter functions as the tables (never from the Markdown), with
the paper's number or the issue's target as a dashed line where there is
one.  Panels whose records are absent are left out."""
import glob
import os
import statistics

from . import mode2, napi, native, net, reproduction, sched
from .nested import ata_cells
from .records import nested_run, num


def _bars(ax, labels, series, ylabel, title):
    """Grouped bars: series is [(name, [value per label])]."""
    w = 0.8 / len(series)
    for i, (name, vals) in enumerate(series):
        ax.bar([j + i * w for j in range(len(labels))], vals, w, label=name)
    ax.set_xticks([j + 0.4 - w / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=7)


def _line(ax, y, text):
    ax.axhline(y, color="grey", linestyle="--", linewidth=1)
    ax.text(ax.get_xlim()[1], y, text, color="grey", ha="right", va="bottom", fontsize=7)


def disk(res):
    run = nested_run(res, "nested-raw.txt")
    cells = ata_cells(run) if run else {}
    rows = [r for (lab, d), r in cells.items() if d == "write"]
    if not rows:
        return None

    def draw(ax):
        _bars(ax, [r[0].replace(" (hypercall)", "") for r in rows],
              [(h, [num(r[i]) for r in rows]) for h, i in
               (("total exits", 3), ("device exits", 4), ("exits to userspace", 6))],
              "per 4 KiB direct write", "Disk, stock QEMU (nested-ata.md)")
    return draw


def disk_mode2(res):
    paths = sorted(glob.glob(os.path.join(res, "nested-mode2-raw", "*.txt")))
    data = mode2.collect(paths)[0] if paths else {}
    names = [n for _, _, n, _ in mode2.ROWS if data.get((n, "write", 6))]
    if not names:
        return None

    def draw(ax):
        for i, (h, col) in enumerate((("total exits", 3), ("exits to userspace", 6))):
            vals = [data.get((n, "write", col), [0]) for n in names]
            med = [statistics.median(v) for v in vals]
            err = [[m - min(v) for m, v in zip(med, vals)], [max(v) - m for m, v in zip(med, vals)]]
            ax.bar([j + i * 0.4 for j in range(len(names))], med, 0.4, yerr=err, label=h)
        ax.set_xticks([j + 0.2 for j in range(len(names))])
        ax.set_xticklabels([n.replace(" + ", "\n+ ").replace(" mode", "\nmode") for n in names], fontsize=7)
        ax.set_ylabel("per 4 KiB direct write, median [min-max]")
        ax.set_title("Disk, patched QEMU (nested-mode2.md)", fontsize=10)
        ax.legend(fontsize=7)
    return draw


def nic(res):
    run = nested_run(res, "nested-net-raw.txt")
    ds = net.drivers(run) if run else []
    if not ds:
        return None

    def draw(ax):
        _bars(ax, [net.label(run, d).replace(" (", "\n(") for d in ds],
              [(h, [net.per_ping(run, d, k) for d in ds]) for h, k in
               (("total exits", "exits"), ("exits to userspace", "uexit"),
                ("hypercalls", "hypercalls"))],
              "per ping echo", "NIC (nested-e1000.md)")
        if "e1000" in ds:
            _line(ax, net.per_ping(run, "e1000", "exits") * net.TARGET_PING, "target: half of e1000")
    return draw


def elevator(res):
    got = []
    for clock, name in (("instruction clock", "sched-raw-icount.txt"), ("wall clock", "sched-raw.txt")):
        path = os.path.join(res, name)
        data = sched.rounds(path) if os.path.exists(path) else {}
        pb, mq = data.get("pvio-bypass"), data.get("mq-deadline")
        if pb and mq:
            got.append((clock, [pb[r] / mq[r] for r in pb if mq.get(r)]))
    if not got:
        return None

    def draw(ax):
        ax.boxplot([v for _, v in got], labels=[c for c, _ in got])
        ax.set_ylabel("pvio-bypass / mq-deadline IOPS, per round")
        ax.set_title("Elevator bypass, null_blk QD1 reads (sched.md)", fontsize=10)
        _line(ax, 1 + reproduction.PAPER_ELEVATOR_READ / 100,
              f"paper: +{reproduction.PAPER_ELEVATOR_READ}% read")
    return draw


def fig9(res):
    paths = sorted(glob.glob(os.path.join(res, "napi-raw", "*.txt")))
    rounds = napi.collect(paths)[0] if paths else []
    rs = [(h, [r for _, r in napi.ratios(rounds, k)]) for k, h in reproduction.NAPI_STREAMS]
    rs = [(h, v) for h, v in rs if v]
    if not rs:
        return None

    def draw(ax):
        ax.boxplot([v for _, v in rs], labels=[h for h, _ in rs])
        ax.set_ylabel(f"napi=0 / napi=1 throughput, per round ({len(rounds)} rounds)")
        ax.set_title("Fig. 9: NAPI removed (nested-napi.md)", fontsize=10)
        _line(ax, 1, "no change")
        _line(ax, 1 + reproduction.PAPER_NAPI / 100, f"paper: > +{reproduction.PAPER_NAPI:g}%")
    return draw


def native_cost(res):
    path = os.path.join(res, "native-raw.txt")
    rows = native.parse(path)[0] if os.path.exists(path) else []
    if not rows:
        return None

    def draw(ax):
        ax.bar([str(r[0]) for r in rows], [r[3] / 1000 for r in rows])
        ax.set_ylim(0.9, max(1.1, max(r[3] for r in rows) / 1000 + 0.02))
        ax.set_xlabel("round (module load)")
        ax.set_ylabel("pvio native / direct outb, time of 8 OUTs")
        ax.set_title("Native transport cost (native-overhead.md)", fontsize=10)
        _line(ax, native.GOAL, f"goal <= {native.GOAL}")
    return draw


PANELS = (disk, disk_mode2, nic, elevator, fig9, native_cost)


def draw(res):
    """Write RES/bench.png; its path, or None without matplotlib or data."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    panels = [p for p in (f(res) for f in PANELS) if p]
    if not panels:
        return None
    cols = min(3, len(panels))
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 4.6 * rows), squeeze=False)
    flat = [a for row in axes for a in row]
    for ax, panel in zip(flat, panels):
        panel(ax)
    for ax in flat[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    out = os.path.join(res, "bench.png")
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
