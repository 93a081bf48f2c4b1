// SPDX-License-Identifier: GPL-2.0
/*
 * e1000_pvio ethtool support: driver info, link state as STATUS reports it
 * (no link mode masks: there is nothing to choose on a virtual NIC),
 * autonegotiation restart, and the counters of ethtool -S (the driver's
 * own and those of its pvio batch).
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/pvio.h>

#include "e1000_pvio.h"

static void e1000p_get_drvinfo(struct net_device *netdev,
			       struct ethtool_drvinfo *info)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);

	strscpy(info->driver, E1000P_NAME, sizeof(info->driver));
	strscpy(info->bus_info, pci_name(ad->pdev), sizeof(info->bus_info));
}

static int e1000p_get_link_ksettings(struct net_device *netdev,
				     struct ethtool_link_ksettings *cmd)
{
	static const int speeds[] = { SPEED_10, SPEED_100, SPEED_1000, SPEED_1000 };
	struct e1000p_adapter *ad = netdev_priv(netdev);
	u32 status = e1000p_read_status(ad);

	cmd->base.port = PORT_TP;
	cmd->base.phy_address = E1000P_PHY_ADDR;
	cmd->base.autoneg = AUTONEG_ENABLE;
	if (netif_running(netdev) && (status & E1000P_STATUS_LU)) {
		cmd->base.speed = speeds[E1000P_STATUS_SPEED(status)];
		cmd->base.duplex = (status & E1000P_STATUS_FD) ?
				   DUPLEX_FULL : DUPLEX_HALF;
	} else {
		cmd->base.speed = SPEED_UNKNOWN;
		cmd->base.duplex = DUPLEX_UNKNOWN;
	}
	return 0;
}

static int e1000p_nway_reset(struct net_device *netdev)
{
	return e1000p_restart_autoneg(netdev_priv(netdev));
}

/* The counters of ethtool -S, in order. */
enum {
	S_RX_PACKETS, S_RX_BYTES, S_RX_ERRORS, S_RX_ALLOC_FAILED,
	S_TX_PACKETS, S_TX_BYTES, S_POLLS,
	S_TX_QUEUED, S_TX_DROPPED, S_TX_BUSY, S_TX_DOORBELLS,
	S_IRQS, S_IRQS_NONE, S_LINK_CHANGES, S_TX_FLUSHED, S_TX_TIMEOUTS,
	S_KICKS, S_TX_IN_FLIGHT, S_RX_BUFFERS_POSTED,
	S_PVIO,				/* pvio's counters, both batches summed */
	S_NUM = S_PVIO + PV_IO_NR_COUNTERS
};

/* the driver's own; pvio's follow, named from pv_io_counter_names[] */
static const char e1000p_stat_names[S_PVIO][ETH_GSTRING_LEN] = {
	"rx_packets", "rx_bytes", "rx_errors", "rx_alloc_failed",
	"tx_packets", "tx_bytes", "polls",
	"tx_queued", "tx_dropped", "tx_busy", "tx_doorbells",
	"irqs", "irqs_none", "link_changes", "tx_flushed", "tx_timeouts",
	"kicks", "tx_in_flight", "rx_buffers_posted",
};

static int e1000p_get_sset_count(struct net_device *netdev, int sset)
{
	return sset == ETH_SS_STATS ? S_NUM : -EOPNOTSUPP;
}

static void e1000p_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	memcpy(data, e1000p_stat_names, sizeof(e1000p_stat_names));
	data += sizeof(e1000p_stat_names);
	for (i = 0; i < PV_IO_NR_COUNTERS; i++)
		ethtool_sprintf(&data, "pvio_%s", pv_io_counter_names[i]);
}

static void e1000p_rx_tx_stats(struct e1000p_adapter *ad, u64 *d)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&ad->cstats.syncp);
		d[S_RX_PACKETS] = ad->cstats.rx_packets;
		d[S_RX_BYTES] = ad->cstats.rx_bytes;
		d[S_RX_ERRORS] = ad->cstats.rx_errors;
		d[S_RX_ALLOC_FAILED] = ad->cstats.rx_alloc_failed;
		d[S_TX_PACKETS] = ad->cstats.tx_packets;
		d[S_TX_BYTES] = ad->cstats.tx_bytes;
		d[S_POLLS] = ad->cstats.polls;
	} while (u64_stats_fetch_retry(&ad->cstats.syncp, start));
	do {
		start = u64_stats_fetch_begin(&ad->tstats.syncp);
		d[S_TX_QUEUED] = ad->tstats.tx_queued;
		d[S_TX_DROPPED] = ad->tstats.tx_dropped;
		d[S_TX_BUSY] = ad->tstats.tx_busy;
		d[S_TX_DOORBELLS] = ad->tstats.tx_doorbells;
	} while (u64_stats_fetch_retry(&ad->tstats.syncp, start));
}

/* both batches together, in enum pv_io_counter order like the names */
static void e1000p_pvio_stats(u64 *d, const struct pv_io_stats *ps,
			      const struct pv_io_stats *pt)
{
	unsigned int i;

	for (i = 0; i < PV_IO_NR_COUNTERS; i++)
		d[i] = ps->c[i] + pt->c[i];
}

static void e1000p_get_ethtool_stats(struct net_device *netdev,
				     struct ethtool_stats *stats, u64 *d)
{
	struct e1000p_adapter *ad = netdev_priv(netdev);
	struct pv_io_stats ps, pt;

	e1000p_rx_tx_stats(ad, d);
	netif_tx_lock_bh(netdev);	/* the doorbell batch's lock */
	pv_io_batch_stats(ad->tx_batch, &pt);
	netif_tx_unlock_bh(netdev);
	/* the batch's counters are plain: read them under its lock */
	spin_lock_irq(&ad->io_lock);
	d[S_IRQS] = ad->istats.irqs;
	d[S_IRQS_NONE] = ad->istats.irqs_none;
	d[S_LINK_CHANGES] = ad->istats.link_changes;
	d[S_TX_FLUSHED] = ad->istats.tx_flushed;
	d[S_TX_TIMEOUTS] = ad->istats.tx_timeouts;
	d[S_KICKS] = ad->istats.kicks;
	pv_io_batch_stats(ad->batch, &ps);
	spin_unlock_irq(&ad->io_lock);

	/* both sides move while traffic runs; exact once the interface is down */
	d[S_TX_IN_FLIGHT] = d[S_TX_QUEUED] - d[S_TX_PACKETS] - d[S_TX_FLUSHED];
	d[S_RX_BUFFERS_POSTED] = READ_ONCE(ad->rx_posted);
	e1000p_pvio_stats(&d[S_PVIO], &ps, &pt);
}

static const struct ethtool_ops e1000p_ethtool_ops = {
	.get_drvinfo		= e1000p_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= e1000p_get_link_ksettings,
	.nway_reset		= e1000p_nway_reset,
	.get_sset_count		= e1000p_get_sset_count,
	.get_strings		= e1000p_get_strings,
	.get_ethtool_stats	= e1000p_get_ethtool_stats,
};

void e1000p_set_ethtool_ops(struct net_device *netdev)
{
	netdev->ethtool_ops = &e1000p_ethtool_ops;
}
