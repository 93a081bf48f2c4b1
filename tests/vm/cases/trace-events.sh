#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvio's trace events (pvio/trace.h) under TCG: they appear in tracefs and
# fire with the right fields.  Enabling pvio:pvio_flush turns the in-place
# path of native batches off, so pvio_selftest's flushes all reach the
# traced code: one event per flush, its ops and the counters agree, the
# self-test's known batches show up with their sizes, and its injected host
# errors give one pvio_fallback each.
# pvio-vm: modules="pvio pvio_selftest" timeout=120
. /lib/guest.sh

T=/sys/kernel/tracing
check "tracefs mounts in the guest" mount -t tracefs tracefs $T
check "pvio loads" modprobe pvio
for e in pvio_flush pvio_fallback; do
	check "events/pvio/$e is in tracefs" [ -r $T/events/pvio/$e/format ]
done
f=$T/events/pvio/pvio_flush/format
check "pvio_flush carries user, ops, transport, hypercalls, result, ns" \
	has $f 'char user\[32\]' 'unsigned int ops;' 'unsigned int transport;' \
		'unsigned int hypercalls;' 'int result;' 'u64 ns;'

echo > $T/trace
echo 1 > $T/events/pvio/enable
modprobe pvio_selftest
rc=$?
ktap_of_module "KTAP version 1"
rmmod pvio_selftest 2>/dev/null
echo 0 > $T/events/pvio/enable
check "pvio_selftest passes with the flush event on (every op queued)" [ $rc -eq 0 ]
grep 'pvio_' $T/trace > /tmp/trace
sed -n '1,5p' /tmp/trace | sed 's/^/# /'
grep -c . /tmp/trace | sed 's/^/# trace lines: /'

s=/sys/kernel/debug/pvio/stats
flushes=$(grep -c 'pvio_flush: ' /tmp/trace)
ops=$(grep 'pvio_flush: ' /tmp/trace | sed 's/.* ops=\([0-9]*\) .*/\1/' |
	awk '{ s += $1 } END { print s + 0 }')
echo "# events: $flushes flushes, $ops ops; debugfs: $(stat_of $s flushes) flushes, $(stat_of $s ops_queued) ops queued"
check "one pvio_flush per flush (debugfs flushes)" \
	[ "$flushes" -gt 0 -a "$flushes" = "$(stat_of $s flushes)" ]
check "ops= add up to debugfs ops_queued" [ "$ops" = "$(stat_of $s ops_queued)" ]
check "auto=1 events match debugfs auto_flushes" \
	[ "$(grep -c 'pvio_flush: .* auto=1 ' /tmp/trace)" = "$(stat_of $s auto_flushes)" ]
# full_batch on the 128-op batch: 64 OUT/IN pairs, one flush
check "selftest-max: one flush of 128 native ops, no hypercall" \
	[ "$(grep -c 'pvio_flush: user=selftest-max ops=128 transport=native hypercalls=0 result=0 auto=0 ' /tmp/trace)" = 1 ]
# counters_add_up: 6 OUTs and an IN, one flush (the last of the batch)
check "counters_add_up: its flush of 7 ops is the last of batch selftest" \
	sh -c "grep 'pvio_flush: user=selftest ' /tmp/trace | tail -1 | grep -q ' ops=7 transport=native hypercalls=0 result=0 auto=0 ns=[1-9]'"
# fallback_after_host_error: 1 chunk; overfull_batch_after_host_errors: 3
check "4 pvio_fallback events, injected, refused with -KVM_ENOSYS" \
	[ "$(grep -c 'pvio_fallback: user=selftest first=0 ops=[0-9]* ret=-1000 injected=1$' /tmp/trace)" = 4 ]
check "debugfs fallbacks agree" [ "$(stat_of $s fallbacks)" = 4 ]
check "the refused flushes say result=-1000" \
	[ "$(grep -c 'pvio_flush: user=selftest .* result=-1000 ' /tmp/trace)" = 4 ]
check "pvio unloads" rmmod pvio
