// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko's sock_diag handler (rust/net/sock_diag.rs): the
 * registration, the start of a dump, and the netlink helpers that are
 * static inline.  The handler itself is Rust, reached through the two
 * function pointers given at registration.
 */

#include <linux/module.h>
#include <linux/sock_diag.h>
#include <linux/uidgid.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "ipn_glue.h"

/* sock_diag loads ipn.ko for a SOCK_DIAG_BY_FAMILY request for AF_IPN. */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_NETLINK, NETLINK_SOCK_DIAG, 46);

static int (*ipn_diag_check)(const void *req, int len);
static int (*ipn_diag_dump)(struct sk_buff *skb, struct netlink_callback *cb);

static int ipn_diag_handler_dump(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	struct netlink_dump_control c = {
		.module = THIS_MODULE,
	};
	int err;

	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		return -EOPNOTSUPP;
	err = ipn_diag_check(nlmsg_data(nlh), nlmsg_len(nlh));
	if (err)
		return err;
	c.dump = ipn_diag_dump;
	return netlink_dump_start(sock_net(skb->sk)->diag_nlsk, skb, nlh, &c);
}

/* The family is a module parameter: filled in before registering. */
static struct sock_diag_handler ipn_diag_handler = {
	.owner = THIS_MODULE,
	.dump = ipn_diag_handler_dump,
};

int ipn_glue_diag_register(int family,
			   int (*check)(const void *req, int len),
			   int (*dump)(struct sk_buff *skb,
				       struct netlink_callback *cb))
{
	int err;

	if (family <= 0 || family >= AF_MAX)
		return -EINVAL;
	if (ipn_diag_dump)
		return -EBUSY;
	ipn_diag_check = check;
	ipn_diag_dump = dump;
	ipn_diag_handler.family = family;
	err = sock_diag_register(&ipn_diag_handler);
	if (err)
		ipn_diag_dump = NULL;
	return err;
}

/*
 * After this no new dump starts; one under way holds the module (the
 * dump control's .module), so the Rust handler outlives it.
 */
void ipn_glue_diag_unregister(void)
{
	sock_diag_unregister(&ipn_diag_handler);
	ipn_diag_dump = NULL;
}

/* The request of the dump @cb is answering, checked at its start. */
const void *ipn_glue_diag_request(struct netlink_callback *cb, int *len)
{
	*len = nlmsg_len(cb->nlh);
	return nlmsg_data(cb->nlh);
}

long *ipn_glue_diag_args(struct netlink_callback *cb)
{
	return cb->args;
}

/* The dumping socket's namespace, which decides what it is shown. */
struct net *ipn_glue_diag_net(struct sk_buff *skb)
{
	return sock_net(skb->sk);
}

/* A user id as the dumping socket's user namespace sees it. */
u32 ipn_glue_diag_uid(struct sk_buff *skb, u32 kuid)
{
	return from_kuid_munged(sk_user_ns(skb->sk), KUIDT_INIT(kuid));
}

/*
 * Starts a message of the dump with a header of @hdrlen bytes, for which
 * *@data points to zeroed room; NULL when @skb is full.
 */
struct nlmsghdr *ipn_glue_diag_put(struct sk_buff *skb,
				   struct netlink_callback *cb, int hdrlen,
				   void **data)
{
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			SOCK_DIAG_BY_FAMILY, hdrlen, NLM_F_MULTI);
	if (!nlh)
		return NULL;
	*data = nlmsg_data(nlh);
	memset(*data, 0, hdrlen);
	return nlh;
}

void ipn_glue_diag_end(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_end(skb, nlh);
}

void ipn_glue_diag_cancel(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_cancel(skb, nlh);
}

int ipn_glue_diag_put_attr(struct sk_buff *skb, int type, int len,
			   const void *data)
{
	return nla_put(skb, type, len, data);
}

int ipn_glue_diag_meminfo(struct sock *sk, struct sk_buff *skb, int type)
{
	return sock_diag_put_meminfo(sk, skb, type);
}

/* Who a socket is, as sock_diag reports it. */
void ipn_glue_sock_id(struct sock *sk, u32 *ino, u32 *cookie, u32 *uid)
{
	*ino = sock_i_ino(sk);
	sock_diag_save_cookie(sk, cookie);
	*uid = __kuid_val(sk_uid(sk));
}

void ipn_glue_sock_rqueue(const struct sock *sk, u32 *msgs, u32 *bytes)
{
	*msgs = skb_queue_len_lockless(&sk->sk_receive_queue);
	*bytes = sk_rmem_alloc_get(sk);
}

struct net *ipn_glue_netdev_net(const struct net_device *dev)
{
	return dev_net(dev);
}

int ipn_glue_netdev_ifindex(const struct net_device *dev)
{
	return READ_ONCE(dev->ifindex);
}
