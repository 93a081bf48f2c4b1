#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Can the nested tier fail?  Builds a kvm.ko with six deliberate handler
# bugs and checks that run.sh catches each of them:
#
#   M1 TOCTOU       each op is re-read from guest memory just before it runs
#   M2 prefix       a batch with a bad op runs its valid ops before it, returns their count
#   M3 write-back   read results never reach the guest's array
#   M4 CPL          KVM_HC_PVIO skips the CPL 0 check
#   M5 mode 2 mask  read values taken back from the VMM unmasked
#   M6 mode 2 run   a KVM_EXIT_PVIO run ignores in-kernel devices
#
# Needs the work tree `make host` (host/kvm/build.sh) leaves in
# build/host/$KVER/ (tree/ and override/), or PVIO_HOST_WORK=dir.  The bugs
# are exact-text edits of that tree's arch/x86/kvm/{pvio.c,pvio_check.c,x86.c};
# if the handler's code moved on, the script says which edit no longer
# applies.  Takes about 4 minutes (the build) plus 20 s (run.sh without L2).
# Prints TAP; exit status 0 only if every mutant was caught.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
KVER=$("$TOP/tools/kver.sh")
KDIR=/lib/modules/$KVER/build
WORK=${PVIO_HOST_WORK:-$TOP/build/host/$KVER}
M=$TOP/build/nested/mutant

die() { echo "Bail out! $*"; exit 2; }
[ -d "$WORK/tree/arch/x86/kvm" ] && [ -d "$WORK/override" ] ||
	die "no host build work tree in $WORK (run make host, or set PVIO_HOST_WORK)"
command -v python3 >/dev/null || die "python3 missing"

rm -rf "$M"
mkdir -p "$M/mods"
cp -a "$WORK/tree" "$WORK/override" "$M/"
K=$M/tree/arch/x86/kvm
sed -i "s|$WORK|$M|g" "$K/Makefile"

python3 - "$K" <<'EOF' || die "a mutation does not apply to this handler any more"
import sys

k = sys.argv[1]


def mutate(name, path, old, new):
    p = f"{k}/{path}"
    s = open(p).read()
    if old not in s:
        sys.exit(f"{name}: text not found in {path}")
    open(p, "w").write(s.replace(old, new, 1))


mutate("M1", "pvio.c",
       "\twhile (p->next < p->count) {\n",
       "\twhile (p->next < p->count) {\n"
       "\t\tkvm_vcpu_read_guest(vcpu, p->gpa + p->next * sizeof(struct pvio_op),\n"
       "\t\t\t\t    &p->ops[p->next], sizeof(struct pvio_op));\n")
mutate("M2", "pvio_check.c",
       "\t\terr = pvio_op_check(op);\n\t\tif (err)\n",
       "\t\terr = pvio_op_check(op);\n\t\tif (err && i > 0)\n\t\t\treturn -(int)i;\n\t\tif (err)\n")
mutate("M2", "pvio.c",
       "\terr = pvio_fetch_batch(&guest, gpa, count, p->ops);\n",
       "\terr = pvio_fetch_batch(&guest, gpa, count, p->ops);\n"
       "\tif (err < 0) {\n\t\tcount = -err;\n\t\terr = 0;\n\t}\n")
mutate("M3", "pvio.c",
       "\t\tif (!pvio_op_is_read(&p->ops[i]))\n",
       "\t\tif (!pvio_op_is_read(&p->ops[i]) || 1)\n")
mutate("M4", "x86.c",
       "\tif (static_call(kvm_x86_get_cpl)(vcpu) != 0) {\n",
       "\tif (static_call(kvm_x86_get_cpl)(vcpu) != 0 && nr != KVM_HC_PVIO) {\n")
mutate("M5", "pvio.c",
       "\t\t\top->value = READ_ONCE(in[i].value) &\n\t\t\t\t    pvio_width_mask(op->width);\n",
       "\t\t\top->value = READ_ONCE(in[i].value);\n")
mutate("M6", "pvio_check.c",
       "\twhile (first + n < count && !may_claim(ctx, &ops[first + n]))\n",
       "\twhile (first + n < count)\n")
EOF

echo "# building the mutant kvm.ko and kvm-amd.ko (log: $M/build.log)"
make -C "$KDIR" M="$K" -j"${JOBS:-2}" modules > "$M/build.log" 2>&1 ||
	{ tail -20 "$M/build.log"; die "mutant build failed"; }
for m in kvm kvm-amd; do
	strip --strip-debug -o "$M/mods/$m.ko" "$K/$m.ko"
done

echo "# running tests/nested/run.sh on the mutant (log: $M/run.txt)"
PVIO_NESTED_L2=0 PVIO_KVM_MODULES=$M/mods "$TOP/tests/nested/run.sh" > "$M/run.txt" 2>&1

# shellcheck source=tests/lib/guest.sh
. "$TOP/tests/lib/guest.sh"
# caught MUTANT CASE...: every CASE (a name substring) fails on MUTANT
caught() {
	local what=$1 c miss=""
	shift
	for c in "$@"; do
		grep -q -F -- "$c" <(grep '^not ok ' "$M/run.txt") || miss="$miss '$c'"
	done
	check "$what caught${miss:+ # still passing:$miss}" [ -z "$miss" ]
}
caught "M1 TOCTOU re-read" "array rewritten by vCPU1"
caught "M2 valid prefix runs before the reject" "kind 5" "flags set" "reserved set" \
	"OUT value above width" "PIO width 3" "MMIO width 16" "port 0xffff width 2" \
	"MMIO misaligned"
caught "M3 no write-back" "IN results land in guest memory" "PIC/PIT ops stay in the kernel" \
	"MMIO ops exit to the VMM" "mixed in-kernel" "stress: 5000"
caught "M4 no CPL check" "batch from CPL 3" "probe from CPL 3"
caught "M5 mode 2 results unmasked" "the VMM scribbling on the exit"
caught "M6 mode 2 runs past in-kernel devices" "in-kernel ops end the runs" \
	"declining ioeventfd" "mode 2: mixed in-kernel" "ops 2-3 once"
# and the rest still passes: the bugs are caught by the cases meant for them
check "unaffected cases still pass" eval "! grep -q '^not ok .*native reference' '$M/run.txt' &&
	grep -q '^ok .*probe returns PVIO_ABI_VERSION\$' '$M/run.txt' &&
	grep -q '^ok .*OUT batch reaches the VMM in order\$' '$M/run.txt'"
echo "1..$TAP_N"
[ $TAP_FAIL -eq 0 ]
