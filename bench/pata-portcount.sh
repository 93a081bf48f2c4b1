#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Port accesses per ATA DMA command, counted where they land: QEMU's IDE
# model (trace events ide_ioport_*, ide_status_read, ide_ctrl_write,
# ide_data_*, bmdma_*).  A TCG guest writes then reads 1200 4 KiB O_DIRECT
# blocks with ata_piix, with pata_pvio and with pata_pvio fastpath=0; the
# accesses between the 100th and the 1100th WRITE DMA (0xca) and READ DMA
# (0xc8) command are divided by 1000.  Under TCG pvio runs natively, so
# every op is one port access; the pvio batch counters give the flushes.
#
# Usage: bench/pata-portcount.sh   (after make; prints a Markdown table)

set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$ROOT/build/bench/pata-portcount
mkdir -p "$W"
printf '%s\n' ide_ioport_read ide_ioport_write ide_status_read ide_ctrl_write \
	'ide_data_*' bmdma_read bmdma_write bmdma_addr_read bmdma_addr_write \
	ide_exec_cmd > "$W/events"

run() { # run NAME MODULE ARGS
	cat > "$W/$1.sh" <<CASE
#!/bin/sh
# pvio-vm: modules="pvio pata_pvio" kmods="libata sd_mod ata_piix" timeout=300 disks="80M"
# pvio-vm: qemu="-drive file=@DISK0@,if=ide,format=raw -trace events=$W/events,file=$W/$1.trace"
. /lib/guest.sh
modprobe sd_mod
modprobe pvio
modprobe $2 $3
i=0
while [ ! -b /dev/sda ] && [ \$i -lt 120 ]; do sleep 0.5; i=\$((i + 1)); done
s=/sys/kernel/debug/pvio/stats
o0=\$(stat_of \$s ops_queued); f0=\$(stat_of \$s flushes)
dd if=/dev/zero of=/dev/sda bs=4k count=1200 oflag=direct 2>/dev/null
dd if=/dev/sda of=/dev/null bs=4k count=1200 iflag=direct 2>/dev/null
echo "PVIO-STATS \$((\$(stat_of \$s ops_queued) - o0)) \$((\$(stat_of \$s flushes) - f0))"
check "2400 commands ran" [ -b /dev/sda ]
CASE
	rm -f "$W/$1.trace"
	"$ROOT/tests/vm/run.sh" "$W/$1.sh" > "$W/$1.log" 2>&1 || {
		cat "$W/$1.log"; exit 1; }
}

# count NAME CMD: accesses per command between the 100th and 1100th CMD
count() {
	awk -v cmd="cmd $2" '
		/^ide_exec_cmd/ { if (index($0, cmd) == length($0) - length(cmd) + 1) n++; next }
		n > 100 && n <= 1100 { c++ }
		END { printf "%.2f", c / 1000 }' "$W/$1.trace"
}

echo "| driver | WRITE DMA | READ DMA | pvio ops / flushes per command |"
echo "|---|---|---|---|"
for v in "ata_piix ata_piix" "pata_pvio pata_pvio fastpath=1" \
	 "pata_pvio-fastpath0 pata_pvio fastpath=0"; do
	set -- $v
	run "$1" "$2" "${3:-}"
	stats=$(awk '/^PVIO-STATS/ { if ($2) printf "%.2f / %.2f", $2 / 2400, $3 / 2400;
		else printf "-" }' "$ROOT/build/vm/$1/console.log")
	echo "| $1 | $(count "$1" 0xca) | $(count "$1" 0xc8) | $stats |"
done
