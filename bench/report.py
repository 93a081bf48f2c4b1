#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py RESULTS_DIR: (re)write every Markdown table in
RESULTS_DIR whose raw records are there, from those records and nothing
else (bench/reporter/ has one module per results file).

    native-raw.txt                          -> native-overhead.md
    nested-raw.txt                          -> nested-uart.md, nested-ata.md
    nested-net-raw.txt                      -> nested-e1000.md
    sched-raw-icount.txt + sched-raw.txt    -> sched.md
    nested-mode2-raw/*.txt                  -> nested-mode2.md
    napi-raw/*.txt                          -> nested-napi.md
    profile-raw/*.txt                       -> nested-profile.md
    pit-raw/*.txt                           -> nested-pit.md
    sched-shared-raw/*.txt                  -> sched-shared.md
    ablate-raw/*.txt                        -> nested-ablate.md
    latency-raw/*.txt                       -> nested-latency.md
    bonnie-raw/*.txt                        -> nested-bonnie.md

and bench.png with figures/*.png (bench/reporter/chart.py, with matplotlib) in RESULTS_DIR;
when RESULTS_DIR is this tree's bench/results/ or a directory in it,
REPRODUCTION.md at the top of the tree from bench/results/ and every
bench/results/linux-X.Y/ (bench/reporter/reproduction.py); when it is
bench/results/ itself, the headline table in README.md
(bench/reporter/headline.py).

bench/report.py --print FILE.md RESULTS_DIR prints one of them instead of
writing it; bench/report.py --demo-ata RESULTS.txt prints make demo's
short disk table from one nested results file; bench/report.py
--keep-profile BUILD RAWDIR writes BENCH=profile's raw files from its
rounds' build directories (RIPs resolved, reporter/profile.py).
"""
import glob
import os
import sys

from reporter import (ablate, bonnie, chart, headline, latency, mode2, napi, native, nested, net, pit, profile,
                      reproduction, sched, shsched)
from reporter.records import Run, nested_run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")


def renderers(res):
    """{md name: function returning its lines} for the raw files present."""
    out = {}
    p = os.path.join(res, "native-raw.txt")
    if os.path.exists(p):
        out["native-overhead.md"] = lambda: native.native_md(p)
    if os.path.exists(os.path.join(res, "nested-raw.txt")):
        out["nested-uart.md"] = lambda: nested.uart_md(nested_run(res, "nested-raw.txt"))
        out["nested-ata.md"] = lambda: nested.ata_md(nested_run(res, "nested-raw.txt"))
    if os.path.exists(os.path.join(res, "nested-net-raw.txt")):
        out["nested-e1000.md"] = lambda: net.e1000_md(nested_run(res, "nested-net-raw.txt"))
    ic, wall = (os.path.join(res, f) for f in ("sched-raw-icount.txt", "sched-raw.txt"))
    if os.path.exists(ic) and os.path.exists(wall):
        out["sched.md"] = lambda: sched.sched_md(ic, wall)
    # the benchmarks of several L1 boots: one raw file per boot in a folder
    for folder, name, render in (("nested-mode2-raw", "nested-mode2.md", mode2.mode2_md),
                                 ("napi-raw", "nested-napi.md", napi.napi_md),
                                 ("profile-raw", "nested-profile.md", profile.profile_md),
                                 ("pit-raw", "nested-pit.md", pit.pit_md),
                                 ("latency-raw", "nested-latency.md", latency.latency_md),
                                 ("bonnie-raw", "nested-bonnie.md", bonnie.bonnie_md),
                                 ("sched-shared-raw", "sched-shared.md", shsched.sched_shared_md),
                                 ("ablate-raw", "nested-ablate.md", ablate.ablate_md)):
        paths = sorted(glob.glob(os.path.join(res, folder, "*.txt")))
        if paths:
            out[name] = lambda render=render, paths=paths: render(paths)
    return out


def write_all(res):
    """Rewrite every table whose raw records exist; 1 if one could not be."""
    rc = 0
    for name, render in renderers(res).items():
        try:
            lines = render()
        except (AttributeError, ZeroDivisionError) as e:
            lines = None
            sys.stderr.write(f"report: {name}: {e!r}\n")
        if lines is None:
            sys.stderr.write(f"report: {name} not written\n")
            rc = 1
            continue
        with open(os.path.join(res, name), "w") as f:
            f.write("\n".join(lines) + "\n")
    if not chart.draw(res):
        sys.stderr.write("report: no bench.png (python3-matplotlib missing, or no records)\n")
    real, top = os.path.realpath(res), os.path.realpath(RESULTS)
    if real == top or real.startswith(top + os.sep):
        with open(os.path.join(ROOT, "REPRODUCTION.md"), "w") as f:
            f.write("\n".join(reproduction.reproduction_md(RESULTS)) + "\n")
    if real == top:
        readme = os.path.join(ROOT, "README.md")
        with open(readme) as f:
            text = f.read()
        new = headline.splice(text, headline.headline_md(RESULTS))
        if new != text:
            with open(readme, "w") as f:
                f.write(new)
    return rc


def main(argv):
    """Write every table, print one (--print) or make demo's (--demo-ata)."""
    if len(argv) == 2 and not argv[1].startswith("-"):
        return write_all(argv[1])
    if len(argv) == 4 and argv[1] == "--print":
        render = renderers(argv[3]).get(argv[2])
        lines = render() if render else None
        if lines is None:
            sys.exit(f"report: no raw records for {argv[2]} in {argv[3]}")
        print("\n".join(lines))
        return 0
    if len(argv) == 4 and argv[1] == "--keep-profile":
        return profile.keep(argv[2], argv[3], ROOT)
    if len(argv) == 3 and argv[1] == "--demo-ata":
        run = Run(argv[2])
        if not run.has_empty():
            sys.exit(f"report: no empty window in {argv[2]}")
        print("\n".join(nested.demo_lines(run)))
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
