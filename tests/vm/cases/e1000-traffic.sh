#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# e1000_pvio under load, napi=1 then napi=0: ping (MTU-sized, tiny,
# fragmented, a fast burst), a byte-exact 64 MiB transfer each way and
# both ways at once, then the skb accounting after ifdown.
# Transfers go to slirp's guestfwd 10.0.2.100:5000, whose host end is
# tests/vm/e1000-peer.sh (guest.sh's peer_nc); both ends compute md5s.
# pvio-vm: modules="pvio e1000_pvio" bins="ethtool openssl" timeout=900 mem=768
# pvio-vm: qemu="-netdev user,id=n0,guestfwd=tcp:10.0.2.100:5000-cmd:@ROOT@/tests/vm/e1000-peer.sh -device e1000,netdev=n0"
. /lib/guest.sh

BIG=67108864		# 64 MiB
MID=16777216		# 16 MiB, for the run in both directions at once

# Sent data is made once: openssl and md5sum are slow under TCG.
stream $BIG tx64 > /tmp/tx64
stream $MID txmid > /tmp/txmid
tx64_sum=$(sum_of < /tmp/tx64)
txmid_sum=$(sum_of < /tmp/txmid)
# mid_ways SEED: 16 MiB each way at once, byte-exact at both ends
mid_ways() { both_ways $MID "$1" /tmp/txmid "$txmid_sum"; }
check "made the data to send" \
	[ "$(wc -c < /tmp/tx64)" = $BIG -a "$(wc -c < /tmp/txmid)" = $MID ]

for mode in 1 0; do
	m="napi=$mode:"
	e1000_load $mode "e1000_pvio "
	check "$m parameter reads back" \
		[ "$(cat /sys/module/e1000_pvio/parameters/napi)" = $mode ]
	check "$m ping 10.0.2.2 (ARP + ICMP)" ping -c 3 -W 5 10.0.2.2
	check "$m MTU-sized frames (1472-byte ICMP payload)" \
		ping -c 5 -W 5 -s 1472 10.0.2.2
	check "$m tiny frames (empty ICMP payload, padded)" \
		ping -c 5 -W 5 -s 0 10.0.2.2
	check "$m fragmented datagrams (4000-byte ICMP payload)" \
		ping -c 3 -W 5 -s 4000 10.0.2.2
	o0=$(nic_stat pvio_ops_queued) f0=$(nic_stat pvio_flushes) i0=$(nic_stat irqs)
	out=$(ping -q -c 300 -i 0.01 -W 5 10.0.2.2 | grep loss)
	echo "# $out"
	fe=$(( ($(nic_stat pvio_flushes) - f0) * 100 / 300 ))
	echo "# per echo (request + reply): $(( ($(nic_stat pvio_ops_queued) - o0) * 100 / 300 ))/100 register ops," \
	     "$fe/100 flushes, $(( ($(nic_stat irqs) - i0) * 100 / 300 ))/100 interrupts"
	# TDT | ICR per echo (the doorbell batch and the unmasked interrupt);
	# a stray RDT run or a mask/unmask pair would show as 2.3 or more
	check "$m at most 2.2 flushes per echo ($fe/100)" [ "$fe" -le 220 ]
	check "$m 300 pings at 10 ms: none lost" \
		eval 'echo "$out" | grep -q "^300 packets transmitted, 300 packets received"'

	t0=$(date +%s)
	a=$(host_sum $BIG rx$mode)
	b=$(rx_sum $BIG rx$mode)
	t1=$(date +%s)
	echo "# receive 64 MiB: host $a guest $b, $((t1 - t0)) s (host md5 included)"
	check "$m receive 64 MiB byte-exact (md5 host = guest)" same "$a" "$b"

	c=$(tx_sum $BIG /tmp/tx64)
	t2=$(date +%s)
	echo "# send 64 MiB: guest $tx64_sum host $c, $((t2 - t1)) s"
	check "$m send 64 MiB byte-exact (md5 guest = host)" same "$tx64_sum" "$c"

	check "$m 16 MiB each way at once byte-exact" mid_ways both$mode

	# Same again with every flush deferred: ops queue until pv_io_flush()
	# and read results only land then, as with the hypercall transport.
	fb=$(nic_stat pvio_fallbacks)
	check "$m arm deferred runs (pvio's debugfs inject_host_error)" \
		sh -c "echo 1000000 > /sys/kernel/debug/pvio/inject_host_error"
	mid_ways defer$mode > /tmp/both_ok; r=$?
	check "$m deferred runs: ping" ping -c 3 -W 5 10.0.2.2
	cat /tmp/both_ok
	echo "# deferred: fallbacks $(( $(nic_stat pvio_fallbacks) - fb ))"
	check "$m deferred runs: 16 MiB each way at once byte-exact" [ $r = 0 ]
	check "$m deferred runs: every flush went the queued path" \
		[ $(( $(nic_stat pvio_fallbacks) - fb )) -gt 1000 ]
	echo 0 > /sys/kernel/debug/pvio/inject_host_error

	check "$m no receive errors" [ "$(nic_stat rx_errors)" = 0 ]
	check "$m no busy returns or drops" \
		[ "$(nic_stat tx_busy)" = 0 -a "$(nic_stat tx_dropped)" = 0 ]
	if [ $mode = 1 ]; then
		check "$m polls ran" [ "$(nic_stat polls)" -gt 0 ]
	else
		check "$m no polls (receive in the handler)" [ "$(nic_stat polls)" = 0 ]
	fi
	check "$m pvio batch used, every op ran (ops native = ops queued)" \
		[ "$(nic_stat pvio_ops_queued)" -gt 0 -a \
		  "$(nic_stat pvio_ops_native)" = "$(nic_stat pvio_ops_queued)" ]
	pk=$(( $(nic_stat rx_packets) + $(nic_stat tx_packets) ))
	echo "# all traffic: packets $pk, irqs $(nic_stat irqs), register ops $(nic_stat pvio_ops_queued)," \
	     "flushes $(nic_stat pvio_flushes), doorbells $(nic_stat tx_doorbells)"

	ip link set "$nic" down
	q=$(nic_stat tx_queued) p=$(nic_stat tx_packets) f=$(nic_stat tx_flushed)
	echo "# after ifdown: tx_queued $q tx_packets $p tx_flushed $f rx_buffers_posted $(nic_stat rx_buffers_posted)"
	check "$m after ifdown: tx_queued = tx_packets + tx_flushed" [ "$q" = $((p + f)) ]
	ethtool -S "$nic" | sed 's/^/# /'
	e1000_unload
done
