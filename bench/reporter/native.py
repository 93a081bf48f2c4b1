# SPDX-License-Identifier: GPL-2.0
"""native-overhead.md from native-raw.txt: the 'BENCH round=N pvio_bench:'
lines of the guest console and '# key value' metadata bench/run.sh wrote."""
import re

from .records import meta, median, table

GOAL = 1.05     # issue 1: pvio's native transport at most 1.05 x direct outb
_ROUND = re.compile(r"BENCH round=(\d+) pvio_bench: direct_ns_per_batch=(\d+) "
                    r"pvio_ns_per_batch=(\d+) ratio_x1000=(\d+)")


def parse(path):
    """(rows of (round, direct ns, pvio ns, ratio x1000), the transport
    line of round 1)."""
    rows, transport = [], ""
    with open(path) as f:
        for line in f:
            m = _ROUND.search(line)
            if m:
                rows.append(tuple(int(x) for x in m.groups()))
            elif line.startswith("BENCH round=1 pvio_bench: transport="):
                transport = line.split("pvio_bench: ", 1)[1].strip()
    return rows, transport


def native_md(path):
    """native-overhead.md; the ratio line is what make demo prints."""
    m = meta(path)
    rows, transport = parse(path)
    ratios = sorted(r[3] for r in rows)
    med = median(ratios) if ratios else 0
    out = ["# Native-transport overhead", "",
           f"{m.get('date', 'date not recorded')}, `make bench` (BENCH=native), guest kernel "
           f"{m.get('guest_kernel', 'not recorded')} under {m.get('qemu', 'QEMU (version not recorded)')} "
           "TCG (-cpu qemu64, 1 vCPU),",
           f"product build (no test hooks), {transport}.",
           "A batch is 8 OUTs to the COM1 scratch register (0x3ff). Each round is one load of",
           "pvio_bench, which reports the medians of its interleaved rounds (times, and ratio per round).",
           ""]
    out += table(["round", "8 direct outb, ns", "pvio batch (native), ns", "ratio"],
                 [[str(a), str(b), str(c), "%.3f" % (d / 1000)] for a, b, c, d in rows])
    if ratios:
        out += ["", "Ratio pvio / direct over %d rounds: median **%.3f** (range %.3f to %.3f; "
                "goal <= %s: %s)." % (len(ratios), med / 1000, ratios[0] / 1000, ratios[-1] / 1000,
                                      GOAL, "met" if med <= GOAL * 1000 else "MISSED")]
    return out
