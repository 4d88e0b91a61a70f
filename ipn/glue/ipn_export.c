// SPDX-License-Identifier: GPL-2.0
/*
 * The policy API of include/net/ipn.h, exported to policy modules.  The
 * functions are defined in Rust (policy.rs) except ipn_copy_optval() and
 * ipn_vlan_retag(), which work on kernel inlines.
 */

#include <linux/if_vlan.h>
#include <linux/module.h>
#include <net/ipn.h>

int ipn_copy_optval(void *dst, sockptr_t src, size_t size)
{
	return copy_from_sockptr(dst, src, size) ? -EFAULT : 0;
}

struct sk_buff *ipn_vlan_retag(const struct sk_buff *skb, int tci)
{
	struct sk_buff *n;
	bool tagged;

	if (skb->len < ETH_HLEN || skb_headlen(skb) < ETH_HLEN)
		return NULL;
	tagged = ((struct ethhdr *)skb->data)->h_proto == htons(ETH_P_8021Q);
	if (tagged && skb_headlen(skb) < VLAN_ETH_HLEN)
		return NULL;
	/*
	 * A private head (with the same headroom, so that the header offsets
	 * copied stay right; a tag's room is made by __vlan_insert_tag()),
	 * the pages shared.
	 */
	n = __pskb_copy_fclone((struct sk_buff *)skb, skb_headroom(skb),
			       GFP_ATOMIC, false);
	if (!n)
		return NULL;
	skb_reset_mac_header(n);
	if (tci >= 0 && tagged) {
		((struct vlan_ethhdr *)n->data)->h_vlan_TCI = htons(tci);
	} else if (tci >= 0) {
		if (__vlan_insert_tag(n, htons(ETH_P_8021Q), tci)) {
			kfree_skb(n);
			return NULL;
		}
	} else if (tagged) {
		memmove(n->data + VLAN_HLEN, n->data, 2 * ETH_ALEN);
		__skb_pull(n, VLAN_HLEN);
		skb_reset_mac_header(n);
	}
	/*
	 * The network and transport headers stay where they were, and with
	 * them a partial checksum's start; a checksum of the whole frame no
	 * longer holds.
	 */
	if (n->ip_summed == CHECKSUM_COMPLETE)
		n->ip_summed = CHECKSUM_NONE;
	return n;
}
EXPORT_SYMBOL_GPL(ipn_vlan_retag);

EXPORT_SYMBOL_GPL(ipn_proto_register);
EXPORT_SYMBOL_GPL(ipn_proto_unregister);
EXPORT_SYMBOL_GPL(ipn_net_private);
EXPORT_SYMBOL_GPL(ipn_net_set_private);
EXPORT_SYMBOL_GPL(ipn_net_numnodes);
EXPORT_SYMBOL_GPL(ipn_net_timer);
EXPORT_SYMBOL_GPL(ipn_deliver);
EXPORT_SYMBOL_GPL(ipn_deliver_all_but);
EXPORT_SYMBOL_GPL(ipn_deliver_oob);
EXPORT_SYMBOL_GPL(ipn_copy_optval);

