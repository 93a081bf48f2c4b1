# SPDX-License-Identifier: GPL-2.0
"""sched.md from sched-raw-icount.txt (the headline, instruction clock)
and sched-raw.txt (wall clock): BENCH-SCHED round scheduler IOPS lines,
plus '# key value' lines naming when and on what the bench ran."""
from .records import fmt, median, meta, num, table

SCHEDULERS = ("none", "mq-deadline", "kyber", "pvio-bypass")
TARGET = 1.05   # issue 9: pvio-bypass at least 1.05 x mq-deadline (medians)
NOT_RECORDED = "not recorded"


def rounds(path):
    """{scheduler: {round: IOPS}} in file order."""
    out = {s: {} for s in SCHEDULERS}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[0] == "BENCH-SCHED":
                out.setdefault(p[2], {})[p[1]] = num(p[3])
    return out


def spread(data):
    """The widest (max - min) / median of any scheduler's rounds, in %: how
    far the rounds disagree, computed instead of asserted."""
    return max(((max(v.values()) - min(v.values())) / median(list(v.values())) * 100
                for v in data.values() if v), default=0)


def sched_table(data):
    """IOPS per round and medians, the per-round pairs, the verdicts."""
    med = {s: median(list(data[s].values())) if data[s] else 0 for s in SCHEDULERS}
    mq = med["mq-deadline"]
    rows = [[s, ", ".join("%d" % v for v in data[s].values()), "%d" % med[s],
             "%.3fx" % (med[s] / mq if mq else 0)] for s in SCHEDULERS]
    pb, mqr = data["pvio-bypass"], data["mq-deadline"]
    pairs = [pb[r] / mqr[r] for r in pb if mqr.get(r, 0) > 0]
    out = table(["scheduler", "IOPS per round", "median IOPS", "vs mq-deadline"], rows)
    out += ["", "pvio-bypass / mq-deadline, the two runs of each round side by side (they run back "
            "to back): " + ", ".join("%.3f" % p for p in pairs)
            + "; median %.3fx." % (median(pairs) if pairs else 0), "",
            "Targets (medians): pvio-bypass >= %sx mq-deadline: %s; pvio-bypass >= kyber: %s." % (
                TARGET, "met" if med["pvio-bypass"] >= TARGET * mq else "MISSED",
                "met" if med["pvio-bypass"] >= med["kyber"] else "MISSED")]
    return out


def sched_md(icount_path, wall_path):
    """sched.md; the date, kernel and versions come from the raw files'
    metadata lines (files from before they were recorded say so)."""
    m = meta(wall_path)
    ic, wall = rounds(icount_path), rounds(wall_path)

    def g(k):
        return m.get(k, NOT_RECORDED)
    load = m.get("host", "host load average " + NOT_RECORDED)
    host = f"{m['host_system']} shared" if "host_system" in m else f"{NOT_RECORDED}; CPUs shared"
    return [
        "# I/O schedulers on null_blk: 4 KiB random-read IOPS, QD1", "",
        f"{'date ' + NOT_RECORDED if 'date' not in m else m['date']}, `make bench` (BENCH=sched), "
        f"guest kernel {g('guest_kernel')} under QEMU TCG",
        f"(-cpu qemu64, 1 vCPU, 1 GiB), null_blk queue_mode=2 irqmode=0, fio {g('fio')}",
        "randread bs=4k psync iodepth=1 direct=1, after 1 s ramp, rounds interleaved (order reversed",
        f"every other round). Host: {host} with other VMs.", "",
        "## Instruction clock (headline)", "",
        "QEMU `-icount shift=0,sleep=off`: the guest clock advances 1 ns per guest instruction, so",
        "IOPS = 10^9 / guest instructions per I/O, whatever else the host runs (each scheduler's",
        f"rounds agree to within {fmt(spread(ic), 2)}%). {len(ic['none'])} rounds of 1 s of guest time each.", ""
    ] + sched_table(ic) + [
        "", "## Wall clock", "",
        f"Same case without -icount, {len(wall['none'])} rounds of 3 s",
        f"({load}). Shared cores make single runs swing",
        "by 2x or more; compare the per-round pairs and the medians, not single numbers.", ""
    ] + sched_table(wall)
