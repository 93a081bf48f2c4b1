# SPDX-License-Identifier: GPL-2.0
# L1's scheduler under any benchmark (bench/nested/run.sh copies this part
# when NB_L1_SCHED_FEATURES is set): SCHED_FEAT's words, e.g.
# NO_RUN_TO_PARITY, each written to L1's scheduler features (debugfs)
# before L2 boots, so that L2's QEMU threads run under them from the start;
# RES l1_sched_features records what the kernel then reports.
SF=/sys/kernel/debug/sched/features

sched_before() {
	local f
	for f in $SCHED_FEAT; do
		echo "$f" > $SF || res error "sched feature $f"
	done
	[ -z "$SCHED_FEAT" ] || res l1_sched_features "$(cat $SF)"
}
