// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko for network devices: the tap-like interface's
 * net_device_ops and setup.  The interface belongs to the Rust side
 * (netdev.rs): its private area holds an opaque owner pointer that
 * ipn_netdev_xmit() receives and ipn_netdev_release() frees.
 */

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include "ipn_glue.h"

struct ipn_tap_priv {
	void *owner;
};

static netdev_tx_t ipn_tap_start_xmit(struct sk_buff *skb,
				      struct net_device *dev)
{
	struct ipn_tap_priv *p = netdev_priv(dev);

	unsigned int len = skb->len;

	/* Frames enter the network in this (BH) context; never blocks. */
	if (ipn_netdev_xmit(p->owner, skb))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
	return NETDEV_TX_OK;
}

static int ipn_tap_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int ipn_tap_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

static const struct net_device_ops ipn_tap_ops = {
	.ndo_open		= ipn_tap_open,
	.ndo_stop		= ipn_tap_stop,
	.ndo_start_xmit		= ipn_tap_start_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void ipn_tap_destructor(struct net_device *dev)
{
	struct ipn_tap_priv *p = netdev_priv(dev);

	if (p->owner)
		ipn_netdev_release(p->owner);
	p->owner = NULL;
}

static void ipn_tap_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &ipn_tap_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ipn_tap_destructor;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	dev->lltx = true;
	dev->ipn_port = 1;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	eth_hw_addr_random(dev);
}

/*
 * Creates and registers a tap-like interface in @net named @name ("ipn%d"
 * when empty) whose frames, up to @frame_len bytes with the Ethernet
 * header, go to @owner.  On success the device owns @owner; on failure the
 * caller keeps it.
 */
struct net_device *ipn_glue_tap_create(struct net *net, const char *name,
				       unsigned int frame_len, void *owner,
				       int *err)
{
	struct net_device *dev;
	struct ipn_tap_priv *p;

	dev = alloc_netdev(sizeof(*p), name[0] ? name : "ipn%d",
			   name[0] ? NET_NAME_USER : NET_NAME_ENUM,
			   ipn_tap_setup);
	if (!dev) {
		*err = -ENOMEM;
		return NULL;
	}
	dev_net_set(dev, net);
	if (frame_len > ETH_HLEN + ETH_MIN_MTU)
		dev->mtu = min_t(unsigned int, frame_len - ETH_HLEN,
				 ETH_MAX_MTU);
	p = netdev_priv(dev);
	p->owner = owner;
	*err = register_netdev(dev);
	if (*err) {
		p->owner = NULL;
		free_netdev(dev);
		return NULL;
	}
	return dev;
}

/* Unregisters a tap; the owner is released when the device is freed. */
void ipn_glue_tap_destroy(struct net_device *dev)
{
	unregister_netdev(dev);
}

/* Copies the interface's name (IFNAMSIZ bytes). */
void ipn_glue_netdev_name(struct net_device *dev, char *name)
{
	strscpy(name, dev->name, IFNAMSIZ);
}

/*
 * Passes a frame from the network up the stack of @dev.  Any context.
 * Consumes @skb.
 */
void ipn_glue_netdev_rx(struct net_device *dev, struct sk_buff *skb)
{
	unsigned int len = skb->len;

	if (!(dev->flags & IFF_UP) || len < ETH_HLEN) {
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}
	skb->dev = dev;
	skb->protocol = eth_type_trans(skb, dev);
	if (netif_rx(skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(dev, len);
}
