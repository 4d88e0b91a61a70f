// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko for sockets that send and receive frames with a
 * virtio-net header (IPN_SO_VNET_HDR), as tun's IFF_VNET_HDR and
 * AF_PACKET's PACKET_VNET_HDR do: a VM backend passes GSO super-frames and
 * frames whose checksum is left to complete, and the header says how to
 * finish them.  Headers are little-endian (virtio 1.0), whatever the CPU.
 */

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/virtio_net.h>
#include "ipn_glue.h"

/* The GSO types a virtio-net header can describe. */
#define IPN_VNET_GSO_TYPES (SKB_GSO_TCPV4 | SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN | \
			    SKB_GSO_TCP_FIXEDID | SKB_GSO_UDP_L4 | \
			    SKB_GSO_DODGY)

/* The longest GSO frame: an IP packet of 64 KiB with a tagged header. */
#define IPN_VNET_GSO_MAX (IP_MAX_MTU + VLAN_ETH_HLEN)

/*
 * The most frames a GSO frame from a socket may be cut into: every reader
 * without headers gets that many skbs, allocated in BH context.  256 is
 * 64 KiB in segments of 256 bytes, below any TCP MSS a stack uses for
 * such frames.
 */
#define IPN_VNET_MAX_SEGS 256

/*
 * Whether a socket reading with virtio-net headers can take @skb as it is:
 * a frame that is not GSO, or a GSO frame of a type that the header can
 * describe.  Tunnel GSO types (from a VXLAN device on a tap) cannot be:
 * virtio_net_hdr_from_skb() would describe their inner segmentation as
 * the outer one.
 */
bool ipn_glue_vnet_fits(const struct sk_buff *skb)
{
	struct virtio_net_hdr h;

	if (!skb_is_gso(skb))
		return true;
	if (skb_shinfo(skb)->gso_type & ~IPN_VNET_GSO_TYPES)
		return false;
	return !virtio_net_hdr_from_skb(skb, &h, true, true, 0);
}

/*
 * Writes the virtio-net header of @skb, @hdr_len bytes (10 or 12; the
 * mergeable buffers' count is 0), to the user's buffers.  -EINVAL if the
 * frame cannot be described (never for a frame that ipn_glue_vnet_fits()).
 */
int ipn_glue_vnet_put(const struct sk_buff *skb, struct msghdr *msg,
		      int hdr_len)
{
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = 0 };

	if (hdr_len < 0 || hdr_len > sizeof(h))
		return -EINVAL;
	if (virtio_net_hdr_from_skb(skb, &h.hdr, true, true, 0))
		return -EINVAL;
	return memcpy_to_msg(msg, &h, hdr_len);
}

/*
 * Reads the virtio-net header that starts a message of @len bytes and
 * checks it against the frame's length; @len becomes the frame's.
 */
static int ipn_vnet_get(struct msghdr *msg, size_t *len, int hdr_len,
			struct virtio_net_hdr *h)
{
	u16 start, off, linear;

	if (hdr_len < sizeof(*h) || *len < hdr_len)
		return -EINVAL;
	*len -= hdr_len;
	if (!copy_from_iter_full(h, sizeof(*h), &msg->msg_iter))
		return -EFAULT;
	iov_iter_advance(&msg->msg_iter, hdr_len - sizeof(*h));
	start = le16_to_cpu((__force __le16)h->csum_start);
	off = le16_to_cpu((__force __le16)h->csum_offset);
	linear = le16_to_cpu((__force __le16)h->hdr_len);
	/* The checksum field must lie in the linear part, as for packet. */
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (u32)start + off + 2 > linear)
		linear = min_t(u32, (u32)start + off + 2, U16_MAX);
	if (linear > *len)
		return -EINVAL;
	h->hdr_len = (__force __virtio16)cpu_to_le16(linear);
	return 0;
}

/*
 * Applies the virtio-net header @h to the Ethernet frame @skb, as
 * packet_snd() and packet_parse_headers() do, and checks what the header
 * claims: a GSO frame must be TCP (or UDP for UDP_L4) over the IP version
 * its type says, its transport header where the checksum offsets put it,
 * and cut into at most IPN_VNET_MAX_SEGS frames.  UFO (GSO_UDP) is
 * refused: no reader takes it whole, and cutting it needs a device.
 */
static int ipn_vnet_apply(struct sk_buff *skb, const struct virtio_net_hdr *h)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	__be16 proto = eth_hdr(skb)->h_proto;
	struct flow_keys_basic keys;
	unsigned int thlen, hdrs;
	int depth = ETH_HLEN;
	u8 l4;

	if ((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_UDP)
		return -EINVAL;
	skb->protocol = eth_proto_is_802_3(proto) ? proto : htons(ETH_P_802_3);
	/* The flow dissector parses any tags from the Ethernet header on. */
	skb_set_network_header(skb, ETH_HLEN);
	if (virtio_net_hdr_to_skb(skb, h, true))
		return -EINVAL;
	if (skb_is_gso(skb)) {
		if (!skb_flow_dissect_flow_keys_basic(NULL, skb, &keys, NULL, 0,
						      0, 0, 0) ||
		    !virtio_net_hdr_match_proto(keys.basic.n_proto,
						h->gso_type))
			return -EINVAL;
		if (shinfo->gso_type & SKB_GSO_UDP_L4) {
			l4 = IPPROTO_UDP;
			thlen = sizeof(struct udphdr);
		} else {
			l4 = IPPROTO_TCP;
			thlen = tcp_hdrlen(skb);
		}
		if (keys.basic.ip_proto != l4 ||
		    thlen < (l4 == IPPROTO_TCP ? sizeof(struct tcphdr) :
			     sizeof(struct udphdr)) ||
		    keys.control.thoff != skb_transport_offset(skb))
			return -EINVAL;
		hdrs = skb_transport_offset(skb) + thlen;
		if (skb->len <= hdrs ||
		    DIV_ROUND_UP(skb->len - hdrs, shinfo->gso_size) >
		    IPN_VNET_MAX_SEGS)
			return -EINVAL;
	}
	/* Offloads and GSO start from the network header, after the tags. */
	if (eth_type_vlan(skb->protocol) &&
	    vlan_get_protocol_and_depth(skb, skb->protocol, &depth))
		skb_set_network_header(skb, depth);
	return 0;
}

/*
 * Builds the skb of a message of @len bytes sent with a virtio-net header
 * of @hdr_len bytes, charged to @sk's send buffer (waiting for room unless
 * @noblock).  A frame that is not GSO is at most @mtu bytes long
 * (-EOVERFLOW), as without a header; a GSO frame up to 64 KiB, if each
 * frame it is cut into is at most @mtu.  A bad header gives -EINVAL, as
 * for tun and packet; the GSO code checks the headers again
 * (SKB_GSO_DODGY) before it trusts them.  Returns the skb, or NULL with
 * *@err set.
 */
struct sk_buff *ipn_glue_vnet_alloc_send(struct sock *sk, struct msghdr *msg,
					 size_t len, int hdr_len,
					 unsigned int mtu, bool noblock,
					 int *err)
{
	struct virtio_net_hdr h;
	struct sk_buff *skb;
	size_t linear;

	*err = ipn_vnet_get(msg, &len, hdr_len, &h);
	if (*err)
		return NULL;
	*err = -EINVAL;
	if (!len)
		return NULL;
	*err = -EOVERFLOW;
	if (len > (h.gso_type == VIRTIO_NET_HDR_GSO_NONE ? mtu :
		   max_t(unsigned int, mtu, IPN_VNET_GSO_MAX)))
		return NULL;
	/*
	 * The headers (and what policies read: the Ethernet header and any
	 * tag) in the linear part, the payload of a large frame in pages.
	 */
	linear = max_t(size_t, le16_to_cpu((__force __le16)h.hdr_len),
		       min_t(size_t, len, VLAN_ETH_HLEN));
	/* Only GSO frames are paged: readers without headers take them cut. */
	if (len < PAGE_SIZE || h.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		linear = len;
	skb = sock_alloc_send_pskb(sk, linear, len - linear, noblock, err,
				   PAGE_ALLOC_COSTLY_ORDER);
	if (!skb)
		return NULL;
	skb_put(skb, linear);
	skb->data_len = len - linear;
	skb->len += len - linear;
	*err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, len);
	if (*err)
		goto free;
	skb_reset_mac_header(skb);
	/* A message without offloads need not be an Ethernet frame. */
	if (!h.flags && h.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return skb;
	*err = -EINVAL;
	if (len < ETH_HLEN || ipn_vnet_apply(skb, &h))
		goto free;
	/* A header that asks for GSO on a short frame leaves it whole. */
	*err = -EOVERFLOW;
	if (!ipn_glue_skb_fits(skb, mtu))
		goto free;
	return skb;
free:
	kfree_skb(skb);
	return NULL;
}
