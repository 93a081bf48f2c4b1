#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The build tier: no kernel release in the tree, no measured figure in a
# Markdown file away from its results file (figures.py), README's module
# parameter table against the modules (params.py), -Werror/checkpatch/sparse,
# the private elevator.h copy against the real one, DKMS round trip, in-tree build,
# and the host patch series, KVM and QEMU (checkpatch, applies cleanly, no drift;
# PVIO_QEMU=1 also builds the patched QEMU, see host/qemu/check.sh).
# Leaves freshly built modules (with the test hooks) in the tree for the vm tier.
# --kernel-only: only the checks that depend on KVER's kernel (make check's
# kbuild tier on the other kernels; the rest is the same for every kernel).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
[ "${1:-}" = --kernel-only ] || "$ROOT/tests/build/portable.sh" || rc=1
[ "${1:-}" = --kernel-only ] || /usr/bin/python3 "$ROOT/tests/build/figures.py" || rc=1
"$ROOT/tests/build/style.sh" || rc=1
# after style.sh's builds: it reads the modules' own parameter lists
[ "${1:-}" = --kernel-only ] || /usr/bin/python3 "$ROOT/tests/build/params.py" || rc=1
"$ROOT/tests/build/elevator-copy.sh" || rc=1
"$ROOT/tests/build/dkms.sh" || rc=1
"$ROOT/tests/build/intree.sh" || rc=1
if [ "${1:-}" != --kernel-only ]; then
	"$ROOT/host/kvm/check.sh" || rc=1
	"$ROOT/host/qemu/check.sh" || rc=1
fi
make -s -C "$ROOT" PVIO_FAULT_INJECTION=1 > /dev/null 2>&1 || { echo "not ok - rebuild modules for the vm tier"; rc=1; }
exit $rc
