/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * AF_IPN socket diagnostics: what IPN networks exist, which sockets and
 * interfaces sit on their ports.
 *
 * Ask a NETLINK_SOCK_DIAG socket with a SOCK_DIAG_BY_FAMILY request,
 * flags NLM_F_REQUEST | NLM_F_DUMP, carrying a struct ipn_diag_req.  The
 * answer is one message per record, each a struct ipn_diag_msg followed
 * by IPN_DIAG_* attributes: first a network's record, then the records of
 * its members (the connected sockets and interfaces in port order, then
 * the sockets that are only bound).  Only dumps are answered: a request without
 * NLM_F_DUMP gets EOPNOTSUPP, a short or malformed one EINVAL.
 *
 * Sockets and interfaces are shown to a dumper in the same network
 * namespace; a network is shown when one of its members is.  As for
 * AF_UNIX (unix_diag), any user may dump.
 */
#ifndef _UAPI_LINUX_IPN_DIAG_H
#define _UAPI_LINUX_IPN_DIAG_H

#include <linux/types.h>

/* Record types (ipn_diag_msg.idiag_type), the bits of idiag_show. */
#define IPN_DIAG_REC_NETWORK	1	/* a network */
#define IPN_DIAG_REC_SOCKET	2	/* a socket, bound or connected */
#define IPN_DIAG_REC_IFACE	4	/* an interface on a port */
#define IPN_DIAG_REC_ALL	(IPN_DIAG_REC_NETWORK | IPN_DIAG_REC_SOCKET | \
				 IPN_DIAG_REC_IFACE)

/*
 * A network is named by its node's inode and device.  The inode is 64
 * bits, as two halves (low first) so that the records, which netlink
 * aligns to 4 bytes only, need no 8-byte alignment.
 */
struct ipn_diag_req {
	__u8	sdiag_family;	/* AF_IPN */
	__u8	sdiag_protocol;	/* only networks of this policy; 0: all */
	__u16	pad;		/* 0 */
	__u32	idiag_show;	/* IPN_DIAG_REC_* records to show; 0: all */
	__u32	idiag_ino;	/* only this socket (inode), and its network */
	__u32	idiag_net_ino[2];	/* only the network of this node ... */
	__u32	idiag_net_dev;	/* ... on this device (new_encode_dev()) */
};

/* Socket states (ipn_diag_msg.idiag_state). */
#define IPN_DIAG_ST_BOUND	1	/* attached for management only */
#define IPN_DIAG_ST_CONNECTED	2	/* on a port */

struct ipn_diag_msg {
	__u8	idiag_family;	/* AF_IPN */
	__u8	idiag_type;	/* IPN_DIAG_REC_* */
	__u8	idiag_protocol;	/* the network's policy */
	__u8	idiag_state;	/* sockets: IPN_DIAG_ST_* */
	__s32	idiag_port;	/* the port, or -1 */
	__u32	idiag_net_ino[2];	/* the network's node: inode, ... */
	__u32	idiag_net_dev;	/* ... and device (new_encode_dev()) */
	__u32	idiag_ino;	/* a socket's inode, an interface's ifindex */
	__u32	idiag_cookie[2];	/* a socket's cookie */
};

/* Attributes after struct ipn_diag_msg. */
enum {
	IPN_DIAG_UNSPEC,
	IPN_DIAG_PATH,		/* string: the network's node, from the dumper's
				 * root; absent outside it, past 2048 bytes */
	IPN_DIAG_PARAMS,	/* struct ipn_diag_params (networks) */
	IPN_DIAG_USERS,		/* __u32: sockets and interfaces holding the network */
	IPN_DIAG_UID,		/* __u32: owner of the node, or of the socket */
	IPN_DIAG_DESCR,		/* string: the socket's IPN_SO_DESCR */
	IPN_DIAG_SHUTDOWN,	/* __u8: the socket's shutdown directions */
	IPN_DIAG_RQLEN,		/* struct ipn_diag_rqlen (sockets) */
	IPN_DIAG_MEMINFO,	/* __u32[SK_MEMINFO_VARS] (sockets), as SO_MEMINFO */
	IPN_DIAG_IFNAME,	/* string: the interface's name */
	IPN_DIAG_IFFLAGS,	/* __u32: IPN_DIAG_IF_* */
	IPN_DIAG_STATS,		/* struct ipn_diag_stats (sockets) */

	__IPN_DIAG_MAX,
};

#define IPN_DIAG_MAX (__IPN_DIAG_MAX - 1)

/* A network's settings (IPN_DIAG_PARAMS). */
struct ipn_diag_params {
	__u32	mtu;
	__u32	numnodes;	/* ports, as now (IPN_SO_CHANGE_NUMNODES) */
	__u32	msgpoolsize;
	__u32	flags;		/* IPN_FLAG_* */
	__u32	mode;		/* the node's permission bits */
	__u32	ports;		/* ports taken */
};

/* A socket's receive queue (IPN_DIAG_RQLEN). */
struct ipn_diag_rqlen {
	__u32	messages;
	__u32	bytes;		/* memory charged, as SK_MEMINFO_RMEM_ALLOC */
};

/* What a socket sent and received (IPN_DIAG_STATS). */
struct ipn_diag_stats {
	__u64	rx_messages;	/* read by the socket's owner */
	__u64	rx_bytes;
	__u64	tx_messages;	/* sent to the network */
	__u64	tx_bytes;
};

/* IPN_DIAG_IFFLAGS */
#define IPN_DIAG_IF_TAP		1	/* a tap that IPN created */
#define IPN_DIAG_IF_GRAB	2	/* an interface of the host, grabbed */
#define IPN_DIAG_IF_PERSIST	4	/* stays when no socket controls it */
#define IPN_DIAG_IF_CONTROLLED	8	/* a socket controls it */

#endif /* _UAPI_LINUX_IPN_DIAG_H */
