# SPDX-License-Identifier: GPL-2.0
# find_splat LOG: print the kernel splat lines of a console log, and
# succeed if there is one (oops, BUG, WARNING, KASAN, UBSAN, lockdep,
# hung task, soft lockup, panic).  Shared by the vm and nested runners.
find_splat() {
	grep -E -e 'Oops|BUG:|WARNING:|Kernel panic|general protection fault' \
		-e 'KASAN|UBSAN|kmemleak: [0-9]+ new suspected' \
		-e 'possible circular locking|possible recursive locking|inconsistent lock state' \
		-e 'INFO: task .* blocked|soft lockup|hard LOCKUP|RCU stall|Call Trace:' \
		"$1" | head -20 | grep .
}
