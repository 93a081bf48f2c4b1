# SPDX-License-Identifier: GPL-2.0
"""sched-shared.md (issue 11, the paper's elevator experiment in its own
setting) from bench/nested/shsched.sh's boots,
bench/results/sched-shared-raw/<round>.txt: guests whose disks share one
host device under the host's scheduler.

Each file is one L1 boot: L1's memory-backed null_blk runs mq-deadline; a
neighbour guest loops 4 KiB random I/O on its region; L2 runs 4 KiB
random reads, then random writes (nb_lat, QD1), on its own region (virtio-blk,
O_DIRECT in the guest and in L1's QEMU) under mq-deadline, none and pvio-bypass, one
window each, the order rotated per round.  IOPS: one over nb_lat's mean;
L2's exits are L1's KVM exit total over the window less the neighbour VM's
own (its debugfs directory, NBSTAT lines) and less the empty window's; the
host device's completed I/Os (its stat) less L2's give the neighbour's
share.  The ratios compare each scheduler with mq-deadline in the same
round (same L1 boot, same neighbour), and the verdict is taken from the
rounds, never from one."""
import statistics

from .pit import spread
from .records import Run, fmt, round_of

SCHEDS = ("mq-deadline", "none", "pvio-bypass")
BASE = "mq-deadline"
DIRS = ("read", "write")
MIN_ROUNDS = 3
PAPER = {"write": 6.01, "read": 5.64}   # % more with a no-op guest elevator (issue 11)


def nbstat(path):
    """{mark: (host device I/Os completed, neighbour VM exits)} of the NBSTAT lines."""
    out = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 19 and p[0] == "NBSTAT":
                out[p[1]] = (int(p[2]) + int(p[6]), int(p[19]) if len(p) > 19 else None)
    return out


def lat(text):
    """{n, p50, p99, mean} of an nb_lat line ("n=.. p50_us=.. ..."), {} if none."""
    kv = dict(f.partition("=")[::2] for f in text.split() if "=" in f)
    try:
        return {"n": int(kv["n"]), "p50": float(kv["p50_us"]), "p99": float(kv["p99_us"]),
                "mean": float(kv["mean_us"])}
    except (KeyError, ValueError):
        return {}


def cells(run, stat):
    """{(sched, dir): {iops, p50, p99, exits, neigh}} of one boot."""
    out = {}

    def grow(w, i):
        a, b = stat.get(w + ".0"), stat.get(w + ".1")
        return b[i] - a[i] if a and b and a[i] is not None and b[i] is not None else None
    for s in SCHEDS:
        if run.r(f"shsched.{s}.active") != s:
            continue
        for d in DIRS:
            w = f"shsched.{s}.{d}"
            t = lat(run.r(w + ".lat"))
            if not run.have(w) or not t or t["mean"] <= 0:
                continue
            c = {"iops": 1e6 / t["mean"], "p50": t["p50"], "p99": t["p99"]}
            ios, secs = t["n"], run.span(w) - run.span("empty")
            nx, ex = grow(w, 1), grow("empty", 1)
            if nx is not None and ex is not None and ios > 0:
                c["exits"] = (run.get(w, "exits") - nx - (run.get("empty", "exits") - ex)) / ios
            host = grow(w, 0)
            if host is not None and secs > 0:
                c["neigh"] = max(host - ios, 0) / secs
            out[(s, d)] = c
    return out


def collect(paths):
    """([(round, order, cells)], first run) of the complete boots."""
    rounds, first = [], None
    for path in paths:
        run = Run(path)
        if not run.r("l2_done") or not run.has_empty() or not run.r("shsched.host"):
            continue
        c = cells(run, nbstat(path))
        if not c:
            continue
        name, order = round_of(run, path)
        rounds.append((name, order, c, run))
        first = first or run
    rounds.sort(key=lambda x: (len(x[0]), x[0]))
    return rounds, first


def ratios(rounds, s, d, base=BASE):
    """[(round, IOPS of s / IOPS of base)] where both ran."""
    out = []
    for name, _, c, _ in rounds:
        a, b = c.get((s, d)), c.get((base, d))
        if a and b:
            out.append((name, a["iops"] / b["iops"]))
    return out


def verdict(rs, paper):
    """The verdict of one scheduler against mq-deadline from its per-round
    ratios, against the paper's gain in %."""
    vals = [v for _, v in rs]
    n = len(vals)
    if n < MIN_ROUNDS:
        return f"too few rounds ({n} of at least {MIN_ROUNDS}): no verdict"
    med = statistics.median(vals)
    g = f"median {(med - 1) * 100:+.2f}% [{(min(vals) - 1) * 100:+.2f}% to {(max(vals) - 1) * 100:+.2f}%], {n} rounds"
    if min(vals) > 1 and med >= 1 + paper / 100:
        return f"reproduced: faster in every round, {g}"
    if max(vals) < 1 + paper / 100 and med <= 1:
        return f"contradicted: no gain in the median and no round at the paper's +{paper}%, {g}"
    if min(vals) > 1:
        return f"faster in every round but less than the paper's +{paper}%: {g}"
    return f"not shown: within the noise (rounds on both sides of mq-deadline), {g}"


def sched_shared_md(paths):
    """sched-shared.md, or None without a complete round."""
    rounds, run = collect(paths)
    if not rounds:
        return None
    r = run.r
    nb = [v for _, _, _, x in rounds for k, v in x.res.items() if k.startswith("neighbour.lat.")]
    alive = sum(x.r("shsched.neighbour_alive") == "1" for _, _, _, x in rounds)
    out = [
        "# The guest's elevator on a disk shared on the host (the paper's elevator setting)", "",
        f"{r('l0_date')} (first round), `BENCH=shsched bench/run.sh` (bench/nested/shsched.sh), "
        f"{len(rounds)} rounds, each one L1 boot.",
        f"Rig: L0 {r('l0_host')}, TCG `-cpu qemu64,+svm,+npt`; L1 kernel {r('l1_kernel')} with the patched KVM;",
        f"L2 kernel {r('booted')} on {r('l2_vmm_version')}, 1 vCPU, 256 MiB.",
        f"Host device (L1): {r('shsched.host')} (null_blk, memory backed; the bracket is L1's scheduler).",
        f"L2's disk: {r('shsched.disk')}; a virtio-blk region of that device, QEMU raw with",
        "offset/size, cache=none, so every request reaches L1's block layer and its scheduler.",
        f"Neighbour guest: a second QEMU in L1 on the next region, {r('neighbour.start')}, looping for the whole",
        f"run (still running at the end in {alive} of {len(rounds)} rounds; its loops over all rounds: {len(nb)}).",
        "IOPS at QD1: one over nb_lat's mean completion time (L2's clock), p50/p99 its percentiles.",
        "Raw records: sched-shared-raw/<round>.txt (nb_lat lines, L1 snapshots, NBSTAT: the host",
        "device's stat and the neighbour VM's exits at every mark).", "",
        "Rounds and scheduler order: " + "; ".join(f"{n}: {o or 'not recorded'}" for n, o, _, _ in rounds) + ".",
        "", "## Per scheduler: median [min-max] over the rounds", "",
        "| L2 scheduler | direction | IOPS (QD1) | p50 completion us | p99 completion us "
        "| L2 exits per I/O | neighbour host I/Os per s |",
        "|---|---|---|---|---|---|---|"]
    for s in SCHEDS:
        for d in DIRS:
            cs = [c[(s, d)] for _, _, c, _ in rounds if (s, d) in c]
            if not cs:
                continue

            def col(k, dd, cs=cs):
                return spread([c[k] for c in cs if c.get(k) is not None], dd)
            out.append(f"| {s} | {d} | {col('iops', 0)} | {col('p50', 0)} | {col('p99', 0)} "
                       f"| {col('exits', 2)} | {col('neigh', 0)} |")
    out += ["", "## IOPS against mq-deadline, per round (same L1 boot and neighbour)", "",
            "| ratio | " + " | ".join(n for n, _, _, _ in rounds) + " | median [min-max] | paper | verdict |",
            "|---|" + "---|" * (len(rounds) + 3)]
    for s in SCHEDS[1:]:
        for d in DIRS:
            rs = dict(ratios(rounds, s, d))
            out.append(f"| {s} / {BASE}, {d} | "
                       + " | ".join(fmt(rs[n], 3) if n in rs else "-" for n, _, _, _ in rounds)
                       + f" | {spread(list(rs.values()), 3)} | +{PAPER[d]}% (no-op) "
                       f"| {verdict(list(rs.items()), PAPER[d])} |")
    out += ["", "A ratio above 1: more IOPS than mq-deadline in the guest. Verdicts need at least "
            f"{MIN_ROUNDS} rounds; \"reproduced\" needs every",
            "round faster and the median at the paper's gain, \"contradicted\" a median without gain and "
            "no round at the paper's; anything else is within",
            "the noise of this rig (everything below L1 is emulated: IOPS are the rig's, not hardware's).",
            "L2 exits per I/O: L1's exit total over the window less the neighbour VM's and the empty "
            "window's, over the window's I/Os.", ""] + noise(rounds)
    return out


def noise(rounds):
    """How far two schedulers that both pass requests on unsorted (none,
    pvio-bypass) land apart in one boot, and L1's stalls: the rig's noise."""
    gauge = "; ".join(f"{d}s {spread([v for _, v in ratios(rounds, 'pvio-bypass', d, 'none')], 3)}"
                      for d in DIRS)
    rescues = [int(x.r("l1_rescues")) for _, _, _, x in rounds if x.r("l1_rescues").isdigit()]
    return ["Noise of the rig: none and pvio-bypass both hand requests on unsorted, so on a quiet machine "
            "their ratio would be",
            f"about 1; here pvio-bypass / none per round: {gauge}.",
            f"L1's lost-wakeup rescues per boot (the watchdog waking a stalled L1 vCPU, tests/nested/README.md): "
            f"{spread(rescues, 0)}."]


def reproduction(res_paths):
    """{direction: (ratios of pvio-bypass, ratios of none, verdict of
    pvio-bypass)} for REPRODUCTION.md; None without rounds."""
    rounds, _ = collect(res_paths)
    if not rounds:
        return None
    out = {}
    for d in DIRS:
        pb, no = ratios(rounds, "pvio-bypass", d), ratios(rounds, "none", d)
        out[d] = ([v for _, v in pb], [v for _, v in no], verdict(pb, PAPER[d]))
    return out
