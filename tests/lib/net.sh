# SPDX-License-Identifier: GPL-2.0
# Network helpers for guest test scripts (busybox sh), next to tap.sh in
# every initramfs the vm and nested runners build.  Source it.

# wait_carrier NIC [VALUE]: wait up to 10 s for NIC's carrier to read VALUE
# (default 1); succeed if it does
wait_carrier() {
	i=0
	while [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" != "${2:-1}" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = "${2:-1}" ]
}
