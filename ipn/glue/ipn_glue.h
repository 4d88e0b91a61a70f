/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C glue of ipn.ko: the VFS, socket and device helpers (inline functions,
 * macros) that the Rust abstraction layer (rust/net/, rust/fs/) calls.
 * Every function here is declared again, with the same signature, in an
 * extern "C" block there.
 */
#ifndef _IPN_GLUE_H
#define _IPN_GLUE_H

#include <linux/path.h>
#include <linux/skbuff.h>
#include <linux/sockptr.h>
#include <net/sock.h>

int ipn_glue_mknod(const char *name, umode_t mode, struct path *res);
int ipn_glue_lookup(const char *name, struct path *res);
bool ipn_glue_path_is_sock(const struct path *path);
unsigned long ipn_glue_path_key(const struct path *path);
int ipn_glue_path_permission(const struct path *path, int mask);
bool ipn_glue_path_owner(const struct path *path);
int ipn_glue_path_name(const struct path *path, char *buf, int len);
void ipn_glue_path_stat(const struct path *path, u64 *ino, u32 *dev,
			u32 *uid, u32 *mode);
unsigned long ipn_glue_compat_ptr(unsigned long arg);
int ipn_glue_queue_rcv(struct sock *sk, struct sk_buff *skb,
		       unsigned int limit);
bool ipn_glue_rcv_room(const struct sock *sk, unsigned int limit);
void ipn_glue_sk_drops_inc(struct sock *sk);
void ipn_glue_state_change(struct sock *sk);
long ipn_glue_sndtimeo(const struct sock *sk, bool noblock);
void ipn_glue_sigpipe(void);
int ipn_glue_request_policy(int protocol);
void ipn_glue_bh_disable(void);
void ipn_glue_stamp(struct sk_buff *skb, int port, bool task);
bool ipn_meta_settle(struct sk_buff *skb);
void ipn_meta_set_owner(struct sk_buff *skb, struct sock *sk, bool cred);
int ipn_glue_queue_oob(struct sock *sk, struct sk_buff *skb,
		       unsigned int limit, bool numnodes);
int ipn_glue_queue_numnodes(struct sock *sk);
bool ipn_glue_oob_first(struct sock *sk);
struct sk_buff *ipn_glue_recv_oob(struct sock *sk, bool peek);
int ipn_glue_skb_kind(const struct sk_buff *skb);
bool ipn_glue_skb_stamped(const struct sk_buff *skb);
void ipn_glue_recv_meta(struct sock *sk, struct msghdr *msg,
			const struct sk_buff *skb);
int ipn_glue_copy_to_msg(struct msghdr *msg, const void *data, int len);
int ipn_glue_setsockopt_socket(struct socket *sock, int optname,
			       sockptr_t optval, unsigned int optlen);
void ipn_glue_custom_sockopt(struct socket *sock);
void ipn_glue_bh_enable(void);

struct ipn_timer;
struct ipn_timer *ipn_glue_timer_new(void);
void ipn_glue_timer_bind(struct ipn_timer *t, void (*fn)(void *ctx),
			 void *ctx);
void ipn_glue_timer_arm(struct ipn_timer *t, unsigned int ms);
void ipn_glue_timer_stop(struct ipn_timer *t);
void ipn_glue_timer_free(struct ipn_timer *t);

int ipn_glue_family(void);
/* Sizes and offsets as the Rust layer's bindings have them. */
struct ipn_sock_layout {
	size_t sock_size, prot, rcv_queue, shutdown, allocation, destruct;
	size_t proto_size, proto_obj_size, proto_owner, proto_name;
};

bool ipn_glue_sock_layout(const struct ipn_sock_layout *l);
void ipn_glue_sock_hold(struct sock *sk);
void ipn_glue_sock_put(struct sock *sk);
struct net *ipn_glue_sock_net(const struct sock *sk);
void ipn_glue_sock_orphan(struct sock *sk);
struct sk_buff *ipn_glue_sock_alloc_send_skb(struct sock *sk,
					     unsigned long size, bool noblock,
					     int *err);
void ipn_glue_skb_queue_purge(struct sk_buff_head *list);
int ipn_glue_skb_copy_datagram_msg(const struct sk_buff *from,
				   struct msghdr *msg, int len);
int ipn_glue_memcpy_from_msg(void *data, struct msghdr *msg, int len);
void ipn_glue_dev_hold(struct net_device *dev);
void ipn_glue_dev_put(struct net_device *dev);

struct net_device *ipn_glue_tap_create(struct net *net, const char *name,
				       unsigned int frame_len, void *owner,
				       int *err);
void ipn_glue_tap_destroy(struct net_device *dev);
void ipn_glue_netdev_name(struct net_device *dev, char *name);
struct net_device *ipn_glue_netdev_lookup(struct net *net, const char *name,
					  int ifindex);
void ipn_glue_netdev_out(struct net_device *dev, struct sk_buff *skb);
bool ipn_glue_skb_fits(const struct sk_buff *skb, unsigned int max);
struct sk_buff *ipn_glue_skb_flatten(struct sk_buff *skb);
struct sk_buff *ipn_glue_skb_unlink(struct sk_buff *skb);
bool ipn_glue_vnet_fits(const struct sk_buff *skb);
int ipn_glue_vnet_put(const struct sk_buff *skb, struct msghdr *msg,
		      int hdr_len);
struct sk_buff *ipn_glue_vnet_alloc_send(struct sock *sk, struct msghdr *msg,
					 size_t len, int hdr_len,
					 unsigned int mtu, bool noblock,
					 int *err);
struct net_device *ipn_glue_grab(struct net *net, const char *name,
				 void *owner, int *err);
void ipn_glue_grab_release(struct net_device *dev);
int ipn_glue_netdev_init(void);
void ipn_glue_netdev_exit(void);
void ipn_glue_rtnl_lock(void);
void ipn_glue_rtnl_unlock(void);
void ipn_glue_module_get(void);
void ipn_glue_module_put(void);

struct netlink_callback;
struct nlmsghdr;
int ipn_glue_diag_register(int family,
			   int (*check)(const void *req, int len),
			   int (*dump)(struct sk_buff *skb, void *cb));
void ipn_glue_diag_unregister(void);
const void *ipn_glue_diag_request(struct netlink_callback *cb, int *len);
long *ipn_glue_diag_args(struct netlink_callback *cb);
struct net *ipn_glue_diag_net(struct sk_buff *skb);
u32 ipn_glue_diag_uid(struct sk_buff *skb, u32 kuid);
struct nlmsghdr *ipn_glue_diag_put(struct sk_buff *skb,
				   struct netlink_callback *cb, int hdrlen,
				   void **data);
void ipn_glue_diag_end(struct sk_buff *skb, struct nlmsghdr *nlh);
void ipn_glue_diag_cancel(struct sk_buff *skb, struct nlmsghdr *nlh);
int ipn_glue_diag_put_attr(struct sk_buff *skb, int type, int len,
			   const void *data);
int ipn_glue_diag_meminfo(struct sock *sk, struct sk_buff *skb, int type);
void ipn_glue_sock_id(struct sock *sk, u32 *ino, u32 *cookie, u32 *uid);
void ipn_glue_sock_rqueue(const struct sock *sk, u32 *msgs, u32 *bytes);
bool ipn_glue_netdev_in_net(const struct net_device *dev,
			    const struct net *net);
int ipn_glue_netdev_ifindex(const struct net_device *dev);

struct seq_file;
int ipn_glue_proc_register(int (*show)(struct seq_file *m, struct net *net));
void ipn_glue_proc_unregister(void);
u32 ipn_glue_seq_uid(struct seq_file *m, u32 kuid);

/* Implemented in Rust (netdev.rs), called by the devices' glue. */
bool ipn_netdev_xmit(void *owner, struct sk_buff *skb);
void ipn_netdev_gone(void *owner);
void ipn_netdev_release(void *owner);

#endif
