#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pata_pvio on QEMU's PIIX3 IDE (native pvio transport under TCG): 64 MiB
# of a seeded AES-CTR stream written and read back byte-exact, O_DIRECT and
# through the page cache; module reload; host errors injected mid-load;
# data interchange with ata_piix; pvio batch counters show batching.
# pvio-vm: modules="pvio pata_pvio" kmods="libata sd_mod ata_piix ata_generic"
# pvio-vm: bins="openssl" timeout=900 mem=768 disks="80M"
# pvio-vm: qemu="-drive file=@DISK0@,if=ide,format=raw"
. /lib/guest.sh

PCI=/sys/bus/pci/devices/0000:00:01.1
DBG=/sys/kernel/debug/pvio
MB=64

driver_of() { basename "$(readlink "$PCI/driver" 2>/dev/null)"; }

pata_load
check "pata_pvio binds the PIIX IDE function" [ "$(driver_of)" = pata_pvio ]
echo "# pvio transport $(cat $DBG/transport); batches: $(ls $DBG/batches | tr '\n' ' ')"

P1=$(pat_write 1)
echo "# pattern 1 md5 $P1"
check "O_DIRECT write, O_DIRECT read back: same md5" [ "$(disk_direct)" = "$P1" ]
check "page-cache read after drop_caches: same md5" [ "$(disk_cached)" = "$P1" ]

P2=$(pat_sum 2)
dd if=/tmp/pat of=/dev/sda bs=1M conv=fsync 2>/dev/null
check "page-cache write, O_DIRECT read back: same md5" [ "$(disk_direct)" = "$P2" ]
check "page-cache write, page-cache read back: same md5" [ "$(disk_cached)" = "$P2" ]
check "pattern 1 and 2 differ" [ "$P1" != "$P2" ]

# four_k LABEL: 2048 single 4 KiB O_DIRECT writes, then reads; the port
# ops (no) and flushes (nf) they took
four_k() {
	o0=$(pstat ops_queued); f0=$(pstat flushes)
	dd if=/tmp/pat of=/dev/sda bs=4k count=2048 oflag=direct 2>/dev/null
	dd if=/dev/sda of=/dev/null bs=4k count=2048 iflag=direct 2>/dev/null
	no=$(($(pstat ops_queued) - o0)); nf=$(($(pstat flushes) - f0))
	echo "# $1 4096 commands: $no port ops in $nf flushes" \
		"($((no * 10 / 4096))/10 ops, $((nf * 10 / 4096))/10 flushes per command)"
}
# Port accesses per command
four_k ""
check "batch counters moved (ops_queued, flushes)" [ $no -gt 0 -a $nf -gt 0 ]
check "batching happened: flushes < ops" [ $nf -lt $no ]
# one flush to issue and one to complete; the first command after a
# mode change or an error issues in two
check "at most 2 flushes per DMA command" [ $nf -le $((4096 * 2 + 64)) ]

# The same with the merged runs off: libata's sequences, one flush per step.
echo 0 > /sys/module/pata_pvio/parameters/fastpath
four_k "fastpath=0,"
check "fastpath=0 still batches: flushes < ops" [ $nf -lt $no -a $nf -gt 0 ]
dd if=/tmp/pat of=/dev/sda bs=1M oflag=direct 2>/dev/null
check "fastpath=0: O_DIRECT write and read back: same md5" [ "$(disk_direct)" = "$P2" ]
echo 1 > /sys/module/pata_pvio/parameters/fastpath

# Unload and reload: the data must still be there.
check "pata_pvio unloads" rmmod pata_pvio
check "pvio batches freed with it" [ -z "$(ls $DBG/batches)" ]
modprobe pata_pvio
check "pata_pvio reloads and sda returns" wait_blk
check "after reload: O_DIRECT read back same md5" [ "$(disk_direct)" = "$P2" ]

# pvio's global debugfs knob alone: an in-place (native) batch queues its
# next ops while errors are armed, so the refusal and fallback happen.
fb0=$(pstat fallbacks)
echo 50 > $DBG/inject_host_error
check "global inject_host_error: O_DIRECT read same md5" [ "$(disk_direct)" = "$P2" ]
fb1=$(pstat fallbacks)
echo "# global knob: $((fb1 - fb0)) fallbacks, $(cat $DBG/inject_host_error) errors left"
check "global inject_host_error reaches pata_pvio's native batches" [ $((fb1 - fb0)) -gt 0 ]
echo 0 > $DBG/inject_host_error

# Host errors mid-load: pvio reruns refused flushes natively; nothing is
# lost.
P3=$(pat_sum 3)
fb0=$(pstat fallbacks)
check "write under injected host errors completed" write_refused 200 0.2
fb1=$(pstat fallbacks)
echo "# injected rounds of 200 host errors; $((fb1 - fb0)) fallbacks"
check "host errors hit pata_pvio's batches (fallbacks moved)" [ $((fb1 - fb0)) -gt 0 ]
# Every flush from here on is refused: the whole read runs on pvio's queued
# path (the hypercall transport's) and its fallback.
echo 1000000 > $DBG/inject_host_error
fb1=$(pstat fallbacks)
check "read with every flush refused: same md5" [ "$(disk_direct)" = "$P3" ]
check "page-cache read with every flush refused: same md5" [ "$(disk_cached)" = "$P3" ]
fb2=$(pstat fallbacks)
echo "# $((fb2 - fb1)) flushes refused and rerun during the reads"
check "the reads ran through the fallback path" [ $((fb2 - fb1)) -gt 100 ]
echo 0 > $DBG/inject_host_error

# Interchange with ata_piix: it reads what pata_pvio wrote, and back.
rmmod pata_pvio
modprobe ata_piix
wait_blk
check "ata_piix binds after pata_pvio left" [ "$(driver_of)" = ata_piix ]
check "ata_piix reads what pata_pvio wrote" [ "$(disk_direct)" = "$P3" ]
P4=$(pat_write 4)
rmmod ata_piix
modprobe pata_pvio
wait_blk
check "pata_pvio reads what ata_piix wrote" [ "$(disk_direct)" = "$P4" ]
rm -f /tmp/pat

# The README's runtime hand-over, both modules loaded: driver_override.
handover() { # handover DRIVER
	echo 0000:00:01.1 > $PCI/driver/unbind
	echo "$1" > $PCI/driver_override
	echo 0000:00:01.1 > /sys/bus/pci/drivers_probe
	wait_blk && [ "$(driver_of)" = "$1" ]
}
modprobe ata_piix
check "driver_override hands the controller to ata_piix" handover ata_piix
check "ata_piix after hand-over: same md5" [ "$(disk_direct)" = "$P4" ]
check "driver_override hands it back to pata_pvio" handover pata_pvio
check "pata_pvio after hand-over: same md5" [ "$(disk_direct)" = "$P4" ]
echo > $PCI/driver_override
rmmod pata_pvio
rmmod ata_piix
# Why the README says to blacklist ata_generic too (information only).
modprobe ata_generic
DRV=$(driver_of)
echo "# with ata_piix and pata_pvio gone, ata_generic bound: ${DRV:-nothing}"
rmmod ata_generic
modprobe pata_pvio
wait_blk
check "pata_pvio unloads at the end" rmmod pata_pvio
check "pvio unloads (no batch left behind)" rmmod pvio
