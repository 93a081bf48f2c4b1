# SPDX-License-Identifier: GPL-2.0
"""nested-ablate.md (issue 11's ablations) from bench/nested/ablate.sh's
boots, bench/results/ablate-raw/<round>.txt.

Each file is one L1 boot.  L2's ata part runs 4 KiB direct dd writes and
reads through pata_pvio as shipped (pv_base) and with one thing changed
(l2-bench.sh's pv_variant): the native transport on the patched host (every
port op its own exit: what batching saves), fastpath=0 (libata's
step-by-step sequences: what the merged issue and completion runs save),
irqless=off (an interrupt per command: what completing from the hypercall
saves) and pvio's max_batch from 1 to 128.  Its uart_sweep part times the
same flushes of 8 OUTs at each max_batch.  Every variant is compared with
pv_base of the same boot; the tables give the median [min-max] over the
rounds, and an exact count shows as equal bounds."""

from .nested import module_field
from .pit import spread
from .records import Run, fmt, round_of, table

VARIANTS = (("pv_base", "as shipped (hypercall transport, fastpath=1, irqless=hypercall, max_batch=64)"),
            ("pv_native", "transport=native: no batching, every port op its own exit"),
            ("pv_fastpath0", "fastpath=0: libata's step-by-step sequences, a flush per step"),
            ("pv_irqoff", "irqless=off: an interrupt per command"),
            ("pv_mb1", "max_batch=1"), ("pv_mb2", "max_batch=2"), ("pv_mb4", "max_batch=4"),
            ("pv_mb8", "max_batch=8"), ("pv_mb16", "max_batch=16"), ("pv_mb32", "max_batch=32"),
            ("pv_mb128", "max_batch=128"))
BASE = "pv_base"
DIRS = ("write", "read")
MBS = (1, 2, 4, 8, 16, 32, 64, 128)
UART_OPS = 8   # OUTs per flush (bench/native/pvio_bench.c)


def disk_cells(run):
    """{(variant, dir): {exits, device, io, hc, uexit, ms}} per command."""
    n = run.rnum("cmds")
    out = {}
    for v, _ in VARIANTS:
        for d in DIRS:
            w = f"{v}.{d}"
            if not n or not run.have(w):
                continue
            dev = run.device(w)
            out[(v, d)] = {"exits": run.net(w, "exits") / n, "device": None if dev is None else dev / n,
                           "io": run.net(w, "io_exits") / n, "hc": run.net(w, "hypercalls") / n,
                           "uexit": run.net(w, "uexit") / n,
                           "ms": run.rnum(w + ".seconds") * 1000 / n}
    return out


def uart_cells(run):
    """{max_batch: {exits, hc, us}} per flush of 8 OUTs."""
    out = {}
    for mb in MBS:
        w = f"uart.mb{mb}"
        mod = run.r(w + ".module")
        n = module_field(mod, "flushes")
        if not run.have(w) or not n:
            continue
        out[mb] = {"exits": run.net(w, "exits") / n, "hc": run.net(w, "hypercalls") / n,
                   "io": run.net(w, "io_exits") / n, "us": module_field(mod, "ns") / 1000 / n}
    return out


def collect(paths):
    """([(round, order, disk cells, uart cells)], first run) of the complete boots."""
    rounds, first = [], None
    for path in paths:
        run = Run(path)
        if not run.r("l2_done") or not run.has_empty():
            continue
        name, order = round_of(run, path)
        rounds.append((name, order, disk_cells(run), uart_cells(run)))
        first = first or run
    rounds.sort(key=lambda x: (len(x[0]), x[0]))
    return rounds, first


def _col(cs, k, d):
    return spread([c[k] for c in cs if c.get(k) is not None], d)


def _ratio(rounds, v, d, k):
    """Per round: variant v's figure k over pv_base's, same boot."""
    out = []
    for _, _, c, _ in rounds:
        a, b = c.get((v, d)), c.get((BASE, d))
        if a and b and a.get(k) is not None and b.get(k):
            out.append(a[k] / b[k])
    return out


def disk_tables(rounds):
    rows, ratios = [], []
    for v, what in VARIANTS:
        for d in DIRS:
            cs = [c[(v, d)] for _, _, c, _ in rounds if (v, d) in c]
            if not cs:
                continue
            rows.append([v, d, _col(cs, "exits", 2), _col(cs, "device", 2), _col(cs, "io", 2),
                         _col(cs, "hc", 2), _col(cs, "uexit", 2), _col(cs, "ms", 2)])
            if v != BASE:
                ratios.append([v, what, d, spread(_ratio(rounds, v, d, "exits"), 2),
                               spread(_ratio(rounds, v, d, "device"), 2),
                               spread(_ratio(rounds, v, d, "ms"), 2)])
    out = ["## Per 4 KiB direct command, per variant: median [min-max] over the rounds", ""]
    out += table(["variant", "direction", "total exits", "device exits", "PIO exits (io_exits)",
                  "hypercalls", "exits to userspace", "ms (L2 clock)"], rows)
    out += ["", "## Each variant against pv_base of the same boot (ratio per round, median [min-max])", ""]
    out += table(["variant", "what changes", "direction", "total exits", "device exits",
                  "time per command"], ratios)
    return out


def uart_table(rounds):
    rows = []
    for mb in MBS:
        cs = [u[mb] for _, _, _, u in rounds if mb in u]
        if cs:
            rows.append([str(mb), _col(cs, "exits", 2), _col(cs, "hc", 2), _col(cs, "io", 2),
                         _col(cs, "us", 1), fmt(-(-UART_OPS // mb), 0)])
    return (["## UART: one flush of 8 OUTs through the hypercall transport, per max_batch", ""]
            + table(["max_batch", "total exits / flush", "hypercalls / flush", "io_exits / flush",
                     "us / flush (L2 clock)", "hypercalls the split needs"], rows))


def ablate_md(paths):
    """nested-ablate.md, or None without a complete round."""
    rounds, run = collect(paths)
    if not rounds:
        return None
    r = run.r
    out = ["# Nested rig: pata_pvio's gains put down to their causes (ablations)", "",
           f"{r('l0_date')} (first round), `BENCH=ablate bench/run.sh` (bench/nested/ablate.sh), "
           f"{len(rounds)} round(s), each one L1 boot with every variant.",
           f"Rig: L0 {r('l0_host')}, TCG `-cpu qemu64,+svm,+npt`; L1 kernel {r('l1_kernel')} with the patched KVM;",
           f"L2 kernel {r('booted')} on {r('l2_vmm_version')}, 1 vCPU.",
           f"Disk: {r('cmds')} direct 4 KiB commands each way per variant (dd), through QEMU's PIIX IDE; "
           "UART: pvio_bench's flushes of 8 OUTs to port 0x3f8.",
           "Counts are L1's KVM exit totals over a window less the empty window's, over its commands or "
           "flushes; device exits are IOIO + VMMCALL + NPF (kvm_exit histogram).",
           "Raw records: ablate-raw/<round>.txt.", "",
           "Rounds and variant order: " + "; ".join(f"{n}: {o or 'not recorded'}" for n, o, _, _ in rounds)
           + ".", ""]
    out += disk_tables(rounds) + [""] + uart_table(rounds)
    out += ["", "Reading: pv_native shows what batching saves (the same driver, each port op its own "
            "exit); pv_fastpath0 and pv_irqoff what the merged runs and the interrupt-free completion "
            "add on top; the max_batch rows how the split of a flush into hypercalls costs exits."]
    return out

