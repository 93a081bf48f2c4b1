# SPDX-License-Identifier: GPL-2.0
"""bench.png: one panel per measurement, and figures/<key>.png: one chart
per experiment of the paper (REPRODUCTION.md links them), drawn from the raw
records through the same reporter functions as the tables (never from the
Markdown), with the paper's number or the issue's target as a dashed line
where there is one.  Panels whose records are absent are left out."""
import os
import statistics

from . import bonnie, latency, mode2, napi, native, net, pit, profile, reproduction, sched, shsched
from .nested import ata_cells
from .records import nested_run, num, raw_paths


def _bars(ax, labels, series, ylabel, title):
    """Grouped bars: series is [(name, [value per label])]."""
    _medbars(ax, labels, [(name, [[v] for v in vals]) for name, vals in series], ylabel, title)


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
    paths = raw_paths(res, "nested-mode2-raw")
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


def _ratios(series, ylabel, title, paper_pct, paper_text):
    """A boxplot of per-round ratios [(name, [ratio])] with "no change" and
    the paper's gain as dashed lines; None when no series has a value."""
    series = [(h, v) for h, v in series if v]
    if not series:
        return None

    def draw(ax):
        ax.boxplot([v for _, v in series], labels=[h for h, _ in series])
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        _line(ax, 1, "no change")
        _line(ax, 1 + paper_pct / 100, paper_text)
    return draw


def elevator_shared(res):
    paths = raw_paths(res, "sched-shared-raw")
    rounds = shsched.collect(paths)[0] if paths else []
    rs = [(f"{s}\n{d}", [v for _, v in shsched.ratios(rounds, s, d)])
          for s in ("pvio-bypass", "none") for d in ("read", "write")]
    return _ratios(rs, f"IOPS / mq-deadline in the guest, per round ({len(rounds)} rounds)",
                   "Guest elevator, disk shared on the host (sched-shared.md)",
                   reproduction.PAPER_ELEVATOR_READ,
                   f"paper: +{reproduction.PAPER_ELEVATOR_READ}% read (+{reproduction.PAPER_ELEVATOR_WRITE}% write)")


def fig9(res):
    paths = raw_paths(res, "napi-raw")
    rounds = napi.collect(paths)[0] if paths else []
    rs = [(h, [r for _, r in napi.ratios(rounds, k)]) for k, h in reproduction.NAPI_STREAMS]
    return _ratios(rs, f"napi=0 / napi=1 throughput, per round ({len(rounds)} rounds)",
                   "Fig. 9: NAPI removed (nested-napi.md)",
                   reproduction.PAPER_NAPI, f"paper: > +{reproduction.PAPER_NAPI:g}%")


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


def _medbars(ax, labels, series, ylabel, title):
    """Grouped bars of medians with min-max whiskers: series is
    [(name, [[value per round] per label])]."""
    w = 0.8 / len(series)
    for i, (name, vals) in enumerate(series):
        med = [statistics.median(v) if v else 0 for v in vals]
        err = [[m - min(v, default=m) for m, v in zip(med, vals)],
               [max(v, default=m) - m for m, v in zip(med, vals)]]
        spread = any(e for side in err for e in side)
        ax.bar([j + i * w for j in range(len(labels))], med, w, yerr=err if spread else None,
               capsize=2, label=name)
    ax.set_xticks([j + 0.4 - w / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    if len(series) > 1:
        ax.legend(fontsize=7)


def fig4(res):
    paths = raw_paths(res, "napi-raw")
    rounds = napi.collect(paths)[0] if paths else []
    if not rounds:
        return None

    def draw(ax):
        _medbars(ax, [napi.label(d).replace(" (", "\n(") for d in napi.DRIVERS],
                 [(h, [[c[d][k] for _, _, c in rounds if k in c.get(d, {})] for d in napi.DRIVERS])
                  for k, h in reproduction.NAPI_STREAMS[:2]],
                 f"Mbit/s, median [min-max] of {len(rounds)} rounds",
                 "Fig. 4: TCP streams, e1000 with and without NAPI (nested-napi.md)")
    return draw


def _hot(w, title):
    """A Tables 1-3 panel: window w's five hottest functions by median share."""
    def panel(res):
        rs = profile.rounds_in(res)
        best = profile.top(rs, w, 5)[1] if rs else []
        if not best:
            return None

        def draw(ax):
            names = [fn for fn, _, _ in best][::-1]
            vals = [v for _, v, _ in best][::-1]
            med = [statistics.median(v) for v in vals]
            ax.barh(range(len(names)), med, xerr=[[m - min(v) for m, v in zip(med, vals)],
                                                  [max(v) - m for m, v in zip(med, vals)]], capsize=2)
            ax.set_yticks(range(len(names)))
            ax.set_yticklabels(names, fontsize=7)
            ax.set_xlabel(f"% of the window's exits, median [min-max] of {len(rs)} rounds")
            ax.set_title(title, fontsize=9)
        return draw
    return panel


def tables13_paper(res):
    if not profile.rounds_in(res):
        return None

    def draw(ax):
        names = ["iowrite16", "ioread16"]
        ax.barh(range(2), [reproduction.PAPER_IOWRITE16, reproduction.PAPER_IOREAD16], color="grey")
        ax.set_yticks(range(2))
        ax.set_yticklabels(names, fontsize=7)
        ax.set_xlabel("% of traps (paper's netperf table)")
        ax.set_title("Paper (2010): netperf's hottest trap addresses", fontsize=9)
    return draw


def fig7(res):
    bs = pit.boots(raw_paths(res, "pit-raw"))
    if not bs:
        return None
    divs = sorted({b[1] for b in bs})

    def draw(ax):
        _medbars(ax, [str(d) for d in divs],
                 [(h, [[c[k] for _, dd, _, c, _ in bs if dd == d and k in c] for d in divs])
                  for k, h in (("idle_exits", "exits / s, idle"), ("busy_exits", "exits / s, CPU loop"))],
                 f"L1 KVM exits per second, median [min-max] of {len({b[0] for b in bs})} rounds",
                 "Fig. 7: L2 ticking on KVM's PIT (nested-pit.md)")
        ax.set_xlabel("pit_reload_divisor")
    return draw


def fig7_gain(res):
    bs = pit.boots(raw_paths(res, "pit-raw"))
    got = [(h, [g for _, g in pit.gains(bs, pit.PAPER_DIV, k)]) for k, h in pit.WORK] if bs else []
    return _ratios(got, f"divisor {pit.PAPER_DIV} / divisor 1 throughput, per round",
                   "Fig. 7: timer slowed tenfold (nested-pit.md)",
                   pit.PAPER_GAIN, f"paper: up to +{pit.PAPER_GAIN:g}%")


def fig8(res):
    rs = profile.rounds_in(res)
    if not rs:
        return None
    port, boot, _, wins = profile.pm_facts(rs)
    if port is None:
        return None

    def draw(ax):
        labels = ["L2 boot"] + [w.replace(".", "\n") for w in wins]
        _medbars(ax, labels, [("reads", [boot] + list(wins.values()))],
                 f"PM-timer port reads, median [min-max] of {len(rs)} rounds",
                 "Fig. 8: ACPI PM timer reads, boot and disk windows (nested-profile.md)")
    return draw


def _fig12(fn, ylabel, title):
    """A Fig. 1/2 panel: fn(side) / fn(native) per round, per L2 driver and phase."""
    def panel(res):
        paths = raw_paths(res, "bonnie-raw")
        rounds = bonnie.collect(paths)[0] if paths else []
        phases = [ph for ph in bonnie.PHASES
                  if any(bonnie.ratios(rounds, s, fn, ph) for s in bonnie.SIDES[1:])]
        if not phases:
            return None

        def draw(ax):
            _medbars(ax, [bonnie.LABEL[s].replace("L2 ", "") for s in bonnie.SIDES[1:]],
                     [(ph, [bonnie.ratios(rounds, s, fn, ph) for s in bonnie.SIDES[1:]])
                      for ph in phases], f"{ylabel}, median [min-max] of {len(rounds)} rounds", title)
            _line(ax, 1, "native")
        return draw
    return panel


def fig3(res):
    paths = raw_paths(res, "latency-raw")
    n, ping = latency.fig3(paths) if paths else (0, {})
    if not ping:
        return None
    ds = list(ping)
    parts = (("kvm", "KVM (and what L1 ran meanwhile)"), ("qemu", "QEMU"), ("rest", "rest (L2 running)"))

    def draw(ax):
        bottom = [0.0] * len(ds)
        for k, h in parts:
            vals = [statistics.median([c[k] for c in ping[d]]) for d in ds]
            ax.bar(range(len(ds)), vals, 0.6, bottom=bottom, label=h)
            bottom = [b + v for b, v in zip(bottom, vals)]
        rtt = [statistics.median([c["rtt"] for c in ping[d]]) for d in ds]
        ax.plot(range(len(ds)), rtt, "k_", markersize=30, label="RTT (median)")
        ax.set_xticks(range(len(ds)))
        ax.set_xticklabels([latency.LABEL[d] for d in ds], fontsize=8)
        ax.set_ylabel(f"us per ping echo, medians of {n} rounds")
        ax.set_title("Fig. 3: ping RTT broken down (nested-latency.md)", fontsize=10)
        ax.legend(fontsize=7)
    return draw


PANELS = (disk, disk_mode2, nic, elevator, fig9, native_cost)
# figures/<key>.png: REPRODUCTION.md's row keys -> their panels
FIGURES = {"fig12": (_fig12(bonnie.mbs, "L2 / native throughput",
                                   "Fig. 1: bonnie++ throughput, L2 against L1 (nested-bonnie.md)"),
                     _fig12(bonnie.cpu_per_mib, "L2 / native host CPU per MiB",
                            "Fig. 2: bonnie++ host CPU per MiB (nested-bonnie.md)")),
           "fig3": (fig3,),
           "fig4": (fig4,),
           "tables1-3": (_hot("ata_piix.write", "ata_piix, 4 KiB O_DIRECT write"),
                         _hot("pata_pvio.write", "pata_pvio, 4 KiB O_DIRECT write"),
                         _hot("net.e1000.ping", "e1000, ping echo"),
                         _hot("net.e1000_pvio1.ping", "e1000_pvio, ping echo"), tables13_paper),
           "merge": (disk, disk_mode2),
           "fig7": (fig7, fig7_gain),
           "fig8": (fig8,),
           "elevator": (elevator, elevator_shared),
           "fig9": (fig9,),
           "native": (native_cost,)}


def _save(plt, panels, out, cols=3):
    cols = min(cols, len(panels))
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6 * cols, 4.6 * rows), squeeze=False)
    flat = [a for row in axes for a in row]
    for ax, panel in zip(flat, panels):
        panel(ax)
    for ax in flat[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def draw(res):
    """Write RES/bench.png and RES/figures/*.png; bench.png's path, or None
    without matplotlib or data."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figdir = os.path.join(res, "figures")
    for key, funcs in FIGURES.items():
        panels = [p for p in (f(res) for f in funcs) if p]
        path = os.path.join(figdir, key + ".png")
        if panels:
            os.makedirs(figdir, exist_ok=True)
            _save(plt, panels, path, 2 if len(panels) in (2, 4) else 3)
        elif os.path.exists(path):
            os.remove(path)
    panels = [p for p in (f(res) for f in PANELS) if p]
    if not panels:
        return None
    out = os.path.join(res, "bench.png")
    _save(plt, panels, out)
    return out
