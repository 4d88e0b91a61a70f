// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko's sock_diag handler (rust/net/sock_diag.rs): the
 * registration, the start of a dump, and the netlink helpers that are
 * static inline.  The handler itself is Rust, reached through the two
 * function pointers given at registration.  And the same for a file in
 * /proc/net (rust/net/proc.rs).
 */

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file_net.h>
#include <linux/sock_diag.h>
#include <linux/uidgid.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "ipn_glue.h"

static int (*ipn_diag_check)(const void *req, int len);
/* Rust's type of the callback state is void *, as CFI checks. */
static int (*ipn_diag_dump)(struct sk_buff *skb, void *cb);

static int ipn_diag_dump_cb(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ipn_diag_dump(skb, cb);
}

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
	c.dump = ipn_diag_dump_cb;
	return netlink_dump_start(sock_net(skb->sk)->diag_nlsk, skb, nlh, &c);
}

/* The family is a module parameter: filled in before registering. */
static struct sock_diag_handler ipn_diag_handler = {
	.owner = THIS_MODULE,
	.dump = ipn_diag_handler_dump,
};

int ipn_glue_diag_register(int family,
			   int (*check)(const void *req, int len),
			   int (*dump)(struct sk_buff *skb, void *cb))
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

bool ipn_glue_netdev_in_net(const struct net_device *dev,
			    const struct net *net)
{
	return net_eq(dev_net(dev), net);
}

int ipn_glue_netdev_ifindex(const struct net_device *dev)
{
	return READ_ONCE(dev->ifindex);
}

/*
 * /proc/net/ipn, in every network namespace: a text listing that the Rust
 * side writes (rust/net/proc.rs), for a quick look and for shell scripts.
 */
static int (*ipn_proc_show)(struct seq_file *m, struct net *net);

static int ipn_proc_single_show(struct seq_file *m, void *v)
{
	return ipn_proc_show(m, seq_file_single_net(m));
}

static int __net_init ipn_proc_net_init(struct net *net)
{
	if (!proc_create_net_single("ipn", 0444, net->proc_net,
				    ipn_proc_single_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit ipn_proc_net_exit(struct net *net)
{
	remove_proc_entry("ipn", net->proc_net);
}

static struct pernet_operations ipn_proc_net_ops = {
	.init = ipn_proc_net_init,
	.exit = ipn_proc_net_exit,
};

int ipn_glue_proc_register(int (*show)(struct seq_file *m, struct net *net))
{
	int err;

	if (ipn_proc_show)
		return -EBUSY;
	ipn_proc_show = show;
	err = register_pernet_subsys(&ipn_proc_net_ops);
	if (err)
		ipn_proc_show = NULL;
	return err;
}

/* A user id as the reader of @m sees it. */
u32 ipn_glue_seq_uid(struct seq_file *m, u32 kuid)
{
	return from_kuid_munged(seq_user_ns(m), KUIDT_INIT(kuid));
}

/* Removes the files; a read under way finishes first (proc's use count). */
void ipn_glue_proc_unregister(void)
{
	unregister_pernet_subsys(&ipn_proc_net_ops);
	ipn_proc_show = NULL;
}
