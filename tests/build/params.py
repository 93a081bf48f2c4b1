#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The README's module-parameter table and the modules agree.

Guest side: every parameter `modinfo -p` lists for a module dkms.conf
ships (as built in the tree: run after a build) has a row for that module,
and every row of a guest module names one of them.  Host side: the
parameters the KVM patch series adds (module_param lines in host/kvm/src/
and the added lines of host/kvm/patches/*/) against the rows of
"kvm (host)".  A module not built is a SKIP.  Prints TAP.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST = "kvm (host)"
PARAM = re.compile(r"^\+?\s*module_param(?:_cb|_named)?\(\s*(\w+)\s*,", re.M)


def readme_rows():
    """{module: set(parameters)} from README.md's "Module parameters" table."""
    rows, inside = {}, False
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                inside = line.strip() == "## Module parameters"
                continue
            m = re.match(r"\|\s*([^|]+?)\s*\|\s*`(\w+)`\s*\|", line) if inside else None
            if m:
                rows.setdefault(m.group(1), set()).add(m.group(2))
    return rows


def shipped_modules():
    """[(name, .ko path)] of the guest modules dkms.conf builds."""
    with open(os.path.join(ROOT, "dkms.conf"), encoding="utf-8") as f:
        text = f.read()
    names = dict(re.findall(r'^BUILT_MODULE_NAME\[(\d+)\]="([^"]+)"', text, re.M))
    where = dict(re.findall(r'^BUILT_MODULE_LOCATION\[(\d+)\]="([^"]*)"', text, re.M))
    return [(names[i], os.path.join(ROOT, where.get(i, ""), names[i] + ".ko"))
            for i in sorted(names, key=int)]


def host_params():
    found = set()
    files = glob.glob(os.path.join(ROOT, "host/kvm/src/*.c"))
    files += glob.glob(os.path.join(ROOT, "host/kvm/patches/*/*.patch"))
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if path.endswith(".patch"):
            text = "\n".join(l for l in text.splitlines() if l.startswith("+"))
        found.update(PARAM.findall(text))
    return found


def main():
    rows = readme_rows()
    n = fails = 0

    def result(good, name, why=""):
        nonlocal n, fails
        n += 1
        fails += not good
        print(f"{'' if good else 'not '}ok {n} - {name}{' # ' + why if why else ''}")

    for mod, ko in shipped_modules():
        if not os.path.exists(ko):
            n += 1
            print(f"ok {n} - README documents {mod}'s parameters # SKIP {ko} not built")
            continue
        out = subprocess.run(["modinfo", "-p", ko], capture_output=True, text=True, check=False)
        have = {l.split(":", 1)[0] for l in out.stdout.splitlines() if ":" in l}
        doc = rows.get(mod, set())
        result(out.returncode == 0 and have == doc,
               f"README's parameter rows for {mod} are its modinfo parameters ({', '.join(sorted(have)) or 'none'})",
               f"undocumented {sorted(have - doc)}, not in the module {sorted(doc - have)}"
               if have != doc else "")
    have = host_params()
    doc = rows.get(HOST, set())
    result(bool(have) and have == doc,
           f"README's {HOST} rows are the parameters the patch series adds ({', '.join(sorted(have))})",
           f"undocumented {sorted(have - doc)}, not in the series {sorted(doc - have)}"
           if have != doc else "")
    stray = set(rows) - {m for m, _ in shipped_modules()} - {HOST}
    result(not stray, "every module in the table is a shipped one",
           f"unknown {sorted(stray)}" if stray else "")
    print(f"1..{n}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
