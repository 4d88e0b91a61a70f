// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko for network devices that are ports of a network: the
 * tap-like interface (its net_device_ops and rtnl_link_ops), grabbing an
 * existing interface with an rx_handler, and the netdevice notifier.
 *
 * The devices belong to the Rust side (netdev.rs).  Each carries an opaque
 * owner pointer: a tap keeps it in its private area, a grabbed interface in
 * rx_handler_data.  Frames the device hands to the network go to
 * ipn_netdev_xmit(owner); ipn_netdev_gone(owner) is called, under RTNL,
 * when the kernel takes the device away; ipn_netdev_release(owner) frees
 * a tap's owner with the device.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/gso.h>
#include <net/rtnetlink.h>
#include "ipn_glue.h"

/*
 * What a tap takes from its stack, as veth: frames of any layout, with
 * checksums left to complete and GSO super-frames.  They cross the network
 * as they are, to other taps and grabbed interfaces (whose transmit path
 * completes what their hardware cannot), and are cut and checksummed only
 * for the sockets that read them (ipn_glue_skb_flatten()).
 */
#define IPN_TAP_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM | \
			  NETIF_F_RXCSUM | NETIF_F_HIGHDMA | \
			  NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL)

struct ipn_tap_priv {
	void *owner;
	/* The owner is the device's to release once it was registered. */
	bool registered;
};

static netdev_tx_t ipn_tap_start_xmit(struct sk_buff *skb,
				      struct net_device *dev)
{
	struct ipn_tap_priv *p = netdev_priv(dev);

	unsigned int len = skb->len;

	/*
	 * Policies read the Ethernet header and any 802.1Q tag from the
	 * frame's head.  Frames enter the network in this (BH) context;
	 * never blocks.
	 */
	if (!pskb_may_pull(skb, min_t(unsigned int, len, VLAN_ETH_HLEN))) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
	} else if (ipn_netdev_xmit(p->owner, skb))
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

static bool ipn_is_tap(const struct net_device *dev)
{
	return dev->netdev_ops == &ipn_tap_ops;
}

static void ipn_tap_destructor(struct net_device *dev)
{
	struct ipn_tap_priv *p = netdev_priv(dev);

	if (p->registered)
		ipn_netdev_release(p->owner);
	p->owner = NULL;
}

/*
 * A tap is created by IPN_CONN_NETDEV only, never by "ip link add": the
 * kind exists so that "ip link del" and the namespace teardown use
 * dellink.
 */
static int ipn_tap_validate(struct nlattr *tb[], struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "IPN interfaces are made with IPN_CONN_NETDEV");
	return -EOPNOTSUPP;
}

/* RTNL held: "ip link del", or the tap's namespace is going away. */
static void ipn_tap_dellink(struct net_device *dev, struct list_head *head)
{
	struct ipn_tap_priv *p = netdev_priv(dev);

	ipn_netdev_gone(p->owner);
	unregister_netdevice_queue(dev, head);
}

static struct rtnl_link_ops ipn_link_ops __read_mostly = {
	.kind		= "ipn",
	.validate	= ipn_tap_validate,
	.dellink	= ipn_tap_dellink,
};

static void ipn_tap_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &ipn_tap_ops;
	dev->rtnl_link_ops = &ipn_link_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ipn_tap_destructor;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	/* The network keeps and may change what it is given (pktgen). */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->lltx = true;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	dev->features = IPN_TAP_FEATURES;
	dev->hw_features = IPN_TAP_FEATURES;
	dev->hw_enc_features = IPN_TAP_FEATURES;
	dev->vlan_features = IPN_TAP_FEATURES;
	eth_hw_addr_random(dev);
}

/*
 * Creates and registers a tap-like interface in @net named @name ("ipn%d"
 * when empty) whose frames, up to @frame_len bytes with the Ethernet
 * header, go to @owner.  On success the device owns @owner; on failure the
 * caller keeps it.  RTNL held.
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
	*err = register_netdevice(dev);
	if (*err) {
		/* The destructor may have run; it left @owner alone. */
		free_netdev(dev);
		return NULL;
	}
	p->registered = true;
	return dev;
}

/*
 * Unregisters a tap, RTNL held; the owner is released when the device is
 * freed, after RTNL is dropped.
 */
void ipn_glue_tap_destroy(struct net_device *dev)
{
	unregister_netdevice(dev);
}

/* Copies the interface's name (IFNAMSIZ bytes). */
void ipn_glue_netdev_name(struct net_device *dev, char *name)
{
	/*
	 * netdev_copy_name(), which retries while a rename is under way, is
	 * not exported: a name read during a rename may mix the two, which
	 * diagnostics, the only reader without RTNL, can live with.
	 */
	strscpy(name, dev->name, IFNAMSIZ);
}

/*
 * The interface named @name, or numbered @ifindex when @name is empty, in
 * @net; RTNL held, so it stays registered until RTNL is dropped.
 */
struct net_device *ipn_glue_netdev_lookup(struct net *net, const char *name,
					  int ifindex)
{
	ASSERT_RTNL();
	if (name[0])
		return __dev_get_by_name(net, name);
	return __dev_get_by_index(net, ifindex);
}

static rx_handler_result_t ipn_grab_rx(struct sk_buff **pskb);

/*
 * Whether @dev is a port of an IPN network, or was: a tap (its owner may
 * have left a persistent one), or a grabbed interface, whose rx_handler is
 * ours from grab to release.  Known by what the module put there rather
 * than by a flag in struct net_device, so that the module needs no patch
 * of the kernel.  RTNL or RCU held.
 */
static bool ipn_is_port(const struct net_device *dev)
{
	return ipn_is_tap(dev) ||
	       rcu_access_pointer(dev->rx_handler) == ipn_grab_rx;
}

/* The owner of an interface that is an IPN port, or NULL.  RTNL held. */
static void *ipn_port_owner(struct net_device *dev)
{
	if (ipn_is_tap(dev))
		return ((struct ipn_tap_priv *)netdev_priv(dev))->owner;
	if (rtnl_dereference(dev->rx_handler) == ipn_grab_rx)
		return rtnl_dereference(dev->rx_handler_data);
	return NULL;
}

/*
 * Whether the frame @skb is at most @max bytes long or, as a GSO frame, is
 * cut into frames that are.
 */
bool ipn_glue_skb_fits(const struct sk_buff *skb, unsigned int max)
{
	if (skb_is_gso(skb))
		return skb_gso_validate_mac_len(skb, max);
	return skb->len <= max;
}

/*
 * The frame @skb as a socket reads frames: a GSO frame cut into frames of
 * wire size, each linear and with its checksum complete.  Returns them as
 * a list (skb->next); NULL when none is left (memory is short).  A frame
 * that is already so is returned as it is.  Any context.  Consumes @skb.
 */
struct sk_buff *ipn_glue_skb_flatten(struct sk_buff *skb)
{
	struct sk_buff *segs, *s, *next, *head = NULL, **tail = &head;

	if (!skb_is_gso(skb) && !skb->data_len &&
	    skb->ip_summed != CHECKSUM_PARTIAL)
		return skb;
	if (skb_is_gso(skb)) {
		/* A clone's shared head is not written: copy it first. */
		if (skb->ip_summed != CHECKSUM_PARTIAL &&
		    skb_header_cloned(skb) && pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
			goto drop;
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs))
			goto drop;
		consume_skb(skb);
	} else {
		segs = skb;
	}
	skb_list_walk_safe(segs, s, next) {
		skb_mark_not_on_list(s);
		if (skb_linearize(s) ||
		    (s->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(s))) {
			kfree_skb(s);
			continue;
		}
		*tail = s;
		tail = &s->next;
	}
	return head;
drop:
	kfree_skb(skb);
	return NULL;
}

/* Takes @skb off its list; returns the next one. */
struct sk_buff *ipn_glue_skb_unlink(struct sk_buff *skb)
{
	struct sk_buff *next = skb->next;

	skb_mark_not_on_list(skb);
	return next;
}

/*
 * Passes a frame from the network up the stack of a tap.  Any context.
 * Consumes @skb.
 */
static void ipn_tap_rx(struct net_device *dev, struct sk_buff *skb)
{
	unsigned int len = skb->len;

	/*
	 * A network's MTU may be larger than the tap's: the host's stack gets
	 * no frame longer than the tap's MTU allows (with an 802.1Q tag).
	 */
	if (!(dev->flags & IFF_UP) || len < ETH_HLEN ||
	    !ipn_glue_skb_fits(skb, dev->mtu + VLAN_ETH_HLEN)) {
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}
	/* It may come from another namespace's stack, through the network. */
	skb_scrub_packet(skb, true);
	skb_orphan(skb);
	skb->dev = dev;
	skb->protocol = eth_type_trans(skb, dev);
	if (netif_rx(skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(dev, len);
}

/* Sends a frame from the network out of a grabbed interface.  Consumes. */
static void ipn_grab_tx(struct net_device *dev, struct sk_buff *skb)
{
	if (!(dev->flags & IFF_UP) || skb->len < ETH_HLEN ||
	    !ipn_glue_skb_fits(skb, dev->mtu + VLAN_ETH_HLEN)) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}
	skb_scrub_packet(skb, true);
	skb_orphan(skb);
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	/*
	 * A frame sent by a socket has no headers set.  A GSO frame or one
	 * with a checksum left to complete has them right already (after any
	 * 802.1Q tags), and the device's offloads use them.
	 */
	if (!skb_is_gso(skb) && skb->ip_summed != CHECKSUM_PARTIAL)
		skb_set_network_header(skb, ETH_HLEN);
	dev_queue_xmit(skb);
}

/*
 * Hands a frame from the network to the interface on its port: up the host
 * stack for a tap, out of the interface for a grabbed one.  Any context;
 * never sleeps.  Consumes @skb.
 */
void ipn_glue_netdev_out(struct net_device *dev, struct sk_buff *skb)
{
	if (ipn_is_tap(dev))
		ipn_tap_rx(dev, skb);
	else
		ipn_grab_tx(dev, skb);
}

/*
 * The rx_handler of a grabbed interface, in softirq context under RCU:
 * its frames enter the network and not the host stack, as a bridge port's
 * do.  They keep their offloads, GRO super-frames included, as on a
 * bridge: only sockets get them cut (ipn_glue_skb_flatten()).
 */
static rx_handler_result_t ipn_grab_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct net_device *dev = skb->dev;
	void *owner;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	owner = rcu_dereference(dev->rx_handler_data);
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	skb_push(skb, skb->data - skb_mac_header(skb));
	if (skb_vlan_tag_present(skb)) {
		/* The policy sees 802.1Q tags in the frame, as sockets do. */
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb)
			goto count;
		/* The tag was never in a received checksum; a tap untags it. */
		if (skb->ip_summed == CHECKSUM_COMPLETE)
			skb->ip_summed = CHECKSUM_NONE;
	}
	/* Policies read the header from the frame's head, as from taps. */
	if (!pskb_may_pull(skb, min_t(unsigned int, skb->len, VLAN_ETH_HLEN)))
		goto drop;
	if (!ipn_netdev_xmit(owner, skb))
		goto count;
	return RX_HANDLER_CONSUMED;
drop:
	kfree_skb(skb);
count:
	dev_core_stats_rx_dropped_inc(dev);
	return RX_HANDLER_CONSUMED;
}

/*
 * Stacking that could carry a network's frames back into an IPN network
 * through the host's devices is refused: a grabbed interface must have no
 * IPN port (a tap, or another grabbed interface) among the devices below
 * it.  A bridge over a tap that is then grabbed would otherwise send every
 * flooded frame around network, bridge and tap until the transmit
 * recursion limit, and deadlock on a policy's lock on the way.  Two
 * networks are cabled with vde_plug instead.  RTNL held.
 */
static int ipn_lower_is_port(struct net_device *lower,
			     struct netdev_nested_priv *priv)
{
	return ipn_is_port(lower);
}

static bool ipn_port_below(struct net_device *dev)
{
	struct netdev_nested_priv priv = {};

	return ipn_is_port(dev) ||
	       netdev_walk_all_lower_dev(dev, ipn_lower_is_port, &priv);
}

static int ipn_upper_is_grabbed(struct net_device *upper,
				struct netdev_nested_priv *priv)
{
	return ipn_is_port(upper) && !ipn_is_tap(upper);
}

/* Whether @dev is grabbed, or stacked under a grabbed interface. */
static bool ipn_grabbed_above(struct net_device *dev)
{
	struct netdev_nested_priv priv = {};
	bool found;

	if (ipn_upper_is_grabbed(dev, &priv))
		return true;
	rcu_read_lock();
	found = netdev_walk_all_upper_dev_rcu(dev, ipn_upper_is_grabbed, &priv);
	rcu_read_unlock();
	return found;
}

/*
 * Grabs the interface @name of @net for @owner, RTNL held: its received
 * frames go to the network, and it goes promiscuous.  Loopback and
 * non-Ethernet interfaces are refused, and -EBUSY means it already has an
 * rx_handler (a bridge or bond port, or another network's) or is stacked
 * on an IPN port.  On success
 * the caller owns a reference to the device and @owner stays the caller's.
 */
struct net_device *ipn_glue_grab(struct net *net, const char *name,
				 void *owner, int *err)
{
	struct net_device *dev;

	ASSERT_RTNL();
	dev = __dev_get_by_name(net, name);
	if (!dev) {
		*err = -ENODEV;
		return NULL;
	}
	if ((dev->flags & IFF_LOOPBACK) || dev->type != ARPHRD_ETHER ||
	    dev->addr_len != ETH_ALEN) {
		*err = -EINVAL;
		return NULL;
	}
	if (ipn_port_below(dev)) {
		*err = -EBUSY;
		return NULL;
	}
	*err = netdev_rx_handler_register(dev, ipn_grab_rx, owner);
	if (*err)
		return NULL;
	*err = dev_set_promiscuity(dev, 1);
	if (*err) {
		netdev_rx_handler_unregister(dev);
		return NULL;
	}
	/*
	 * Frames aggregated by LRO carry no GSO type: they could be neither
	 * forwarded nor cut.  GRO's are kept, as a bridge port's are.
	 */
	dev_disable_lro(dev);
	dev_hold(dev);
	return dev;
}

/*
 * Lets a grabbed interface go, RTNL held, and drops the grab's reference.
 * No rx_handler call is running on return: its owner may be freed.
 */
void ipn_glue_grab_release(struct net_device *dev)
{
	ASSERT_RTNL();
	dev_set_promiscuity(dev, -1);
	netdev_rx_handler_unregister(dev);
	dev_put(dev);
}

/*
 * A grabbed interface that is unregistered (deleted, its driver unloaded,
 * moved to or destroyed with another namespace) leaves its network.  Taps
 * go through dellink instead, and stay ours when moved between namespaces.
 */
static int ipn_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_changeupper_info *cu;
	void *owner;

	if (event == NETDEV_PRECHANGEUPPER) {
		/* The other half of the rule above: no IPN port goes under a
		 * grabbed interface (a tap into a grabbed bridge).
		 */
		cu = ptr;
		if (cu->linking && ipn_port_below(dev) &&
		    ipn_grabbed_above(cu->upper_dev))
			return notifier_from_errno(-EBUSY);
		return NOTIFY_DONE;
	}
	if (event != NETDEV_UNREGISTER || ipn_is_tap(dev))
		return NOTIFY_DONE;
	owner = ipn_port_owner(dev);
	if (owner)
		ipn_netdev_gone(owner);
	return NOTIFY_DONE;
}

static struct notifier_block ipn_netdev_notifier = {
	.notifier_call = ipn_netdev_event,
};

int ipn_glue_netdev_init(void)
{
	int err;

	err = rtnl_link_register(&ipn_link_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&ipn_netdev_notifier);
	if (err)
		rtnl_link_unregister(&ipn_link_ops);
	return err;
}

/*
 * Module exit.  rtnl_link_unregister() also waits until every tap being
 * unregistered has been freed, so no destructor runs after the module is
 * gone.
 */
void ipn_glue_netdev_exit(void)
{
	unregister_netdevice_notifier(&ipn_netdev_notifier);
	rtnl_link_unregister(&ipn_link_ops);
}

void ipn_glue_rtnl_lock(void)
{
	rtnl_lock();
}

void ipn_glue_rtnl_unlock(void)
{
	rtnl_unlock();
}

void ipn_glue_module_get(void)
{
	__module_get(THIS_MODULE);
}

void ipn_glue_module_put(void)
{
	module_put(THIS_MODULE);
}
