# SPDX-License-Identifier: GPL-2.0
# The nested benchmark's base part of L1 (bench/nested/run.sh copies it as
# /parts/bench.sh; tests/nested/l1-init.sh sources the parts in name order,
# so this one first, and runs their NAME_before, NAME_l2, NAME_snap and
# NAME_after hooks).  It reads /bench.conf for every L1 part, turns on the
# histograms every snapshot then reads (userspace exits by reason, every
# exit by SVM exit code, MSR exits by MSR and direction) and, with NET=1,
# runs the peers L2 reaches at 10.0.2.2 (slirp's alias for L1's loopback):
# busybox httpd on 8080 (a BULK_MB file of zeros), iperf3 -s on 5201 (the
# host's, through the 9p chroot) and nb_rr server on 5300.
# The experiments' own L1 sides are the other files here, one a part,
# copied only when their benchmark runs: pit.sh, shared.sh, profile.sh,
# lat.sh, native.sh; and sched.sh, L1's scheduler under any of them.
. /bench.conf

bench_before() {
	if echo 'hist:keys=reason' > $UX/trigger; then
		res uexit_hist on
	else
		res uexit_hist off
	fi
	echo 'hist:keys=exit_reason:size=256' > $KX/trigger 2>/dev/null
	echo 'hist:keys=ecx,write:size=256' > $KM/trigger 2>/dev/null
}

bench_l2() {
	[ "$NET" = 1 ] || return 0
	mkdir -p /tmp/www
	dd if=/dev/zero of=/tmp/www/bulk bs=1M count="$BULK_MB" 2>/dev/null
	httpd -p 127.0.0.1:8080 -h /tmp/www || res error "httpd"
	nb_rr server 5300 &
	chroot /host iperf3 -s -D -p 5201 || res error "iperf3 server"
}
