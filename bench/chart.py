#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/chart.py RESULTS_DIR: draw bench/results/bench.png from the
Markdown tables make bench wrote (nested-uart.md, nested-ata.md, sched.md,
nested-e1000.md);
panels for missing files are left out."""
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def table(path):
    """Rows of the first Markdown table in path, as lists of cells."""
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path):
        line = line.strip()
        if line.startswith("|---"):
            continue
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
        elif rows:
            break
    return rows[1:]


def num(s):
    try:
        return float(s.rstrip("x"))
    except ValueError:
        return 0.0


res = sys.argv[1]
panels = []
for kind, md in (("uart", "nested-uart.md"), ("ata", "nested-ata.md"),
                 ("net", "nested-e1000.md"), ("sched", "sched.md")):
    rows = table(os.path.join(res, md))
    if rows:
        panels.append((kind, rows))
if not panels:
    sys.exit("chart: no result tables in " + res)

fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.8))
if len(panels) == 1:
    axes = [axes]
for ax, (kind, rows) in zip(axes, panels):
    if kind == "uart":
        labels = [r[0].split(" ")[0] for r in rows]
        series = [("total exits", 2), ("io_exits", 3), ("hypercalls", 4),
                  ("exits to userspace", 5)]
        w = 0.8 / len(series)
        for i, (name, col) in enumerate(series):
            xs = [j + i * w for j in range(len(rows))]
            ax.bar(xs, [num(r[col]) for r in rows], w, label=name)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(rows))])
        ax.set_xticklabels(["%s\n%s us/op" % (l, r[6]) for l, r in zip(labels, rows)])
        ax.set_ylabel("per flush of 8 OUTs")
        ax.set_title("Nested: UART batch of 8 OUTs")
    elif kind == "ata":
        labels = ["%s\n%s" % (r[0].split(" ")[0], r[1]) for r in rows]
        series = [("total exits", 3), ("device exits", 4), ("PIO exits", 5),
                  ("exits to userspace", 6), ("hypercalls", 7)]
        w = 0.8 / len(series)
        for i, (name, col) in enumerate(series):
            xs = [j + i * w for j in range(len(rows))]
            ax.bar(xs, [num(r[col]) for r in rows], w, label=name)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(rows))])
        ax.set_xticklabels(["%s\n%s MB/s" % (l, r[9]) for l, r in zip(labels, rows)],
                           fontsize=8)
        ax.axhline(3, color="grey", linestyle="--", linewidth=1)
        ax.text(len(rows) - 0.5, 3.3, "target 3", color="grey", ha="right", fontsize=8)
        ax.set_ylabel("per 4 KiB direct command")
        ax.set_title("Nested: disk exits per command")
    elif kind == "net":
        labels = [r[0].replace(" (hypercall)", "").replace("e1000_pvio ", "e1000_pvio\n")
                  for r in rows]
        series = [("total exits", 2), ("exits to userspace", 5), ("hypercalls", 6)]
        w = 0.8 / len(series)
        for i, (name, col) in enumerate(series):
            xs = [j + i * w for j in range(len(rows))]
            ax.bar(xs, [num(r[col].strip("*")) for r in rows], w, label=name)
        ax.set_xticks([j + 0.4 - w / 2 for j in range(len(rows))])
        ax.set_xticklabels(labels, fontsize=8)
        e1000 = num(rows[0][2].strip("*"))
        ax.axhline(e1000 / 2, color="grey", linestyle="--", linewidth=1)
        ax.text(len(rows) - 0.5, e1000 / 2 + 0.3, "target: half of e1000",
                color="grey", ha="right", fontsize=8)
        ax.set_ylabel("per ping echo")
        ax.set_title("Nested: NIC exits per ping")
    else:
        ax.bar([r[0] for r in rows], [num(r[2]) for r in rows],
               color=["C0", "C1", "C2", "C3"][:len(rows)])
        for j, r in enumerate(rows):
            ax.text(j, num(r[2]), r[3], ha="center", va="bottom", fontsize=8)
        ax.set_ylabel("IOPS (median), QD1 4 KiB randread")
        ax.set_title("TCG, instruction clock: null_blk by I/O scheduler")
    if kind != "sched":
        ax.legend(fontsize=8)
fig.tight_layout()
out = os.path.join(res, "bench.png")
fig.savefig(out, dpi=100)
print("chart: " + out)
