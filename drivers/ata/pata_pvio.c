// SPDX-License-Identifier: GPL-2.0
/*
 * pata_pvio - PIIX3/PIIX4 IDE on libata's SFF/BMDMA helpers, with the
 * port I/O of each step sent through one pvio batch.
 *
 * Under KVM every IN/OUT to the emulated IDE controller is a VM exit to
 * the VMM; a stock ata_piix DMA command costs 26 of them (18 to issue,
 * 8 to complete).  This driver queues the accesses of a step in a
 * pv_io_batch and flushes it once: one hypercall on a host with the pvio
 * handler, plain port I/O everywhere else (pvio's native transport, also
 * used by itself whenever the host refuses a batch).  A read whose value
 * decides what happens next ends its run: it is queued behind the writes
 * before it and the run is flushed to get it.
 *
 * A DMA command (the common case) takes two flushes:
 *   complete  BM status and altstatus: is the interrupt ours, and how did
 *             the command end?  The side effects of a completion (BM stop,
 *             the status read that drops INTRQ, BM status clear) are only
 *             queued: they ride in front of the channel's next flush.
 *   issue     [those], device select, taskfile, PRD address, BM command,
 *             ATA command, pause, BM start.
 * The issue run has no status check in it: the altstatus that completed
 * the previous command on the same device, with no other port operation
 * since, is its idle check.  Any other state (first command, other device,
 * an error, any single-step operation in between) issues in two flushes,
 * the first of which reads status around the device select and taskfile.
 * Everything else (PIO, ATAPI, reset, error handling) runs libata's own
 * sequences over the single-step port operations below, each of which
 * is one flush too.
 *
 * Interrupt-less completion (irqless=hypercall, the default when batches
 * go to the host): a host runs the issue run's ops in order, and QEMU has
 * usually finished a small DMA command by the time the engine start
 * returns.  So the issue run also sets nIEN first (the device raises no
 * INTRQ for this command) and reads BM status and altstatus last.  If the
 * command is done, a work item completes it from those values: one
 * hypercall and no interrupt for the whole command.  If not, a second
 * flush clears nIEN and reads again; a command that finished in between
 * raised no interrupt and is done in that read, any later one interrupts.
 * nIEN stays set for the next interrupt-less command; every single-step
 * port operation (libata's own sequences, which wait for interrupts)
 * clears it first, in its own flush, and so does port_stop.
 *
 * Reads of the BM command register are gone: the driver is its only
 * writer, so it keeps the value it last wrote.  The BM status clear
 * writes back the drive-capable bits the driver last read instead of
 * reading them again first.
 *
 * Mode setting: the PIIX timing registers are left as the BIOS set them
 * (QEMU keeps but ignores them; on real hardware BIOS timings are at worst
 * slower than the mode the drive is switched to).  PIO4 and MWDMA1-2 are
 * offered, with a 40-wire cable.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/libata.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pvio.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <scsi/scsi_host.h>

#include <compat/pvio_compat.h>

#if !PVIO_LIBATA_SFF_VERIFIED
#error "pata_pvio: libata SFF sequences not verified for this kernel (pvio_compat.h)"
#endif

#define DRV_NAME	"pata_pvio"

/*
 * The longest run, the first run of an LBA48 DMA issue, is 15
 * ops; a run that still outgrows the batch is flushed early, in order.
 */
#define PATA_PVIO_MAX_OPS	32

/* Idle polling step, as ata_sff_busy_wait(); callers may hold spinlocks. */
#define PATA_PVIO_POLL_US	10

/* BM status bits 5-6 ("drive N can DMA") are read/write, the rest are not. */
#define PATA_PVIO_BM_KEEP	0x60

/*
 * The merged DMA issue and completion runs can be switched off (at any
 * time: both paths leave the same state behind) to compare them with
 * libata's own sequences over the single-step operations.
 */
static bool fastpath = true;
module_param(fastpath, bool, 0644);
MODULE_PARM_DESC(fastpath, "Issue and complete ATA DMA commands in one flush each (default: Y)");

/* When a DMA command may complete without its interrupt (see pata_pvio_qc_issue()) */
enum { PATA_PVIO_IRQLESS_OFF, PATA_PVIO_IRQLESS_HYPERCALL, PATA_PVIO_IRQLESS_ALWAYS };
static const char * const pata_pvio_irqless_names[] = { "off", "hypercall", "always" };
static int irqless = PATA_PVIO_IRQLESS_HYPERCALL;

static int pata_pvio_irqless_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(pata_pvio_irqless_names, val);

	if (i < 0) {
		pr_err(DRV_NAME ": irqless=%s is not one of off, hypercall, always\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(irqless, i);
	return 0;
}

static int pata_pvio_irqless_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", pata_pvio_irqless_names[READ_ONCE(irqless)]);
}

static const struct kernel_param_ops pata_pvio_irqless_ops = {
	.set = pata_pvio_irqless_set,
	.get = pata_pvio_irqless_get,
};
module_param_cb(irqless, &pata_pvio_irqless_ops, NULL, 0644);
MODULE_PARM_DESC(irqless,
		 "complete DMA commands the host finished within the issue flush without an interrupt: off, hypercall (default: with the hypercall transport), always");

/* One per ATA channel; ap->private_data. */
struct pata_pvio_port {
	struct pv_io_batch *batch;
	/*
	 * Guards the batch.  ap->lock is not held on every path that reaches
	 * a port operation (reset and EH poll the status without it), so the
	 * batch has its own lock; it is never held across a call into libata.
	 */
	spinlock_t lock;
	u16 cmd;	/* taskfile block (0x1f0 / 0x170 in legacy mode) */
	u16 ctl;	/* device control / altstatus (0x3f6 / 0x376) */
	u16 bmdma;	/* this channel's bus-master block, BAR4 + 8 * port; 0: none */
	u8 bmcmd;	/* last value written to the BM command register */
	u8 bmkeep;	/* BM status bits 5-6 as last read */
	/*
	 * Altstatus reads made only for their timing (ata_sff_pause()) land
	 * here: a queued read's target must outlive the helper that queued
	 * it, since the result is stored at the flush.
	 */
	u8 pause;
	/*
	 * 1 + devno of the device that completed the last command cleanly,
	 * with no port operation since; 0 if unknown.  Under pp->lock.
	 */
	u8 idle_dev;
	/* INTRQ is edge-triggered (legacy mode): its clear may wait */
	bool edge_irq;
	/*
	 * Interrupt-less completion.  The issue run set nIEN (devctl is the
	 * value libata keeps in the register, to be written back) and ended
	 * by reading BM status and altstatus into early_bm/early_alt.
	 * early_valid: those say the command is done and no port operation
	 * has run since (under pp->lock).  done_pending: done_work is to
	 * complete it (under ap->lock).
	 */
	bool nien;
	bool early_valid;
	bool done_pending;
	u8 devctl;
	u8 early_bm;
	u8 early_alt;
	struct ata_port *ap;
	struct work_struct done_work;
	/*
	 * Interrupt-less issues whose command had finished by the end of
	 * the issue run(s), so that done_work completes it, and those whose
	 * command had not (it interrupts); under pp->lock.  In debugfs:
	 * /sys/kernel/debug/pata_pvio/<PCI function>.<channel>/.
	 */
	u64 irqless_done;
	u64 irqless_missed;
	/*
	 * DMA issues that took two runs (idle state not known: the first
	 * command, or one after an error or a single-step operation); each
	 * costs one flush more than the one-run issue.  Under pp->lock.
	 */
	u64 two_run_issues;
	struct dentry *dbg;
};

static struct dentry *pata_pvio_debugfs;

static struct pata_pvio_port *pp_of(struct ata_port *ap)
{
	return ap->private_data;
}

static u16 pp_reg(struct pata_pvio_port *pp, unsigned int reg)
{
	return pp->cmd + reg;
}

/* A port operation may change what the device is doing. */
static void pp_forget_idle(struct pata_pvio_port *pp)
{
	pp->idle_dev = 0;
	pp->early_valid = false;
}

/*
 * Interrupt-less commands leave nIEN set for the next one.  Anything else
 * libata does expects the interrupt: clear it first, in the same flush.
 */
static void pp_irq_back_on(struct pata_pvio_port *pp)
{
	if (pp->nien) {
		pv_io_outb(pp->batch, pp->devctl, pp->ctl);
		pp->nien = false;
	}
}

/* A single-step port operation, one of libata's sequences, is starting. */
static void pp_single_step(struct pata_pvio_port *pp)
{
	pp_forget_idle(pp);
	pp_irq_back_on(pp);
}

static u8 pata_pvio_read1(struct ata_port *ap, u16 port)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;
	u8 val;

	spin_lock_irqsave(&pp->lock, flags);
	pv_io_inb(pp->batch, port, &val);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	return val;
}

static u8 pata_pvio_check_status(struct ata_port *ap)
{
	return pata_pvio_read1(ap, pp_reg(pp_of(ap), ATA_REG_STATUS));
}

static u8 pata_pvio_check_altstatus(struct ata_port *ap)
{
	return pata_pvio_read1(ap, pp_of(ap)->ctl);
}

static void pata_pvio_set_devctl(struct ata_port *ap, u8 ctl)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pp_forget_idle(pp);
	pv_io_outb(pp->batch, ctl, pp->ctl);
	pp->nien = false;
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
}

static bool pata_pvio_busy(u8 status)
{
	return status != 0xff && (status & (ATA_BUSY | ATA_DRQ));
}

/*
 * A run ended with a status read that said busy: poll on as
 * ata_wait_idle() does (10 us apart, 10 ms at most).  Called unlocked.
 */
static u8 pata_pvio_wait_idle(struct ata_port *ap, u8 status)
{
	unsigned int tries = 1000;

	while (pata_pvio_busy(status) && --tries) {
		udelay(PATA_PVIO_POLL_US);
		status = pata_pvio_check_status(ap);
	}
	if (pata_pvio_busy(status))
		ata_port_dbg(ap, "abnormal Status 0x%X\n", status);
	return status;
}

/* Device select, then the altstatus read that flushes it (ata_sff_pause). */
static void pata_pvio_dev_select(struct ata_port *ap, unsigned int device)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;
	u8 dev = device ? ATA_DEVICE_OBS | ATA_DEV1 : ATA_DEVICE_OBS;

	spin_lock_irqsave(&pp->lock, flags);
	pp_single_step(pp);
	pv_io_outb(pp->batch, dev, pp_reg(pp, ATA_REG_DEVICE));
	pv_io_inb(pp->batch, pp->ctl, &pp->pause);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	ndelay(400);
}

/* Queue the address registers and device register of @tf, as ata_sff_tf_load(). */
static void pata_pvio_queue_tf(struct pata_pvio_port *pp,
			       const struct ata_taskfile *tf)
{
	bool is_addr = tf->flags & ATA_TFLAG_ISADDR;

	if (is_addr && (tf->flags & ATA_TFLAG_LBA48)) {
		pv_io_outb(pp->batch, tf->hob_feature, pp_reg(pp, ATA_REG_FEATURE));
		pv_io_outb(pp->batch, tf->hob_nsect, pp_reg(pp, ATA_REG_NSECT));
		pv_io_outb(pp->batch, tf->hob_lbal, pp_reg(pp, ATA_REG_LBAL));
		pv_io_outb(pp->batch, tf->hob_lbam, pp_reg(pp, ATA_REG_LBAM));
		pv_io_outb(pp->batch, tf->hob_lbah, pp_reg(pp, ATA_REG_LBAH));
	}
	if (is_addr) {
		pv_io_outb(pp->batch, tf->feature, pp_reg(pp, ATA_REG_FEATURE));
		pv_io_outb(pp->batch, tf->nsect, pp_reg(pp, ATA_REG_NSECT));
		pv_io_outb(pp->batch, tf->lbal, pp_reg(pp, ATA_REG_LBAL));
		pv_io_outb(pp->batch, tf->lbam, pp_reg(pp, ATA_REG_LBAM));
		pv_io_outb(pp->batch, tf->lbah, pp_reg(pp, ATA_REG_LBAH));
	}
	if (tf->flags & ATA_TFLAG_DEVICE)
		pv_io_outb(pp->batch, tf->device, pp_reg(pp, ATA_REG_DEVICE));
}

/*
 * A control change is its own run: libata waits for the device to go idle
 * after it before the taskfile goes out.
 */
static void pata_pvio_load_ctl(struct ata_port *ap, u8 ctl)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;
	u8 status;

	spin_lock_irqsave(&pp->lock, flags);
	pp_forget_idle(pp);
	pv_io_outb(pp->batch, ctl, pp->ctl);
	pp->nien = false;
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &status);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	ap->last_ctl = ctl;
	pata_pvio_wait_idle(ap, status);
}

/* Taskfile out and the status read of the idle wait after it: one run. */
static void pata_pvio_tf_load(struct ata_port *ap, const struct ata_taskfile *tf)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;
	u8 status;

	if (tf->ctl != ap->last_ctl)
		pata_pvio_load_ctl(ap, tf->ctl);

	spin_lock_irqsave(&pp->lock, flags);
	pp_single_step(pp);
	pata_pvio_queue_tf(pp, tf);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &status);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	pata_pvio_wait_idle(ap, status);
}

/* All result registers in one run, the HOB half included (ata_sff_tf_read()). */
static void pata_pvio_tf_read(struct ata_port *ap, struct ata_taskfile *tf)
{
	struct pata_pvio_port *pp = pp_of(ap);
	bool lba48 = tf->flags & ATA_TFLAG_LBA48;
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &tf->status);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_ERR), &tf->error);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_NSECT), &tf->nsect);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_LBAL), &tf->lbal);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_LBAM), &tf->lbam);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_LBAH), &tf->lbah);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_DEVICE), &tf->device);
	if (lba48) {
		pv_io_outb(pp->batch, tf->ctl | ATA_HOB, pp->ctl);
		pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_ERR), &tf->hob_feature);
		pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_NSECT), &tf->hob_nsect);
		pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_LBAL), &tf->hob_lbal);
		pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_LBAM), &tf->hob_lbam);
		pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_LBAH), &tf->hob_lbah);
		pv_io_outb(pp->batch, tf->ctl, pp->ctl);
	}
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	if (lba48)
		ap->last_ctl = tf->ctl;
}

/* Command write plus the pause after it; the 400 ns wait stays after the flush. */
static void pata_pvio_exec_command(struct ata_port *ap,
				   const struct ata_taskfile *tf)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pp_single_step(pp);
	pv_io_outb(pp->batch, tf->command, pp_reg(pp, ATA_REG_CMD));
	pv_io_inb(pp->batch, pp->ctl, &pp->pause);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	ndelay(400);
}

/*
 * PRD table address, direction, then the ATA command (ata_bmdma_setup()
 * ends by issuing it).  The PRD entries must be in memory first.
 */
static void pata_pvio_queue_bmdma_setup(struct ata_queued_cmd *qc)
{
	struct ata_port *ap = qc->ap;
	struct pata_pvio_port *pp = pp_of(ap);

	pp->bmcmd &= ~(ATA_DMA_WR | ATA_DMA_START);
	if (!(qc->tf.flags & ATA_TFLAG_WRITE))
		pp->bmcmd |= ATA_DMA_WR;	/* device to memory */

	mb();	/* PRD table writes before the controller can see its address */
	pv_io_outl(pp->batch, ap->bmdma_prd_dma, pp->bmdma + ATA_DMA_TABLE_OFS);
	pv_io_outb(pp->batch, pp->bmcmd, pp->bmdma + ATA_DMA_CMD);
	pv_io_outb(pp->batch, qc->tf.command, pp_reg(pp, ATA_REG_CMD));
	pv_io_inb(pp->batch, pp->ctl, &pp->pause);
}

static void pata_pvio_bmdma_setup(struct ata_queued_cmd *qc)
{
	struct pata_pvio_port *pp = pp_of(qc->ap);
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pp_single_step(pp);
	pata_pvio_queue_bmdma_setup(qc);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	ndelay(400);
}

static void pata_pvio_bmdma_start(struct ata_queued_cmd *qc)
{
	struct pata_pvio_port *pp = pp_of(qc->ap);
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pp_single_step(pp);
	pp->bmcmd |= ATA_DMA_START;
	pv_io_outb(pp->batch, pp->bmcmd, pp->bmdma + ATA_DMA_CMD);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
}

/* Queue the engine stop and the altstatus read that times HDMA1:0 (ata_sff_dma_pause()). */
static void pata_pvio_queue_bmdma_stop(struct pata_pvio_port *pp)
{
	pp->bmcmd &= ~ATA_DMA_START;
	pv_io_outb(pp->batch, pp->bmcmd, pp->bmdma + ATA_DMA_CMD);
	pv_io_inb(pp->batch, pp->ctl, &pp->pause);
}

static void pata_pvio_bmdma_stop(struct ata_queued_cmd *qc)
{
	struct pata_pvio_port *pp = pp_of(qc->ap);
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pp_single_step(pp);
	pata_pvio_queue_bmdma_stop(pp);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
}

static u8 pata_pvio_bmdma_status(struct ata_port *ap)
{
	struct pata_pvio_port *pp = pp_of(ap);
	u8 stat = pata_pvio_read1(ap, pp->bmdma + ATA_DMA_STATUS);

	WRITE_ONCE(pp->bmkeep, stat & PATA_PVIO_BM_KEEP);
	return stat;
}

/*
 * Clearing INTR and ERR is write-1-to-clear; writing both is the same as
 * writing back what a read would return (ata_bmdma_irq_clear()), without
 * the read.
 */
static void pata_pvio_queue_irq_clear(struct pata_pvio_port *pp)
{
	u8 val = READ_ONCE(pp->bmkeep) | ATA_DMA_INTR | ATA_DMA_ERR;

	pv_io_outb(pp->batch, val, pp->bmdma + ATA_DMA_STATUS);
}

static void pata_pvio_irq_clear(struct ata_port *ap)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;

	if (!pp->bmdma)
		return;
	spin_lock_irqsave(&pp->lock, flags);
	pata_pvio_queue_irq_clear(pp);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
}

/* Lets libata clear an interrupt nobody expected (as ata_piix does). */
static bool pata_pvio_irq_check(struct ata_port *ap)
{
	if (!pp_of(ap)->bmdma)
		return false;
	return pata_pvio_bmdma_status(ap) & ATA_DMA_INTR;
}

/*
 * Run 1 of a DMA issue: the idle check, device select, the idle check
 * after it and the taskfile with its idle check.  The writes have no effect
 * until the command register is written, so if any status says busy the
 * caller simply redoes the whole issue libata's way.
 */
static bool pata_pvio_issue_tf(struct ata_queued_cmd *qc)
{
	struct ata_port *ap = qc->ap;
	struct pata_pvio_port *pp = pp_of(ap);
	u8 dev = qc->dev->devno ? ATA_DEVICE_OBS | ATA_DEV1 : ATA_DEVICE_OBS;
	u8 st0, st1, st2;
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pp_forget_idle(pp);
	pp->two_run_issues++;
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &st0);
	pv_io_outb(pp->batch, dev, pp_reg(pp, ATA_REG_DEVICE));
	pv_io_inb(pp->batch, pp->ctl, &pp->pause);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &st1);
	pata_pvio_queue_tf(pp, &qc->tf);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &st2);
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);

	return !pata_pvio_busy(st0) && !pata_pvio_busy(st1) &&
	       !pata_pvio_busy(st2);
}

/* Is this command to try completing without its interrupt? */
static bool pata_pvio_want_irqless(struct pata_pvio_port *pp)
{
	switch (READ_ONCE(irqless)) {
	case PATA_PVIO_IRQLESS_ALWAYS:
		return true;
	case PATA_PVIO_IRQLESS_HYPERCALL:
		return pv_io_batch_transport(pp->batch) == PV_IO_HYPERCALL;
	}
	return false;
}

/* Queue the completion's two reads, into early_bm and early_alt. */
static void pp_queue_early_result(struct pata_pvio_port *pp)
{
	pv_io_inb(pp->batch, pp->bmdma + ATA_DMA_STATUS, &pp->early_bm);
	pv_io_inb(pp->batch, pp->ctl, &pp->early_alt);
}

/*
 * Queue the bus master setup, the ATA command, the pause and the engine
 * start.  Interrupt-less: nIEN first, so that the completion does not
 * raise INTRQ, and the completion's two reads last.
 */
static void pata_pvio_queue_dma_start(struct ata_queued_cmd *qc, bool noirq)
{
	struct pata_pvio_port *pp = pp_of(qc->ap);

	if (noirq && !pp->nien) {
		pp->devctl = qc->ap->last_ctl;
		pv_io_outb(pp->batch, pp->devctl | ATA_NIEN, pp->ctl);
		pp->nien = true;
	} else if (!noirq) {
		pp_irq_back_on(pp);
	}
	pata_pvio_queue_bmdma_setup(qc);
	pp->bmcmd |= ATA_DMA_START;
	pv_io_outb(pp->batch, pp->bmcmd, pp->bmdma + ATA_DMA_CMD);
	if (noirq)
		pp_queue_early_result(pp);
}

/*
 * With nIEN set the device does not interrupt, so the BM status INTR bit,
 * which follows INTRQ, stays clear too: a command is done when the bus
 * master has gone inactive and the device is not busy.
 */
static bool pata_pvio_early_done(struct pata_pvio_port *pp)
{
	return !(pp->early_bm & ATA_DMA_ACTIVE) && !(pp->early_alt & ATA_BUSY);
}

/*
 * After an interrupt-less issue run, under pp->lock.  If the command had
 * finished by its end, done_work completes it.  If not, interrupts go
 * back on and the result is read once more in the same flush: a command
 * that finished before nIEN was cleared raised no interrupt and is
 * complete in that read, one that finishes after it interrupts as usual
 * (and may be seen complete in that read too: whichever of done_work and
 * the interrupt handler comes first completes it).
 * Return: true if done_work is to complete the command.
 */
static bool pata_pvio_check_irqless(struct pata_pvio_port *pp)
{
	if (!pata_pvio_early_done(pp)) {
		pp_irq_back_on(pp);
		pp_queue_early_result(pp);
		pv_io_flush(pp->batch);
	}
	pp->early_valid = pata_pvio_early_done(pp);
	if (pp->early_valid)
		pp->irqless_done++;
	else
		pp->irqless_missed++;
	return pp->early_valid;
}

/* Run 2 of a two-run issue.  Return: see pata_pvio_check_irqless(). */
static bool pata_pvio_issue_dma(struct ata_queued_cmd *qc)
{
	struct pata_pvio_port *pp = pp_of(qc->ap);
	bool noirq = pata_pvio_want_irqless(pp);
	bool done = false;
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pata_pvio_queue_dma_start(qc, noirq);
	pv_io_flush(pp->batch);
	if (noirq)
		done = pata_pvio_check_irqless(pp);
	spin_unlock_irqrestore(&pp->lock, flags);
	return done;
}

/*
 * The one-run issue, when the device is known idle and selected (see the
 * top of this file).  The device register is written anyway, as libata
 * does: it costs nothing in a batch.  Return: -EAGAIN if the state was
 * not known, with nothing queued; else whether done_work is to complete
 * the command (pata_pvio_check_irqless()).
 */
static int pata_pvio_issue_known_idle(struct ata_queued_cmd *qc)
{
	struct pata_pvio_port *pp = pp_of(qc->ap);
	u8 dev = qc->dev->devno ? ATA_DEVICE_OBS | ATA_DEV1 : ATA_DEVICE_OBS;
	bool noirq = pata_pvio_want_irqless(pp);
	unsigned long flags;
	int ret = -EAGAIN;
	bool known;

	spin_lock_irqsave(&pp->lock, flags);
	known = pp->idle_dev == qc->dev->devno + 1;
	pp_forget_idle(pp);
	if (known) {
		pv_io_outb(pp->batch, dev, pp_reg(pp, ATA_REG_DEVICE));
		pata_pvio_queue_tf(pp, &qc->tf);
		pata_pvio_queue_dma_start(qc, noirq);
		pv_io_flush(pp->batch);
		ret = noirq && pata_pvio_check_irqless(pp);
	}
	spin_unlock_irqrestore(&pp->lock, flags);
	return ret;
}

/*
 * ATA DMA commands take the one- or two-run path; everything else, and a
 * DMA command whose device was busy, goes through ata_bmdma_qc_issue() and
 * the single-step operations.  Called under ap->lock.
 */
static unsigned int pata_pvio_qc_issue(struct ata_queued_cmd *qc)
{
	struct ata_port *ap = qc->ap;
	struct pata_pvio_port *pp = pp_of(ap);
	int done;

	if (!fastpath || qc->tf.protocol != ATA_PROT_DMA ||
	    (qc->tf.flags & ATA_TFLAG_POLLING) ||
	    qc->tf.ctl != ap->last_ctl)
		return ata_bmdma_qc_issue(qc);

	done = pata_pvio_issue_known_idle(qc);
	if (done < 0) {
		if (!pata_pvio_issue_tf(qc))
			return ata_bmdma_qc_issue(qc);
		done = pata_pvio_issue_dma(qc);
	}
	ap->hsm_task_state = HSM_ST_LAST;
	if (done) {
		/* libata completes nothing inside qc_issue: leave it to done_work */
		pp->done_pending = true;
		ata_sff_queue_work(&pp->done_work);
	}
	return 0;
}

/* The ATA DMA command waiting for its completion interrupt, if any. */
static struct ata_queued_cmd *pata_pvio_dma_qc(struct ata_port *ap)
{
	struct ata_queued_cmd *qc = ata_qc_from_tag(ap, ap->link.active_tag);

	if (!qc || (qc->tf.flags & ATA_TFLAG_POLLING) ||
	    ap->hsm_task_state != HSM_ST_LAST ||
	    qc->tf.protocol != ATA_PROT_DMA)
		return NULL;
	return qc;
}

/*
 * The completion's run: BM status and altstatus, which have no side
 * effects; none if the issue run already read them with the command done
 * (the device keeps that state until it is acknowledged).
 * Return: whether the command is done.
 */
static bool pata_pvio_read_dma_result(struct pata_pvio_port *pp,
				      u8 *host_stat, u8 *alt)
{
	unsigned long flags;
	bool done;

	spin_lock_irqsave(&pp->lock, flags);
	if (pp->early_valid) {
		*host_stat = pp->early_bm;
		*alt = pp->early_alt;
		pp->early_valid = false;
		done = true;
	} else {
		pv_io_inb(pp->batch, pp->bmdma + ATA_DMA_STATUS, host_stat);
		pv_io_inb(pp->batch, pp->ctl, alt);
		pv_io_flush(pp->batch);
		done = *host_stat & ATA_DMA_INTR;
	}
	WRITE_ONCE(pp->bmkeep, *host_stat & PATA_PVIO_BM_KEEP);
	spin_unlock_irqrestore(&pp->lock, flags);
	return done;
}

/*
 * Queue what libata does after a DMA completion: stop the engine, read
 * status (drops INTRQ), clear the BM interrupt.  On a clean completion
 * with an edge-triggered IRQ this waits for the channel's next flush,
 * which is normally the next command's issue run: INTRQ is dropped before
 * that command is written, so its completion raises a fresh edge.  A
 * level-triggered line would fire again, and a failed command goes to EH
 * in libata's order, so those flush now.  @idle_dev: see pp->idle_dev.
 */
static void pata_pvio_ack_dma(struct pata_pvio_port *pp, bool now, u8 idle_dev)
{
	unsigned long flags;

	spin_lock_irqsave(&pp->lock, flags);
	pata_pvio_queue_bmdma_stop(pp);
	pv_io_inb(pp->batch, pp_reg(pp, ATA_REG_STATUS), &pp->pause);
	pata_pvio_queue_irq_clear(pp);
	if (now || !pp->edge_irq)
		pv_io_flush(pp->batch);
	pp->idle_dev = idle_dev;
	spin_unlock_irqrestore(&pp->lock, flags);
}

/*
 * Completion of an ATA DMA command, as ata_bmdma_port_intr() and
 * __ata_sff_port_intr() do it for HSM_ST_LAST, deciding on altstatus
 * where libata reads status (same register contents, without dropping
 * INTRQ, which pata_pvio_ack_dma() does).  Called under the host lock.
 * Return: 1 if handled.
 */
static unsigned int pata_pvio_dma_done(struct ata_port *ap)
{
	struct pata_pvio_port *pp = pp_of(ap);
	struct ata_queued_cmd *qc;
	u8 host_stat, status;
	bool ok;

	qc = pata_pvio_dma_qc(ap);
	if (!qc)
		return 0;
	if (!pata_pvio_read_dma_result(pp, &host_stat, &status))
		return 0;

	pp->done_pending = false;
	ok = !(host_stat & ATA_DMA_ERR) &&
	     !(status & (ATA_BUSY | ATA_DRQ | ATA_DF | ATA_ERR));
	pata_pvio_ack_dma(pp, !ok, ok ? qc->dev->devno + 1 : 0);
	if (unlikely(host_stat & ATA_DMA_ERR)) {
		qc->err_mask |= AC_ERR_HOST_BUS;
		ap->hsm_task_state = HSM_ST_ERR;
	}
	if (unlikely(status & ATA_BUSY)) {
		/* the engine is stopped already: nothing to wait for */
		qc->err_mask |= AC_ERR_HSM;
		ap->hsm_task_state = HSM_ST_ERR;
	}
	ata_sff_hsm_move(ap, qc, status, 0);
	if (unlikely(qc->err_mask))
		ata_ehi_push_desc(&ap->link.eh_info, "BMDMA stat 0x%x", host_stat);
	return 1;
}

/*
 * Completes a command that finished within its issue run, with nIEN set:
 * no interrupt will come for it.  A workqueue, not irq_work or a timer:
 * those would cost a self-IPI or a timer write, each an exit of its own.
 */
static void pata_pvio_done_work(struct work_struct *work)
{
	struct pata_pvio_port *pp = container_of(work, struct pata_pvio_port,
						 done_work);
	struct ata_port *ap = pp->ap;
	unsigned long flags;

	/* blk-mq ends the request in BLOCK_SOFTIRQ: run it on the way out */
	local_bh_disable();
	spin_lock_irqsave(ap->lock, flags);
	if (pp->done_pending)
		pata_pvio_dma_done(ap);
	pp->done_pending = false;
	spin_unlock_irqrestore(ap->lock, flags);
	local_bh_enable();
}

/*
 * DMA completions are handled here; any other interrupt (PIO, ATAPI,
 * spurious) goes to libata's handler, which uses the port operations.
 * In legacy mode each channel has its own edge-triggered IRQ, in native
 * mode the shared line is level-triggered, so nothing is lost by returning
 * once a channel was served.
 */
static irqreturn_t pata_pvio_interrupt(int irq, void *dev_instance)
{
	struct ata_host *host = dev_instance;
	unsigned int i, handled = 0;
	unsigned long flags;

	spin_lock_irqsave(&host->lock, flags);
	for (i = 0; i < host->n_ports; i++)
		if (fastpath && pp_of(host->ports[i]))
			handled |= pata_pvio_dma_done(host->ports[i]);
	spin_unlock_irqrestore(&host->lock, flags);

	if (handled)
		return IRQ_HANDLED;
	return ata_bmdma_interrupt(irq, dev_instance);
}

/*
 * libata keeps port addresses as ioport_map() cookies; pvio needs port
 * numbers.  Instead of decoding the cookie (its encoding is private to
 * lib/iomap.c), add the cookie's offset within its BAR's mapping to the
 * BAR's start, then check that ioport_map() of the result is the cookie.
 */
static int pata_pvio_port_of(struct pci_dev *pdev, int bar,
			     void __iomem *addr, u16 *port)
{
	void __iomem *base = pcim_iomap_table(pdev)[bar];
	resource_size_t start = pci_resource_start(pdev, bar);
	unsigned long off;

	if (!base || !addr || !(pci_resource_flags(pdev, bar) & IORESOURCE_IO))
		return -ENODEV;
	off = (unsigned long __force)addr - (unsigned long __force)base;
	if (start + off > PVIO_PORT_MAX)
		return -ERANGE;
	*port = start + off;
	if (ioport_map(*port, 1) != addr)
		return -EINVAL;
	return 0;
}

static int pata_pvio_find_ports(struct ata_port *ap, struct pata_pvio_port *pp)
{
	struct pci_dev *pdev = to_pci_dev(ap->host->dev);
	int bar = 2 * ap->port_no;
	int rc;

	rc = pata_pvio_port_of(pdev, bar, ap->ioaddr.cmd_addr, &pp->cmd);
	if (!rc)
		rc = pata_pvio_port_of(pdev, bar + 1, ap->ioaddr.ctl_addr,
				       &pp->ctl);
	if (!rc && ap->ioaddr.bmdma_addr)
		rc = pata_pvio_port_of(pdev, 4, ap->ioaddr.bmdma_addr,
				       &pp->bmdma);
	if (rc)
		ata_port_err(ap, "cannot map port addresses to port numbers (%d)\n",
			     rc);
	return rc;
}

/* The BM command and drive-capable bits the driver starts from. */
static void pata_pvio_read_bm_state(struct ata_port *ap)
{
	struct pata_pvio_port *pp = pp_of(ap);

	if (!pp->bmdma)
		return;
	pp->bmcmd = pata_pvio_read1(ap, pp->bmdma + ATA_DMA_CMD);
	pata_pvio_bmdma_status(ap);
}

/*
 * PRD table and 32-bit PIO as for ata_piix, then this channel's batch,
 * "pata_pvio.<PCI function>.<channel>" under /sys/kernel/debug/pvio/batches/
 * (the "ataN" print id is not assigned yet when ports start).
 * port_stop is not called for a port whose port_start failed, and
 * everything but the batch is device-managed.
 */
static int pata_pvio_port_start(struct ata_port *ap)
{
	struct pata_pvio_port *pp;
	char name[32];
	int rc;

	rc = ata_bmdma_port_start32(ap);
	if (rc)
		return rc;
	pp = devm_kzalloc(ap->host->dev, sizeof(*pp), GFP_KERNEL);
	if (!pp)
		return -ENOMEM;
	rc = pata_pvio_find_ports(ap, pp);
	if (rc)
		return rc;

	snprintf(name, sizeof(name), DRV_NAME ".%s.%u",
		 dev_name(ap->host->dev), ap->port_no);
	pp->batch = pv_io_batch_alloc(name, PATA_PVIO_MAX_OPS);
	if (IS_ERR(pp->batch))
		return PTR_ERR(pp->batch);
	/* the counters' directory is the name without the "pata_pvio." */
	pp->dbg = debugfs_create_dir(name + sizeof(DRV_NAME), pata_pvio_debugfs);
	debugfs_create_u64("irqless_done", 0444, pp->dbg, &pp->irqless_done);
	debugfs_create_u64("irqless_missed", 0444, pp->dbg, &pp->irqless_missed);
	debugfs_create_u64("two_run_issues", 0444, pp->dbg, &pp->two_run_issues);
	spin_lock_init(&pp->lock);
	pp->ap = ap;
	INIT_WORK(&pp->done_work, pata_pvio_done_work);
	/* prog-if bit 2n set: channel n in native mode, on the shared PCI INTx */
	pp->edge_irq = !((to_pci_dev(ap->host->dev)->class >> (2 * ap->port_no)) & 1);
	ap->private_data = pp;
	pata_pvio_read_bm_state(ap);
	ata_port_dbg(ap, "ports cmd 0x%x ctl 0x%x bmdma 0x%x, pvio %s\n",
		     pp->cmd, pp->ctl, pp->bmdma,
		     pv_io_batch_transport(pp->batch) == PV_IO_HYPERCALL ?
		     "hypercall" : "native");
	return 0;
}

/*
 * After free_irq(): no port operation can run any more.  The last
 * completion's acknowledgment may still be queued: send it.
 */
static void pata_pvio_port_stop(struct ata_port *ap)
{
	struct pata_pvio_port *pp = pp_of(ap);
	unsigned long flags;

	if (!pp)
		return;
	cancel_work_sync(&pp->done_work);
	spin_lock_irqsave(&pp->lock, flags);
	pp_irq_back_on(pp);	/* as the next driver expects to find it */
	pv_io_flush(pp->batch);
	spin_unlock_irqrestore(&pp->lock, flags);
	ap->private_data = NULL;
	debugfs_remove(pp->dbg);
	pv_io_batch_free(pp->batch);
}

/* The channel's decode enable bit (IDETIM bit 15), as ata_piix checks it. */
static int pata_pvio_prereset(struct ata_link *link, unsigned long deadline)
{
	static const struct pci_bits enable_bits[] = {
		{ 0x41U, 1U, 0x80UL, 0x80UL },	/* primary */
		{ 0x43U, 1U, 0x80UL, 0x80UL },	/* secondary */
	};
	struct ata_port *ap = link->ap;
	struct pci_dev *pdev = to_pci_dev(ap->host->dev);

	if (!pci_test_config_bits(pdev, &enable_bits[ap->port_no]))
		return -ENOENT;
	return ata_sff_prereset(link, deadline);
}

static struct ata_port_operations pata_pvio_ops = {
	.inherits		= &ata_bmdma32_port_ops,
	.cable_detect		= ata_cable_40wire,
	.pvio_ata_prereset	= pata_pvio_prereset,
	.qc_issue		= pata_pvio_qc_issue,
	.sff_dev_select		= pata_pvio_dev_select,
	.sff_set_devctl		= pata_pvio_set_devctl,
	.sff_check_status	= pata_pvio_check_status,
	.sff_check_altstatus	= pata_pvio_check_altstatus,
	.sff_tf_load		= pata_pvio_tf_load,
	.sff_tf_read		= pata_pvio_tf_read,
	.sff_exec_command	= pata_pvio_exec_command,
	.sff_irq_clear		= pata_pvio_irq_clear,
	.sff_irq_check		= pata_pvio_irq_check,
	.bmdma_setup		= pata_pvio_bmdma_setup,
	.bmdma_start		= pata_pvio_bmdma_start,
	.bmdma_stop		= pata_pvio_bmdma_stop,
	.bmdma_status		= pata_pvio_bmdma_status,
	.port_start		= pata_pvio_port_start,
	.port_stop		= pata_pvio_port_stop,
};

static pvio_ata_sht_const struct scsi_host_template pata_pvio_sht = {
	ATA_BMDMA_SHT(DRV_NAME),
};

static const struct ata_port_info pata_pvio_port_info = {
	.flags		= ATA_FLAG_SLAVE_POSS,
	.pio_mask	= ATA_PIO4,
	.mwdma_mask	= ATA_MWDMA12_ONLY,	/* PIIX cannot time MWDMA0 */
	.port_ops	= &pata_pvio_ops,
};

/* ata_pci_bmdma_init_one() with our own interrupt handler; all devres. */
static int pata_pvio_init_one(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	const struct ata_port_info *ppi[] = { &pata_pvio_port_info, NULL };
	struct ata_host *host;
	int rc;

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	rc = ata_pci_bmdma_prepare_host(pdev, ppi, &host);
	if (rc)
		return rc;
	pci_set_master(pdev);
	return ata_pci_sff_activate_host(host, pata_pvio_interrupt,
					 &pata_pvio_sht);
}

static const struct pci_device_id pata_pvio_pci_tbl[] = {
	{ PCI_VDEVICE(INTEL, 0x7010) },	/* PIIX3 (QEMU pc) */
	{ PCI_VDEVICE(INTEL, 0x7111) },	/* PIIX4 */
	{ }
};
MODULE_DEVICE_TABLE(pci, pata_pvio_pci_tbl);

static struct pci_driver pata_pvio_pci_driver = {
	.name		= DRV_NAME,
	.id_table	= pata_pvio_pci_tbl,
	.probe		= pata_pvio_init_one,
	.remove		= ata_pci_remove_one,
#ifdef CONFIG_PM_SLEEP
	.suspend	= ata_pci_device_suspend,
	.resume		= ata_pci_device_resume,
#endif
};

static int __init pata_pvio_init(void)
{
	int rc;

	pata_pvio_debugfs = debugfs_create_dir(DRV_NAME, NULL);
	rc = pci_register_driver(&pata_pvio_pci_driver);
	if (rc)
		debugfs_remove(pata_pvio_debugfs);
	return rc;
}
module_init(pata_pvio_init);

static void __exit pata_pvio_exit(void)
{
	pci_unregister_driver(&pata_pvio_pci_driver);
	debugfs_remove(pata_pvio_debugfs);
}
module_exit(pata_pvio_exit);

MODULE_DESCRIPTION("PIIX IDE driver with batched port I/O (pvio)");
MODULE_LICENSE("GPL");
