// SPDX-License-Identifier: GPL-2.0
/*
 * What a message carries besides its bytes, in its skb's control block:
 * who sent it (SO_PASSCRED's SCM_CREDENTIALS, recvmsg()'s msg_name) and
 * whether it is out of band (IPN_SO_HANDLE_OOB).  The Rust core decides
 * what to stamp and where to queue; this file only keeps the layout.
 */

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/uidgid.h>
#include <net/gso.h>
#include <net/sock.h>
#include <uapi/linux/ipn.h>
#include "ipn_glue.h"

/*
 * The control block, from the core's stamp to the reader.
 *
 * Until a copy is queued, @pid is borrowed from the sending task, alive
 * while the task is inside its sendmsg(), which delivers every copy
 * before it returns.  A queued copy takes a reference of its own
 * (IPN_CB_CRED), put by ipn_rfree().  A copy queued by another task (one
 * that a policy held on to) has nothing to borrow from: it loses the
 * credentials, never taking a reference on a pid that may be gone.
 *
 * The block stays in the first SKB_GSO_CB_OFFSET bytes, which GSO leaves
 * alone and copies to every segment; clones and copies copy it too.
 */
struct ipn_cb {
	struct pid *pid;
	s32 port;
	kuid_t uid;
	kgid_t gid;
	u8 flags;
};

#define IPN_CB(skb)	((struct ipn_cb *)(skb)->cb)

#define IPN_CB_CRED	1	/* @pid, @uid and @gid are the sender's */
#define IPN_CB_OOB	2	/* out of band: queued ahead of data */
#define IPN_CB_NUMNODES	4	/* out of band: a reader/writer notice */
#define IPN_CB_STAMPED	8	/* @port is the sender's */

static_assert(sizeof(struct ipn_cb) <= SKB_GSO_CB_OFFSET);

/*
 * Stamp @skb as sent from @port (-1: none), by the current task when
 * @task (by an interface otherwise), before the policy delivers it.
 */
void ipn_glue_stamp(struct sk_buff *skb, int port, bool task)
{
	struct ipn_cb *cb = IPN_CB(skb);

	memset(cb, 0, sizeof(*cb));
	cb->port = port;
	cb->flags = IPN_CB_STAMPED;
	if (task) {
		cb->pid = task_tgid(current);
		current_uid_gid(&cb->uid, &cb->gid);
		cb->flags |= IPN_CB_CRED;
	}
}

static void ipn_cb_clear(struct sk_buff *skb, u8 flags)
{
	struct ipn_cb *cb = IPN_CB(skb);

	memset(cb, 0, sizeof(*cb));
	cb->port = -1;
	cb->flags = flags;
}

/*
 * Settle the sender of @skb, about to be queued to a reader: what the
 * core did not stamp (a policy's own frame) has none.  Whether the copy
 * needs a reference on the sender's pid.
 */
bool ipn_meta_settle(struct sk_buff *skb)
{
	struct ipn_cb *cb = IPN_CB(skb);

	if (!(cb->flags & IPN_CB_STAMPED)) {
		ipn_cb_clear(skb, 0);
		return false;
	}
	cb->flags &= IPN_CB_STAMPED | IPN_CB_CRED;
	if ((cb->flags & IPN_CB_CRED) && cb->pid != task_tgid(current)) {
		cb->flags &= ~IPN_CB_CRED;
		cb->pid = NULL;
	}
	return cb->flags & IPN_CB_CRED;
}

static void ipn_rfree(struct sk_buff *skb)
{
	put_pid(IPN_CB(skb)->pid);
	sock_rfree(skb);
}

/*
 * Charge @skb to @sk, a reader, with a reference on its sender's pid when
 * @cred (ipn_meta_settle()).  Under the queue lock.
 */
void ipn_meta_set_owner(struct sk_buff *skb, struct sock *sk, bool cred)
{
	skb_set_owner_r(skb, sk);
	if (cred) {
		get_pid(IPN_CB(skb)->pid);
		skb->destructor = ipn_rfree;
	}
}

/*
 * Queue the out-of-band message @skb on @sk ahead of its data, after the
 * out-of-band messages already there (they are at the head), unless
 * @limit of them wait already or the receive buffer is full (@limit 0:
 * neither, for a notice).  A reader/writer notice when @numnodes.  Safe in any context but hard interrupts.  On error the
 * caller still owns @skb.
 */
int ipn_glue_queue_oob(struct sock *sk, struct sk_buff *skb,
		       unsigned int limit, bool numnodes)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *pos, *last = NULL;
	unsigned long flags;
	unsigned int n = 0;

	if (sock_flag(sk, SOCK_DEAD))
		return -ECONNRESET;
	/*
	 * A reader takes a policy's message as it is, whole and checksummed,
	 * with a header of zeros if it asked for headers.
	 */
	if (skb_is_gso(skb))
		return -EINVAL;
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return -EINVAL;
	skb->ip_summed = CHECKSUM_NONE;
	skb_orphan(skb);
	skb->dev = NULL;
	skb_dst_drop(skb);
	ipn_cb_clear(skb, IPN_CB_OOB | (numnodes ? IPN_CB_NUMNODES : 0));
	spin_lock_irqsave(&q->lock, flags);
	skb_queue_walk(q, pos) {
		if (!(IPN_CB(pos)->flags & IPN_CB_OOB))
			break;
		last = pos;
		n++;
	}
	/* Notices, one at a time, are exempt: they must not be lost. */
	if (limit && (n >= limit || atomic_read(&sk->sk_rmem_alloc) >=
				    READ_ONCE(sk->sk_rcvbuf))) {
		spin_unlock_irqrestore(&q->lock, flags);
		sk_drops_inc(sk);
		return -ENOBUFS;
	}
	skb_set_owner_r(skb, sk);
	if (last)
		__skb_queue_after(q, last, skb);
	else
		__skb_queue_head(q, skb);
	spin_unlock_irqrestore(&q->lock, flags);
	sk->sk_data_ready(sk);
	return 0;
}

/* Queue a reader/writer notice on @sk: the reader fills it in. */
int ipn_glue_queue_numnodes(struct sock *sk)
{
	struct sk_buff *skb = alloc_skb(0, GFP_ATOMIC);
	int err;

	if (!skb)
		return -ENOMEM;
	err = ipn_glue_queue_oob(sk, skb, 0, true);
	if (err)
		kfree_skb(skb);
	return err;
}

/* Whether the next message of @sk is out of band. */
bool ipn_glue_oob_first(struct sock *sk)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	unsigned long flags;
	struct sk_buff *skb;
	bool oob;

	spin_lock_irqsave(&q->lock, flags);
	skb = skb_peek(q);
	oob = skb && (IPN_CB(skb)->flags & IPN_CB_OOB);
	spin_unlock_irqrestore(&q->lock, flags);
	return oob;
}

/*
 * recv(MSG_OOB): the first message of @sk if it is out of band (still
 * queued, with a reference of the caller's, when @peek), else NULL.
 */
struct sk_buff *ipn_glue_recv_oob(struct sock *sk, bool peek)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	unsigned long flags;
	struct sk_buff *skb;

	spin_lock_irqsave(&q->lock, flags);
	skb = skb_peek(q);
	if (skb && !(IPN_CB(skb)->flags & IPN_CB_OOB))
		skb = NULL;
	else if (skb && peek)
		skb_get(skb);
	else if (skb)
		__skb_unlink(skb, q);
	spin_unlock_irqrestore(&q->lock, flags);
	return skb;
}

/* 0: data; 1: out of band; 2: a reader/writer notice. */
/* Whether @skb, or the message it copies, was sent by a socket or device. */
bool ipn_glue_skb_stamped(const struct sk_buff *skb)
{
	return IPN_CB(skb)->flags & IPN_CB_STAMPED;
}

int ipn_glue_skb_kind(const struct sk_buff *skb)
{
	u8 flags = IPN_CB(skb)->flags;

	if (flags & IPN_CB_NUMNODES)
		return 2;
	return flags & IPN_CB_OOB ? 1 : 0;
}

/*
 * What recvmsg() reports of @skb, read from @sk, besides its bytes: the
 * sender's port in msg_name, MSG_OOB, and with SO_PASSCRED the sender's
 * pid, uid and gid as the reading task sees them (as AF_UNIX does: 0 for
 * a pid outside its pid namespace, the overflow ids for unmapped ones).
 * Messages not sent by a task (an interface's, a policy's, a notice)
 * carry no credentials.
 */
void ipn_glue_recv_meta(struct sock *sk, struct msghdr *msg,
			const struct sk_buff *skb)
{
	const struct ipn_cb *cb = IPN_CB(skb);

	if (msg->msg_name) {
		DECLARE_SOCKADDR(struct sockaddr_ipn *, sa, msg->msg_name);

		sa->sipn_family = sk->sk_family;
		sa->sipn_reserved = 0;
		sa->sipn_port = cb->port;
		msg->msg_namelen = sizeof(*sa);
	}
	if (cb->flags & IPN_CB_OOB)
		msg->msg_flags |= MSG_OOB;
	if ((cb->flags & IPN_CB_CRED) && sk->sk_scm_credentials) {
		struct user_namespace *ns = current_user_ns();
		struct ucred uc = {
			.pid = pid_vnr(cb->pid),
			.uid = from_kuid_munged(ns, cb->uid),
			.gid = from_kgid_munged(ns, cb->gid),
		};

		put_cmsg(msg, SOL_SOCKET, SCM_CREDENTIALS, sizeof(uc), &uc);
	}
}

/* Copy @len bytes at @data to the reader's buffers: 0 or -EFAULT. */
int ipn_glue_copy_to_msg(struct msghdr *msg, const void *data, int len)
{
	return memcpy_to_msg(msg, (void *)data, len);
}

/*
 * setsockopt() at SOL_SOCKET, which an AF_IPN socket takes itself
 * (SOCK_CUSTOM_SOCKOPT) for one reason: the socket core accepts
 * SO_PASSCRED only from AF_UNIX, AF_NETLINK and AF_BLUETOOTH sockets
 * (sk_may_scm_recv()).  Everything else goes to the core as before.
 */
int ipn_glue_setsockopt_socket(struct socket *sock, int optname,
			       sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	if (optname != SO_PASSCRED)
		return sock_setsockopt(sock, SOL_SOCKET, optname, optval,
				       optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	/* A bit field beside others that the core sets under the lock. */
	lock_sock(sk);
	sk->sk_scm_credentials = !!val;
	release_sock(sk);
	return 0;
}

void ipn_glue_custom_sockopt(struct socket *sock)
{
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
}
