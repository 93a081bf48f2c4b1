# SPDX-License-Identifier: GPL-2.0
"""nested-profile.md (issue 11, the paper's Tables 1-3 and Fig. 8) from
BENCH=profile's rounds, bench/results/profile-raw/<round>.txt.

Each round is one L1 boot of the nested rig's disk and net parts
(bench/nested/run.sh with NB_PROFILE=1).  At every mark L1 printed and
cleared two histograms (bench/nested/l1/profile.sh): every exit by L2's RIP,
SVM exit code and exit_info1 (RHIST), and every port access by port and
direction (PHIST); so the records of a window are those of its closing
mark, and those of the first mark (empty.0) are L2's boot, from its QEMU's
start.  keep() turns a round's build directory into its raw file: the
records as L1 sent them (but the RIPs of the intervals between windows),
each window's RIPs resolved (RSYM lines) against
L2's own /proc/kallsyms as L2 wrote it (L2 boots with nokaslr; Debian's
System.map is a placeholder), the modules' symbols as printed after that
driver's windows (a swapped driver reuses the addresses), and the line numbers of drivers/clocksource/acpi_pm.c the Fig. 8 verdict
quotes.  profile_md() and the two REPRODUCTION.md cells read the raw files
only."""
import bisect
import functools
import glob
import os
import re
import statistics
import subprocess

from .records import SVM_NAMES, Run, fmt, raw_paths, table

IOIO, VMMCALL = 123, 129
TOP = 10
OUTSIDE, NOSYM = "?low", "?nosym"  # RSYM tokens of RIPs with no kernel symbol
SHOWN = {OUTSIDE: "(user space, or firmware at boot: below the kernel's _text)",
         NOSYM: "(no symbol)"}
# (title, windows per driver, unit fact, unit name): the workloads profiled
DISK = (("ata_piix", "pata_pvio"), "cmds", "command")
NET = (("net.e1000", "net.e1000_pvio1"), "net.pings", "echo")
WORKLOADS = (("disk, 4 KiB O_DIRECT writes (dd)", DISK, "write"),
             ("disk, 4 KiB O_DIRECT reads (dd)", DISK, "read"),
             ("net, ping echoes", NET, "ping"),
             ("net, iperf3 TCP L2->L1", NET, "tcp_tx"))
LABEL = {"ata_piix": "ata_piix", "pata_pvio": "pata_pvio", "net.e1000": "e1000",
         "net.e1000_pvio1": "e1000_pvio"}
SOURCE = "drivers/clocksource/acpi_pm.c"


# ---- keeping a round (bench/report.py --keep-profile BUILD RAWDIR) ----

def _tables(lines):
    """({name: {addr: (symbol, module)}}, core [(addr, symbol)] sorted, _text)
    from the KSYM lines L1 passed on: L2's text symbols as ksyms NAME printed
    them after NAME's windows (the kernel's in the first table only)."""
    mods, core, text = {}, [], 0
    for p in (ln.split() for ln in lines if ln.startswith("KSYM ")):
        if len(p) == 4:
            core.append((int(p[2], 16), p[3]))
            text = int(p[2], 16) if p[3] == "_text" else text
        elif len(p) == 5:
            mods.setdefault(p[1], {})[int(p[2], 16)] = (p[3], p[4].strip("[]"))
    return mods, sorted(core), text


def _resolver(core, mods):
    """A function RIP -> "func+0xoff@module" from the kernel's symbols and
    one module table; RIPs below the kernel's _text are firmware's."""
    kaddr, knames = [a for a, _ in core], [n for _, n in core]
    maddr = sorted(mods)
    text = dict((n, a) for a, n in core).get("_text", 0)
    etext = dict((n, a) for a, n in core).get("_etext", 0xffffffffc0000000)

    def resolve(rip):
        if rip < text:
            return OUTSIDE
        if rip < etext or not maddr or rip < maddr[0]:
            i = bisect.bisect_right(kaddr, rip) - 1
            return f"{knames[i]}+{rip - kaddr[i]:#x}@vmlinux" if i >= 0 else NOSYM
        i = bisect.bisect_right(maddr, rip) - 1
        if rip - maddr[i] > 0x10000:
            return NOSYM
        name, mod = mods[maddr[i]]
        return f"{name}+{rip - maddr[i]:#x}@{mod}"
    return resolve


def _acpi_pm_lines(src):
    """RES lines: where acpi_pm.c compiles verify_pmtmr_rate out on x86_64,
    calls it, and its monotonicity check (line numbers and constants only)."""
    try:
        with open(src) as f:
            lines = f.read().split("\n")
    except OSError:
        return []
    found = {}
    for i, line in enumerate(lines, 1):
        s = line.strip()
        if s == "#ifndef CONFIG_X86_64" and "x86_64_guard" not in found:
            found["x86_64_guard"] = str(i)
        elif re.match(r"static int verify_pmtmr_rate\(void\)", s):
            found["verify_def"] = str(i)
        elif re.match(r"#define verify_pmtmr_rate\(\)\s*\(0\)", s):
            found["verify_stub"] = str(i)
        elif "verify_pmtmr_rate()" in s and s.startswith("if"):
            found["verify_call"] = str(i)
        elif re.match(r"static int __init init_acpi_pm_clocksource", s):
            found["init"] = str(i)
        elif m := re.match(r"#define (ACPI_PM_MONOTONICITY_CHECKS|ACPI_PM_READ_CHECKS)\s+(\d+)", s):
            found[m.group(1).lower()] = f"{m.group(2)} line {i}"
    return [f"RES acpi_pm.{k} {v}" for k, v in found.items()]


def _kept(mark):
    """Whether the RIPs of the interval closed at mark are kept."""
    return mark.endswith(".1") or mark == "empty.0"


def keep(build, rawdir, root):
    """Write rawdir/<round>.txt for every complete round in build/<round>/;
    0 if at least one was kept."""
    os.makedirs(rawdir, exist_ok=True)
    for old in glob.glob(os.path.join(rawdir, "*.txt")):
        os.remove(old)
    commit = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    kept = 0
    for res in sorted(glob.glob(os.path.join(build, "*", "results.txt"))):
        d = os.path.dirname(res)
        with open(res, errors="replace") as f:
            lines = [ln.rstrip("\n").replace(root + "/", "") for ln in f]
        run = Run(res)
        if not run.r("l2_done"):
            continue
        kver = run.r("booted")
        mods, core, text = _tables(lines)
        out = [f"# date {run.r('l0_date')}", f"# commit {commit}", f"# guest_kernel {kver}",
               f"# qemu {run.r('l2_vmm_version')}",
               f"RES commit {commit}",
               f"RES symbols L2's /proc/kallsyms (nokaslr; _text {text:#x}): the kernel's "
               f"{len(core)} text symbols, the modules' as printed after each driver's windows"]
        # the RIPs of the windows (closing marks) and of the boot (the first
        # mark); those of the intervals between windows (loading drivers,
        # printing symbols) are measured by nothing and left out
        out += [ln for ln in lines if not ln.startswith("KSYM ") and not
                (ln.startswith("RHIST ") and not _kept(ln.split()[1]))]
        for p in (ln.split() for ln in lines if ln.startswith("RHIST ")):
            mark = p[1]
            if not _kept(mark):
                continue
            tab = next((m for n, m in mods.items() if mark.startswith(n + ".")),
                       next(iter(mods.values()), {}))
            resolve = _resolver(core, tab)
            out.append(f"RSYM {mark} " + " ".join(
                f"{f.split(':')[0]}={resolve(int(f.split(':')[0], 16))}" for f in p[2:]))
        mm = ".".join(kver.split(".")[:2])
        cache = os.environ.get("PVIO_CACHE", "/var/cache/pvio")  # as host/kvm/build.sh
        acpi = _acpi_pm_lines(f"{cache}/linux-source-{mm}/{SOURCE}")
        out += [f"RES acpi_pm.source {SOURCE} of linux-source-{mm}"] + acpi if acpi else []
        with open(os.path.join(rawdir, os.path.basename(d) + ".txt"), "w") as f:
            f.write("\n".join(out) + "\n")
        kept += 1
    return 0 if kept else 1


# ---- reading the raw files ----

class Profile(Run):
    """A raw file: the nested records (Run) and the profile's histograms."""

    def __init__(self, path):
        self.rh, self.ph, self.sym = {}, {}, {}
        super().__init__(path)

    def _line(self, p):
        if len(p) >= 2 and p[0] == "RHIST":
            self.rh[p[1]] = [tuple(int(x, 16) if i in (0, 2) else int(x) for i, x in
                                   enumerate(f.split(":"))) for f in p[2:]]
        elif len(p) >= 2 and p[0] == "PHIST":
            self.ph[p[1]] = {(int(a, 16), int(b)): int(c) for a, b, c in
                             (f.split(":") for f in p[2:])}
        elif len(p) >= 2 and p[0] == "RSYM":
            self.sym[p[1]] = {int(k, 16): v for k, _, v in (f.partition("=") for f in p[2:])}
        else:
            super()._line(p)

    def funcs(self, mark):
        """{function: {(exit code, detail): exits}} over the interval closed
        at mark; detail is an IOIO's direction and port, else ""."""
        out = {}
        for rip, code, info1, n in self.rh.get(mark, []):
            s = self.sym.get(mark, {}).get(rip, NOSYM)
            fn = SHOWN.get(s) or re.sub(r"\+0x[0-9a-f]+@", " [", s) + "]"
            fn = fn.replace(" [vmlinux]", "")
            det = f"{'in' if info1 & 1 else 'out'} {info1 >> 16:#x}" if code == IOIO else ""
            d = out.setdefault(fn, {})
            d[(code, det)] = d.get((code, det), 0) + n
        return out

    def window(self, w):
        """{function: {(code, detail): exits}} of window w less the empty
        window (the mark's own exits), per bucket."""
        a, e = self.funcs(w + ".1"), self.funcs("empty.1")
        for fn, d in e.items():
            for k, n in d.items():
                a.setdefault(fn, {})[k] = a.get(fn, {}).get(k, 0) - n
        return a

    def pm_port(self):
        """The ACPI PM timer's port from L2's /proc/ioports, None if absent."""
        m = re.match(r"\s*([0-9a-f]+)-", self.r("ioports.pm_tmr"))
        return int(m.group(1), 16) if m else None

    def pm_reads(self, mark, less_empty=False):
        """Reads (IN) of the PM timer port over the interval closed at mark."""
        port = self.pm_port()
        n = self.ph.get(mark, {}).get((port, 0), 0)
        return n - self.ph.get("empty.1", {}).get((port, 0), 0) if less_empty else n

    def pm_by_func(self, mark):
        """{function: PM-timer reads} over the interval closed at mark."""
        port, out = self.pm_port(), {}
        for fn, d in self.funcs(mark).items():
            n = sum(v for (c, det), v in d.items() if c == IOIO and det == f"in {port:#x}")
            if n:
                out[fn] = n
        return out


def rounds(paths):
    """[(name, Profile)] of the complete rounds (L2 done, empty window, RSYM)."""
    out = []
    for path in paths:
        p = Profile(path)
        if p.r("l2_done") and p.has_empty() and p.sym:
            out.append((os.path.splitext(os.path.basename(path))[0], p))
    return out


@functools.lru_cache(maxsize=None)
def rounds_in(res):
    """rounds() of RES/profile-raw/, parsed once per process: the tables, the
    REPRODUCTION.md rows and every chart panel read the same records."""
    return rounds(raw_paths(res, "profile-raw"))


def spread(vals, d=2):
    """median [min-max] (or the value alone when they agree), "-" if none."""
    if not vals:
        return "-"
    med, lo, hi = statistics.median(vals), min(vals), max(vals)
    return fmt(med, d) if lo == hi else f"{fmt(med, d)} [{fmt(lo, d)}-{fmt(hi, d)}]"


def _reason(k):
    code, det = k
    name = SVM_NAMES.get(code, str(code))
    return f"{name} {det}" if det else name


def shares(rs, w):
    """(total exits per round, {function: [share % per round]}, {function:
    {(code, detail): exits summed over the rounds, not less the empty
    window}}) of window w."""
    totals, sh, why = [], {}, {}
    for _, p in rs:
        f = p.window(w)
        tot = sum(sum(d.values()) for d in f.values())
        if tot <= 0:
            continue
        totals.append(tot)
        for fn, d in f.items():
            sh.setdefault(fn, []).append(100.0 * sum(d.values()) / tot)
        for fn, d in p.funcs(w + ".1").items():  # exit codes: the raw window's
            for k, n in d.items():
                why.setdefault(fn, {})[k] = why.get(fn, {}).get(k, 0) + n
    for fn in sh:  # a round without the function: 0 % there
        sh[fn] += [0.0] * (len(totals) - len(sh[fn]))
    return totals, sh, why


def top(rs, w, n=TOP):
    """The n functions of window w with the largest median share."""
    totals, sh, why = shares(rs, w)
    best = sorted(sh, key=lambda fn: -statistics.median(sh[fn]))[:n]
    return totals, [(fn, sh[fn], why.get(fn, {})) for fn in best]


def _top_rows(rs, w, units):
    totals, best = top(rs, w)
    rows = []
    for i, (fn, vals, why) in enumerate(best, 1):
        tot = sum(why.values())
        main = sorted(why.items(), key=lambda kv: -kv[1])[:2]
        rows.append([str(i), f"`{fn}`", spread(vals),
                     spread([v * t / 100 / u for v, t, u in zip(vals, totals, units)]),
                     ", ".join(f"{_reason(k)} {100 * v / tot:.0f}%" for k, v in main if v > 0 and tot > 0)])
    return totals, rows


def _units(rs, fact):
    return [p.rnum(fact) or 1 for _, p in rs]


def profile_md(paths):
    """nested-profile.md's lines from the raw files."""
    rs = rounds(paths)
    if not rs:
        return None
    out = ["# Exits by L2's RIP and ACPI PM-timer reads (the paper's Tables 1-3 and Fig. 8)", "",
           f"Generated by bench/reporter/profile.py from bench/results/profile-raw/ ({len(rs)} rounds, "
           "one L1 boot each: `BENCH=profile bench/run.sh`); do not edit by hand.  L1 keeps a "
           "kvm:kvm_exit histogram keyed by L2's RIP, SVM exit code and exit_info1 and a kvm:kvm_pio "
           "histogram keyed by port and direction, printed and cleared at every mark "
           "(bench/nested/README.md).  RIPs are resolved on L0 against L2's /proc/kallsyms "
           "(L2 boots with `nokaslr`), the modules' as L2 printed them after each driver's "
           "windows.  Every window is less the empty window (the "
           "cost of one mark).  Cells are the median over the rounds with [min-max] where they "
           "differ.", ""]
    for name, p in rs:
        out.append(f"- round {name}: commit {p.r('commit')}, L2 kernel {p.r('booted')}, "
                   f"{p.r('l2_vmm_version')} in L1, L0 {p.r('l0_host')}, {p.r('l0_date')}; "
                   f"{p.r('symbols')}")
    out += ["", "## Hottest exit addresses (Tables 1-3)", "",
            "The paper profiled the RIPs of the traps (netperf: ioread16 26.03%, iowrite16 "
            "21.85% of traps); here every exit of a window is counted at its RIP and summed per "
            "function.  \"Exits / unit\" is the function's exits per command or per echo; "
            "\"exit codes\" are its two commonest SVM exit codes (IOIO with direction and port).  "
            "The iperf3 window has no fixed unit: its column is per MiB.", ""]
    for title, (drivers, fact, unit), kind in WORKLOADS:
        for drv in drivers:
            w = f"{drv}.{kind}"
            if not any(p.have(w) for _, p in rs):
                continue
            units = _units(rs, "net.tcp_mb") if kind == "tcp_tx" else _units(rs, fact)
            totals, rows = _top_rows(rs, w, units)
            u = "MiB" if kind == "tcp_tx" else unit
            out += [f"### {title}: {LABEL[drv]}", "",
                    f"{spread([t / n for t, n in zip(totals, units)])} exits per {u} "
                    f"({spread(totals, 0)} in the window).", ""]
            out += table(["#", "function", "share of exits %", f"exits / {u}", "exit codes"], rows)
            out.append("")
    out += fig8_lines(rs)
    return out


# ---- Fig. 8: the ACPI PM timer ----

def pm_facts(rs):
    """(port, boot reads per round, {function: [reads per round]} at boot,
    {window: [reads per round]} over the disk windows)."""
    port = rs[0][1].pm_port()
    boot = [p.pm_reads("empty.0") for _, p in rs]
    byf = {}
    for i, (_, p) in enumerate(rs):
        for fn, n in p.pm_by_func("empty.0").items():
            byf.setdefault(fn, [0] * len(rs))[i] = n
    wins = {}
    for drv in DISK[0]:
        for kind in ("write", "read"):
            w = f"{drv}.{kind}"
            wins[w] = [p.pm_reads(w + ".1", True) for _, p in rs if p.have(w)]
    return port, boot, byf, wins


def fig8_verdict(rs):
    """(measured text, verdict) of Fig. 8 from the rounds."""
    port, boot, byf, wins = pm_facts(rs)
    a = rs[0][1]
    src = a.r("acpi_pm.source")
    if port is None:
        return "no ACPI PM timer in L2's /proc/ioports", "not measured: no PM timer port"
    funcs = "; ".join(f"{fn} {spread(v, 0)}" for fn, v in
                      sorted(byf.items(), key=lambda kv: -statistics.median(kv[1])))
    win = ", ".join(f"{w} {spread(v, 0)}" for w, v in wins.items() if v)
    meas = (f"PM timer at port {port:#x} (L2's /proc/ioports); reads of it in {len(rs)} L2 boots, "
            f"from L2's QEMU start to its first mark: {spread(boot, 0)} (by RIP: {funcs}); "
            f"per disk window ({fmt(a.rnum('cmds'), 0)} commands of dd, less the empty window): {win}")
    stub, guard, call = (a.r(f"acpi_pm.{k}") for k in ("verify_stub", "x86_64_guard", "verify_call"))
    mono = a.r("acpi_pm.acpi_pm_monotonicity_checks").split(" ")[0]
    if not (src and stub and guard):
        return meas, "not called: the acpi_pm.c line numbers are not recorded"
    ev = (f"{src}: verify_pmtmr_rate reads the timer only without CONFIG_X86_64 (line {guard}); "
          f"on x86_64 it is a stub returning 0 (line {stub}, called at line {call})")
    init = a.r("acpi_pm.init")
    if mono and boot and statistics.median(boot) == 2 * int(mono) and list(byf) == ["acpi_pm_read"]:
        ev += (f"; what reads it at boot is init_acpi_pm_clocksource (line {init}): {mono} "
               f"monotonicity rounds, each reading until the value changes, two reads a round "
               f"when a read outlasts a PM-timer tick as here: 2 x {mono} = {2 * int(mono)}, "
               "all at acpi_pm_read")
    if any(fn.startswith("verify_pmtmr_rate") for fn in byf):
        return meas, "reproduced: verify_pmtmr_rate reads the PM timer at boot; " + ev
    if all(v == 0 for vs in wins.values() for v in vs):
        return meas, ("not applicable on 6.1: no read of the PM timer comes from verify_pmtmr_rate "
                      "and none happens during the disk windows, so there is nothing to remove "
                      "for block writes; " + ev)
    return meas, "not applicable on 6.1 (no verify_pmtmr_rate read); PM-timer reads in a disk window: " + ev


def fig8_lines(rs):
    port, boot, byf, wins = pm_facts(rs)
    meas, verdict = fig8_verdict(rs)
    out = ["## ACPI PM-timer reads (Fig. 8: verify_pmtmr_rate)", ""]
    if port is None:
        return out + [meas, ""]
    rows = [["L2 boot (QEMU start to the first mark)", spread(boot, 0)]]
    rows += [[f"  of which at `{fn}`", spread(v, 0)] for fn, v in
             sorted(byf.items(), key=lambda kv: -statistics.median(kv[1]))]
    rows += [[f"disk window {w}", spread(v, 0)] for w, v in wins.items() if v]
    out += [f"Reads (IN) of port {port:#x}, the PM timer in L2's /proc/ioports, from the "
            "kvm:kvm_pio histogram; the split by function is the IOIO exits at that port in the "
            "RIP histogram.", ""]
    out += table(["interval", "PM-timer reads"], rows)
    out += ["", f"Verdict: **{verdict}**", ""]
    return out


# ---- REPRODUCTION.md ----

def tables13(res, rel):
    """(measured, verdict) of Tables 1-3 from profile-raw/, None without."""
    rs = rounds_in(res)
    if not rs:
        return None
    parts = []
    for title, (drivers, _, _), kind in WORKLOADS:
        if kind == "read":
            continue
        cells = []
        for drv in drivers:
            _, best = top(rs, f"{drv}.{kind}", 2)
            if best:
                cells.append(f"{LABEL[drv]} " + ", ".join(
                    f"{fn} {fmt(statistics.median(v), 2)}%" for fn, v, _ in best))
        if cells:
            parts.append(f"{title}: " + " -> ".join(cells))
    meas = (f"{rel}nested-profile.md (raw profile-raw/), {len(rs)} rounds, top two functions by "
            "median share of a window's exits, before -> after pvio: " + "; ".join(parts))
    return meas, _tables13_verdict(rs)


def _tables13_verdict(rs):
    """The verdict: where the stock drivers' exits sit, and what pvio's
    drivers leave of them (writes and echoes, the functions' median shares)."""
    acc = re.compile(r"io(read|write)\d+$")

    def names(w, n=TOP):
        return [(fn, statistics.median(v)) for fn, v, _ in top(rs, w, n)[1]]
    a, p = names("ata_piix.write", 2), names("pata_pvio.write")
    e, ep = names("net.e1000.ping", 3), names("net.e1000_pvio1.ping")
    hc = dict(p).get("pvio_call_host [pvio]")
    out = []
    if a and all(acc.match(fn) for fn, _ in a) and not any(acc.match(fn) for fn, _ in p):
        out.append("reproduced for the disk: ata_piix's two hottest functions are port accessors, "
                   + " and ".join(f"{fn} {fmt(m, 2)}%" for fn, m in a)
                   + " of a write's exits (the paper's ioread16/iowrite16; the taskfile ports are "
                   "8-bit), and no accessor is in pata_pvio's top ten"
                   + (f", where the one hypercall site pvio_call_host has {fmt(hc, 2)}%" if hc else ""))
    elif a:
        out.append("not reproduced for the disk: ata_piix's hottest functions are "
                   + ", ".join(fn for fn, _ in a))
    mods = [fn for fn, _ in e if fn.endswith("[e1000]")]
    if mods and not any(fn.endswith("[e1000_pvio]") for fn, _ in ep):
        out.append("e1000's MMIO accesses are inlined into its own functions ("
                   + ", ".join(mods) + " among its top three per echo), none of e1000_pvio's is in "
                   "its top ten: its register accesses leave through pvio_call_host")
    return "; ".join(out) or "not called: no ata_piix or e1000 window"


def fig8(res, rel):
    """(measured, verdict) of Fig. 8 from profile-raw/, None without."""
    rs = rounds_in(res)
    if not rs:
        return None
    meas, v = fig8_verdict(rs)
    return f"{rel}nested-profile.md (raw profile-raw/), {len(rs)} rounds: " + meas, v
