# SPDX-License-Identifier: GPL-2.0
# L1's scheduler under any benchmark (bench/nested/run.sh copies this part
# when NB_L1_SCHED_FEATURES or NB_L1_SCHED_HIST is set).
# SCHED_FEAT's words, e.g. NO_RUN_TO_PARITY, are written to L1's scheduler
# features (debugfs) before L2 boots, so that L2's QEMU threads run under
# them from the start; RES l1_sched_features records what the kernel then
# reports.
# SCHED_HIST=1: a histogram of L1's context switches by prev_comm,
# next_comm and prev_state, printed (SHIST lines: the mark, a key and its
# hitcount) and cleared at every mark, so that each holds the window its
# mark closes: whether L2's vCPU thread gives way to QEMU's other threads
# or blocks.  prev_state is the kernel's report of the task switched out:
# 256 (TASK_REPORT_MAX) preempted, 0 runnable but gave the CPU up itself,
# 1 sleeping (S), 2 uninterruptible (D), 128 an idle kthread (I).
SF=/sys/kernel/debug/sched/features
SW=/sys/kernel/tracing/events/sched/sched_switch
SH=hist:keys=prev_comm,next_comm,prev_state:size=512

sched_before() {
	local f
	for f in $SCHED_FEAT; do
		echo "$f" > $SF || res error "sched feature $f"
	done
	[ -z "$SCHED_FEAT" ] || res l1_sched_features "$(cat $SF)"
	[ "$SCHED_HIST" = 1 ] || return 0
	echo $SH > $SW/trigger || res error "sched_switch histogram"
}

# the print and the clear, before L2 goes on: the shell's own switches
# for grep, tr and sed stay out of the next window
sched_snap() {
	[ "$SCHED_HIST" = 1 ] || return 0
	grep '^{' $SW/hist | tr -s ' ' | sed "s/^/SHIST $1 /" > $S1
	echo $SH:clear >> $SW/trigger
}
