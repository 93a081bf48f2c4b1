#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pata_pvio under libata error handling: QEMU's blkdebug fails every read
# of sector 8192 with EIO, the emulated disk reports a device error, libata
# EH reads the result taskfile (pata_pvio's batched tf_read), retries and
# gives up; the port must then work normally.  The merged DMA runs,
# the same with interrupt-less completion forced on (1i), and libata's own
# sequences (fastpath=0), each with pvio running ops in place
# and with every flush queued and refused (pvio's hypercall-transport path
# and its fallback, forced through pvio's global inject_host_error knob).
# pvio-vm: modules="pvio pata_pvio" kmods="libata sd_mod" bins="openssl"
# pvio-vm: timeout=300 disks="16M"
# pvio-vm: qemu="-drive if=ide,format=raw,file.driver=blkdebug,file.image.filename=@DISK0@,file.inject-error.0.event=read_aio,file.inject-error.0.sector=8192,file.inject-error.0.errno=5"
. /lib/guest.sh

MB=4

pata_load

for mode in 1 0 1i 1q 0q; do
	fp=${mode%[iq]}
	case $mode in
	*i) echo always > /sys/module/pata_pvio/parameters/irqless ;;
	*q) echo hypercall > /sys/module/pata_pvio/parameters/irqless
	    echo 1000000 > /sys/kernel/debug/pvio/inject_host_error ;;
	esac
	echo $fp > /sys/module/pata_pvio/parameters/fastpath
	bad_read "fastpath=$mode: read of the bad sector fails" "bs=4k skip=1024"
	# res STATUS/ERROR:NSECT:LBAL:LBAM:LBAH: 0x41 (DRDY|ERR), ABRT, LBA 8192
	check "fastpath=$mode: EH read the result taskfile (status, error, LBA 8192)" \
		sh -c "dmesg | grep -q 'res 41/04:08:00:20:00/'"
	P=$(pat_sum $((fp + 2)))
	dd if=/tmp/pat of=/dev/sda bs=64k oflag=direct 2>/dev/null
	check "fastpath=$mode: after EH, 4 MiB write and read back identical" \
		[ "$(dd_sum if=/dev/sda bs=64k count=64 iflag=direct)" = "$P" ]
done
fb=$(pstat fallbacks)
echo "# $fb flushes refused and rerun"
check "the q rounds ran through the fallback path" [ "$fb" -gt 100 ]
check "pata_pvio unloads" rmmod pata_pvio
