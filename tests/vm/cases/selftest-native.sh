#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvio_selftest through the native transport (TCG has no KVM host), then
# the module parameter checks: bad values refuse to load and say why.
# pvio-vm: modules="pvio pvio_selftest" timeout=120
. /lib/guest.sh

check "pvio loads with transport=native" modprobe pvio transport=native
check "debugfs transport says native" \
	[ "$(cat /sys/kernel/debug/pvio/transport)" = native ]

modprobe pvio_selftest
rc=$?
ktap_of_module "KTAP version 1"
check "pvio_selftest loads (all cases passed)" [ $rc -eq 0 ]
rmmod pvio_selftest 2>/dev/null

s=/sys/kernel/debug/pvio/stats
check "global counters add up: ops_queued = ops_native" \
	[ "$(stat_of $s ops_queued)" -gt 0 -a \
	  "$(stat_of $s ops_queued)" -ge "$(stat_of $s ops_native)" ]
check "no hypercall issued under TCG" [ "$(stat_of $s hypercalls)" = 0 ]
# fallback_after_host_error: 1 chunk; overfull_batch_after_host_errors: 3
check "injected host errors fell back 4 times" [ "$(stat_of $s fallbacks)" = 4 ]
pvio-stat | sed 's/^/# /'
check "pvio-stat totals match debugfs" \
	[ "$(pvio-stat | awk '$1 == "total" && $2 == "ops_queued" { print $3 }')" = \
	  "$(stat_of $s ops_queued)" ]
check "pvio unloads" rmmod pvio

# Parameter validation: each bad value must refuse to load with a message.
for bad in "transport=fast" "max_batch=0" "max_batch=129" "max_batch=x"; do
	refuses pvio "$bad" "pvio: .*${bad%%=*}="
done

# transport=hypercall must refuse where there is no KVM host handler.
hc_refused() {
	dmesg -c > /dev/null
	if modprobe pvio transport=hypercall 2>/dev/null; then rmmod pvio; return 1; fi
	dmesg | grep 'pvio:' | sed 's/^/# /'
	dmesg | grep -q 'transport=hypercall needs the host handler: not a KVM guest'
}
check "transport=hypercall refuses to load without a host handler" hc_refused

check "auto picks native under TCG" modprobe pvio
check "debugfs host_abi says none" [ "$(cat /sys/kernel/debug/pvio/host_abi)" = none ]
check "max_batch is readable" [ "$(cat /sys/module/pvio/parameters/max_batch)" = 64 ]
rmmod pvio
