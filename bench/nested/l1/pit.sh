# SPDX-License-Identifier: GPL-2.0
# BENCH=pit's part of L1 (bench/nested/pit.sh): kvm's pit_reload_divisor
# set to PIT_DIV before L2 boots (L2 programs its PIT then).
pit_before() {
	echo "$PIT_DIV" > /sys/module/kvm/parameters/pit_reload_divisor ||
		res error "pit_reload_divisor=$PIT_DIV"
	res pit_reload_divisor "$(cat /sys/module/kvm/parameters/pit_reload_divisor)"
}
