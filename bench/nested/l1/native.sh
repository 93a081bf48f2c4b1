# SPDX-License-Identifier: GPL-2.0
# BENCH=bonnie's part of L1 (L1_BONNIE=before or after; bench/nested/
# bonnie.sh): the native side of the paper's Fig. 1/2, bonnie++ in L1
# itself before L2 boots or after it ends, as l2-bench.sh's run_bonnie
# runs it, in a window native.bonnie; every mark then also records L1's
# /proc/stat cpu line.
native_l2() { [ "$L1_BONNIE" = before ] && native_bonnie; return 0; }
native_snap() { res "l1stat.$1" "$(head -1 /proc/stat)"; }
native_after() { [ "$L1_BONNIE" = after ] && native_bonnie; return 0; }

# native_bonnie: the same storage as L2's disks (a file on the tmpfs in
# /host/tmp) through a loop device, fresh ext2, the host's bonnie++
native_bonnie() {
	local f=/host/tmp/native.img rc
	dd if=/dev/zero of=$f bs=1M count=0 seek="$DISK_MB" 2>/dev/null
	mkdir -p /host/tmp/bon
	if ! losetup /dev/loop0 $f || ! mke2fs /dev/loop0 > /dev/null 2>&1 ||
	   ! mount -t ext2 /dev/loop0 /host/tmp/bon; then
		res native.error "loop/mke2fs/mount"
		return
	fi
	snap native.bonnie.0
	PATH=/usr/sbin:/usr/bin chroot /host bonnie++ -d /tmp/bon -s "$BONNIE_MB" -r $((BONNIE_MB / 2)) -n 0 -f -D -q -u 0:0 \
		> /tmp/bonnie.csv 2> /tmp/bonnie.err < /dev/null
	rc=$?
	snap native.bonnie.1
	res native.bonnie.rc $rc
	res native.bonnie_csv "$(tail -1 /tmp/bonnie.csv)"
	umount /host/tmp/bon
	losetup -d /dev/loop0
	rm -f $f
}
