/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_IPN delivery policies: the in-kernel API that ipn.ko exports.
 *
 * A policy decides which ports of a network receive each message.  The hub
 * (IPN_BROADCAST) is built into ipn.ko and registered through this same
 * API; others, such as the Ethernet switch, are modules that register a
 * protocol number at load time.  socket(AF_IPN, SOCK_RAW, N) with no policy
 * N loads the module aliased "net-pf-46-proto-N".
 *
 * A network holds a reference on its policy's module from creation to
 * destruction, so a policy cannot go while a network uses it.
 *
 * Ports are numbered 0 .. ipn_net_numnodes() - 1.
 */
#ifndef _NET_IPN_H
#define _NET_IPN_H

#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/sockptr.h>
#include <uapi/linux/ipn.h>

struct ipn_network;

/**
 * struct ipn_protocol - the callbacks of a delivery policy
 * @owner: the module providing the policy
 * @newnet: a network is created; set its private data with
 *	ipn_net_set_private().  Process context.  An error fails the bind.
 * @delnet: the network is destroyed (no port remains).  Process context.
 * @resizenet: the port table changes from @oldsize to @newsize ports; the
 *	ports beyond the smaller size are free.  Process context.
 * @newport: @port connects.  Process context; an error fails the connect.
 * @predelport: @port is about to leave; it still receives.
 * @delport: @port has left; no message reaches it any more.
 * @handlemsg: deliver @skb, sent from @port, using ipn_deliver() and
 *	ipn_deliver_all_but().  Called under rcu_read_lock() with bottom
 *	halves disabled, from a socket's sendmsg() or an interface's transmit
 *	path, possibly on several CPUs at once: must not sleep.  Consumes @skb.
 * @setsockopt: option @optname at level = the protocol number, from the
 *	socket on @port (-1 when only bound).  @manage tells whether the
 *	caller may configure the network: its socket is bound (the x right)
 *	and it owns the network's node (or has CAP_FOWNER over it).
 *	Process context.
 * @getsockopt: likewise, for reading; @optval and @optlen are user pointers
 *	as for proto_ops::getsockopt.
 * @ioctl: ioctls the core does not know, from the socket on @port.
 * @timer: the time set with ipn_net_timer() has come.  Runs in process
 *	context (a workqueue) under rcu_read_lock() with bottom halves
 *	disabled, as @handlemsg does, so it may deliver; never twice at once,
 *	not before @newnet has returned and not after @delnet has started.
 *
 * Any callback may be NULL; @handlemsg NULL means a hub.
 *
 * The process-context callbacks may sleep, but @newport, @predelport,
 * @delport and @delnet may run with RTNL held (an interface joining or
 * leaving the network): they must not take RTNL.
 */
struct ipn_protocol {
	struct module *owner;
	int (*newnet)(struct ipn_network *net);
	void (*delnet)(struct ipn_network *net);
	int (*resizenet)(struct ipn_network *net, int oldsize, int newsize);
	int (*newport)(struct ipn_network *net, int port);
	void (*predelport)(struct ipn_network *net, int port);
	void (*delport)(struct ipn_network *net, int port);
	void (*handlemsg)(struct ipn_network *net, int port,
			  struct sk_buff *skb);
	int (*setsockopt)(struct ipn_network *net, int port, bool manage,
			  int optname, sockptr_t optval, unsigned int optlen);
	int (*getsockopt)(struct ipn_network *net, int port, int optname,
			  char __user *optval, int __user *optlen);
	int (*ioctl)(struct ipn_network *net, int port, unsigned int cmd,
		     unsigned long arg);
	void (*timer)(struct ipn_network *net);
};

/*
 * Registers @proto as protocol @protocol (1..IPN_MAX_PROTOCOL).  -EEXIST if
 * the number is taken, -EINVAL if it is out of range.  @proto must stay
 * valid until ipn_proto_unregister().
 */
int ipn_proto_register(int protocol, const struct ipn_protocol *proto);

/* Unregisters @protocol; call from module exit. */
void ipn_proto_unregister(int protocol);

/* The policy's private data of @net. */
void *ipn_net_private(struct ipn_network *net);
void ipn_net_set_private(struct ipn_network *net, void *priv);

/* The number of ports of @net. */
int ipn_net_numnodes(struct ipn_network *net);

/*
 * Calls @timer of @net's policy @ms milliseconds from now, replacing a
 * call set earlier and not made yet.  Any context, from any callback of
 * the policy (@timer included: a periodic timer sets itself again), but
 * not after @delnet.  A policy that needs regular work (protocol timers,
 * aging) uses it rather than timers of its own, which it would have to
 * stop before @delnet returns.
 */
void ipn_net_timer(struct ipn_network *net, unsigned int ms);

/*
 * From @handlemsg or @timer only: queue @skb to @port if it is connected
 * and reading.  Consumes @skb.  Returns whether it was queued.  In a
 * lossless network the frames of senders (which waited for room) and their
 * copies are queued whatever the queue's length; frames the policy built
 * itself are bounded as in a lossy one (IPN_SO_MSGPOOLSIZE, SO_RCVBUF).
 */
bool ipn_deliver(struct ipn_network *net, int port, struct sk_buff *skb);

/*
 * From @handlemsg or @timer only: queue a clone of @skb to every reading
 * port but @except (-1: none).  Consumes @skb.
 */
void ipn_deliver_all_but(struct ipn_network *net, int except,
			 struct sk_buff *skb);

/*
 * Queue @skb as an out-of-band message to the socket on @port, if it
 * takes them (IPN_SO_HANDLE_OOB; interfaces take none), ahead of its data
 * and behind at most IPN_SO_MSGPOOLSIZE others, while its receive buffer
 * has room.  A GSO frame is refused; a partial checksum is completed.  It
 * should start like struct ipn_numnode_oob: the protocol number, then a
 * tag.  Any context but hard interrupts.  Consumes @skb.  Returns whether
 * it was queued.
 */
bool ipn_deliver_oob(struct ipn_network *net, int port, struct sk_buff *skb);

/*
 * A copy of the frame @skb for a port of another VLAN: with an 802.1Q tag
 * of @tci (added, or replacing the frame's tag), or, when @tci is
 * negative, without the frame's tag.  Only the frame's head is copied:
 * the payload stays shared, and a GSO frame stays one.  The frame's first
 * VLAN_ETH_HLEN bytes (or all, if shorter) are in its head, as in every
 * frame @handlemsg gets.  Any context.  NULL when memory is short.
 */
struct sk_buff *ipn_vlan_retag(const struct sk_buff *skb, int tci);

/* Copies a policy's setsockopt() value: 0 or -EFAULT. */
int ipn_copy_optval(void *dst, sockptr_t src, size_t size);

#define IPN_MAX_PROTOCOL	255

#endif /* _NET_IPN_H */
