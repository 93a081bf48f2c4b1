# SPDX-License-Identifier: GPL-2.0
#
# pvio: make | make check | make demo | make bench | make reproduce |
# make install | make deb | make clean
# KVER= picks an installed kernel (default: the running one, else the newest
# with headers), KDIR= a kernel build tree.  PVIO_FAULT_INJECTION=1 builds
# the test hooks in (make check does; DKMS and distributions do not).

KVER ?= $(shell tools/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)
# every module, as Kconfig would say "m" for each
PVIO_CONFIG := CONFIG_PVIO=m CONFIG_PVIO_SELFTEST=m \
	CONFIG_PVIO_BYPASS_IOSCHED=m CONFIG_PATA_PVIO=m \
	CONFIG_E1000_PVIO=m
ifeq ($(PVIO_FAULT_INJECTION),1)
PVIO_CONFIG += CONFIG_PVIO_FAULT_INJECTION=y
endif
# A kernel source tree of the same X.Y, for block/elevator.h (the headers
# package lacks it); elevator-bypass/Kbuild falls back to a private copy.
KVER_XY := $(shell echo $(KVER) | cut -d. -f1,2)
PVIO_KSRC ?= $(firstword $(wildcard /var/cache/pvio/linux-source-$(KVER_XY) \
	/usr/src/linux-source-$(KVER_XY)))
PVIO_CONFIG += PVIO_KSRC=$(PVIO_KSRC)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) $(PVIO_CONFIG) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -rf build

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) $(PVIO_CONFIG) modules_install
	install -D -m 0644 elevator-bypass/60-pvio-bypass.rules \
		$(DESTDIR)/etc/udev/rules.d/60-pvio-bypass.rules
	depmod -a $(KVER)

deps:
	@tools/deps.sh

check: deps
	@tests/run-all.sh

demo: deps
	@tools/demo.sh

bench: deps
	@bench/run.sh

# issue 11: every benchmark that measures an experiment of the NPC 2010 paper
# (the benchmarks of several L1 boots take five rounds each), then REPRODUCTION.md
# from the raw records, also when a benchmark failed
reproduce: deps
	@BENCH="nested sched net napi pit mode2 profile latency bonnie shsched" bench/run.sh; rc=$$?; \
	/usr/bin/python3 bench/report.py bench/results || rc=1; exit $$rc

nested: ; @tests/nested/run.sh

# Debian packages pvio-dkms and pvio-host-dkms into build/deb/
deb:
	@tools/mkdeb.sh

# patched host KVM (kvm.ko, kvm-amd.ko, kvm-intel.ko) under host/build/$(KVER)/
# (phony: host/ is a directory)
host:
	@KVER=$(KVER) KDIR=$(KDIR) host/kvm/build.sh

# patched qemu-system-x86_64 (pvio batch exits, coalesced-PIO anchor) in
# /var/cache/pvio/qemu/current/ (PVIO_CACHE= moves it); see host/qemu/README.md
qemu:
	@host/qemu/build.sh

# libFuzzer target for the host's batch validator; FUZZ_SECONDS= bounds it
FUZZ_SECONDS ?= 300
fuzz:
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

.PHONY: all modules clean install deps check demo bench reproduce nested host qemu fuzz deb
