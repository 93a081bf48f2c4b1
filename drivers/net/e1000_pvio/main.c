// SPDX-License-Identifier: GPL-2.0
/*
 * e1000_pvio - a lean driver for the Intel 82540EM (QEMU's "e1000") that
 * sends its register runs through one pvio batch per adapter.
 *
 * Under KVM every access to the emulated NIC's BAR0 is a VM exit, most of
 * them to the VMM.  The runs that belong together are queued into the
 * adapter's pv_io_batch and leave in one pv_io_flush(): one hypercall on a
 * host with the pvio handler, plain MMIO everywhere else.  The runs:
 *   interrupt   ICR read (read-to-clear drops the line; no mask)
 *   end of poll RDT write, once 32 new buffers wait   [napi=1]
 *   (napi=0: the same RDT write at the end of the handler)
 *   transmit    TDT write, once per xmit_more burst
 *   open        the whole ring and unit setup
 * Unlike the stock driver there is no IMC/IMS mask and unmask around the
 * poll, no flush read of STATUS, no watchdog polling the statistics
 * registers, and no ITR tuning.
 *
 * One spinlock (io_lock) serialises the register batch: the interrupt
 * handler, the NAPI poll and configuration calls can run at the same time
 * on different CPUs and all of them queue register accesses.  The TDT
 * doorbell has a batch of its own under the queue's xmit lock.
 *
 * napi=0 handles receive in the interrupt handler with netif_rx(), as the
 * NPC 2010 paper's variant did; napi=1 (default) is modern NAPI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/pvio.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>

#include "e1000_pvio.h"

static bool e1000p_napi = true;

static int e1000p_napi_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "1")) {
		e1000p_napi = true;
	} else if (sysfs_streq(val, "0")) {
		e1000p_napi = false;
	} else {
		pr_err("napi=%s is not 0 (receive in the interrupt handler) or 1 (NAPI)\n",
		       val);
		return -EINVAL;
	}
	return 0;
}

static int e1000p_napi_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", e1000p_napi);
}

static const struct kernel_param_ops e1000p_napi_ops = {
	.set = e1000p_napi_set,
	.get = e1000p_napi_get,
};
module_param_cb(napi, &e1000p_napi_ops, NULL, 0444);
MODULE_PARM_DESC(napi, "1 (default): NAPI; 0: receive in the interrupt handler (netif_rx)");

/* Register access.  Every access goes through the batch with io_lock held;
 * a full batch is flushed early, which keeps the order.  A queued read's
 * result is valid after the next e1000p_flush().
 */
static void e1000p_wr(struct e1000p_adapter *ad, u32 reg, u32 val)
{
	lockdep_assert_held(&ad->io_lock);
	pv_io_writel(ad->batch, val, ad->hw + reg);
}

static void e1000p_rd(struct e1000p_adapter *ad, u32 reg, u32 *val)
{
	lockdep_assert_held(&ad->io_lock);
	pv_io_readl(ad->batch, ad->hw + reg, val);
}

static void e1000p_flush(struct e1000p_adapter *ad)
{
	pv_io_flush(ad->batch);
}

/* One register read as a run of its own, for the slow paths. */
static u32 e1000p_read1(struct e1000p_adapter *ad, u32 reg)
{
	unsigned long flags;
	u32 val;

	spin_lock_irqsave(&ad->io_lock, flags);
	e1000p_rd(ad, reg, &val);
	e1000p_flush(ad);
	spin_unlock_irqrestore(&ad->io_lock, flags);
	return val;
}

static void e1000p_write1(struct e1000p_adapter *ad, u32 reg, u32 val)
{
	unsigned long flags;

	spin_lock_irqsave(&ad->io_lock, flags);
	e1000p_wr(ad, reg, val);
	e1000p_flush(ad);
	spin_unlock_irqrestore(&ad->io_lock, flags);
}

u32 e1000p_read_status(struct e1000p_adapter *ad)
{
	return e1000p_read1(ad, E1000P_STATUS);
}

/* io_lock held: carrier follows STATUS.LU; the counter sees each change */
static void e1000p_set_carrier(struct e1000p_adapter *ad, u32 status)
{
	bool up = status & E1000P_STATUS_LU;

	if (up == netif_carrier_ok(ad->netdev))
		return;
	if (up)
		netif_carrier_on(ad->netdev);
	else
		netif_carrier_off(ad->netdev);
	ad->istats.link_changes++;
	netdev_info(ad->netdev, "link %s\n", up ? "up" : "down");
}

void e1000p_update_link(struct e1000p_adapter *ad, u32 status)
{
	unsigned long flags;

	spin_lock_irqsave(&ad->io_lock, flags);
	e1000p_set_carrier(ad, status);
	spin_unlock_irqrestore(&ad->io_lock, flags);
}

static int e1000p_mdic(struct e1000p_adapter *ad, u32 cmd, u16 *data)
{
	u32 mdic = 0;
	int i;

	e1000p_write1(ad, E1000P_MDIC, cmd);
	for (i = 0; i < 100; i++) {
		mdic = e1000p_read1(ad, E1000P_MDIC);
		if (mdic & E1000P_MDIC_READY)
			break;
		usleep_range(50, 100);
	}
	if (!(mdic & E1000P_MDIC_READY) || (mdic & E1000P_MDIC_ERROR))
		return -EIO;
	*data = mdic & E1000P_MDIC_DATA_MASK;
	return 0;
}

/* ethtool -r: restart PHY autonegotiation.  The link drops at once (QEMU
 * clears STATUS.LU synchronously) and an LSC interrupt reports it back up,
 * which makes this the way to exercise the link-change path in a guest.
 */
int e1000p_restart_autoneg(struct e1000p_adapter *ad)
{
	u32 where = (E1000P_PHY_BMCR << E1000P_MDIC_REG_SHIFT) |
		    (E1000P_PHY_ADDR << E1000P_MDIC_PHY_SHIFT);
	u16 bmcr;
	int err;

	if (!test_bit(E1000P_UP, &ad->flags))
		return -EAGAIN;
	err = e1000p_mdic(ad, where | E1000P_MDIC_OP_READ, &bmcr);
	if (err)
		return err;
	bmcr |= E1000P_BMCR_ANENABLE | E1000P_BMCR_ANRESTART;
	err = e1000p_mdic(ad, where | E1000P_MDIC_OP_WRITE | bmcr, &bmcr);
	if (err)
		return err;
	e1000p_update_link(ad, e1000p_read_status(ad));
	return 0;
}

/* io_lock held: no DMA, no interrupts, latched causes cleared */
static void e1000p_hw_quiesce(struct e1000p_adapter *ad)
{
	u32 icr;

	e1000p_wr(ad, E1000P_IMC, E1000P_INT_ALL);
	e1000p_wr(ad, E1000P_RCTL, 0);
	e1000p_wr(ad, E1000P_TCTL, E1000P_TCTL_PSP);
	e1000p_rd(ad, E1000P_ICR, &icr);
	e1000p_flush(ad);
	ad->rctl = 0;
}

/* Global reset through CTRL.RST in BAR0.  (The stock driver issues it
 * through the I/O BAR on the 82540 for a PCI-X erratum; QEMU's I/O BAR is
 * a stub and QEMU ignores RST, so the explicit quiesce before and after is
 * what actually stops a unit a previous driver left running.)
 */
static void e1000p_hw_reset(struct e1000p_adapter *ad)
{
	u32 ctrl;
	int i;

	spin_lock_irq(&ad->io_lock);
	e1000p_hw_quiesce(ad);
	e1000p_rd(ad, E1000P_CTRL, &ctrl);
	e1000p_flush(ad);
	e1000p_wr(ad, E1000P_CTRL, ctrl | E1000P_CTRL_RST);
	e1000p_flush(ad);
	spin_unlock_irq(&ad->io_lock);

	msleep(20);	/* the manual asks for at least 1 us; EEPROM reload takes longer */

	spin_lock_irq(&ad->io_lock);
	e1000p_hw_quiesce(ad);
	e1000p_rd(ad, E1000P_CTRL, &ctrl);
	e1000p_flush(ad);
	e1000p_wr(ad, E1000P_CTRL, (ctrl & ~E1000P_CTRL_RST) |
		  E1000P_CTRL_SLU | E1000P_CTRL_ASDE);
	for (i = 0; i < E1000P_MTA_NUM; i++)
		e1000p_wr(ad, E1000P_MTA(i), 0);
	e1000p_flush(ad);
	spin_unlock_irq(&ad->io_lock);
}

static int e1000p_eeprom_word(struct e1000p_adapter *ad, unsigned int addr,
			      u16 *word)
{
	unsigned long flags;
	u32 eerd = 0;
	int i;

	for (i = 0; i < 100; i++) {
		spin_lock_irqsave(&ad->io_lock, flags);
		if (!i)
			e1000p_wr(ad, E1000P_EERD, E1000P_EERD_START |
				  (addr << E1000P_EERD_ADDR_SHIFT));
		e1000p_rd(ad, E1000P_EERD, &eerd);
		e1000p_flush(ad);
		spin_unlock_irqrestore(&ad->io_lock, flags);
		if (eerd & E1000P_EERD_DONE) {
			*word = eerd >> E1000P_EERD_DATA_SHIFT;
			return 0;
		}
		usleep_range(50, 100);
	}
	return -ETIMEDOUT;
}

/* The permanent address: EEPROM words 0-2, else RAL0/RAH0, else random. */
static void e1000p_read_mac(struct e1000p_adapter *ad)
{
	struct net_device *netdev = ad->netdev;
	u8 mac[ETH_ALEN];
	u32 ral, rah;
	u16 w;
	int i;

	for (i = 0; i < 3; i++) {
		if (e1000p_eeprom_word(ad, i, &w))
			break;
		mac[2 * i] = w & 0xff;
		mac[2 * i + 1] = w >> 8;
	}
	if (i == 3 && is_valid_ether_addr(mac)) {
		eth_hw_addr_set(netdev, mac);
		return;
	}
	ral = e1000p_read1(ad, E1000P_RAL0);
	rah = e1000p_read1(ad, E1000P_RAH0);
	for (i = 0; i < 4; i++)
		mac[i] = ral >> (8 * i);
	mac[4] = rah & 0xff;
	mac[5] = (rah >> 8) & 0xff;
	if ((rah & E1000P_RAH_AV) && is_valid_ether_addr(mac)) {
		eth_hw_addr_set(netdev, mac);
		return;
	}
	netdev_warn(netdev, "no valid MAC address in EEPROM or RAL0/RAH0, using a random one\n");
	eth_hw_addr_random(netdev);
}

/* io_lock held: receive address 0 = the interface's address */
static void e1000p_write_ra(struct e1000p_adapter *ad)
{
	const u8 *a = ad->netdev->dev_addr;

	e1000p_wr(ad, E1000P_RAL0, a[0] | (a[1] << 8) | (a[2] << 16) |
		  ((u32)a[3] << 24));
	e1000p_wr(ad, E1000P_RAH0, a[4] | (a[5] << 8) | E1000P_RAH_AV);
}

/* Filtering: unicast through RA0, broadcast always, multicast all or
 * nothing.  The hash table would save the stack a few frames; accepting
 * every multicast when any is wanted is correct and needs no MTA writes.
 */
static u32 e1000p_rctl_mode(struct net_device *netdev)
{
	if (netdev->flags & IFF_PROMISC)
		return E1000P_RCTL_UPE | E1000P_RCTL_MPE;
	if ((netdev->flags & IFF_ALLMULTI) || !netdev_mc_empty(netdev))
		return E1000P_RCTL_MPE;
	return 0;
}

static void e1000p_set_rx_mode(struct net_device *netdev)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);
	unsigned long flags;

	spin_lock_irqsave(&ad->io_lock, flags);
	if (ad->rctl & E1000P_RCTL_EN) {
		ad->rctl &= ~(E1000P_RCTL_UPE | E1000P_RCTL_MPE);
		ad->rctl |= e1000p_rctl_mode(netdev);
		e1000p_wr(ad, E1000P_RCTL, ad->rctl);
		e1000p_flush(ad);
	}
	spin_unlock_irqrestore(&ad->io_lock, flags);
}

static int e1000p_set_mac(struct net_device *netdev, void *p)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);
	unsigned long flags;
	int err;

	err = eth_prepare_mac_addr_change(netdev, p);
	if (err)
		return err;
	eth_commit_mac_addr_change(netdev, p);
	spin_lock_irqsave(&ad->io_lock, flags);
	e1000p_write_ra(ad);
	e1000p_flush(ad);
	spin_unlock_irqrestore(&ad->io_lock, flags);
	return 0;
}

/* ---- receive ---- */

static bool e1000p_rx_fill_one(struct e1000p_adapter *ad, unsigned int i,
			       gfp_t gfp)
{
	struct device *dev = &ad->pdev->dev;
	struct e1000p_rx_buf *buf = &ad->rx_buf[i];
	struct sk_buff *skb;
	dma_addr_t dma;

	skb = __netdev_alloc_skb_ip_align(ad->netdev, E1000P_RX_BUF_LEN, gfp);
	if (!skb)
		return false;
	/* the device may write a whole BSIZE buffer */
	dma = dma_map_single(dev, skb->data, E1000P_RX_BUF_LEN, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dma)) {
		dev_kfree_skb_any(skb);
		return false;
	}
	buf->skb = skb;
	buf->dma = dma;
	ad->rx_ring[i].addr = cpu_to_le64(dma);
	ad->rx_ring[i].status = 0;
	return true;
}

/* Posted buffers are the slots rx_next_to_clean .. rx_next_to_fill - 1.
 * One slot stays empty: RDT == RDH means "no buffers" to the hardware.
 * Returns false if an allocation failed (the refill timer retries).
 */
static bool e1000p_rx_refill(struct e1000p_adapter *ad, gfp_t gfp)
{
	while (ad->rx_posted < E1000P_RING_SIZE - 1) {
		if (!e1000p_rx_fill_one(ad, ad->rx_next_to_fill, gfp)) {
			u64_stats_update_begin(&ad->cstats.syncp);
			ad->cstats.rx_alloc_failed++;
			u64_stats_update_end(&ad->cstats.syncp);
			return false;
		}
		ad->rx_next_to_fill = (ad->rx_next_to_fill + 1) % E1000P_RING_SIZE;
		ad->rx_posted++;
	}
	return true;
}

/* Takes the frame out of slot i; NULL if it is to be dropped. */
static struct sk_buff *e1000p_rx_take(struct e1000p_adapter *ad,
				      unsigned int i)
{
	struct e1000p_rx_desc *d = &ad->rx_ring[i];
	struct e1000p_rx_buf *buf = &ad->rx_buf[i];
	struct sk_buff *skb = buf->skb;
	unsigned int len = le16_to_cpu(d->length);
	bool eop = d->status & E1000P_RXD_STAT_EOP;
	bool bad = (d->errors & E1000P_RXD_ERR_FRAME) || len < ETH_HLEN ||
		   len > E1000P_RX_BUF_LEN;

	dma_unmap_single(&ad->pdev->dev, buf->dma, E1000P_RX_BUF_LEN,
			 DMA_FROM_DEVICE);
	buf->skb = NULL;
	/* A frame longer than one buffer (only possible if the device
	 * ignores LPE=0) spans descriptors: drop every piece of it.
	 */
	if (ad->rx_discard || !eop || bad) {
		ad->rx_discard = !eop;
		dev_kfree_skb_any(skb);
		return NULL;
	}
	skb_put(skb, len);
	return skb;
}

static int e1000p_rx_clean(struct e1000p_adapter *ad, int budget)
{
	unsigned int pkts = 0, errs = 0;
	u64 bytes = 0;
	int done = 0;

	while (done < budget && ad->rx_posted) {
		unsigned int i = ad->rx_next_to_clean;
		struct sk_buff *skb;

		if (!(READ_ONCE(ad->rx_ring[i].status) & E1000P_RXD_STAT_DD))
			break;
		dma_rmb();	/* the rest of the descriptor after DD */
		skb = e1000p_rx_take(ad, i);
		ad->rx_next_to_clean = (i + 1) % E1000P_RING_SIZE;
		ad->rx_posted--;
		done++;
		if (!skb) {
			errs++;
			continue;
		}
		pkts++;
		bytes += skb->len;
		skb->protocol = eth_type_trans(skb, ad->netdev);
		if (ad->use_napi)
			napi_gro_receive(&ad->napi, skb);
		else
			netif_rx(skb);
	}
	u64_stats_update_begin(&ad->cstats.syncp);
	ad->cstats.rx_packets += pkts;
	ad->cstats.rx_bytes += bytes;
	ad->cstats.rx_errors += errs;
	u64_stats_update_end(&ad->cstats.syncp);
	return done;
}

/* io_lock held: hand new buffers to the device, if there are any; unless
 * @now, only once E1000P_RX_TAIL_BATCH have gathered or the device is
 * down to half the ring.
 */
static void e1000p_rx_tail(struct e1000p_adapter *ad, bool now)
{
	unsigned int fresh = (ad->rx_next_to_fill + E1000P_RING_SIZE -
			      ad->rx_tail) % E1000P_RING_SIZE;

	if (!fresh)
		return;
	if (!now && fresh < E1000P_RX_TAIL_BATCH &&
	    ad->rx_posted - fresh >= E1000P_RING_SIZE / 2)
		return;
	ad->rx_tail = ad->rx_next_to_fill;
	dma_wmb();	/* descriptors before the tail that exposes them */
	e1000p_wr(ad, E1000P_RDT, ad->rx_tail);
}

/* With no buffer posted the device stays silent, so an allocation failure
 * could stall receive for good.  Raise RXT0 through ICS a little later:
 * the interrupt (or the poll it schedules) refills.
 */
static void e1000p_refill_timer(struct timer_list *t)
{
	struct e1000p_adapter *ad = from_timer(ad, t, refill_timer);

	e1000p_write1(ad, E1000P_ICS, E1000P_INT_RXT0);
}

/* Nothing but the interrupt moves the rings on, so a lost one (at the
 * device, an interrupt controller or the host) would stop them for good.
 * Every two seconds, look at the descriptors in memory: no register
 * access, no exit.  A completed descriptor still waiting where the last
 * look found one means its interrupt never came: raise it through ICS and
 * say so.  The stock driver's watchdog writes ICS every two seconds
 * whatever the rings hold.
 */
#define E1000P_STALL_CHECK	(2 * HZ)
#define E1000P_NO_SLOT		E1000P_RING_SIZE

static void e1000p_stall_check(struct timer_list *t)
{
	struct e1000p_adapter *ad = from_timer(ad, t, stall_timer);
	unsigned int rx = READ_ONCE(ad->rx_next_to_clean);
	unsigned int tx = READ_ONCE(ad->tx_next_to_clean);
	unsigned long flags;
	bool rx_stuck, tx_stuck;

	/* with no buffer posted, DD is stale: the refill timer's case */
	if (!READ_ONCE(ad->rx_posted) ||
	    !(READ_ONCE(ad->rx_ring[rx].status) & E1000P_RXD_STAT_DD))
		rx = E1000P_NO_SLOT;
	if (tx == READ_ONCE(ad->tx_next_to_use) ||
	    !(READ_ONCE(ad->tx_ring[tx].status) & E1000P_TXD_STAT_DD))
		tx = E1000P_NO_SLOT;
	rx_stuck = rx != E1000P_NO_SLOT && rx == ad->stall_rx;
	tx_stuck = tx != E1000P_NO_SLOT && tx == ad->stall_tx;
	if (rx_stuck || tx_stuck) {
		spin_lock_irqsave(&ad->io_lock, flags);
		ad->istats.kicks++;
		e1000p_wr(ad, E1000P_ICS, E1000P_INT_RXT0 | E1000P_INT_TXDW);
		e1000p_flush(ad);
		spin_unlock_irqrestore(&ad->io_lock, flags);
		netdev_warn(ad->netdev, "no interrupt for 2 s with %s descriptors done: raised one\n",
			    rx_stuck ? "receive" : "transmit");
		rx = E1000P_NO_SLOT;
		tx = E1000P_NO_SLOT;
	}
	ad->stall_rx = rx;
	ad->stall_tx = tx;
	if (!test_bit(E1000P_DOWN, &ad->flags))
		mod_timer(t, round_jiffies(jiffies + E1000P_STALL_CHECK));
}

/* ---- transmit ---- */

static unsigned int e1000p_tx_free(struct e1000p_adapter *ad)
{
	unsigned int ntu = READ_ONCE(ad->tx_next_to_use);
	unsigned int ntc = READ_ONCE(ad->tx_next_to_clean);

	return (ntc + E1000P_RING_SIZE - ntu - 1) % E1000P_RING_SIZE;
}

static void e1000p_tx_unmap(struct e1000p_adapter *ad, struct e1000p_tx_buf *buf)
{
	dma_unmap_single(&ad->pdev->dev, buf->dma, buf->len, DMA_TO_DEVICE);
	dev_consume_skb_any(buf->skb);
	buf->skb = NULL;
}

static void e1000p_tx_clean(struct e1000p_adapter *ad)
{
	unsigned int i = ad->tx_next_to_clean;
	unsigned int ntu = READ_ONCE(ad->tx_next_to_use);
	unsigned int pkts = 0;
	u64 bytes = 0;

	smp_rmb();	/* descriptors xmit filled before it moved the index */
	while (i != ntu) {
		struct e1000p_tx_buf *buf = &ad->tx_buf[i];

		if (!(READ_ONCE(ad->tx_ring[i].status) & E1000P_TXD_STAT_DD))
			break;
		pkts++;
		bytes += buf->len;
		e1000p_tx_unmap(ad, buf);
		i = (i + 1) % E1000P_RING_SIZE;
	}
	if (!pkts)
		return;
	u64_stats_update_begin(&ad->cstats.syncp);
	ad->cstats.tx_packets += pkts;
	ad->cstats.tx_bytes += bytes;
	u64_stats_update_end(&ad->cstats.syncp);
	WRITE_ONCE(ad->tx_next_to_clean, i);
	/* pairs with smp_mb() in e1000p_maybe_stop_tx() */
	smp_mb();
	if (netif_queue_stopped(ad->netdev) &&
	    e1000p_tx_free(ad) >= E1000P_TX_WAKE &&
	    !test_bit(E1000P_DOWN, &ad->flags))
		netif_wake_queue(ad->netdev);
}

static void e1000p_maybe_stop_tx(struct e1000p_adapter *ad)
{
	if (likely(e1000p_tx_free(ad) >= E1000P_TX_STOP))
		return;
	netif_stop_queue(ad->netdev);
	/* A completion may have run between the check and the stop without
	 * seeing the queue stopped; look again so it is not stopped for good.
	 */
	smp_mb();
	if (e1000p_tx_free(ad) >= E1000P_TX_STOP)
		netif_start_queue(ad->netdev);
}

/* Under the queue's xmit lock, interrupts on: see tx_batch. */
static void e1000p_tx_doorbell(struct e1000p_adapter *ad)
{
	dma_wmb();	/* descriptors before the tail that exposes them */
	pv_io_writel(ad->tx_batch, READ_ONCE(ad->tx_next_to_use),
		     ad->hw + E1000P_TDT);
	pv_io_flush(ad->tx_batch);
}

static void e1000p_tx_count(struct e1000p_adapter *ad, u64 *counter)
{
	u64_stats_update_begin(&ad->tstats.syncp);
	(*counter)++;
	u64_stats_update_end(&ad->tstats.syncp);
}

static netdev_tx_t e1000p_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);
	unsigned int i = ad->tx_next_to_use;
	struct e1000p_tx_desc *d = &ad->tx_ring[i];
	struct e1000p_tx_buf *buf = &ad->tx_buf[i];
	dma_addr_t dma;

	/* the device pads with TCTL.PSP, but only if it sees 60 bytes */
	if (skb_put_padto(skb, ETH_ZLEN)) {
		e1000p_tx_count(ad, &ad->tstats.tx_dropped);
		return NETDEV_TX_OK;
	}
	if (unlikely(!e1000p_tx_free(ad))) {
		/* the queue is stopped before the ring fills: a bug if seen */
		netif_stop_queue(netdev);
		e1000p_tx_count(ad, &ad->tstats.tx_busy);
		return NETDEV_TX_BUSY;
	}
	dma = dma_map_single(&ad->pdev->dev, skb->data, skb->len, DMA_TO_DEVICE);
	if (dma_mapping_error(&ad->pdev->dev, dma)) {
		dev_kfree_skb_any(skb);
		e1000p_tx_count(ad, &ad->tstats.tx_dropped);
		return NETDEV_TX_OK;
	}
	buf->skb = skb;
	buf->dma = dma;
	buf->len = skb->len;
	d->addr = cpu_to_le64(dma);
	d->length = cpu_to_le16(skb->len);
	d->cso = 0;
	d->cmd = E1000P_TXD_CMD_EOP | E1000P_TXD_CMD_IFCS | E1000P_TXD_CMD_RS;
	d->status = 0;
	d->css = 0;
	d->special = 0;
	smp_wmb();	/* the cleaner reads the slot after the index */
	WRITE_ONCE(ad->tx_next_to_use, (i + 1) % E1000P_RING_SIZE);
	e1000p_tx_count(ad, &ad->tstats.tx_queued);

	e1000p_maybe_stop_tx(ad);
	if (!netdev_xmit_more() || netif_queue_stopped(netdev)) {
		e1000p_tx_count(ad, &ad->tstats.tx_doorbells);
		e1000p_tx_doorbell(ad);
	}
	return NETDEV_TX_OK;
}

/* ---- interrupts and polling ---- */

/* io_lock held: the causes besides rx/tx that need work here */
static void e1000p_irq_causes(struct e1000p_adapter *ad, u32 icr)
{
	u32 status;

	ad->istats.irqs++;
	if (icr & E1000P_INT_LSC) {
		e1000p_rd(ad, E1000P_STATUS, &status);
		e1000p_flush(ad);
		e1000p_set_carrier(ad, status);
	}
}

/* Read ICR (read-to-clear, which drops the line) and act on the causes
 * that need the handler's lock; false when the interrupt was not ours.
 */
static bool e1000p_ack_irq(struct e1000p_adapter *ad)
{
	u32 icr;

	spin_lock(&ad->io_lock);
	e1000p_rd(ad, E1000P_ICR, &icr);
	e1000p_flush(ad);
	if (icr)
		e1000p_irq_causes(ad, icr);
	else
		ad->istats.irqs_none++;
	spin_unlock(&ad->io_lock);
	return icr;
}

/* napi=1.  Reading ICR (read-to-clear) drops the line, so the handler
 * leaves the interrupt unmasked: one register op per interrupt.  A frame
 * that arrives while the poll runs raises the line again (no sooner than
 * QEMU's interrupt mitigation lets it) and napi_schedule() then marks the
 * poll missed, so it runs once more; masking would cost an IMC write here
 * and an IMS write at the end of every poll.
 */
static irqreturn_t e1000p_intr_napi(int irq, void *data)
{
	struct e1000p_adapter *ad = data;

	if (!e1000p_ack_irq(ad))
		return IRQ_NONE;
	if (!e1000p_lose_irq(ad))
		napi_schedule(&ad->napi);
	return IRQ_HANDLED;
}

static int e1000p_poll(struct napi_struct *napi, int budget)
{
	struct e1000p_adapter *ad = container_of(napi, struct e1000p_adapter, napi);
	bool refilled;
	int done;

	u64_stats_update_begin(&ad->cstats.syncp);
	ad->cstats.polls++;
	u64_stats_update_end(&ad->cstats.syncp);

	e1000p_tx_clean(ad);
	done = e1000p_rx_clean(ad, budget);
	refilled = e1000p_rx_refill(ad, GFP_ATOMIC);

	/* the tail update, if one is due, while the poll still owns the ring */
	spin_lock_irq(&ad->io_lock);
	e1000p_rx_tail(ad, false);
	e1000p_flush(ad);
	spin_unlock_irq(&ad->io_lock);

	if (done < budget)
		napi_complete_done(napi, done);

	if (!refilled)
		mod_timer(&ad->refill_timer, jiffies + HZ / 50 + 1);
	return min(done, budget);
}

/* napi=0: everything in the handler, interrupts never masked.  Reading
 * ICR drops the line; a frame that arrives while we work raises it again.
 */
static irqreturn_t e1000p_intr_direct(int irq, void *data)
{
	struct e1000p_adapter *ad = data;
	bool refilled;

	if (!e1000p_ack_irq(ad))
		return IRQ_NONE;
	if (e1000p_lose_irq(ad))
		return IRQ_HANDLED;

	e1000p_tx_clean(ad);
	e1000p_rx_clean(ad, E1000P_RING_SIZE);
	refilled = e1000p_rx_refill(ad, GFP_ATOMIC);

	spin_lock(&ad->io_lock);
	e1000p_rx_tail(ad, false);
	e1000p_flush(ad);
	spin_unlock(&ad->io_lock);

	if (!refilled)
		mod_timer(&ad->refill_timer, jiffies + HZ / 50 + 1);
	return IRQ_HANDLED;
}

/* ---- rings ---- */

static void e1000p_free_rings(struct e1000p_adapter *ad)
{
	struct device *dev = &ad->pdev->dev;
	unsigned int i;

	for (i = 0; ad->rx_buf && i < E1000P_RING_SIZE; i++) {
		struct e1000p_rx_buf *buf = &ad->rx_buf[i];

		if (!buf->skb)
			continue;
		dma_unmap_single(dev, buf->dma, E1000P_RX_BUF_LEN, DMA_FROM_DEVICE);
		dev_kfree_skb_any(buf->skb);
		buf->skb = NULL;
		ad->rx_posted--;
	}
	kfree(ad->rx_buf);
	ad->rx_buf = NULL;
	kfree(ad->tx_buf);
	ad->tx_buf = NULL;
	if (ad->rx_ring)
		dma_free_coherent(dev, E1000P_RING_SIZE * sizeof(*ad->rx_ring),
				  ad->rx_ring, ad->rx_ring_dma);
	ad->rx_ring = NULL;
	if (ad->tx_ring)
		dma_free_coherent(dev, E1000P_RING_SIZE * sizeof(*ad->tx_ring),
				  ad->tx_ring, ad->tx_ring_dma);
	ad->tx_ring = NULL;
}

static int e1000p_alloc_rings(struct e1000p_adapter *ad)
{
	struct device *dev = &ad->pdev->dev;

	ad->tx_ring = dma_alloc_coherent(dev, E1000P_RING_SIZE * sizeof(*ad->tx_ring),
					 &ad->tx_ring_dma, GFP_KERNEL);
	ad->rx_ring = dma_alloc_coherent(dev, E1000P_RING_SIZE * sizeof(*ad->rx_ring),
					 &ad->rx_ring_dma, GFP_KERNEL);
	ad->tx_buf = kcalloc(E1000P_RING_SIZE, sizeof(*ad->tx_buf), GFP_KERNEL);
	ad->rx_buf = kcalloc(E1000P_RING_SIZE, sizeof(*ad->rx_buf), GFP_KERNEL);
	if (!ad->tx_ring || !ad->rx_ring || !ad->tx_buf || !ad->rx_buf) {
		e1000p_free_rings(ad);
		return -ENOMEM;
	}
	ad->tx_next_to_use = 0;
	ad->tx_next_to_clean = 0;
	ad->rx_next_to_clean = 0;
	ad->rx_next_to_fill = 0;
	ad->rx_posted = 0;
	ad->rx_tail = 0;
	ad->rx_discard = false;
	return 0;
}

/* After the unit stopped: a descriptor with DD was sent and counts as
 * completed, anything else never left and counts as flushed.  Either way
 * the skb goes, so tx_queued = tx_packets + tx_flushed afterwards.
 */
static void e1000p_tx_release(struct e1000p_adapter *ad)
{
	unsigned int flushed = 0;

	e1000p_tx_clean(ad);
	while (ad->tx_next_to_clean != ad->tx_next_to_use) {
		e1000p_tx_unmap(ad, &ad->tx_buf[ad->tx_next_to_clean]);
		ad->tx_next_to_clean = (ad->tx_next_to_clean + 1) % E1000P_RING_SIZE;
		flushed++;
	}
	spin_lock_irq(&ad->io_lock);
	ad->istats.tx_flushed += flushed;
	spin_unlock_irq(&ad->io_lock);
}

/* Ring and unit setup as one run; interrupts stay masked. */
static void e1000p_hw_start(struct e1000p_adapter *ad)
{
	u32 icr;

	spin_lock_irq(&ad->io_lock);
	e1000p_write_ra(ad);
	e1000p_wr(ad, E1000P_ITR, 0);
	e1000p_wr(ad, E1000P_TDBAL, lower_32_bits(ad->tx_ring_dma));
	e1000p_wr(ad, E1000P_TDBAH, upper_32_bits(ad->tx_ring_dma));
	e1000p_wr(ad, E1000P_TDLEN, E1000P_RING_SIZE * sizeof(*ad->tx_ring));
	e1000p_wr(ad, E1000P_TDH, 0);
	e1000p_wr(ad, E1000P_TDT, 0);
	e1000p_wr(ad, E1000P_TIDV, 0);
	e1000p_wr(ad, E1000P_TADV, 0);
	e1000p_wr(ad, E1000P_TIPG, E1000P_TIPG_COPPER);
	e1000p_wr(ad, E1000P_TCTL, E1000P_TCTL_EN | E1000P_TCTL_PSP |
		  E1000P_TCTL_CT(15) | E1000P_TCTL_COLD(64));
	e1000p_wr(ad, E1000P_RDBAL, lower_32_bits(ad->rx_ring_dma));
	e1000p_wr(ad, E1000P_RDBAH, upper_32_bits(ad->rx_ring_dma));
	e1000p_wr(ad, E1000P_RDLEN, E1000P_RING_SIZE * sizeof(*ad->rx_ring));
	e1000p_wr(ad, E1000P_RDH, 0);
	e1000p_wr(ad, E1000P_RDT, 0);
	e1000p_wr(ad, E1000P_RDTR, 0);
	e1000p_wr(ad, E1000P_RADV, 0);
	ad->rctl = E1000P_RCTL_EN | E1000P_RCTL_BAM | E1000P_RCTL_SECRC |
		   E1000P_RCTL_BSIZE_2048 | E1000P_RCTL_RDMTS_HALF |
		   e1000p_rctl_mode(ad->netdev);
	e1000p_wr(ad, E1000P_RCTL, ad->rctl);
	e1000p_rx_tail(ad, true);
	e1000p_rd(ad, E1000P_ICR, &icr);	/* drop causes latched while stopped */
	e1000p_flush(ad);
	spin_unlock_irq(&ad->io_lock);
}

/* Unmask and take the link state, one run. */
static void e1000p_irq_enable(struct e1000p_adapter *ad)
{
	u32 status;

	spin_lock_irq(&ad->io_lock);
	e1000p_wr(ad, E1000P_IMS, E1000P_INT_ENABLE);
	e1000p_rd(ad, E1000P_STATUS, &status);
	e1000p_flush(ad);
	e1000p_set_carrier(ad, status);
	spin_unlock_irq(&ad->io_lock);
}

static int e1000p_up(struct e1000p_adapter *ad)
{
	irq_handler_t handler = ad->use_napi ? e1000p_intr_napi : e1000p_intr_direct;
	int err;

	err = e1000p_alloc_rings(ad);
	if (err)
		return err;
	if (!e1000p_rx_refill(ad, GFP_KERNEL)) {
		err = -ENOMEM;
		goto err_rings;
	}
	e1000p_hw_start(ad);
	err = request_irq(ad->pdev->irq, handler, IRQF_SHARED, ad->netdev->name, ad);
	if (err)
		goto err_hw;
	clear_bit(E1000P_DOWN, &ad->flags);
	if (ad->use_napi)
		napi_enable(&ad->napi);
	netif_start_queue(ad->netdev);
	e1000p_irq_enable(ad);
	set_bit(E1000P_UP, &ad->flags);
	ad->stall_rx = E1000P_NO_SLOT;
	ad->stall_tx = E1000P_NO_SLOT;
	mod_timer(&ad->stall_timer, round_jiffies(jiffies + E1000P_STALL_CHECK));
	return 0;

err_hw:
	spin_lock_irq(&ad->io_lock);
	e1000p_hw_quiesce(ad);
	spin_unlock_irq(&ad->io_lock);
err_rings:
	e1000p_free_rings(ad);
	return err;
}

static void e1000p_down(struct e1000p_adapter *ad)
{
	if (!test_and_clear_bit(E1000P_UP, &ad->flags))
		return;
	set_bit(E1000P_DOWN, &ad->flags);
	netif_tx_disable(ad->netdev);
	if (ad->use_napi)
		napi_disable(&ad->napi);
	spin_lock_irq(&ad->io_lock);
	e1000p_hw_quiesce(ad);
	spin_unlock_irq(&ad->io_lock);
	free_irq(ad->pdev->irq, ad);	/* waits for a handler still running */
	del_timer_sync(&ad->refill_timer);
	del_timer_sync(&ad->stall_timer);	/* does not rearm once DOWN is set */
	netif_carrier_off(ad->netdev);
	e1000p_tx_release(ad);
	e1000p_free_rings(ad);
}

static int e1000p_open(struct net_device *netdev)
{
	return e1000p_up(netdev_priv(netdev));
}

static int e1000p_stop(struct net_device *netdev)
{
	e1000p_down(netdev_priv(netdev));
	return 0;
}

static void e1000p_reset_task(struct work_struct *work)
{
	struct e1000p_adapter *ad = container_of(work, struct e1000p_adapter, reset_task);
	int err;

	rtnl_lock();
	if (netif_running(ad->netdev)) {
		e1000p_down(ad);
		err = e1000p_up(ad);
		if (err)
			netdev_err(ad->netdev, "reset failed (%d); set it down and up\n", err);
	}
	rtnl_unlock();
}

static void e1000p_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);
	unsigned long flags;

	spin_lock_irqsave(&ad->io_lock, flags);
	ad->istats.tx_timeouts++;
	spin_unlock_irqrestore(&ad->io_lock, flags);
	netdev_warn(netdev, "transmit timed out, resetting\n");
	schedule_work(&ad->reset_task);
}

static void e1000p_get_stats64(struct net_device *netdev,
			       struct rtnl_link_stats64 *s)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&ad->cstats.syncp);
		s->rx_packets = ad->cstats.rx_packets;
		s->rx_bytes = ad->cstats.rx_bytes;
		s->rx_errors = ad->cstats.rx_errors;
		s->tx_packets = ad->cstats.tx_packets;
		s->tx_bytes = ad->cstats.tx_bytes;
	} while (u64_stats_fetch_retry(&ad->cstats.syncp, start));
	do {
		start = u64_stats_fetch_begin(&ad->tstats.syncp);
		s->tx_dropped = ad->tstats.tx_dropped;
	} while (u64_stats_fetch_retry(&ad->tstats.syncp, start));
}

static const struct net_device_ops e1000p_netdev_ops = {
	.ndo_open		= e1000p_open,
	.ndo_stop		= e1000p_stop,
	.ndo_start_xmit		= e1000p_xmit,
	.ndo_set_rx_mode	= e1000p_set_rx_mode,
	.ndo_set_mac_address	= e1000p_set_mac,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_tx_timeout		= e1000p_tx_timeout,
	.ndo_get_stats64	= e1000p_get_stats64,
};

/* ---- PCI ---- */

static int e1000p_pci_init(struct pci_dev *pdev)
{
	int err;

	err = pci_enable_device_mem(pdev);
	if (err)
		return err;
	err = pci_request_mem_regions(pdev, E1000P_NAME);
	if (err)
		goto err_disable;
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err)
		goto err_release;
	pci_set_master(pdev);
	return 0;

err_release:
	pci_release_mem_regions(pdev);
err_disable:
	pci_disable_device(pdev);
	return err;
}

static void e1000p_pci_exit(struct pci_dev *pdev)
{
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
}

static void e1000p_netdev_init(struct e1000p_adapter *ad)
{
	struct net_device *netdev = ad->netdev;

	netdev->netdev_ops = &e1000p_netdev_ops;
	e1000p_set_ethtool_ops(netdev);
	netdev->watchdog_timeo = 5 * HZ;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = ETH_DATA_LEN;
	if (ad->use_napi)
		netif_napi_add(netdev, &ad->napi, e1000p_poll);
	netif_carrier_off(netdev);
}

static int e1000p_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct e1000p_adapter *ad;
	struct net_device *netdev;
	char name[32];
	int err;

	err = e1000p_pci_init(pdev);
	if (err)
		return err;
	err = -ENOMEM;
	netdev = alloc_etherdev(sizeof(*ad));
	if (!netdev)
		goto err_pci;
	SET_NETDEV_DEV(netdev, &pdev->dev);
	pci_set_drvdata(pdev, netdev);
	ad = netdev_priv(netdev);
	ad->netdev = netdev;
	ad->pdev = pdev;
	ad->use_napi = e1000p_napi;
	ad->flags = BIT(E1000P_DOWN);
	spin_lock_init(&ad->io_lock);
	u64_stats_init(&ad->cstats.syncp);
	u64_stats_init(&ad->tstats.syncp);
	timer_setup(&ad->refill_timer, e1000p_refill_timer, 0);
	timer_setup(&ad->stall_timer, e1000p_stall_check, 0);
	INIT_WORK(&ad->reset_task, e1000p_reset_task);

	ad->hw = pci_ioremap_bar(pdev, 0);
	if (!ad->hw)
		goto err_netdev;
	snprintf(name, sizeof(name), "e1000p-%s", pci_name(pdev));
	ad->batch = pv_io_batch_alloc(name, E1000P_BATCH_OPS);
	if (IS_ERR(ad->batch)) {
		err = PTR_ERR(ad->batch);
		goto err_unmap;
	}
	snprintf(name, sizeof(name), "e1000p-tx-%s", pci_name(pdev));
	ad->tx_batch = pv_io_batch_alloc(name, 1);
	if (IS_ERR(ad->tx_batch)) {
		err = PTR_ERR(ad->tx_batch);
		goto err_batch;
	}
	e1000p_hw_reset(ad);
	e1000p_read_mac(ad);
	e1000p_netdev_init(ad);
	err = register_netdev(netdev);
	if (err)
		goto err_napi;
	e1000p_inject_add(ad);
	netdev_info(netdev, "82540EM at %s, %pM, %s, pvio %s transport\n",
		    pci_name(pdev), netdev->dev_addr,
		    ad->use_napi ? "NAPI" : "receive in the interrupt handler",
		    pv_io_batch_transport(ad->batch) == PV_IO_HYPERCALL ?
		    "hypercall" : "native");
	return 0;

err_napi:
	if (ad->use_napi)
		netif_napi_del(&ad->napi);
	pv_io_batch_free(ad->tx_batch);
err_batch:
	pv_io_batch_free(ad->batch);
err_unmap:
	iounmap(ad->hw);
err_netdev:
	free_netdev(netdev);
err_pci:
	e1000p_pci_exit(pdev);
	return err;
}

static void e1000p_remove(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct e1000p_adapter *ad = netdev_priv(netdev);

	unregister_netdev(netdev);	/* stops it first if it is up */
	e1000p_inject_del(ad);
	cancel_work_sync(&ad->reset_task);
	/* leave nothing running for the next driver */
	spin_lock_irq(&ad->io_lock);
	e1000p_hw_quiesce(ad);
	spin_unlock_irq(&ad->io_lock);
	if (ad->use_napi)
		netif_napi_del(&ad->napi);
	pv_io_batch_free(ad->tx_batch);
	pv_io_batch_free(ad->batch);
	iounmap(ad->hw);
	free_netdev(netdev);
	e1000p_pci_exit(pdev);
}

/* Reboot or kexec: stop DMA so the next kernel finds an idle device. */
static void e1000p_shutdown(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct e1000p_adapter *ad = netdev_priv(netdev);

	rtnl_lock();
	netif_device_detach(netdev);
	e1000p_down(ad);
	rtnl_unlock();
	spin_lock_irq(&ad->io_lock);
	e1000p_hw_quiesce(ad);
	spin_unlock_irq(&ad->io_lock);
	pci_clear_master(pdev);
}

static const struct pci_device_id e1000p_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x100e) },	/* 82540EM */
	{ }
};
MODULE_DEVICE_TABLE(pci, e1000p_pci_ids);

static struct pci_driver e1000p_driver = {
	.name		= E1000P_NAME,
	.id_table	= e1000p_pci_ids,
	.probe		= e1000p_probe,
	.remove		= e1000p_remove,
	.shutdown	= e1000p_shutdown,
};

static int __init e1000p_init(void)
{
	int err;

	e1000p_inject_init();
	err = pci_register_driver(&e1000p_driver);
	if (err)
		e1000p_inject_exit();
	return err;
}
module_init(e1000p_init);

static void __exit e1000p_exit(void)
{
	pci_unregister_driver(&e1000p_driver);
	e1000p_inject_exit();
}
module_exit(e1000p_exit);

MODULE_DESCRIPTION("Intel 82540EM (QEMU e1000) with register runs batched through pvio");
MODULE_LICENSE("GPL");
