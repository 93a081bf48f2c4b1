# SPDX-License-Identifier: GPL-2.0
"""Raw records of a bench/nested/run.sh results file and the per-window
arithmetic every nested table shares.

A results file holds SNAP lines (counter snapshots at the two marks of a
window: "SNAP name.0 key=val ..." and "name.1"), XHIST and MHIST lines (the
kvm_exit and kvm_msr histograms at the same marks) and "RES key value"
facts.  Every window figure is its growth between the two marks less the
empty window (the cost of one mark), so one function does that for all.
"""
import glob
import os
import re
import statistics
import sys

# SVM exit code -> name, for the exit breakdowns
SVM_NAMES = {
    16: "CR0_WRITE", 19: "CR3_WRITE", 20: "CR4_WRITE", 96: "INTR", 97: "NMI",
    100: "VINTR", 110: "RDTSC", 114: "CPUID", 120: "HLT", 121: "INVLPG",
    123: "IOIO", 124: "MSR", 129: "VMMCALL", 1024: "NPF", 1025: "AVIC_IPI",
    1026: "AVIC_NOACCEL", 119: "PAUSE", 141: "XSETBV", 135: "RDTSCP",
}
# MSR number -> name, for the disk and net MSR tables
# The exits a device access itself causes: port I/O, the pvio hypercall and
# nested page faults (MMIO; under NPT also a first touch of guest memory).
# Timer, HLT, interrupt and MSR exits are the rest, shown by exit code.
DEVICE_CODES = (123, 129, 1024)
MSR_NAMES = {
    1760: "TSC_DEADLINE", 2059: "x2APIC_EOI", 2073: "x2APIC_TMR1",
    2096: "x2APIC_ICR", 2104: "x2APIC_TMICT", 1263947010: "KVM_ASYNC_PF_EN",
    1263947012: "KVM_STEAL_TIME", 1263947014: "KVM_PV_EOI",
}
_NUM = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def num(s):
    """A value's leading number, 0 without one: raw values carry units and
    free text after the figure ("8 MiB"), and a missing value counts as 0."""
    m = _NUM.match(s or "")
    return float(m.group(0)) if m else 0.0


def fmt(x, d):
    """x to d decimals; a count a hair under its empty window would print
    as "-0.00", which reads as a sign, so it prints as 0.00."""
    s = f"{x:.{d}f}"
    return s[1:] if re.fullmatch(r"-0\.?0*", s) else s


def gnum(x):
    """A computed number as text the way the tables always printed them:
    integers bare, others to 6 significant digits."""
    return str(int(x)) if x == int(x) else f"{x:.6g}"


def median(vals):
    """Median of a list (mean of the middle two for an even count)."""
    return statistics.median(vals)


def meta(path):
    """'# key value' metadata lines of a raw file written by bench/run.sh:
    the facts a table names (date, kernel, versions) are recorded, not
    looked up when the table is rendered."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("# "):
                key, _, val = line[2:].rstrip("\n").partition(" ")
                out.setdefault(key, val.strip())
    return out


def _msr_key(field):
    """(msr, write) of an MHIST field: "msr:write:hits", or from before the
    merge "<hex msr><r|w>:hits"."""
    parts = field.split(":")
    if len(parts) == 2:
        return (int(parts[0][:-1], 16), int(parts[0][-1] == "w")), parts[1]
    return (int(parts[0]), int(num(parts[1]))), parts[2]


class Run:
    """One results file: snapshots, histograms and facts, and the window
    arithmetic on them."""

    def __init__(self, path):
        self.snap, self.xh, self.mh, self.res, self.multi = {}, {}, {}, {}, {}
        with open(path) as f:
            for line in f:
                self._line(line.split())

    def _line(self, p):
        """Keep one record; later RES lines win, as the facts are rewritten
        (multi keeps every one for the keys that repeat)."""
        if len(p) < 2:
            return
        if p[0] == "SNAP":
            self.snap[p[1]] = {k: num(v) for k, _, v in
                               (kv.partition("=") for kv in p[2:])}
        elif p[0] == "XHIST":
            self.xh[p[1]] = {int(k): num(v) for k, _, v in
                             (kv.partition(":") for kv in p[2:])}
        elif p[0] == "MHIST":
            self.mh[p[1]] = {k: num(v) for k, v in (_msr_key(kv) for kv in p[2:])}
        elif p[0] == "RES":
            self.res[p[1]] = " ".join(p[2:])
            self.multi.setdefault(p[1], []).append(" ".join(p[2:]))

    def r(self, key):
        """A fact, "" when not recorded."""
        return self.res.get(key, "")

    def rnum(self, key):
        """A fact's leading number (0 when not recorded)."""
        return num(self.res.get(key))

    def have(self, w):
        """Whether window w was recorded (its closing mark)."""
        return w + ".1" in self.snap

    def get(self, w, k):
        """Raw growth of counter k over window w."""
        return (self.snap.get(w + ".1", {}).get(k, 0)
                - self.snap.get(w + ".0", {}).get(k, 0))

    def net(self, w, k):
        """Growth of counter k over window w less the empty window."""
        return self.get(w, k) - self.get("empty", k)

    @staticmethod
    def _hget(h, w, k):
        """Bucket k's growth over window w less the empty window's."""
        def at(m):
            return h.get(m, {}).get(k, 0)
        return at(w + ".1") - at(w + ".0") - (at("empty.1") - at("empty.0"))

    def xget(self, w, code):
        """kvm_exit bucket growth over window w less the empty window."""
        return self._hget(self.xh, w, code)

    def mget(self, w, msr):
        """kvm_msr bucket growth over window w less the empty window."""
        return self._hget(self.mh, w, msr)

    def codes(self):
        """Every SVM exit code seen, ascending (rows in a fixed order)."""
        return sorted({c for h in self.xh.values() for c in h})

    def msrs(self):
        """Every (msr, write) seen, ascending."""
        return sorted({m for h in self.mh.values() for m in h})

    def cpu_us(self, w):
        """CPU time of L2's QEMU in L1 (all its threads) over window w, in
        microseconds; None for runs from before the rig recorded it."""
        a = self.snap.get(w + ".0", {}).get("l2cpu_ns")
        b = self.snap.get(w + ".1", {}).get("l2cpu_ns")
        return None if a is None or b is None else (b - a) / 1000.0

    def span(self, w):
        """L1 seconds between the marks of window w."""
        return self.get(w, "t")

    def bgrate(self):
        """Exits per L1 second while L2 spins with no I/O (0 without a bg
        window): what a busy L2 costs in timer exits, shown beside the tables."""
        if not self.have("bg") or self.span("bg") <= self.span("empty"):
            return 0
        return self.net("bg", "exits") / (self.span("bg") - self.span("empty"))

    def device(self, w):
        """Device exits (DEVICE_CODES) of window w, None without a kvm_exit
        histogram there."""
        if w + ".1" not in self.xh:
            return None
        return sum(self.xget(w, c) for c in DEVICE_CODES)

    def has_empty(self):
        """Every window is relative to the empty one; without it no table."""
        return "empty.0" in self.snap and "empty.1" in self.snap


def round_of(run, path):
    """(round name, driver/scheduler order) of one boot of a multi-boot
    benchmark, from its "RES bench_round N order=a,b,..." line (rounds.sh);
    the file name and "" without one."""
    m = re.match(r"(\S+)(?:.*order=(\S+))?", run.r("bench_round"))
    if not m:
        return os.path.basename(path).rsplit(".", 1)[0], ""
    return m.group(1), (m.group(2) or "").replace(",", " ")


def raw_paths(res, folder):
    """The raw records of a benchmark of several L1 boots: RES/FOLDER/*.txt, sorted."""
    return sorted(glob.glob(os.path.join(res, folder, "*.txt")))


def nested_run(res, name):
    """RES/NAME as a Run, or None if absent or without the empty window
    that every window is relative to."""
    path = os.path.join(res, name)
    if not os.path.exists(path):
        return None
    run = Run(path)
    if not run.has_empty():
        sys.stderr.write(f"report: no empty window in {path}\n")
        return None
    return run


def table(head, rows):
    """A Markdown table: heading cells, then rows of cells (a row given as
    text, such as an error spanning the row, is kept as it is)."""
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += [r if isinstance(r, str) else "| " + " | ".join(r) + " |" for r in rows]
    return out
