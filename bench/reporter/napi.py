# SPDX-License-Identifier: GPL-2.0
"""nested-napi.md (issue 11, the paper's Fig. 9) from bench/nested/napi.sh's
rounds, bench/results/napi-raw/<round>.txt: e1000_pvio napi=1 against
napi=0, with Debian's e1000 as the stock baseline when it ran.

Each file is one L1 boot of the net part; the per-window figures are
net.py's (the same windows and arithmetic as nested-e1000.md).  Cells are
the median over the rounds with [min-max]; the verdicts compare napi=0 with
napi=1 round by round (the two ran in the same L2 boot) and are never taken
from a single round."""
import os
import re
import statistics

from . import net
from .records import Run, fmt

DRIVERS = ("e1000", "e1000_pvio1", "e1000_pvio0")
HEADINGS = {  # figure key -> column heading, in column order
    "bulk": "bulk Mbit/s (HTTP download)", "tcp_tx": "TCP L2->L1 Mbit/s",
    "tcp_rx": "TCP L1->L2 Mbit/s", "udp": "UDP L2->L1 Mbit/s", "rr": "TCP RR trans/s",
    "bulk_exits": "total exits / MiB bulk",
}
LOWER_IS_BETTER = {"bulk_exits"}
MIN_ROUNDS = 3          # fewer rounds than this: no verdict


def cells(run, d):
    """One driver's figures of one round; a window without them is left out."""
    out = {}
    w = f"net.{d}.bulk"
    s, mib = run.rnum(w + ".seconds"), net.bulk_mib(run, d)
    if mib > 0 and s > 0 and not run.r(w + ".error"):
        out["bulk"] = mib * 1048576 * 8 / s / 1e6
        out["bulk_exits"] = run.net(w, "exits") / mib
    for t in ("tcp_tx", "tcp_rx", "udp", "rr"):
        w = f"net.{d}.{t}"
        v = net.rate(run, w, t) if run.have(w) and not run.r(w + ".error") else 0
        if v > 0:
            out[t] = v
    return out


def round_name(run, path):
    """The round a file is: its bench_round fact, else its file name."""
    m = re.match(r"(\S+)", run.r("bench_round"))
    return m.group(1) if m else os.path.splitext(os.path.basename(path))[0]


def collect(paths):
    """([(round, order, {driver: cells})], first run) over the complete rounds
    (L2 ran to the end and napi=1 or napi=0 has a ping window)."""
    rounds, first = [], None
    for path in paths:
        run = Run(path)
        if not run.r("l2_done") or not run.has_empty():
            continue
        ds = [d for d in net.drivers(run) if d in DRIVERS]
        if not any(d.startswith("e1000_pvio") for d in ds):
            continue
        order = re.sub(r".*order=(\S+).*", r"\1", run.r("bench_round")) if "order=" in run.r("bench_round") else ""
        rounds.append((round_name(run, path), order.replace(",", " "), {d: cells(run, d) for d in ds}))
        first = first or run
    rounds.sort(key=lambda x: (len(x[0]), x[0]))
    return rounds, first


def spread(vals):
    """Median [min-max] of a list, "-" when empty."""
    if not vals:
        return "-"
    med, lo, hi = statistics.median(vals), min(vals), max(vals)
    return f"{fmt(med, 2)} [{fmt(lo, 2)}-{fmt(hi, 2)}] (n={len(vals)})"


def ratios(rounds, key):
    """napi=0 / napi=1 of figure key, per round where both have it."""
    out = []
    for name, _, c in rounds:
        a, b = c.get("e1000_pvio0", {}).get(key), c.get("e1000_pvio1", {}).get(key)
        if a and b:
            out.append((name, a / b))
    return out


def verdict(rs, faster_is_higher=True):
    """(k, n, median, text): in how many rounds napi=0 was faster."""
    n = len(rs)
    if n == 0:
        return 0, 0, 0, "no round has both modes"
    vals = [r for _, r in rs]
    k = sum((r > 1) if faster_is_higher else (r < 1) for r in vals)
    med = statistics.median(vals)
    if n < MIN_ROUNDS:
        return k, n, med, f"too few rounds ({n} of at least {MIN_ROUNDS}): no verdict"
    if faster_is_higher:
        if med > 1 and k > n / 2:
            return k, n, med, f"napi=0 faster in {k} of {n} rounds, median {med:.2f}"
        if med < 1 and n - k > n / 2:
            return k, n, med, f"napi=0 slower in {n - k} of {n} rounds, median {med:.2f}"
        return k, n, med, f"no direction: napi=0 faster in {k} of {n} rounds, median {med:.2f}"
    if med < 1 and k > n / 2:
        return k, n, med, f"napi=0 needs fewer exits in {k} of {n} rounds, median {med:.2f}"
    if med > 1 and n - k > n / 2:
        return k, n, med, f"napi=0 needs more exits in {n - k} of {n} rounds, median {med:.2f}"
    return k, n, med, f"no direction: napi=0 fewer exits in {k} of {n} rounds, median {med:.2f}"


def label(d):
    """Row label of a driver."""
    return {"e1000": "e1000 (stock, NAPI)", "e1000_pvio1": "e1000_pvio napi=1",
            "e1000_pvio0": "e1000_pvio napi=0"}[d]


def napi_md(paths):
    """nested-napi.md, or None without a complete round."""
    rounds, run = collect(paths)
    if not rounds:
        return None
    r = run.r
    out = [
        "# Nested rig: e1000_pvio napi=1 vs napi=0 (the paper's Fig. 9), e1000 as the baseline", "",
        f"{r('l0_date')} (first round), `BENCH=napi make bench` (bench/nested/napi.sh), {len(rounds)} rounds;",
        "each round is one L1 boot of the net part of bench/nested/run.sh (NB_PARTS=net, NB_BG=0), the",
        "drivers in one L2 boot in the order listed below (napi=1 and napi=0 swap places every round).",
        f"Rig: L0 {r('l0_host')}, TCG `-cpu qemu64,+svm,+npt`; L1 kernel {r('l1_kernel')} with the patched KVM;",
        f"L2 kernel {r('booted')} on the host's QEMU, 1 vCPU, 256 MiB; e1000_pvio transport "
        f"{r('net.e1000_pvio1.transport') or r('net.e1000_pvio0.transport') or '-'}.",
        f"Sizes: {r('net.pings')} pings, {r('net.tcp_mb')} MiB per iperf3 TCP direction, UDP -b {r('net.udp_rate')}",
        "(UDP is sent at that fixed rate, so its Mbit/s measures loss, not capacity).",
        "Windows and arithmetic as nested-e1000.md (bench/reporter/net.py): bulk = HTTP download from L1",
        "over the window's L2 seconds; exits = L1's KVM exit total over the window less the empty window.",
        "Raw counters: napi-raw/<round>.txt.", "",
        "Rounds and driver order: " + "; ".join(f"{n}: {o or 'order not recorded'}" for n, o, _ in rounds) + ".",
        "", "## Per driver: median [min-max] over the rounds", "",
        "| driver | " + " | ".join(HEADINGS.values()) + " |",
        "|---|" + "---|" * len(HEADINGS)]
    for d in DRIVERS:
        vals = [spread([c[d][k] for _, _, c in rounds if k in c.get(d, {})]) for k in HEADINGS]
        if any(v != "-" for v in vals):
            out.append(f"| {label(d)} | " + " | ".join(vals) + " |")
    out += ["", "## napi=0 / napi=1, per round (same L2 boot)", "",
            "| figure | " + " | ".join(n for n, _, _ in rounds) + " | napi=0 better | median | verdict |",
            "|---|" + "---|" * (len(rounds) + 3)]
    for k, h in HEADINGS.items():
        rs = dict(ratios(rounds, k))
        kk, n, med, text = verdict(list(rs.items()), k not in LOWER_IS_BETTER)
        out.append(f"| {h} | " + " | ".join(f"{rs[nm]:.2f}" if nm in rs else "-" for nm, _, _ in rounds)
                   + f" | {kk} of {n} | {med:.2f} | {text} |")
    out += ["", f"A ratio above 1 means napi=0 moved more (for exits per MiB: needed more). "
            f"Verdicts need at least {MIN_ROUNDS} rounds with both modes and a majority of rounds "
            "on the median's side; seconds and Mbit/s move with the load on the shared cores, the",
            "per-round pairs ran back to back in one L2 boot. Why napi=0 differs from the paper:",
            "bench/nested/README.md (\"Reading the net results\") and drivers/net/e1000_pvio/README.md."]
    return out


def verdicts(paths):
    """{figure key: (k, n, median, text)} for REPRODUCTION.md; None without rounds."""
    rounds, _ = collect(paths)
    if not rounds:
        return None
    return {k: verdict(ratios(rounds, k), k not in LOWER_IS_BETTER) for k in HEADINGS}, len(rounds)
