// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko for the socket API: the family number parameter, the
 * static inline functions of struct sock, sk_buff and net_device that the
 * Rust layer calls (rust/net/), and the check of the layer's view of
 * struct sock.  A kernel with the AF_IPN patches needs none of this from
 * the module; a stock Rust-enabled kernel needs all of it.
 */

#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/sock.h>
#include "ipn_glue.h"

/*
 * AF_IPN where the kernel has it; otherwise a borrowed slot.  13 is
 * AF_NETBEUI, reserved in <linux/socket.h> and never implemented by Linux:
 * no module registers it, SELinux gives it the generic "socket" class and
 * no LSM or BPF hook special-cases it.  The parameter is declared in C so
 * that it shows in /sys/module/ipn/parameters/family (Rust module
 * parameters do not appear in sysfs), where programs read the number on a
 * kernel without AF_IPN.
 */
#ifdef AF_IPN		/* the kernel's own (patches/0001), not the uapi header's */
#define IPN_DEFAULT_FAMILY AF_IPN
#else
#define IPN_DEFAULT_FAMILY 13
#endif

static int ipn_family = IPN_DEFAULT_FAMILY;
module_param_named(family, ipn_family, int, 0444);
MODULE_PARM_DESC(family,
		 "Address family number to register (default: 46, AF_IPN, on a kernel that has it, else 13, AF_NETBEUI's unused slot)");

int ipn_glue_family(void)
{
	return ipn_family;
}

/*
 * bindgen's layouts of struct sock and struct proto (rust/net_bindings.mk)
 * against the C compiler's, for the fields the Rust layer touches and the
 * sizes it allocates.  A kernel built with GCC and read by libclang, or a
 * construct bindgen drops, could otherwise shift them silently.
 */
bool ipn_glue_sock_layout(const struct ipn_sock_layout *l)
{
	return l->sock_size == sizeof(struct sock) &&
	       l->prot == offsetof(struct sock, sk_prot) &&
	       l->rcv_queue == offsetof(struct sock, sk_receive_queue) &&
	       l->shutdown == offsetof(struct sock, sk_shutdown) &&
	       l->allocation == offsetof(struct sock, sk_allocation) &&
	       l->destruct == offsetof(struct sock, sk_destruct) &&
	       l->proto_size == sizeof(struct proto) &&
	       l->proto_obj_size == offsetof(struct proto, obj_size) &&
	       l->proto_owner == offsetof(struct proto, owner) &&
	       l->proto_name == offsetof(struct proto, name);
}

void ipn_glue_sock_hold(struct sock *sk)
{
	sock_hold(sk);
}

void ipn_glue_sock_put(struct sock *sk)
{
	sock_put(sk);
}

struct net *ipn_glue_sock_net(const struct sock *sk)
{
	return sock_net(sk);
}

void ipn_glue_sock_orphan(struct sock *sk)
{
	sock_orphan(sk);
}

struct sk_buff *ipn_glue_sock_alloc_send_skb(struct sock *sk,
					     unsigned long size, bool noblock,
					     int *err)
{
	return sock_alloc_send_skb(sk, size, noblock, err);
}

void ipn_glue_skb_queue_purge(struct sk_buff_head *list)
{
	skb_queue_purge(list);
}

int ipn_glue_skb_copy_datagram_msg(const struct sk_buff *from,
				   struct msghdr *msg, int len)
{
	return skb_copy_datagram_msg(from, 0, msg, len);
}

int ipn_glue_memcpy_from_msg(void *data, struct msghdr *msg, int len)
{
	return memcpy_from_msg(data, msg, len);
}

void ipn_glue_dev_hold(struct net_device *dev)
{
	dev_hold(dev);
}

void ipn_glue_dev_put(struct net_device *dev)
{
	dev_put(dev);
}
