# SPDX-License-Identifier: GPL-2.0
# The nested tier's parts of L2 (tests/nested/l2-init.sh runs them):
# selftest loads pvio.ko (transport=auto) and runs pvio_selftest.ko between
# marks; pata and e1000 check data integrity through pata_pvio and
# e1000_pvio over the hypercall transport.  L1 (tests/nested/l1-vmm.sh)
# turns the results into TAP.

selftest() {
	modprobe pvio transport=auto
	res pvio_load $?
	res transport "$(cat $P/transport 2>/dev/null)"
	res host_abi "$(cat $P/host_abi 2>/dev/null)"
	h0=$(stat_of $P/stats hypercalls)
	mark selftest.0
	modprobe pvio_selftest
	rc=$?
	mark selftest.1
	res selftest_rc $rc
	res guest_hypercalls $(( $(stat_of $P/stats hypercalls) - h0 ))
	ktap_of_module "KTAP version 1" | sed 's/^/L2 selftest: /' | note
	sed 's/^/L2 pvio stats: /' $P/stats | note
}

# have_ko PART MODULE: MODULE.ko is in the initramfs, else PART says so
have_ko() {
	[ -f "/lib/modules/$(uname -r)/extra/$2.ko" ] || { res "$1" "no $2.ko in the L2 initramfs"; return 1; }
}

# ---- pata_pvio over the hypercall transport: data integrity -------------
# 64 MiB of a seeded AES-CTR stream through pata_pvio (O_DIRECT in 1 MiB
# and 4 KiB commands, and the page cache), with real host refusals
# injected mid-write, and read back by ata_piix.
MB=64

pata() {
	have_ko pata pata_pvio || return 1
	pata_load || return 1
	for step in pata_data pata_fio pata_irqless pata_eh pata_refused pata_handover; do
		"$step"
	done
	return 0
}

# 64 MiB O_DIRECT in 1 MiB commands and through the page cache
pata_data() {
	h0=$(pstat hypercalls)
	P1=$(pat_write 1)
	check "a 64 MiB seeded pattern is made (openssl)" [ "$(wc -c < /tmp/pat)" -eq $((MB << 20)) ]
	check "pata_pvio: 64 MiB O_DIRECT write (1 MiB), O_DIRECT read back: same md5" [ "$(disk_direct)" = "$P1" ]
	check "pata_pvio: page-cache read after drop_caches: same md5" [ "$(disk_cached)" = "$P1" ]
	if [ "$(cat $P/transport)" = hypercall ]; then
		check "pata_pvio's batches went out as hypercalls" [ $(($(pstat hypercalls) - h0)) -gt 0 ]
	else
		skip "pata_pvio's batches went out as hypercalls" "transport $(cat $P/transport)"
	fi
}

# fio's own verification: 8 MiB of 4 KiB writes at random offsets, QD1
# (psync, O_DIRECT), each block with a crc32c header, then read back and
# checked block by block; the completion latency percentiles are comments
# (64..72 MiB: no other step writes there, the bad sector is above)
pata_fio() {
	fio_verify "pata_pvio: fio 8 MiB random 4 KiB writes, crc32c verify reads back every block" \
		--offset=64M --size=8M --bs=4k --rw=randwrite --ioengine=psync --verify_state_save=0 --thread
	grep -E 'clat percentiles|50.00th|99.00th' /tmp/fio.out | sed 's/^/# fio: /'
}

# counts SUFFIX: pata_pvio's flushes, irqless_done, irqless_missed,
# interrupts and two_run_issues into fSUFFIX dSUFFIX mSUFFIX iSUFFIX tSUFFIX
counts() {
	eval "f$1=$(pstat flushes) d$1=$(pata_cnt irqless_done) m$1=$(pata_cnt irqless_missed)" \
		"i$1=$(irqs_of pata_pvio) t$1=$(pata_cnt two_run_issues)"
}
# 2048 single-block commands on the fast path, interrupt-less
# (irqless=hypercall): one flush for a command the host finished within
# it, three (issue, interrupts back on, completion) for one it had not, one
# more if the issue needed an idle check (two_run_issues); then irqless=off
pata_irqless() {
	pattern 2 > /tmp/pat
	counts 0
	mark pata4k.0
	dd if=/tmp/pat of=/dev/sda bs=4k count=2048 oflag=direct 2>/dev/null
	mark pata4k.1
	counts 1
	nf=$((f1 - f0)); nd=$((d1 - d0)); nm=$((m1 - m0)); ni=$((i1 - i0)); nt=$((t1 - t0))
	P2=$(head -c 8388608 /tmp/pat | sum_of)
	check "pata_pvio: 2048 O_DIRECT 4 KiB writes read back: same md5" \
		[ "$(dd_sum if=/dev/sda bs=4k count=2048 iflag=direct)" = "$P2" ]
	echo "# 2048 4 KiB writes: $nf flushes, $nd completed without an interrupt, $nm missed, $nt issued in two runs, $ni interrupts"
	check "pata_pvio: each command counted once, done in its issue hypercall or missed ($nd + $nm)" \
		[ $((nd + nm)) -eq 2048 ]
	check "pata_pvio: most commands complete without an interrupt ($nd of 2048)" [ $nd -ge 1024 ]
	check "pata_pvio: 1 flush per command done, 3 per missed, 1 more per two-run issue ($nf)" \
		[ $nf -ge $((nd + 3 * nm + nt)) -a $nf -le $((nd + 3 * nm + nt + 16)) ]
	check "pata_pvio: interrupts only for missed commands ($ni for $nm)" [ $ni -ge $nm -a $ni -le $((nm + 16)) ]
	echo off > /sys/module/pata_pvio/parameters/irqless
	counts 0
	dd if=/dev/sda of=/dev/null bs=4k count=2048 iflag=direct 2>/dev/null
	counts 1
	echo "# irqless=off, 2048 4 KiB reads: $((f1 - f0)) flushes, $((i1 - i0)) interrupts"
	check "pata_pvio irqless=off: 2 flushes per command ($((f1 - f0)) for 2048)" \
		[ $((f1 - f0)) -ge 4096 -a $((f1 - f0)) -le $((2048 * 2 + 64)) ]
	check "pata_pvio irqless=off: an interrupt per command" [ $((i1 - i0)) -ge 2048 ]
	echo hypercall > /sys/module/pata_pvio/parameters/irqless
}

# a device error, completed from the issue hypercall: L1's QEMU fails
# every read of sector 150000 (blkdebug); libata EH reads the result
# taskfile, retries and gives up, and the port works on
pata_eh() {
	bad_read "pata_pvio: read of the bad sector fails" "bs=512 skip=150000"
	check "pata_pvio: EH read the result taskfile (DRDY|ERR, ABRT)" sh -c "dmesg | grep -q 'res 41/04:'"
	check "pata_pvio: after EH, 8 MiB read back: same md5" \
		[ "$(dd_sum if=/dev/sda bs=4k count=2048 iflag=direct)" = "$P2" ]
}

# the host refuses batches (an invalid function is sent): pvio reruns them
pata_refused() {
	P3=$(pat_sum 3)
	[ -e $P/inject_host_error ] || echo "# no $P/inject_host_error: pvio.ko built without PVIO_FAULT_INJECTION=1"
	fb0=$(pstat fallbacks)
	check "pata_pvio: write under real host refusals completed" write_refused 100 0.3
	echo 0 > $P/inject_host_error
	fb1=$(pstat fallbacks)
	echo "# $((fb1 - fb0)) refused batches rerun natively"
	check "pata_pvio: host refusals hit its batches (fallbacks moved)" [ $((fb1 - fb0)) -gt 0 ]
	check "pata_pvio: data written under refusals reads back: same md5" [ "$(disk_direct)" = "$P3" ]
}

# what is on the disk, seen by another driver
pata_handover() {
	rmmod pata_pvio
	gone_blk
	modprobe ata_piix
	check "ata_piix binds and sda appears" wait_blk
	check "ata_piix reads what pata_pvio wrote: same md5" [ "$(disk_direct)" = "$P3" ]
	rmmod ata_piix
	gone_blk
}

# ---- e1000_pvio over the hypercall transport: 16 MiB each way ----------
# The peer is tests/vm/e1000-peer.sh behind slirp's guestfwd (run by L2's
# QEMU in L1; guest.sh's host_sum, rx_sum, tx_sum talk to it).
# 16 MiB is 32 laps of each 256-descriptor ring; the TCG tier's
# e1000-traffic case moves 64 MiB each way through the same driver code.
# Here the point is the hypercall transport, and each MiB costs L2 about
# a second under nested TCG (64 MiB took 4.5 of this tier's 6.5 minutes).
# A transfer that stalls ends after NC_SECS (about ten times what one
# takes): its check fails, net_diag shows the NIC's state, and the mode's
# other transfers are skipped, since a stalled NIC stays stalled.
BIG=$((16 << 20))
NC_SECS=300
net_diag() {	# net_diag NIC: after a failed transfer, as comments
	{
		grep -E "CPU|$1|e1000" /proc/interrupts
		grep "$1" /proc/net/dev
		ethtool -S "$1"
		dmesg | tail -20
	} 2>&1 | sed 's/^/# /'
}

net_transfers() {	# 16 MiB each way, until a transfer fails
	a=$(host_sum $BIG rx$mode)
	b=$(rx_sum $BIG rx$mode)
	echo "# $m receive 16 MiB: peer md5 $a, L2 md5 $b"
	check "$m receive 16 MiB byte-exact (md5 peer = L2)" same "$a" "$b" ||
		return 1
	c=$(tx_sum $BIG /tmp/tx)
	echo "# $m send 16 MiB: L2 md5 $TX, peer md5 $c"
	check "$m send 16 MiB byte-exact (md5 L2 = peer)" same "$TX" "$c"
}
e1000() {
	have_ko e1000 e1000_pvio || return 1
	[ -s /tmp/pat ] || pattern 4 > /tmp/pat
	head -c $BIG /tmp/pat > /tmp/tx
	TX=$(sum_of < /tmp/tx)
	for mode in 1 0; do
		m="e1000_pvio napi=$mode:"
		e1000_load $mode || continue
		check "$m ping 10.0.2.2" ping -c 3 -W 5 10.0.2.2
		h0=$(batch_stat e1000p- hypercalls)
		net_transfers || net_diag "$nic"
		h1=$(batch_stat e1000p- hypercalls)
		echo "# $m $((h1 - h0)) hypercalls during the transfers"
		echo "# $m interrupts the stall check raised (lost ones): $(nic_stat kicks)"
		if [ "$(cat $P/transport)" = hypercall ]; then
			check "$m its register runs went out as hypercalls" [ $((h1 - h0)) -gt 100 ]
		fi
		e1000_unload
	done
	return 0
}
