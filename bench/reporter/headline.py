# SPDX-License-Identifier: GPL-2.0
"""The headline table of the project README, from the raw records in one
results directory: each cell is the figure its results file prints (same
arithmetic, same rounding), so the README never carries a typed number.

bench/report.py rewrites the block between BEGIN and END in README.md
whenever it renders bench/results/."""
import os
import statistics

from . import mode2, native, net, sched
from .nested import ata_cells
from .records import nested_run, fmt, median, raw_paths

BEGIN = "<!-- headline: written by bench/report.py from bench/results/; do not edit -->"
END = "<!-- end of headline -->"


def disk_rows(res):
    """Exits per 4 KiB direct write on stock QEMU (nested-ata.md)."""
    run = nested_run(res, "nested-raw.txt")
    cells = ata_cells(run) if run else {}
    a, p, v = (cells.get((k, "write")) for k in ("ata_piix", "pata_pvio (hypercall)", "virtio-blk"))
    if not (a and p):
        return []
    rows = [["total exits per 4 KiB direct write (stock QEMU)", f"ata_piix {a[3]}",
             f"pata_pvio **{p[3]}**" + (f" (virtio-blk {v[3]})" if v else ""), "nested-ata.md"]]
    rows.append(["exits to userspace per write (stock QEMU)", f"ata_piix {a[6]}",
                 f"pata_pvio {p[6]}", "nested-ata.md"])
    return rows


def mode2_rows(res):
    """Exits to userspace per write on the patched QEMU, medians of the rounds."""
    paths = raw_paths(res, "nested-mode2-raw")
    if not paths:
        return []
    data, _, _, _, rounds = mode2.collect(paths)
    ap, m2 = data.get(("ata_piix", "write", 6)), data.get(("pata_pvio mode 2", "write", 6))
    if not (ap and m2):
        return []
    return [[f"exits to userspace per write, patched QEMU (median [min-max], {len(rounds)} rounds)",
             f"ata_piix {mode2.fmt(ap)}", f"pata_pvio mode 2 **{mode2.fmt(m2)}**",
             "nested-mode2.md"]]


def nic_rows(res):
    """Exits per ping echo (nested-e1000.md)."""
    run = nested_run(res, "nested-net-raw.txt")
    ds = net.drivers(run) if run else []
    if "e1000" not in ds or "e1000_pvio1" not in ds:
        return []
    cell = {d: fmt(net.per_ping(run, d, "exits"), 2) for d in ds}
    return [["total exits per ping echo", f"e1000 {cell['e1000']}",
             f"e1000_pvio **{cell['e1000_pvio1']}**"
             + (f" (virtio-net {cell['virtio_net']})" if "virtio_net" in cell else ""),
             "nested-e1000.md"]]


def native_rows(res):
    """Native transport against direct outb (native-overhead.md)."""
    path = os.path.join(res, "native-raw.txt")
    rows = native.parse(path)[0] if os.path.exists(path) else []
    if not rows:
        return []
    r = sorted(x[3] for x in rows)
    return [[f"time of 8 OUTs, native transport / direct outb (median, {len(r)} rounds)",
             "direct outb", "pvio **%.3f** (range %.3f to %.3f)"
             % (median(r) / 1000, r[0] / 1000, r[-1] / 1000), "native-overhead.md"]]


def sched_rows(res):
    """pvio-bypass against mq-deadline on the instruction clock (sched.md)."""
    path = os.path.join(res, "sched-raw-icount.txt")
    if not os.path.exists(path):
        return []
    data = sched.rounds(path)
    mq, pb = data.get("mq-deadline"), data.get("pvio-bypass")
    if not (mq and pb):
        return []
    m, p = statistics.median(mq.values()), statistics.median(pb.values())
    return [["null_blk 4 KiB QD1 read IOPS, instruction clock (median)", "mq-deadline %d" % m,
             "pvio-bypass %d (**%.3fx**)" % (p, p / m), "sched.md"]]


def headline_md(res):
    """The README block, markers included."""
    rows = (disk_rows(res) + mode2_rows(res) + nic_rows(res) + native_rows(res)
            + sched_rows(res))
    out = [BEGIN, "Headline figures of the Linux release `tools/kver.sh` picks, from the results "
           "files " + ", ".join(sorted({"bench/results/" + r[3] for r in rows})) + "; "
           "L2 on the patched KVM inside a TCG L1 for the nested rows:", "",
           "| measure | baseline | pvio | results file |", "|---|---|---|---|"]
    out += ["| " + " | ".join(r[:3] + [f"[{r[3]}](bench/results/{r[3]})"]) + " |" for r in rows]
    return out + ["", "![bench/results/bench.png: the charts of these results, beside the paper's "
                  "numbers where it gives one](bench/results/bench.png)", END]


def splice(text, block):
    """text with the lines between BEGIN and END (markers included) replaced
    by block; text unchanged when it has no markers."""
    lines = text.split("\n")
    if BEGIN not in lines or END not in lines:
        return text
    a, b = lines.index(BEGIN), lines.index(END)
    return "\n".join(lines[:a] + block + lines[b + 1:])
