#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""No measured figure in the prose is typed by hand.

In every git-tracked Markdown file outside bench/results/ (and other than
REPRODUCTION.md, which bench/reporter/reproduction.py generates from the
raw records as it does the results tables), a measured figure
may appear only in a paragraph that names the file it comes from, and that
file must contain it.  A source is a tracked file under bench/results/ (what
`make bench` writes, rendered or raw) or a test under tests/ (not a README
there) that asserts or sets a count, e.g. the VMM's PIT bounds.  The figure
must occur in a named file as a number token: the same digits (1.07 does not
match 1.071), an integer N also matches N.00 and N with thousands
separators; dates, times and dotted releases in the source do not count.

A measured figure is, in prose (not in ``` or ~~~ fenced blocks, not in
indented code blocks, not in `code spans`, not in link targets):
  - a decimal number: 26.00, 0.66, 1.219 (and 1.07x, 12.5%, 3.5 ms);
  - a ratio: 2x, 1.07x, 3×;
  - a percentage: 40%, 12.5 %;
  - a count "N of M": 2048 of 2048;
  - an integer followed by a measured quantity: exits, hypercalls, round
    trips, (port) accesses/reads/writes/ops, flushes, interrupts, ticks,
    IOPS, rates (/s, Hz, per second/command/echo), times (ms, us, ns, s,
    min, seconds), throughput (MB/s, Mbit/s ...).
Not a figure (nothing that starts inside one of these):
  - versions: a number after Linux, QEMU, kernel, Debian, GCC, Python,
    meson, v, "after"/"since" ... (also "QEMU (7.2 and 10.0)", "Linux >=
    4.19"), or before "kernel(s)", "series", "release"; dotted triples
    (6.1.0); the Linux 6 series written bare (6.1 .. 6.19);
  - numbers glued to identifiers and paths (linux-6.12, e1000, L2, x86_64,
    00:03.0, napi=1), hex (0x1f0), sizes and widths (64 MiB, 4 KiB, 32-bit);
  - section, table, step, mode, issue, channel, port ... numbers (§3.2,
    mode 2 exits);
  - line numbers after a code name or a source file (`f()` 209-215, kvm.h 291);
  - a default in configuration text: NB_BG (3 s), `PVIO_X` (1500 s).
Integers on their own (a table cell "18", "two hypercalls" in words) are not
figures: the rule targets what a run measures, not the design's arithmetic.

A paragraph is a run of non-blank lines (a heading stands alone); a table
belongs to the paragraph just before it (its caption).  Prints TAP; each
offending figure as "# file:line: figure (why)" before `not ok`.
Usage: figures.py [FILE.md ...]   (default: every tracked Markdown file)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE_DIRS = ("bench/results/", "tests/")

VERSIONED = (r"Linux|linux|kernels?|Kernels?|QEMU|qemu|Debian|debian|GCC|gcc|"
             r"clang|Python|python3?|fio|bonnie\+\+|busybox|glibc|Ubuntu|"
             r"bookworm|trixie|DKMS|dkms|release|releases|version|versions|"
             r"series|v|virtio|PCI|PCIe|SVM|VMX|KVM|OVMF|SeaBIOS|iproute2|"
             r"netperf|iperf3?|perf|trace-cmd|TCG|GNU|POSIX|C|ACPI|USB|"
             r"meson|ninja|after|before|since|until")
VER_NUM = r"v?\d+(?:\.\d+)*(?:-rc\d+)?"
VERSION_RE = re.compile(
    r"(?<![\w-])(?:" + VERSIONED + r")(?:'s)?[ ~]+\(?(?:(?:>=|<=|≥|≤|<|>)\s*)?" +
    VER_NUM + r"(?:(?:\s*(?:,|/|and|or|to|through|-|–)\s*)" + VER_NUM + r")*"
    r"|" + VER_NUM + r"(?:(?:\s*(?:,|/|and|or)\s*)" + VER_NUM + r")*"
    r"(?=\s+(?:kernels?|series|releases?|headers|sources?|tree)\b)")
# the Linux 6 series (6.1 .. 6.19) written bare: "changed in 6.4, 6.17"
KERNEL_SERIES_RE = re.compile(r"(?<![\d.])6\.(?:1\d|[1-9])(?![\d.])")
SECTION_RE = re.compile(r"(?:§\s*|\b(?:[Ss]ections?|[Ss]ec\.|[Tt]ables?|"
                        r"[Ff]ig(?:ure|\.)?s?|[Cc]hapters?|[Ss]teps?|"
                        r"[Pp]atch(?:es)?|[Ll]ines?|[Rr]ules?|RFC|[Mm]odes?|[Ii]ssues?|"
                        r"[Cc]hannels?|[Tt]iers?|[Ll]evels?|[Pp]arts?|[Rr]ounds?|"
                        r"[Pp]hases?|[Cc]ases?|[Pp]orts?|[Bb]ytes?|[Bb]its?|"
                        r"[Aa]ppendix)\s+)\d+(?:\.\d+)*")
SIZE_RE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:[KMGT]i?B|[KMGT]iB|bytes?|"
                     r"bits?|-bit|[KMG]\b)(?!/s|ps|it/s)")
TRIPLE_RE = re.compile(r"\b\d+(?:\.\d+){2,}\b")

NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
UNITS = (r"(?:VM[ -])?exits?|hypercalls?|VMMCALLs?|vmcalls?|round[ -]trips?|"
         r"(?:port |PIO |MMIO |I/O )?(?:accesses|reads|writes|I/Os?|ops|flushes|"
         r"operations)|interrupts?|IRQs?|ticks?|traps?|IOPS|"
         r"instructions?|cycles|context switches|wakeups?|"
         r"[KMG]i?B/s|[KMG]bit/s|[KMG]b/s|[kKMG]?pps|[kKMG]?Hz|"
         r"ms|µs|us|ns|s|sec|secs|seconds?|min|minutes?|hours?|"
         r"(?:[a-z]+ )?per (?:second|command|flush|packet|echo|I/O|MiB)|/s|/cmd")
FIGURE_RE = re.compile(
    r"(?<![\w.])(?:(?P<nofm>\b(?:" + NUM + r") of (?:" + NUM + r")\b)"
    r"|(?P<ratio>(?:" + NUM + r")\s?[x×](?![\w]))"
    r"|(?P<pct>(?:" + NUM + r")\s?%)"
    r"|(?P<unit>(?:" + NUM + r")\s?(?:" + UNITS + r")(?![\w]))"
    r"|(?P<dec>\d+\.\d+))")
# line numbers after a code name or a source file: `f()` 209-215, main-loop.h 271, 350
LINEREF_RE = re.compile(r"(?:`[^`]*`|\b[\w/.-]+\.(?:c|h|py|sh|build|S))\s+\d+(?:-\d+)?"
                        r"(?:,\s*\d+(?:-\d+)?)*")
# a default in configuration text: NB_BG (3 s), `timeout=` (300 s)
CONFIG_RE = re.compile(r"(?:\b[A-Z][A-Z0-9_]{2,}|`[^`]*`)\s*\(\s*(?:default\s+)?"
                       r"(?:" + NUM + r")\s?(?:" + UNITS + r")?\s*\)")
NUMBER_RE = re.compile(NUM)


def tracked_markdown():
    out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--", "*.md"],
                         capture_output=True, check=True).stdout.decode()
    # REPRODUCTION.md is generated from the raw records by
    # bench/reporter/reproduction.py (bench/report.py), like bench/results/*.md:
    # its figures are computed, not typed, and many (ratios, medians over
    # rounds) occur in no results file to match
    return sorted(p for p in out.split("\0")
                  if p and not p.startswith("bench/results/") and p != "REPRODUCTION.md")


def paragraphs(lines):
    """Yields (first line number, [(line number, prose text)]) per paragraph;
    code blocks dropped, code spans and link targets blanked."""
    para, fence, prev_blank, in_list = [], None, True, False
    out = []
    for i, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        m = re.match(r"\s*(```+|~~~+)", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            prev_blank = False
            continue
        if m:
            if para:
                out.append(para)
            para, fence = [], m.group(1)
            continue
        if not line.strip():
            if para:
                out.append(para)
            para, prev_blank = [], True
            continue
        indented = re.match(r"( {4,}|\t)", line)
        if indented and prev_blank and not in_list:
            # indented code block (a list item's continuation is not code)
            continue
        if indented and not para and not prev_blank:
            continue                    # still inside the indented block
        if re.match(r"\s*([-*+]|\d+[.)])\s", line):
            in_list = True
        elif not indented and not line.startswith(" "):
            in_list = False
        if re.match(r"#{1,6}\s", line):
            if para:
                out.append(para)
            out.append([(i, line)])
            para, prev_blank = [], False
            continue
        para.append((i, line))
        prev_blank = False
    if para:
        out.append(para)
    # a table joins the paragraph before it (its caption)
    merged = []
    for p in out:
        if merged and p[0][1].lstrip().startswith("|") and \
           not merged[-1][0][1].startswith("#") and \
           merged[-1][-1][0] >= p[0][0] - 2:
            merged[-1] = merged[-1] + p
        else:
            merged.append(p)
    return merged


def blank(m):
    return " " * len(m.group(0))


def prose(text):
    text = re.sub(r"`[^`]*`", blank, text)
    text = re.sub(r"\]\([^)]*\)", blank, text)          # link targets
    text = re.sub(r"<[^>\s]+>", blank, text)            # autolinks, html
    return text


def sources(md, text):
    """Tracked files under bench/results/ or tests/ named in text."""
    found = set()
    for m in re.finditer(r"[\w./-]*(?:results|tests)/[\w./+-]*[\w]", text):
        name = m.group(0)
        cands = [name, os.path.normpath(os.path.join(os.path.dirname(md), name))]
        if name.startswith("results/"):
            cands.append("bench/" + name)
        if name.startswith("./") or name.startswith("../"):
            cands.insert(0, os.path.normpath(os.path.join(os.path.dirname(md), name)))
        for c in cands:
            c = os.path.normpath(c)
            if c.startswith(SOURCE_DIRS) and \
               not (c.startswith("tests/") and c.endswith(".md")) and \
               os.path.isfile(os.path.join(ROOT, c)):
                found.add(c)
                break
    return found


_cache = {}


def file_numbers(path):
    if path not in _cache:
        with open(os.path.join(ROOT, path), encoding="utf-8",
                  errors="replace") as f:
            text = f.read()
        # dates, times and dotted releases are not figures to match
        text = re.sub(r"\d{4}-\d\d-\d\d|\d{1,2}:\d\d(?::\d\d)?|"
                      r"\d+(?:\.\d+){2,}[\w.+~-]*", " ", text)
        nums = set()
        for m in re.finditer(r"(?<![\w.])(?:" + NUM + r")(?![\d])", text):
            s = m.group(0)
            nums.add(s)
            nums.add(s.replace(",", ""))
            if re.fullmatch(r"\d+\.0+", s):
                nums.add(s.split(".")[0])
        _cache[path] = nums
    return _cache[path]


def exempt_spans(text):
    spans = []
    for rx in (VERSION_RE, SECTION_RE, SIZE_RE, TRIPLE_RE, KERNEL_SERIES_RE):
        spans += [m.span() for m in rx.finditer(text)]
    # numbers glued to identifiers or paths: linux-6.12, e1000, 00:03.0
    for m in re.finditer(r"[\w:/-]*[A-Za-z_:/][\w:/-]*\d[\w.:/-]*|"
                         r"\d+[:/]\d[\w.:/]*|\d[\w.]*[A-Za-z_][\w.]*", text):
        tok = m.group(0)
        if re.fullmatch(r"(?:" + NUM + r")[x×]", tok):
            continue                     # a ratio, not an identifier
        if re.fullmatch(r"(?:" + NUM + r")(?:" + UNITS + r")", tok):
            continue                     # 3.5ms
        spans.append(m.span())
    return spans


def figures(text, raw):
    spans = exempt_spans(text) + [m.span() for rx in (CONFIG_RE, LINEREF_RE)
                                   for m in rx.finditer(raw)]
    for m in FIGURE_RE.finditer(text):
        a, b = m.span()
        if any(s <= a < e for s, e in spans):
            continue
        yield m.group(0).strip(), [n.group(0) for n in NUMBER_RE.finditer(m.group(0))]


def check(md):
    with open(os.path.join(ROOT, md), encoding="utf-8") as f:
        lines = f.readlines()
    bad = []
    for para in paragraphs(lines):
        whole = "\n".join(t for _, t in para)
        srcs = sources(md, whole)
        for lineno, text in para:
            for fig, nums in figures(prose(text), text):
                if not srcs:
                    bad.append(f"{md}:{lineno}: {fig} (no results file or "
                               "test named in the paragraph)")
                    continue
                missing = [n for n in nums
                           if not any(n in file_numbers(s) or
                                      n.replace(",", "") in file_numbers(s)
                                      for s in srcs)]
                if missing:
                    bad.append(f"{md}:{lineno}: {fig} (not in "
                               f"{', '.join(sorted(srcs))})")
    return bad


def main(argv):
    name = ("measured figures in Markdown only beside the results file "
            "(or test) they come from")
    try:
        files = argv or tracked_markdown()
    except (OSError, subprocess.CalledProcessError):
        print(f"ok 1 - {name} # SKIP not a git checkout")
        return 0
    bad = []
    for md in files:
        bad += check(md)
    if bad:
        for b in bad:
            print(f"# {b}")
        print(f"not ok 1 - {name} ({len(bad)} unbacked)")
        return 1
    print(f"ok 1 - {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
