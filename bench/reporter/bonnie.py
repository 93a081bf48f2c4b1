# SPDX-License-Identifier: GPL-2.0
"""nested-bonnie.md (issue 11, the paper's Fig. 1/2) from bench/nested/bonnie.sh's
rounds, bench/results/bonnie-raw/<round>.txt: bonnie++ natively in L1 (ext2
on a loop device over a file on L1's tmpfs) against L2 on ata_piix, pata_pvio
and virtio-blk (ext2 on raw images on the same tmpfs), same options.

Per phase (block write, rewrite, block read) the throughput and CPU come from
bonnie++'s CSV line; per window (the whole bonnie++ run between two marks) the
host's CPU: for the native run L1's busy time (/proc/stat, all but idle and
iowait), for L2 the CPU time of L2's QEMU in L1 (all its threads, KVM
included: l2cpu_ns) and L1's busy time.  Cells are the median over the rounds
with [min-max]; ratios virtualized / native are taken per round (the native
run and L2 ran in the same L1 boot) and their median printed."""
import re
import statistics

from .records import Run, fmt, table

SIDES = ("native", "ata_piix", "pata_pvio", "virtio_blk")
LABEL = {"native": "native (L1, loop on tmpfs)", "ata_piix": "L2 ata_piix",
         "pata_pvio": "L2 pata_pvio", "virtio_blk": "L2 virtio-blk"}
# phase -> (CSV field of KiB/s, CSV field of bonnie++'s %CPU)
PHASES = {"block write": (11, 12), "rewrite": (13, 14), "block read": (17, 18)}
USER_HZ = 100           # /proc/stat's unit
MIN_ROUNDS = 3          # fewer rounds than this: no verdict


def _field(csv, i):
    """CSV field i as a number, None when bonnie++ printed none ("+++++":
    the phase took under 0.5 s, too short for it to time)."""
    f = (csv.split(",") + [""] * 30)[i]
    return float(f) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", f) else None


def _busy(run, w):
    """L1's busy CPU seconds over window w from the l1stat marks, None
    without them: /proc/stat's cpu line, user + nice + system + irq +
    softirq (guest time is inside user already; steal is not L1's)."""
    def ticks(m):
        p = run.r(f"l1stat.{w}.{m}").split()
        return [int(x) for x in p[1:]] if len(p) > 5 else None
    a, b = ticks(0), ticks(1)
    if a is None or b is None:
        return None
    d = [y - x for x, y in zip(a, b)]
    return (d[0] + d[1] + d[2] + d[5] + d[6]) / USER_HZ


def side(run, s):
    """One side's figures in one round: {phase: (MiB/s, %CPU)}, the window's
    span, host CPU seconds (QEMU's for L2, L1's busy for native) and L1 busy."""
    w = f"{s}.bonnie"
    csv = run.r(f"{s}.bonnie_csv")
    if not run.have(w) or run.rnum(f"{w}.rc") != 0 or not csv:
        return None
    out = {"phases": {}, "span": run.span(w), "l1busy": _busy(run, w)}
    for ph, (fk, fc) in PHASES.items():
        k = _field(csv, fk)
        if k:
            out["phases"][ph] = (k / 1024, _field(csv, fc))
    cpu = out["l1busy"] if s == "native" else (run.cpu_us(w) or 0) / 1e6 or None
    out["cpu"] = cpu
    out["util"] = cpu / out["span"] if cpu and out["span"] > 0 else None
    return out


def collect(paths):
    """([(round, order, native, {side: figures})], first run, [(round, why)
    left out]) over the boots where L2 ran to the end and the native run has
    a window."""
    rounds, first, left = [], None, []
    for path in paths:
        run = Run(path)
        br = run.r("bench_round")
        name = br.split()[0] if br else path.rsplit("/", 1)[-1][:-4]
        got = {s: side(run, s) for s in SIDES}
        got = {s: v for s, v in got.items() if v}
        if not run.r("l2_done") or "native" not in got:
            left.append((name, "L2 did not finish" if not run.r("l2_done") else
                         "no native result (" + (run.r("native.error") or
                                                 f"bonnie++ exit {run.r('native.bonnie.rc') or '-'}") + ")"))
            continue
        order = re.search(r"order=(\S+)", br)
        nat = re.search(r"native=(\S+)", br)
        rounds.append((name, order.group(1).replace(",", " ") if order else "?",
                       nat.group(1) if nat else "?", got))
        first = first or run
    rounds.sort(key=lambda x: (len(x[0]), x[0]))
    return rounds, first, left


def spread(vals, d=2):
    """Median [min-max] (n) of a list, "-" when empty."""
    if not vals:
        return "-"
    med = statistics.median(vals)
    return f"{fmt(med, d)} [{fmt(min(vals), d)}-{fmt(max(vals), d)}] (n={len(vals)})"


def mbs(f, ph):
    """MiB/s of a phase, None when bonnie++ could not time it."""
    return f["phases"].get(ph, (None, None))[0]


def cpu_per_mib(f, ph):
    """Host CPU ms per MiB of a phase: the window's host CPU utilisation over
    the phase's MiB/s (bonnie++ times its phases, the host CPU is per window)."""
    m = mbs(f, ph)
    return f["util"] * 1000 / m if m and f["util"] else None


def ratios(rounds, s, fn, ph):
    """fn(side) / fn(native) per round where both have it."""
    out = []
    for _, _, _, g in rounds:
        if s in g:
            a, b = fn(g[s], ph), fn(g["native"], ph)
            if a and b:
                out.append(a / b)
    return out


def _vals(rounds, s, fn, ph=None):
    return [v for v in (fn(g[s], ph) for _, _, _, g in rounds if s in g) if v is not None]


def bonnie_md(paths):
    """nested-bonnie.md, or None without a complete round."""
    rounds, run, left = collect(paths)
    if not rounds:
        return None
    r = run.r
    mb = int(run.rnum("bonnie_mb"))
    out = [
        "# Nested rig: bonnie++ native against virtualized, with CPU (the paper's Fig. 1/2)", "",
        f"{r('l0_date')} (first round), `BENCH=bonnie bench/run.sh` (bench/nested/bonnie.sh), {len(rounds)} rounds;",
        "each round is one L1 boot: bonnie++ in L1 itself (native) and, in the same boot, in L2 once per",
        "disk driver, a fresh ext2 each time.  L2's driver order rotates every round; the native run is",
        "before L2 in odd rounds, after it in even ones.",
        f"Rig: L0 {r('l0_host')}, TCG `-cpu qemu64,+svm,+npt`, L1 1 vCPU; L1 kernel {r('l1_kernel')} with the patched",
        f"KVM; L2 kernel {r('booted')} on the host's QEMU ({r('l2_vmm_version')}), -enable-kvm, 1 vCPU, 256 MiB.",
        f"Storage: native, ext2 on a loop device over a {r('disk_mb')} MiB file on L1's tmpfs; L2, ext2 on raw",
        f"{r('disk_mb')} MiB images on the same tmpfs (cache=unsafe), IDE (ata_piix, pata_pvio) or virtio.",
        f"bonnie++ -s {mb} -r {mb // 2} -n 0 -f -D -q (O_DIRECT; block write, rewrite, block read, seeks) on both sides.",
        "Raw records: bonnie-raw/<round>.txt.", "",
        "Rounds: " + "; ".join(f"{n}: native {nat} L2, L2 order {o}" for n, o, nat, _ in rounds) + "."
        + ("  Left out: " + "; ".join(f"{n}: {why}" for n, why in left) + "." if left else ""), "",
        "## Throughput per phase, MiB/s: median [min-max] over the rounds", "",
    ]
    rows = []
    for s in SIDES:
        rows.append([LABEL[s]] + [spread(_vals(rounds, s, mbs, ph)) for ph in PHASES])
    out += table(["side"] + list(PHASES), rows)
    out += ["", "Virtualized / native per round (median [min-max]); below 1: slower than native.", ""]
    rows = [[LABEL[s]] + [spread(ratios(rounds, s, mbs, ph)) for ph in PHASES] for s in SIDES[1:]]
    out += table(["side"] + [f"{ph} / native" for ph in PHASES], rows)
    out += ["", "## CPU", "",
            "bonnie++'s own %CPU per phase (user + system time of the bonnie++ process over the phase,",
            "in the OS it runs in: L1 for native, L2's vCPU for the L2 rows), median [min-max]:", ""]
    rows = [[LABEL[s]] + [spread(_vals(rounds, s, lambda f, ph: f["phases"].get(ph, (0, None))[1], ph), 0)
                          for ph in PHASES] for s in SIDES]
    out += table(["side"] + [f"{ph} %CPU" for ph in PHASES], rows)
    out += ["", "The host's CPU over the whole bonnie++ window (all phases and the seeks): native, L1's busy",
            "time (/proc/stat: user, nice, system, irq, softirq); L2, the CPU time of L2's QEMU process",
            "in L1 (all threads, KVM's exit handling included) and, beside it, L1's busy time.",
            "Utilisation is CPU seconds over the window's L1 seconds (L1 has one vCPU).", ""]
    rows = []
    for s in SIDES:
        rows.append([LABEL[s], spread(_vals(rounds, s, lambda f, _: f["span"])),
                     spread(_vals(rounds, s, lambda f, _: f["cpu"])),
                     spread(_vals(rounds, s, lambda f, _: f["util"])),
                     spread(_vals(rounds, s, lambda f, _: f["l1busy"]))])
    out += table(["side", "window s", "host CPU s (native: L1 busy; L2: its QEMU)",
                  "utilisation", "L1 busy s"], rows)
    out += ["", "Host CPU ms per MiB per phase: the window's utilisation over the phase's MiB/s (bonnie++",
            "times each phase, the host CPU is read at the window's marks, so this assumes the window's",
            "utilisation in every phase), median [min-max], and virtualized / native per round:", ""]
    rows = [[LABEL[s]] + [spread(_vals(rounds, s, cpu_per_mib, ph)) for ph in PHASES]
            + ([spread(ratios(rounds, s, cpu_per_mib, ph)) for ph in PHASES] if s != "native" else ["-"] * 3)
            for s in SIDES]
    out += table(["side"] + [f"{ph} ms/MiB" for ph in PHASES] + [f"{ph} / native" for ph in PHASES], rows)
    out += ["", "Seconds, MiB/s and CPU are the rig's: L1 runs under TCG, so native is L1's emulated",
            "CPU and tmpfs, and L2's exits to QEMU are far dearer than on hardware (bench/nested/README.md,",
            "\"Caveats\").  \"-\": bonnie++ printed +++++ (the phase took under 0.5 s) in every round."]
    return out


def verdict(paths):
    """(measured, verdict) for REPRODUCTION.md's Fig. 1/2 row, None without rounds."""
    rounds = collect(paths)[0]
    return _verdict(rounds) if rounds else None


def _verdict(rounds):
    """verdict() of the complete rounds: the direction of every (driver,
    phase) ratio and whether pata_pvio sits closer to native than ata_piix."""
    med = {}
    for s in SIDES[1:]:
        for ph in PHASES:
            for key, fn in (("mbs", mbs), ("cpu", cpu_per_mib)):
                rs = ratios(rounds, s, fn, ph)
                med[s, ph, key] = (statistics.median(rs), len(rs)) if rs else (None, 0)
    def cell(s, key):
        return ", ".join(f"{ph} {med[s, ph, key][0]:.2f}" if med[s, ph, key][0] else f"{ph} -"
                         for ph in PHASES)
    meas = (f"{len(rounds)} rounds, virtualized / native, median of the per-round ratios: throughput "
            + "; ".join(f"{LABEL[s]} {cell(s, 'mbs')}" for s in SIDES[1:])
            + "; host CPU per MiB " + "; ".join(f"{LABEL[s]} {cell(s, 'cpu')}" for s in SIDES[1:]))
    ok = [(s, ph) for s in SIDES[1:] for ph in PHASES if med[s, ph, "mbs"][1] >= MIN_ROUNDS]
    if not ok:
        return meas, f"no verdict: fewer than {MIN_ROUNDS} rounds with a timed phase on both sides"
    slower = [(s, ph) for s, ph in ok if med[s, ph, "mbs"][0] < 1]
    dearer = [(s, ph) for s, ph in ok if (med[s, ph, "cpu"][0] or 0) > 1]
    parts = [f"virtualized slower than native in {len(slower)} of {len(ok)} (driver, phase) cells",
             f"more host CPU per MiB in {len(dearer)} of {len(ok)}"]
    both = [ph for ph in PHASES if ("ata_piix", ph) in ok and ("pata_pvio", ph) in ok]
    narrow = [ph for ph in both if med["pata_pvio", ph, "mbs"][0] > med["ata_piix", ph, "mbs"][0]]
    parts.append(f"pata_pvio closer to native than ata_piix in {len(narrow)} of {len(both)} phases"
                 + (f" ({', '.join(narrow)})" if narrow else ""))
    untimed = [ph for ph in PHASES if not any(p == ph for _, p in ok)]
    if untimed:
        parts.append(f"not compared: {', '.join(untimed)} (bonnie++ could not time it, under 0.5 s)")
    if len(slower) == len(ok) and len(dearer) == len(ok):
        head = "reproduced (direction): "
    elif not slower:
        head = "contradicted: "
    else:
        head = "mixed: "
    return meas, head + "; ".join(parts)
