#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Watch L1 through its QEMU monitor while the nested tier runs.

Usage: l1-watch.py SOCKET DUMP_AFTER DUMP_FILE

L0 is QEMU 7.2 under TCG.  Now and then its vCPU halts in L1's idle loop
(HLT, IF=1) with a deliverable interrupt (L1's local timer) in the local
APIC's IRR, and is never woken: L1, and L2 on top of it, stop for good.
Any new interrupt for that APIC wakes it, and the pending one is then
taken.  So every second this reads L1's HLT flag and LAPIC IRR; when two
reads in a row find L1 halted over the same pending vectors, it presses a
key (the i8042 raises IRQ 1) and prints one "rescue" line.

After DUMP_AFTER seconds (just before the runner's timeout) it writes L1's
registers and interrupt controllers to DUMP_FILE.  It ends when QEMU
closes the monitor.
"""

import re
import socket
import sys
import time


def monitor(path):
    """Connect to the monitor socket, waiting for QEMU to create it."""
    for _ in range(300):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.settimeout(0.2)
            return s
        except OSError:
            time.sleep(0.1)
    sys.exit(0)


def ask(s, cmds, wait=0.5):
    """Send monitor commands; return what came back within WAIT seconds."""
    s.sendall("".join(c + "\n" for c in cmds).encode())
    out = b""
    end = time.time() + wait
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if not d:
            raise EOFError
        out += d
    return out.decode(errors="replace").replace("\r", "")


def halted_over(text):
    """The pending vectors if L1 is halted with an IRR bit set, else None."""
    hlt = re.search(r"\bHLT=(\d)", text)
    irr = re.search(r"^IRR\t (.*)$", text, re.M)
    if not hlt or not irr or hlt.group(1) != "1":
        return None
    vectors = irr.group(1).strip()
    return None if vectors in ("", "(none)") else vectors


def main():
    path, dump_after, dump_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    s = monitor(path)
    start = time.time()
    last = None
    rescues = 0
    try:
        ask(s, [], 1.0)                 # the greeting
        while True:
            if time.time() - start >= dump_after:
                with open(dump_file, "w") as f:
                    f.write(ask(s, ["info registers", "info lapic",
                                    "info pic"], 3.0))
                dump_after = float("inf")
            now = halted_over(ask(s, ["info registers", "info lapic"]))
            if now is not None and now == last:
                rescues += 1
                ask(s, ["sendkey shift"])
                print("rescue %d at %.0f s: L1 halted over IRR %s" %
                      (rescues, time.time() - start, now), flush=True)
                now = None
            last = now
            time.sleep(1)
    except (EOFError, OSError):
        pass


if __name__ == "__main__":
    main()
