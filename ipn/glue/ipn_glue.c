// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of ipn.ko.  Only what has no Rust binding lives here: static
 * inline helpers of the VFS and of struct sock.  No IPN logic.
 */

#include <linux/compat.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kmod.h>
#include <linux/namei.h>
#include <linux/security.h>
#include <linux/stat.h>
#include <uapi/linux/ipn.h>
#include "ipn_glue.h"

/*
 * Create the filesystem node of a new network, as AF_UNIX does for a bound
 * socket: an S_IFSOCK inode.  On success @res holds a reference to it.
 */
int ipn_glue_mknod(const char *name, umode_t mode, struct path *res)
{
	struct mnt_idmap *idmap;
	struct dentry *dentry;
	struct path parent;
	int err;

	mode = S_IFSOCK | (mode & ~current_umask() & 0777);
	dentry = start_creating_path(AT_FDCWD, name, &parent, 0);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	idmap = mnt_idmap(parent.mnt);
	err = security_path_mknod(&parent, dentry, mode, 0);
	if (!err)
		err = vfs_mknod(idmap, d_inode(parent.dentry), dentry, mode, 0,
				NULL);
	if (!err) {
		res->mnt = mntget(parent.mnt);
		res->dentry = dget(dentry);
	}
	end_creating_path(&parent, dentry);
	return err;
}

int ipn_glue_lookup(const char *name, struct path *res)
{
	return kern_path(name, LOOKUP_FOLLOW, res);
}

bool ipn_glue_path_is_sock(const struct path *path)
{
	return S_ISSOCK(d_backing_inode(path->dentry)->i_mode);
}

/* Networks are found by their inode, as AF_UNIX finds bound sockets. */
unsigned long ipn_glue_path_key(const struct path *path)
{
	return (unsigned long)d_backing_inode(path->dentry);
}

int ipn_glue_path_permission(const struct path *path, int mask)
{
	return path_permission(path, mask);
}

bool ipn_glue_path_owner(const struct path *path)
{
	return inode_owner_or_capable(mnt_idmap(path->mnt),
				      d_backing_inode(path->dentry));
}

/*
 * The node's path as the current task sees it (from its root), written
 * at the start of @buf; its length, or a negative errno: ENAMETOOLONG, or
 * ENOENT when the node is not under the task's root (a chroot, another
 * mount namespace), whose path the task must not learn.
 */
int ipn_glue_path_name(const struct path *path, char *buf, int len)
{
	struct path root;
	bool under;
	char *p;
	int n;

	get_fs_root(current->fs, &root);
	under = path_is_under(path, &root);
	path_put(&root);
	if (!under)
		return -ENOENT;
	p = d_path(path, buf, len);
	if (IS_ERR(p))
		return PTR_ERR(p);
	n = strlen(p);
	memmove(buf, p, n + 1);
	return n;
}

void ipn_glue_path_stat(const struct path *path, u64 *ino, u32 *dev,
			u32 *uid, u32 *mode)
{
	const struct inode *inode = d_backing_inode(path->dentry);

	*ino = inode->i_ino;
	*dev = new_encode_dev(inode->i_sb->s_dev);
	*uid = __kuid_val(vfsuid_into_kuid(i_uid_into_vfsuid(mnt_idmap(path->mnt),
							   inode)));
	*mode = READ_ONCE(inode->i_mode) & 07777;
}

/*
 * Whether @sk's receive queue has room for one more message: fewer than
 * @limit messages and, as for AF_UNIX and AF_PACKET datagrams, receive
 * memory below SO_RCVBUF.  A message's truesize is charged to the reader
 * that holds it (skb_set_owner_r), so a reader bounds what it can pin.
 */
static bool ipn_room(const struct sock *sk, unsigned int limit)
{
	return skb_queue_len_lockless(&sk->sk_receive_queue) < limit &&
	       atomic_read(&sk->sk_rmem_alloc) < READ_ONCE(sk->sk_rcvbuf);
}

bool ipn_glue_rcv_room(const struct sock *sk, unsigned int limit)
{
	return ipn_room(sk, limit);
}

/*
 * Queue @skb on @sk unless it has no room (see ipn_room(); @limit 0: no
 * check, for a lossless sender that waited for room).  The check and the
 * enqueue happen under the queue lock, so concurrent senders cannot
 * overfill it.  Safe in any context.  On error the caller still owns @skb.
 */
int ipn_glue_queue_rcv(struct sock *sk, struct sk_buff *skb,
		       unsigned int limit)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	unsigned long flags;
	bool cred;

	if (sock_flag(sk, SOCK_DEAD))
		return -ECONNRESET;
	/*
	 * The reader's filter must not see the sender's socket: the last
	 * reader gets the sender's skb itself, not a clone.
	 */
	skb_orphan(skb);
	/*
	 * The reader's socket filter (SO_ATTACH_FILTER, SO_ATTACH_BPF) and
	 * the LSM's receive check decide first, as for every datagram socket;
	 * what they refuse is not a drop.  A filter may trim a clone: only
	 * its own length changes, not the shared data.
	 */
	if (sk_filter(sk, skb))
		return -EPERM;
	/*
	 * A frame from an interface may wait here longer than its device and
	 * route live, as sock_queue_rcv_skb() knows.
	 */
	skb->dev = NULL;
	skb_dst_drop(skb);
	cred = ipn_meta_settle(skb);
	spin_lock_irqsave(&q->lock, flags);
	if (limit && !ipn_room(sk, limit)) {
		spin_unlock_irqrestore(&q->lock, flags);
		sk_drops_inc(sk);
		return -ENOBUFS;
	}
	ipn_meta_set_owner(skb, sk, cred);
	__skb_queue_tail(q, skb);
	spin_unlock_irqrestore(&q->lock, flags);
	sk->sk_data_ready(sk);
	return 0;
}

void ipn_glue_sk_drops_inc(struct sock *sk)
{
	sk_drops_inc(sk);
}

/* Loads the policy module for @protocol: alias net-pf-FAMILY-proto-N. */
int ipn_glue_request_policy(int protocol)
{
	return request_module("net-pf-%d-proto-%d", AF_IPN, protocol);
}

void ipn_glue_bh_disable(void)
{
	local_bh_disable();
}

void ipn_glue_bh_enable(void)
{
	local_bh_enable();
}

long ipn_glue_sndtimeo(const struct sock *sk, bool noblock)
{
	return sock_sndtimeo(sk, noblock);
}

/* A 32-bit process's pointer argument, as a native user address. */
unsigned long ipn_glue_compat_ptr(unsigned long arg)
{
#ifdef CONFIG_COMPAT
	return (unsigned long)compat_ptr(arg);
#else
	return arg;
#endif
}

void ipn_glue_sigpipe(void)
{
	send_sig(SIGPIPE, current, 0);
}

void ipn_glue_state_change(struct sock *sk)
{
	sk->sk_state_change(sk);
}
