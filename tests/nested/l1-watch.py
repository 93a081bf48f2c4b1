#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Keep L1 awake through its QEMU monitor while a nested run goes on.

Usage: l1-watch.py SOCKET DUMP_AFTER DUMP_FILE [KICK_SECONDS]

L0 is QEMU under TCG (7.2 and 10.0 both show this).  Now and then L1 stops
taking an interrupt it has pending: its local timer (vector 236) sits in
the local APIC's IRR and nothing delivers it.  Seen halted in L1's idle
loop (HLT, IF=1), and seen while L1 was not halted (in KVM_RUN with L2 in
guest mode: L1 then reports a soft lockup of qemu-system-x86, and L2 one of
its own).  Any new interrupt for that APIC ends it.

So this presses a key (the i8042 raises IRQ 1) every KICK_SECONDS (default
3), whatever L1's state: a lost wakeup lasts at most that long, far below
the guests' 20 s soft-lockup threshold.  Between kicks it reads L1's HLT
flag and LAPIC IRR every half second; the same vectors pending on two
reads in a row is a lost wakeup caught in the act: it presses a key at
once and prints a "rescue" line saying whether L1 was halted.  At the end it prints
"kicks N every K s" and "rescues N".

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


def ask(s, cmds, wait=2.0):
    """Send monitor commands; return their output once QEMU has prompted
    after the last one (or what came within WAIT seconds).  With no
    command, wait for the first prompt (the greeting)."""
    s.sendall("".join(c + "\n" for c in cmds).encode())
    out = b""
    end = time.time() + wait
    while time.time() < end and out.count(b"(qemu) ") < max(len(cmds), 1):
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if not d:
            raise EOFError
        out += d
    return out.decode(errors="replace").replace("\r", "")


def pending(text):
    """(halted, vectors) when L1's LAPIC has IRR bits set, else None."""
    hlt = re.search(r"\bHLT=(\d)", text)
    irr = re.search(r"^IRR\t (.*)$", text, re.M)
    if not irr:
        return None
    vectors = irr.group(1).strip()
    if vectors in ("", "(none)"):
        return None
    return (bool(hlt and hlt.group(1) == "1"), vectors)


POLL = 0.5     # seconds between two looks at L1's IRR


def main():
    path, dump_after, dump_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    every = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0
    s = monitor(path)
    start = time.time()
    next_kick = start + every
    last = None
    kicks = rescues = 0
    try:
        ask(s, [], 5.0)                 # the greeting
        while True:
            now = time.time()
            if now - start >= dump_after:
                with open(dump_file, "w") as f:
                    f.write(ask(s, ["info registers", "info lapic",
                                    "info pic"], 3.0))
                dump_after = float("inf")
            seen = pending(ask(s, ["info registers", "info lapic"]))
            if seen is not None and last is not None and seen[1] == last[1]:
                rescues += 1
                ask(s, ["sendkey shift"])
                print("rescue %d at %.0f s: L1 %s over IRR %s" %
                      (rescues, now - start,
                       "halted" if seen[0] else "running", seen[1]),
                      flush=True)
                seen = None
                next_kick = now + every
            elif now >= next_kick:
                kicks += 1
                ask(s, ["sendkey shift"])
                next_kick = now + every
            last = seen
            time.sleep(POLL)
    except (EOFError, OSError):
        pass
    print("kicks %d every %g s" % (kicks, every), flush=True)
    print("rescues %d" % rescues, flush=True)


if __name__ == "__main__":
    main()
