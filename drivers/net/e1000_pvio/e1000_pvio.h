/* SPDX-License-Identifier: GPL-2.0 */
/*
 * e1000_pvio: registers of the 82540EM (8254x developer's manual) that the
 * driver uses, the legacy descriptor formats, and the adapter state.
 */
#ifndef _E1000_PVIO_H
#define _E1000_PVIO_H

#include <linux/bits.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/pvio.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#define E1000P_NAME		"e1000_pvio"

/* BAR0 register offsets */
#define E1000P_CTRL		0x0000
#define E1000P_STATUS		0x0008
#define E1000P_EERD		0x0014
#define E1000P_MDIC		0x0020
#define E1000P_ICR		0x00c0
#define E1000P_ITR		0x00c4
#define E1000P_ICS		0x00c8
#define E1000P_IMS		0x00d0
#define E1000P_IMC		0x00d8
#define E1000P_RCTL		0x0100
#define E1000P_TCTL		0x0400
#define E1000P_TIPG		0x0410
#define E1000P_RDBAL		0x2800
#define E1000P_RDBAH		0x2804
#define E1000P_RDLEN		0x2808
#define E1000P_RDH		0x2810
#define E1000P_RDT		0x2818
#define E1000P_RDTR		0x2820
#define E1000P_RADV		0x282c
#define E1000P_TDBAL		0x3800
#define E1000P_TDBAH		0x3804
#define E1000P_TDLEN		0x3808
#define E1000P_TDH		0x3810
#define E1000P_TDT		0x3818
#define E1000P_TIDV		0x3820
#define E1000P_TADV		0x382c
#define E1000P_MTA(i)		(0x5200 + 4 * (i))
#define E1000P_MTA_NUM		128
#define E1000P_RAL0		0x5400
#define E1000P_RAH0		0x5404

#define E1000P_CTRL_FD		BIT(0)
#define E1000P_CTRL_ASDE	BIT(5)
#define E1000P_CTRL_SLU		BIT(6)
#define E1000P_CTRL_RST		BIT(26)

#define E1000P_STATUS_FD	BIT(0)
#define E1000P_STATUS_LU	BIT(1)
#define E1000P_STATUS_SPEED(s)	(((s) >> 6) & 3)	/* 0: 10, 1: 100, 2-3: 1000 */

#define E1000P_EERD_START	BIT(0)
#define E1000P_EERD_DONE	BIT(4)
#define E1000P_EERD_ADDR_SHIFT	8
#define E1000P_EERD_DATA_SHIFT	16

/* MDIC: PHY register access; PHY address 1 is the 82540EM's internal PHY */
#define E1000P_MDIC_DATA_MASK	0xffff
#define E1000P_MDIC_REG_SHIFT	16
#define E1000P_MDIC_PHY_SHIFT	21
#define E1000P_MDIC_OP_WRITE	BIT(26)
#define E1000P_MDIC_OP_READ	BIT(27)
#define E1000P_MDIC_READY	BIT(28)
#define E1000P_MDIC_ERROR	BIT(30)
#define E1000P_PHY_ADDR		1
#define E1000P_PHY_BMCR		0
#define E1000P_BMCR_ANENABLE	BIT(12)
#define E1000P_BMCR_ANRESTART	BIT(9)

/* interrupt causes (ICR, ICS, IMS, IMC share the layout) */
#define E1000P_INT_TXDW		BIT(0)
#define E1000P_INT_LSC		BIT(2)
#define E1000P_INT_RXSEQ	BIT(3)
#define E1000P_INT_RXDMT0	BIT(4)
#define E1000P_INT_RXO		BIT(6)
#define E1000P_INT_RXT0		BIT(7)
#define E1000P_INT_ALL		0xffffffff
#define E1000P_INT_RX		(E1000P_INT_RXT0 | E1000P_INT_RXO | \
				 E1000P_INT_RXDMT0 | E1000P_INT_RXSEQ)
#define E1000P_INT_ENABLE	(E1000P_INT_RX | E1000P_INT_TXDW | \
				 E1000P_INT_LSC)

#define E1000P_RCTL_EN		BIT(1)
#define E1000P_RCTL_UPE		BIT(3)
#define E1000P_RCTL_MPE		BIT(4)
#define E1000P_RCTL_RDMTS_HALF	(0 << 8)
#define E1000P_RCTL_BAM		BIT(15)
#define E1000P_RCTL_BSIZE_2048	(0 << 16)
#define E1000P_RCTL_SECRC	BIT(26)

#define E1000P_TCTL_EN		BIT(1)
#define E1000P_TCTL_PSP		BIT(3)
#define E1000P_TCTL_CT(x)	((x) << 4)
#define E1000P_TCTL_COLD(x)	((x) << 12)
/* IPGT 10, IPGR1 8, IPGR2 6: the manual's values for copper */
#define E1000P_TIPG_COPPER	(10 | (8 << 10) | (6 << 20))

#define E1000P_RAH_AV		BIT(31)

/* Legacy transmit descriptor */
struct e1000p_tx_desc {
	__le64 addr;
	__le16 length;
	u8 cso;
	u8 cmd;
	u8 status;
	u8 css;
	__le16 special;
};

#define E1000P_TXD_CMD_EOP	BIT(0)
#define E1000P_TXD_CMD_IFCS	BIT(1)
#define E1000P_TXD_CMD_RS	BIT(3)
#define E1000P_TXD_STAT_DD	BIT(0)

/* Legacy receive descriptor */
struct e1000p_rx_desc {
	__le64 addr;
	__le16 length;
	__le16 csum;
	u8 status;
	u8 errors;
	__le16 special;
};

#define E1000P_RXD_STAT_DD	BIT(0)
#define E1000P_RXD_STAT_EOP	BIT(1)
/* CE, SE, SEQ, CXE, RXE: the frame is bad; TCPE/IPE only flag offloads */
#define E1000P_RXD_ERR_FRAME	(BIT(0) | BIT(1) | BIT(2) | BIT(4) | BIT(7))

#define E1000P_RING_SIZE	256	/* descriptors; 4 KiB per ring */
#define E1000P_RX_BUF_LEN	2048	/* RCTL.BSIZE */
#define E1000P_BATCH_OPS	32	/* longest run: ring setup at open */
/* RDT is written once this many fresh buffers wait (each write is an
 * exit), or at once while the device holds fewer than half the ring.
 */
#define E1000P_RX_TAIL_BATCH	32
/* stop the queue below this many free descriptors, wake above twice it */
#define E1000P_TX_STOP		2
#define E1000P_TX_WAKE		32

struct e1000p_tx_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
	unsigned int len;
};

struct e1000p_rx_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
};

/* Counters written where the rings are cleaned (the poll, or the handler
 * with napi=0): receive, and transmit completions.
 */
struct e1000p_clean_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 rx_errors;
	u64 rx_alloc_failed;
	u64 tx_packets;
	u64 tx_bytes;
	u64 polls;
	struct u64_stats_sync syncp;
};

/* Counters written in ndo_start_xmit (serialised by the queue lock). */
struct e1000p_tx_stats {
	u64 tx_queued;
	u64 tx_dropped;
	u64 tx_busy;
	u64 tx_doorbells;
	struct u64_stats_sync syncp;
};

/* Counters written under io_lock. */
struct e1000p_irq_stats {
	u64 irqs;
	u64 irqs_none;
	u64 link_changes;
	u64 tx_flushed;		/* freed at ifdown without a completion */
	u64 tx_timeouts;
	u64 kicks;		/* interrupts the stall check raised */
};

enum e1000p_flags {
	E1000P_DOWN,		/* rings are going away: do not wake the queue */
	E1000P_UP,		/* rings allocated, interrupt requested */
};

struct e1000p_adapter {
	struct net_device *netdev;
	struct pci_dev *pdev;
	u8 __iomem *hw;

	/* The register batch and everything below it that the hardware
	 * mask state depends on.  Taken with interrupts off: the handler,
	 * the NAPI poll and configuration calls all queue register accesses
	 * into the same batch.
	 */
	spinlock_t io_lock;
	struct pv_io_batch *batch;
	/* The TDT doorbell's own batch, used only by ndo_start_xmit under
	 * the queue's xmit lock, so it leaves with interrupts on: an
	 * interrupt the transmit raises (slirp answers at once) is then
	 * delivered on the way back into the guest, not after an extra
	 * interrupt-window exit once io_lock is dropped.
	 */
	struct pv_io_batch *tx_batch;
	u32 rctl;		/* last RCTL written; 0 while stopped */
	struct e1000p_irq_stats istats;

	struct e1000p_tx_desc *tx_ring;
	dma_addr_t tx_ring_dma;
	struct e1000p_tx_buf *tx_buf;
	unsigned int tx_next_to_use;	/* written by xmit only */
	unsigned int tx_next_to_clean;	/* written by the cleaner only */

	struct e1000p_rx_desc *rx_ring;
	dma_addr_t rx_ring_dma;
	struct e1000p_rx_buf *rx_buf;
	unsigned int rx_next_to_clean;	/* next descriptor to look at */
	unsigned int rx_next_to_fill;	/* next slot to give a buffer; RDT */
	unsigned int rx_posted;		/* slots holding a buffer */
	unsigned int rx_tail;		/* last RDT written */
	bool rx_discard;		/* dropping the rest of a split frame */

	struct napi_struct napi;
	bool use_napi;
	unsigned long flags;
	struct timer_list refill_timer;
	struct timer_list stall_timer;
	unsigned int stall_rx;		/* slot found waiting at the last check */
	unsigned int stall_tx;
#ifdef CONFIG_PVIO_FAULT_INJECTION
	atomic_t lose_irqs;		/* inject.c: interrupts to drop */
	struct dentry *dbg;
#endif
	struct work_struct reset_task;

	struct e1000p_clean_stats cstats;
	struct e1000p_tx_stats tstats;
};

void e1000p_set_ethtool_ops(struct net_device *netdev);
u32 e1000p_read_status(struct e1000p_adapter *ad);
void e1000p_update_link(struct e1000p_adapter *ad, u32 status);
int e1000p_restart_autoneg(struct e1000p_adapter *ad);

/* inject.c: test hooks, compiled into test builds only */
#ifdef CONFIG_PVIO_FAULT_INJECTION
void e1000p_inject_init(void);
void e1000p_inject_exit(void);
void e1000p_inject_add(struct e1000p_adapter *ad);
void e1000p_inject_del(struct e1000p_adapter *ad);
bool e1000p_lose_irq(struct e1000p_adapter *ad);
#else
static inline void e1000p_inject_init(void) { }
static inline void e1000p_inject_exit(void) { }
static inline void e1000p_inject_add(struct e1000p_adapter *ad) { }
static inline void e1000p_inject_del(struct e1000p_adapter *ad) { }
static inline bool e1000p_lose_irq(struct e1000p_adapter *ad) { return false; }
#endif

#endif /* _E1000_PVIO_H */
