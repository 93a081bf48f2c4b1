# SPDX-License-Identifier: GPL-2.0
"""The benchmark reporter: every Markdown table in bench/results/ is
rendered here from raw records only (bench/report.py is the entry point).

records   the raw-record parsers, the per-window arithmetic and awk-style
          number formatting shared by every table
native    native-overhead.md from native-raw.txt
nested    nested-uart.md and nested-ata.md from nested-raw.txt
net       nested-e1000.md from nested-net-raw.txt
sched     sched.md from sched-raw-icount.txt and sched-raw.txt
mode2     nested-mode2.md from nested-mode2-raw/*.txt
napi      nested-napi.md from napi-raw/*.txt (BENCH=napi, the paper's Fig. 9)
profile   nested-profile.md from profile-raw/*.txt (BENCH=profile, the paper's
          Tables 1-3 and Fig. 8), and the raw files from a run's build directory
shsched   sched-shared.md from sched-shared-raw/*.txt (BENCH=shsched, the
          paper's elevator on a disk shared on the host)
latency   nested-latency.md from latency-raw/*.txt (BENCH=latency, the paper's
          Fig. 3: an echo's round trip split into KVM, QEMU and the rest)
ablate    nested-ablate.md from ablate-raw/*.txt (BENCH=ablate: pata_pvio with
          one thing changed per variant, a max_batch sweep)
reproduction  REPRODUCTION.md (top of the tree): the paper's experiments
          against what bench/results/ and bench/results/linux-X.Y/ measured
"""
