/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * AF_IPN: Inter Process Networking.
 *
 * An IPN network is named by a filesystem path.  Every socket connected to
 * it behaves as if it sat on one shared bus; the network's delivery policy
 * (hub, Ethernet switch, ...) decides which connected sockets receive each
 * message.  See Documentation/ipn.rst for the full semantics.
 *
 * Addresses are struct sockaddr_un with sun_family = AF_IPN and a
 * filesystem path in sun_path (abstract names are refused).
 */
#ifndef _UAPI_LINUX_IPN_H
#define _UAPI_LINUX_IPN_H

#include <linux/ioctl.h>
#include <linux/socket.h>
#include <linux/types.h>

#ifndef AF_IPN
#define AF_IPN		46
#endif
#ifndef PF_IPN
#define PF_IPN		AF_IPN
#endif

/* Delivery policies: the protocol argument of socket(AF_IPN, SOCK_RAW, p). */
#define IPN_ANY			0	/* the network's, or a hub when creating */
#define IPN_BROADCAST		1	/* hub: to every node but the sender */
#define IPN_HUB			IPN_BROADCAST
#define IPN_VDESWITCH		2	/* Ethernet switch (kvde_switch.ko) */
#define IPN_VDESWITCH_L3	3	/* reserved */

/* Socket option level of the IPN core (setsockopt/getsockopt). */
#define SOL_IPN			0

/*
 * Options that work after bind() or connect().
 */
/* int: port to take at connect (before connect), or the port held (get) */
#define IPN_SO_PORT		0
#define IPN_SO_DESCR		1	/* string, up to IPN_DESCRLEN bytes */
/*
 * int: resize the port table; needs manage (x) rights; EADDRINUSE when
 * shrinking over busy ports
 */
#define IPN_SO_CHANGE_NUMNODES	2
/*
 * Out-of-band messages, int 0 or 1, in any state.  A socket with
 * IPN_SO_HANDLE_OOB receives the out-of-band messages of the core and of
 * the network's policy: each is queued ahead of the data, recvmsg()
 * returns it with MSG_OOB in msg_flags, poll() reports POLLPRI while one
 * is first, and recv(MSG_OOB) reads only those (EAGAIN when none is
 * first; EINVAL without IPN_SO_HANDLE_OOB).  They reach a socket shut for
 * reading, or joined without the r right, too; with IPN_SO_VNET_HDR they
 * start with a header of zeros.  With IPN_SO_WANT_OOB_NUMNODES as well,
 * the socket gets a struct ipn_numnode_oob whenever the number of readers
 * or writers of its network changes, and at once when it asks while
 * connected.  Notices do not pile up: one waits at a time, and reading it
 * gives the numbers as they are then.  "0 or 1": any other value is 1.
 */
#define IPN_SO_HANDLE_OOB	3
#define IPN_SO_WANT_OOB_NUMNODES 4
/*
 * int, before connect() (EISCONN after): 0 (the default), 10 or 12.  Every
 * message sent and received starts with a struct virtio_net_hdr (10) or a
 * struct virtio_net_hdr_mrg_rxbuf (12, num_buffers reads 0), in little
 * endian, as with tun's IFF_VNET_HDR and PACKET_VNET_HDR_SZ: a VM backend
 * passes GSO super-frames (up to 64 KiB) and frames with a checksum left
 * to complete, which the reader without the option gets cut and
 * checksummed.  A bad header gives EINVAL (UFO, VIRTIO_NET_HDR_GSO_UDP,
 * among them: use GSO_UDP_L4); a receive buffer shorter than the header
 * EINVAL, leaving the message queued.  Documentation/ipn.rst has the rules.
 */
#define IPN_SO_VNET_HDR		5

/*
 * Options of a network being created: before bind() or connect() only,
 * EISCONN afterwards.  A socket that binds to an existing network takes
 * that network's values.
 */
#define IPN_SO_PREBIND		0x80
#define IPN_SO_MTU		(IPN_SO_PREBIND | 0)	/* int, default 1514 */
#define IPN_SO_NUMNODES		(IPN_SO_PREBIND | 1)	/* int, default 32 */
#define IPN_SO_MSGPOOLSIZE	(IPN_SO_PREBIND | 2)	/* int, default 8 */
#define IPN_SO_FLAGS		(IPN_SO_PREBIND | 3)	/* int, IPN_FLAG_* */
/* int, default 0777 masked by umask */
#define IPN_SO_MODE		(IPN_SO_PREBIND | 4)

#define IPN_DESCRLEN		128
#define IPN_PORTNO_ANY		-1

/* Limits of the pre-bind options. */
#define IPN_MTU_MIN		1
#define IPN_MTU_MAX		65535
#define IPN_NUMNODES_MAX	4096
#define IPN_MSGPOOLSIZE_MAX	4096

/* IPN_SO_FLAGS */
#define IPN_FLAG_LOSSLESS	1	/* senders wait for the slowest reader */
/* bind fails with EEXIST if the network already exists */
#define IPN_FLAG_EXCL		2
#define IPN_FLAG_FLEXMTU	4	/* reserved */
#define IPN_FLAG_MASK		(IPN_FLAG_LOSSLESS | IPN_FLAG_EXCL | \
				 IPN_FLAG_FLEXMTU)

/* ifr_flags of IPN_CONN_NETDEV */
#define IPN_NODEFLAG_TAP	0x10	/* create a tap-like interface */
#define IPN_NODEFLAG_GRAB	0x20	/* grab an existing interface */

/*
 * ioctls.  The numbers are those of the original IPN ('I', 199..204), so
 * programs built against it keep working.  The size field says int for
 * the same reason, and as TUNSETIFF's does: struct ifreq is 40 bytes for a
 * 64-bit process and 32 for a 32-bit one, so encoding its size would give
 * each its own number.  The argument of IPN_CONN_NETDEV, IPN_JOIN_NETDEV,
 * IPN_SETPERSIST_NETDEV and IPN_CLRPERSIST_NETDEV is a pointer to a
 * struct ifreq, that of IPN_SETPERSIST an int (0 or 1) passed by value.
 */
#define IPN_CHECK		_IOW('I', 199, int)
#define IPN_SETPERSIST_NETDEV	_IOW('I', 200, int)
#define IPN_CLRPERSIST_NETDEV	_IOW('I', 201, int)
#define IPN_CONN_NETDEV		_IOW('I', 202, int)
#define IPN_JOIN_NETDEV		_IOW('I', 203, int)
#define IPN_SETPERSIST		_IOW('I', 204, int)

/* Value IPN_CHECK returns: an AF_IPN socket answers with this magic. */
#define IPN_CHECK_MAGIC		0x49504e

/*
 * Ethernet switch (IPN_VDESWITCH, kvde_switch.ko) options, at level
 * IPN_VDESWITCH.  Setting needs a bound socket (the x right) and ownership
 * of the network's node, as chmod does (EPERM otherwise); reading works
 * from any socket of the network.  Port
 * numbers beyond the table, VLAN ids outside 1..4094 and wrong lengths give
 * EINVAL.
 *
 * Frames are Ethernet frames, at least 14 bytes; shorter ones are dropped.
 * The switch learns (source MAC, VLAN) -> port from every frame except
 * multicast sources, forwards known unicast to its one port, and floods
 * broadcast, multicast and unknown unicast to every port of the frame's
 * VLAN; never back to the port it came from.
 *
 * VLANs (802.1Q): each port has an untagged VLAN (pvid, default 1; 0 means
 * none) and a set of tagged (trunk) VLANs.  An untagged or priority-tagged
 * (VID 0) frame belongs to the pvid of its port, or is dropped if the port
 * has none; a tagged frame is accepted only if its VID is one of the port's
 * trunk VLANs.  A frame leaves a port untagged if its VLAN is the port's
 * pvid, tagged if it is one of its trunk VLANs, and not at all otherwise.
 */
/* set/get struct ipn_switch_vlan: pvid of port (get: fill in .port) */
#define IPN_SWITCH_PORT_VLAN	1
#define IPN_SWITCH_TRUNK_ADD	2	/* set struct ipn_switch_vlan */
#define IPN_SWITCH_TRUNK_DEL	3	/* set struct ipn_switch_vlan */
/* get: put the port (int) in the buffer; returns its trunk VIDs as __u16[] */
#define IPN_SWITCH_PORT_TRUNKS	4
/* set/get int: seconds, 1..1000000, default 300 */
#define IPN_SWITCH_AGING	5
/* set int: forget the MACs learnt on a port, or on all with -1 */
#define IPN_SWITCH_FLUSH	6
/* set/get int: table size, 8..65536, default 4096 */
#define IPN_SWITCH_MAXENTRIES	7
#define IPN_SWITCH_MACTABLE	8	/* get struct ipn_switch_fdb_entry[] */
/* get struct ipn_switch_port_stats[], one per connected port */
#define IPN_SWITCH_PORT_STATS	9
/*
 * Spanning tree: 802.1D STP, as the Linux bridge speaks it, for networks
 * cabled into loops.  Off by default.  On, the switch sends and answers
 * configuration and topology-change BPDUs (untagged, to 01:80:c2:00:00:00)
 * on every connected port, takes in and learns from a port only while it
 * is learning or forwarding, and forwards only between forwarding ports;
 * BPDUs are consumed.  Off, BPDUs are flooded like other multicast.
 */
/* set/get int: 0 off, 1 on */
#define IPN_SWITCH_STP		10
/* set/get struct ipn_switch_stp_bridge */
#define IPN_SWITCH_STP_BRIDGE	11
/* set/get struct ipn_switch_stp_port (get: fill in .port) */
#define IPN_SWITCH_STP_PORT	12
/* get struct ipn_switch_stp_status */
#define IPN_SWITCH_STP_STATUS	13
/* get struct ipn_switch_stp_port_state[], one per connected port */
#define IPN_SWITCH_STP_PORTS	14

#define IPN_SWITCH_AGING_DEFAULT	300
#define IPN_SWITCH_MAXENTRIES_DEFAULT	4096

/* A port's spanning-tree state (the Linux bridge's BR_STATE_ numbers). */
#define IPN_STP_DISABLED	0
#define IPN_STP_LISTENING	1
#define IPN_STP_LEARNING	2
#define IPN_STP_FORWARDING	3
#define IPN_STP_BLOCKING	4
/* Its role. */
#define IPN_STP_ROLE_DISABLED	0
#define IPN_STP_ROLE_ROOT	1	/* towards the root */
#define IPN_STP_ROLE_DESIGNATED	2	/* the way to the root for its segment */
#define IPN_STP_ROLE_ALTERNATE	3	/* blocked: another way exists */

struct ipn_switch_stp_bridge {
	__u16 priority;		/* default 32768 */
	__u16 hello_time;	/* seconds, 1..10, default 2 */
	__u16 max_age;		/* seconds, 6..40, default 20 */
	__u16 forward_delay;	/* seconds, 2..30, default 15 */
};

struct ipn_switch_stp_port {
	__s32 port;
	__u32 path_cost;	/* 1..200000000, default 100 */
	__u8 priority;		/* 0..240, a multiple of 16, default 128 */
	__u8 reserved[3];	/* 0 */
};

/* Identifiers are a priority (2 bytes, big endian) and a MAC address. */
struct ipn_switch_stp_status {
	__u8 bridge_id[8];
	__u8 root_id[8];
	__u32 root_path_cost;
	__s32 root_port;	/* -1: this switch is the root */
	__u16 hello_time;	/* in use: the root's, seconds */
	__u16 max_age;
	__u16 forward_delay;
	__u8 enabled;
	__u8 topology_change;
	__u32 topology_changes;	/* detected since STP was turned on */
};

struct ipn_switch_stp_port_state {
	__s32 port;
	__u8 state;		/* IPN_STP_* */
	__u8 role;		/* IPN_STP_ROLE_* */
	__u16 port_id;		/* priority / 16 << 12 | port + 1 */
	__u32 path_cost;
	__u32 designated_cost;
	__u8 designated_root[8];
	__u8 designated_bridge[8];
	__u16 designated_port;
	__u16 reserved;
};

struct ipn_switch_vlan {
	__s32 port;
	__u16 vlan;
	__u16 reserved;		/* 0 */
};

/*
 * The table is a hash of buckets of 8 entries; when the bucket of a new
 * address is full, its least recently seen entry is replaced, as in
 * hardware switches' address tables.
 */
struct ipn_switch_fdb_entry {
	__u8 mac[6];
	__u16 vlan;
	__s32 port;
	__u32 age_ms;		/* since the address was last seen */
};

struct ipn_switch_port_stats {
	__s32 port;
	__u16 pvid;
	__u16 ntrunks;
	__u64 rx_frames;	/* accepted from the port */
	__u64 rx_bytes;
	__u64 rx_drops;		/* refused: runt, or VLAN not allowed */
	__u64 tx_frames;	/* queued to the port */
	__u64 tx_bytes;
	__u64 tx_drops;		/* not queued: its reader is full or gone */
};

/*
 * The out-of-band notice of IPN_SO_WANT_OOB_NUMNODES.  A reader is a
 * connected socket not shut for reading, a writer one not shut for
 * writing (a socket joined with the r or w right only is one of the two);
 * an interface on a port is both.  A policy's own out-of-band messages
 * start with the same two fields: its protocol number and a tag of its
 * choosing.
 */
#define IPN_OOB_NUMNODE_TAG	0
struct ipn_numnode_oob {
	int level;		/* IPN_ANY: the core's */
	int tag;		/* IPN_OOB_NUMNODE_TAG */
	int numreaders;
	int numwriters;
};
/* The same, under the original IPN's name. */
struct numnode_oob {
	int level;
	int tag;
	int numreaders;
	int numwriters;
};

/*
 * The source address recvmsg() and recvfrom() give (msg_name): the port
 * of the network that the message came from, that of a socket or of an
 * interface, or -1 for the policy's own messages and the core's notices.
 * getsockname() and getpeername() give the network's path instead, as a
 * struct sockaddr_un.
 */
struct sockaddr_ipn {
	__kernel_sa_family_t sipn_family;	/* AF_IPN */
	__u16 sipn_reserved;			/* 0 */
	__s32 sipn_port;
};

#endif /* _UAPI_LINUX_IPN_H */
