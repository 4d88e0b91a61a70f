// SPDX-License-Identifier: GPL-2.0
/*
 * Interfaces on AF_IPN networks: taps (IPN_CONN_NETDEV), who may make
 * them, persistent ones, deletion with ip link, grabbed interfaces; and
 * the tests of the "policy" fixture, which run on a hub and on a switch.
 */
#include "ipn_lib.h"

#include <arpa/inet.h>
#include <sched.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/prctl.h>

static const unsigned char test_frame[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
	0x88, 0xb5, 'h', 'e', 'l', 'l', 'o',
};

TEST(tap_create)
{
	const char *p = tpath("net");
	char name[IFNAMSIZ];
	int b, b2;

	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipntest0", IPN_NODEFLAG_TAP, name));
	ASSERT_TRUE(!strcmp(name, "ipntest0"))
		TH_LOG("interface named %s", name);
	ASSERT_TRUE(iface_exists("ipntest0"))
		TH_LOG("no /sys/class/net/ipntest0");
	/* An empty name gives ipn%d, and the caller learns it. */
	TRY(conn_tap(b, "", IPN_NODEFLAG_TAP, name));
	ASSERT_TRUE(!strncmp(name, "ipn", 3) && name[3] >= '0' &&
		    name[3] <= '9')
		TH_LOG("default name %s", name);
	ASSERT_TRUE(iface_exists(name))
		TH_LOG("no /sys/class/net/%s", name);
	/* A taken name. */
	b2 = TRY(ipn_socket());
	TRY(ipn_bind(b2, p));
	ASSERT_ERRNO(EEXIST, conn_tap(b2, "ipntest0", IPN_NODEFLAG_TAP, NULL),
		     "a second interface named ipntest0");
	close(b2);
	/* The interfaces go with the socket that made them, within 300 ms. */
	close(b);
	(void)wait_until(!iface_exists("ipntest0") && !iface_exists(name),
			 300);
	ASSERT_TRUE(!iface_exists("ipntest0"))
		TH_LOG("ipntest0 outlived its socket");
	ASSERT_TRUE(!iface_exists(name))
		TH_LOG("%s outlived its socket", name);
}

static int tap_unprivileged_child(struct __test_metadata *_metadata, void *arg)
{
	const char *p = arg;
	int b;

	become_nobody(_metadata);
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	ASSERT_ERRNO(EPERM, conn_tap(b, "ipnnobody", IPN_NODEFLAG_TAP, NULL),
		     "IPN_CONN_NETDEV without CAP_NET_ADMIN");
	ASSERT_ERRNO(EPERM, conn_tap(b, "lo", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing without CAP_NET_ADMIN");
	ASSERT_ERRNO(EPERM, netdev_ioctl(b, IPN_JOIN_NETDEV, "lo", 0),
		     "IPN_JOIN_NETDEV without CAP_NET_ADMIN");
	ASSERT_ERRNO(EPERM, netdev_ioctl(b, IPN_SETPERSIST_NETDEV, "lo", 0),
		     "IPN_SETPERSIST_NETDEV without CAP_NET_ADMIN");
	ASSERT_ERRNO(EPERM, netdev_ioctl(b, IPN_CLRPERSIST_NETDEV, "lo", 0),
		     "IPN_CLRPERSIST_NETDEV without CAP_NET_ADMIN");
	ASSERT_ERRNO(EPERM, ioctl(b, IPN_SETPERSIST, 1),
		     "IPN_SETPERSIST without CAP_NET_ADMIN");
	return 0;
}

TEST(tap_errors)
{
	const char *p = tpath("net");
	int s, b, c;

	s = TRY(ipn_socket());
	ASSERT_ERRNO(ENOTCONN, conn_tap(s, "ipnx", IPN_NODEFLAG_TAP, NULL),
		     "IPN_CONN_NETDEV on an unbound socket");
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	c = TRY(net_join(p));
	ASSERT_ERRNO(EPERM, conn_tap(c, "ipnx", IPN_NODEFLAG_TAP, NULL),
		     "IPN_CONN_NETDEV on a socket that only connected");
	ASSERT_ERRNO(EINVAL, conn_tap(b, "ipnx", 0, NULL),
		     "IPN_CONN_NETDEV without TAP or GRAB");
	ASSERT_ERRNO(EINVAL, conn_tap(b, "ipnx", IPN_NODEFLAG_TAP |
				      IPN_NODEFLAG_GRAB, NULL),
		     "IPN_CONN_NETDEV with TAP and GRAB");
	ASSERT_ERRNO(EINVAL, conn_tap(b, "bad name", IPN_NODEFLAG_TAP, NULL),
		     "IPN_CONN_NETDEV with an invalid name");
	ASSERT_ERRNO(EFAULT, ioctl(b, IPN_CONN_NETDEV, (void *)8),
		     "IPN_CONN_NETDEV with a bad pointer");
	ASSERT_TRUE(!iface_exists("ipnx"))
		TH_LOG("ipnx exists after failed attempts");
	ASSERT_EQ(0, reap(TRY(spawn(_metadata, tap_unprivileged_child,
				    (void *)tpath("nobody"))),
			  "unprivileged process"));
}

/*
 * Capabilities count in the user namespace that owns the socket's network
 * namespace: an unprivileged user is root of a namespace of its own.
 */
static int tap_userns_child(struct __test_metadata *_metadata, void *arg)
{
	const char *p = arg;
	char q[PATH_MAX];
	int b0, b;

	become_nobody(_metadata);
	/* setuid() made /proc/self root's; the id maps are written there. */
	TRY(prctl(PR_SET_DUMPABLE, 1));
	b0 = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(unshare(CLONE_NEWUSER | CLONE_NEWNET));
	TRY(write_file("/proc/self/setgroups", "deny"));
	TRY(write_file("/proc/self/uid_map", "0 65534 1"));
	TRY(write_file("/proc/self/gid_map", "0 65534 1"));
	/* Root here, but the first socket's namespace is the initial one. */
	ASSERT_ERRNO(EPERM, conn_tap(b0, "ipnu0", IPN_NODEFLAG_TAP, NULL),
		     "a tap in the initial namespace from a user namespace");
	snprintf(q, sizeof(q), "%s2", p);
	b = TRY(net_create(q, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnu0", IPN_NODEFLAG_TAP, NULL));
	ASSERT_TRUE(if_nametoindex("ipnu0") > 0)
		TH_LOG("no ipnu0 in the new namespace");
	TRY(ioctl(b, IPN_SETPERSIST, 1));
	TRY(netdev_ioctl(b, IPN_CLRPERSIST_NETDEV, "ipnu0", 0));
	ASSERT_ERRNO(EPERM, netdev_ioctl(b0, IPN_SETPERSIST_NETDEV, "ipnu0", 0),
		     "IPN_SETPERSIST_NETDEV in the initial namespace");
	return 0;
}

TEST(tap_user_namespace)
{
	ASSERT_EQ(0, reap(TRY(spawn(_metadata, tap_userns_child,
				    (void *)tpath("userns"))),
			  "process in a user namespace"));
	ASSERT_TRUE(!iface_exists("ipnu0"))
		TH_LOG("ipnu0 showed up in the initial namespace");
}

/*
 * An interface sends and receives on its network: putting one there needs
 * the r and w rights besides x, or a user in a namespace of its own (where
 * it has CAP_NET_ADMIN) could read and write through a tap what the node's
 * mode denies it.
 */
static int tap_rights_child(struct __test_metadata *_metadata, void *arg)
{
	static const int modes[] = { 0111, 0333, 0555 };
	const char *p = arg;
	char q[PATH_MAX];
	unsigned int i;
	int b;

	become_nobody(_metadata);
	TRY(prctl(PR_SET_DUMPABLE, 1));
	TRY(unshare(CLONE_NEWUSER | CLONE_NEWNET));
	TRY(write_file("/proc/self/setgroups", "deny"));
	TRY(write_file("/proc/self/uid_map", "0 65534 1"));
	TRY(write_file("/proc/self/gid_map", "0 65534 1"));
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		snprintf(q, sizeof(q), "%s%o", p, modes[i]);
		b = TRY(socket(ipn_family(), SOCK_RAW, IPN_BROADCAST));
		TRY(ipn_bind(b, q));
		ASSERT_ERRNO(EACCES,
			     conn_tap(b, "ipnr0", IPN_NODEFLAG_TAP, NULL),
			     "a tap on a network without r or w");
		ASSERT_ERRNO(EACCES, conn_tap(b, "lo", IPN_NODEFLAG_GRAB, NULL),
			     "a grab on a network without r or w");
		close(b);
	}
	snprintf(q, sizeof(q), "%s777", p);
	b = TRY(socket(ipn_family(), SOCK_RAW, IPN_BROADCAST));
	TRY(ipn_bind(b, q));
	TRY(conn_tap(b, "ipnr0", IPN_NODEFLAG_TAP, NULL));
	return 0;
}

TEST(tap_needs_rw)
{
	static const int modes[] = { 0111, 0333, 0555, 0777 };
	const char *p = tpath("rights");
	char q[PATH_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		snprintf(q, sizeof(q), "%s%o", p, modes[i]);
		TRY(net_create(q, &(struct netopts){ .set_mode = true,
			.mode = modes[i], .bind_only = true }));
	}
	ASSERT_EQ(0, reap(TRY(spawn(_metadata, tap_rights_child, (void *)p)),
			  "process in a user namespace"));
}

/* SIOCGIFHWADDR/SIOCSIFHWADDR of @name through the AF_IPN socket @s. */
static int hwaddr(int s, unsigned long cmd, const char *name,
		  unsigned char *mac)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_hwaddr.sa_family = 1;	/* ARPHRD_ETHER */
	if (cmd == SIOCSIFHWADDR)
		memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (ioctl(s, cmd, &ifr) < 0)
		return -1;
	if (cmd == SIOCGIFHWADDR)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int hwaddr_nobody_child(struct __test_metadata *_metadata, void *arg)
{
	unsigned char mac[6] = { 0x02, 0x66, 0, 0, 0, 1 };
	int s;

	(void)arg;
	become_nobody(_metadata);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(EPERM, hwaddr(s, SIOCSIFHWADDR, "ipnhw0", mac),
		     "SIOCSIFHWADDR without CAP_NET_ADMIN");
	return 0;
}

/* A tap's address: random, locally administered, and settable by admins. */
TEST(tap_hwaddr)
{
	static const unsigned char want[6] = {
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
	};
	unsigned char mac[6], got[6];
	int b;

	b = TRY(net_create(tpath("net"), &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnhw0", IPN_NODEFLAG_TAP, NULL));
	TRY(hwaddr(b, SIOCGIFHWADDR, "ipnhw0", mac));
	ASSERT_TRUE((mac[0] & 0x03) == 0x02)
		TH_LOG("address %02x:%02x:... is not locally administered unicast",
		       mac[0], mac[1]);
	memcpy(mac, want, sizeof(want));
	TRY(hwaddr(b, SIOCSIFHWADDR, "ipnhw0", mac));
	TRY(hwaddr(b, SIOCGIFHWADDR, "ipnhw0", got));
	ASSERT_TRUE(!memcmp(got, want, sizeof(want)))
		TH_LOG("SIOCSIFHWADDR did not stick");
	mac[0] = 0x01;
	ASSERT_ERRNO(EADDRNOTAVAIL, hwaddr(b, SIOCSIFHWADDR, "ipnhw0", mac),
		     "SIOCSIFHWADDR to a multicast address");
	ASSERT_EQ(0, reap(TRY(spawn(_metadata, hwaddr_nobody_child, NULL)),
			  "unprivileged process"));
	TRY(hwaddr(b, SIOCGIFHWADDR, "ipnhw0", got));
	ASSERT_TRUE(!memcmp(got, want, sizeof(want)))
		TH_LOG("an unprivileged user changed it");
}

/*
 * A frame from the network longer than the tap's MTU allows does not reach
 * the host's stack: it is dropped and counted.
 */
TEST(tap_rx_oversize)
{
	const char *p = tpath("net");
	static unsigned char frame[4000];
	long drops, pkts;
	int b, s;

	b = TRY(net_create(p, &(struct netopts){ .mtu = 9000,
						 .bind_only = true }));
	TRY(conn_tap(b, "ipnos0", IPN_NODEFLAG_TAP, NULL));
	ASSERT_EQ(0, sh("ip link set ipnos0 mtu 1500 && ip link set ipnos0 up"))
		TH_LOG("ip link set ipnos0");
	s = TRY(net_join(p));
	memset(frame, 0xff, 6);			/* broadcast */
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	/* IPv4, with a header IP drops: an unknown type would count in
	 * rx_dropped too.
	 */
	frame[12] = 0x08;
	frame[13] = 0x00;
	drops = iface_attr("ipnos0", "statistics/rx_dropped");
	pkts = iface_attr("ipnos0", "statistics/rx_packets");
	ASSERT_VAL(1514, send(s, frame, 1514, 0), "send a 1514-byte frame");
	ASSERT_VAL(sizeof(frame), send(s, frame, sizeof(frame), 0),
		   "send a 4000-byte frame");
	/* Within 1.1 s, one up the stack and one dropped. */
	(void)wait_until(iface_attr("ipnos0", "statistics/rx_packets") != pkts &&
			 iface_attr("ipnos0", "statistics/rx_dropped") != drops,
			 1100);
	ASSERT_VAL(pkts + 1, iface_attr("ipnos0", "statistics/rx_packets"),
		   "frames up the tap's stack");
	ASSERT_VAL(drops + 1, iface_attr("ipnos0", "statistics/rx_dropped"),
		   "frames dropped for their length");
	close(s);
	close(b);
}

/*
 * IPN_SETPERSIST keeps an interface, and its network, after its socket
 * closes; IPN_JOIN_NETDEV takes control of it again.
 */
TEST(persist_rejoin)
{
	const char *p = tpath("net"), *q = tpath("other");
	int b, b2, b3, bq, c, s;
	long before;

	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnp0", IPN_NODEFLAG_TAP, NULL));
	TRY(ioctl(b, IPN_SETPERSIST, 1));
	close(b);
	/* What must not happen has no event to wait for: 200 ms for it. */
	msleep(200);
	ASSERT_TRUE(iface_exists("ipnp0"))
		TH_LOG("the persistent tap went with its socket");
	/* The network stays too: a socket joins it and reaches the tap. */
	c = TRY(net_join(p));
	TRY(iface_up("ipnp0"));
	before = iface_stat("ipnp0", "rx_packets");
	ASSERT_VAL((ssize_t)sizeof(test_frame),
		   send(c, test_frame, sizeof(test_frame), 0),
		   "send to the persistent tap");
	(void)wait_until(iface_stat("ipnp0", "rx_packets") != before, 100);
	ASSERT_VAL(before + 1, iface_stat("ipnp0", "rx_packets"),
		   "rx_packets of the persistent tap");
	/* A bound socket takes control of it; one socket at a time. */
	b2 = TRY(ipn_socket());
	TRY(ipn_bind(b2, p));
	TRY(netdev_ioctl(b2, IPN_JOIN_NETDEV, "ipnp0", 0));
	b3 = TRY(ipn_socket());
	TRY(ipn_bind(b3, p));
	ASSERT_ERRNO(EBUSY, netdev_ioctl(b3, IPN_JOIN_NETDEV, "ipnp0", 0),
		     "IPN_JOIN_NETDEV of an interface another socket controls");
	ASSERT_ERRNO(ENODEV, netdev_ioctl(b3, IPN_JOIN_NETDEV, "ipnnosuch", 0),
		     "IPN_JOIN_NETDEV of no interface");
	ASSERT_ERRNO(EADDRNOTAVAIL, netdev_ioctl(b3, IPN_JOIN_NETDEV, "lo", 0),
		     "IPN_JOIN_NETDEV of an interface that is no IPN port");
	ASSERT_ERRNO(EPERM, netdev_ioctl(c, IPN_JOIN_NETDEV, "ipnp0", 0),
		     "IPN_JOIN_NETDEV on a socket that only connected");
	bq = TRY(net_create(q, &(struct netopts){ .bind_only = true }));
	ASSERT_ERRNO(EADDRNOTAVAIL,
		     netdev_ioctl(bq, IPN_JOIN_NETDEV, "ipnp0", 0),
		     "IPN_JOIN_NETDEV of another network's port");
	close(bq);
	close(b3);
	/* Still persistent after the joined socket closes. */
	close(b2);
	msleep(200);	/* as above */
	ASSERT_TRUE(iface_exists("ipnp0"))
		TH_LOG("the rejoined tap went with its socket");
	/* Joined again and made transient, it goes with the socket. */
	b2 = TRY(ipn_socket());
	TRY(ipn_bind(b2, p));
	TRY(netdev_ioctl(b2, IPN_JOIN_NETDEV, NULL,
			 (int)if_nametoindex("ipnp0")));
	TRY(ioctl(b2, IPN_SETPERSIST, 0));
	close(b2);
	ASSERT_TRUE(iface_gone("ipnp0"))
		TH_LOG("ipnp0 outlived its socket once transient");
	/* With its last user gone, so is the network. */
	close(c);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, p),
		     "connect once the interface and every socket went");
}

/* The administrator's IPN_SETPERSIST_NETDEV and IPN_CLRPERSIST_NETDEV. */
TEST(persist_netdev)
{
	const char *p = tpath("net");
	int b, s;

	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnp1", IPN_NODEFLAG_TAP, NULL));
	/* Any AF_IPN socket will do, even an unbound one. */
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ENODEV, ioctl(s, IPN_SETPERSIST, 1),
		     "IPN_SETPERSIST on a socket without interfaces");
	TRY(netdev_ioctl(s, IPN_SETPERSIST_NETDEV, "ipnp1", 0));
	close(b);
	/* What must not happen has no event to wait for: 200 ms for it. */
	msleep(200);
	ASSERT_TRUE(iface_exists("ipnp1"))
		TH_LOG("ipnp1 went despite IPN_SETPERSIST_NETDEV");
	/* Cleared on an interface no socket controls, it goes at once. */
	TRY(netdev_ioctl(s, IPN_CLRPERSIST_NETDEV, NULL,
			 (int)if_nametoindex("ipnp1")));
	ASSERT_TRUE(iface_gone("ipnp1"))
		TH_LOG("ipnp1 stayed after IPN_CLRPERSIST_NETDEV");
	ASSERT_ERRNO(ENODEV, netdev_ioctl(s, IPN_SETPERSIST_NETDEV, "ipnp1", 0),
		     "IPN_SETPERSIST_NETDEV of a deleted interface");
	ASSERT_ERRNO(EADDRNOTAVAIL,
		     netdev_ioctl(s, IPN_SETPERSIST_NETDEV, "lo", 0),
		     "IPN_SETPERSIST_NETDEV of a non-IPN interface");
	ASSERT_ERRNO(EFAULT, ioctl(s, IPN_SETPERSIST_NETDEV, (void *)8),
		     "IPN_SETPERSIST_NETDEV with a bad pointer");
}

/* "ip link del" removes an IPN interface cleanly, persistent or not. */
TEST(persist_link_del)
{
	const char *p = tpath("net");
	int b, c, d, s;

	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnp2", IPN_NODEFLAG_TAP, NULL));
	TRY(ioctl(b, IPN_SETPERSIST, 1));
	close(b);
	ASSERT_VAL(0, sh("ip link del ipnp2"),
		   "ip link del of a persistent tap");
	ASSERT_TRUE(iface_gone("ipnp2"))
		TH_LOG("ipnp2 is still there");
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, p),
		     "connect once the only interface was deleted");
	close(s);
	/* Deleted under its socket, the network goes on without it. */
	unlink(p);
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnp3", IPN_NODEFLAG_TAP, NULL));
	c = TRY(net_join(p));
	ASSERT_VAL(0, sh("ip link del ipnp3"), "ip link del of a tap in use");
	ASSERT_TRUE(iface_gone("ipnp3"))
		TH_LOG("ipnp3 is still there");
	d = TRY(net_join(p));
	send_str(_metadata, d, "after");
	expect_str(_metadata, c, "after", "c");
	ASSERT_ERRNO(ENODEV, ioctl(b, IPN_SETPERSIST, 1),
		     "IPN_SETPERSIST once the socket's interface was deleted");
	close(b);
	/* IPN interfaces come from IPN_CONN_NETDEV only. */
	ASSERT_TRUE(sh("ip link add ipnp4 type ipn") != 0)
		TH_LOG("ip link add type ipn succeeded");
	ASSERT_TRUE(!iface_exists("ipnp4"))
		TH_LOG("ip link add made ipnp4");
}

struct flood {
	const char *name;
	int ready_w;	/* a byte once the first frame went */
};

/* Sends frames out of the interface @arg->name until it is gone. */
static int flood_iface_child(struct __test_metadata *_metadata, void *arg)
{
	struct flood *c = arg;
	unsigned char frame[64];
	struct sockaddr_ll ll;
	unsigned int n;
	int pk, e;

	/* The deleting process must get its share of the CPUs. */
	errno = 0;
	e = nice(10) < 0 ? errno : 0;
	ASSERT_EQ(0, e)
		TH_LOG("nice: %s", errstr(e));
	pk = TRY(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = (int)if_nametoindex(c->name);
	if (!ll.sll_ifindex)
		return 0;
	memset(frame, 0, sizeof(frame));
	memcpy(frame, test_frame, sizeof(test_frame));
	for (n = 0;; n++) {
		/* New source addresses keep the switch learning. */
		frame[10] = (unsigned char)(n >> 8);
		frame[11] = (unsigned char)n;
		if (sendto(pk, frame, sizeof(frame), 0, (struct sockaddr *)&ll,
			   sizeof(ll)) < 0 && errno != ENOBUFS)
			return 0;
		if (!n && write(c->ready_w, "f", 1) != 1)
			return -1;
	}
}

/*
 * "ip link del" of a persistent tap that is the last user of a switch
 * network, while other CPUs transmit through it: the network goes, and
 * its policy's data with it, only once no transmit is still inside it
 * (KASAN watches the console).
 */
TEST(tap_dellink_under_traffic)
{
	const char *p = tpath("net");
	struct flood f = { .name = "ipnd0" };
	long long t0 = now_ms();
	int i, j, b, ready[2];
	pid_t tx[2];

	/* Each round costs seconds on an emulated debug kernel. */
	for (i = 0; i < 10 && now_ms() - t0 < 8000; i++) {
		unlink(p);
		b = TRY(net_create_proto(p, IPN_VDESWITCH, &(struct netopts){
						 .bind_only = true }));
		TRY(conn_tap(b, "ipnd0", IPN_NODEFLAG_TAP, NULL));
		TRY(ioctl(b, IPN_SETPERSIST, 1));
		close(b);
		TRY(iface_up("ipnd0"));
		TRY(pipe(ready));
		f.ready_w = ready[1];
		for (j = 0; j < 2; j++)
			tx[j] = TRY(spawn(_metadata, flood_iface_child, &f));
		close(ready[1]);
		/* Until both send (or gave up). */
		for (j = 0; j < 2; j++)
			read_byte_timeout(ready[0], 5000);
		close(ready[0]);
		ASSERT_VAL(0, sh("ip link del ipnd0"),
			   "ip link del under traffic");
		for (j = 0; j < 2; j++)
			ASSERT_EQ(0, reap(tx[j], "sender through the tap"));
	}
	TH_LOG("%d rounds in %lld ms", i, now_ms() - t0);
}

/* What cannot be grabbed, and what a grab does to the interface. */
TEST(grab_errors)
{
	const char *p = tpath("net"), *q = tpath("other");
	char name[IFNAMSIZ];
	int b, bq;

	sh("ip link del ipng0; ip link del ipng2; ip link del ipnbr0");
	ASSERT_EQ(0, sh("ip link add ipng0 type veth"))
		TH_LOG("no veth");
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	ASSERT_ERRNO(EINVAL, conn_tap(b, "lo", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing loopback");
	ASSERT_ERRNO(ENODEV, conn_tap(b, "ipnnosuch", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing no interface");
	ASSERT_ERRNO(EINVAL, conn_tap(b, "", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing without a name");
	TRY(conn_tap(b, "ipnt9", IPN_NODEFLAG_TAP, NULL));
	ASSERT_ERRNO(EBUSY, conn_tap(b, "ipnt9", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing an IPN tap");
	TRY(conn_tap(b, "ipng0", IPN_NODEFLAG_GRAB, name));
	ASSERT_TRUE(!strcmp(name, "ipng0"))
		TH_LOG("grabbed %s", name);
	ASSERT_TRUE(iface_attr("ipng0", "flags") & IFF_PROMISC)
		TH_LOG("a grabbed interface is not promiscuous");
	bq = TRY(net_create(q, &(struct netopts){ .bind_only = true }));
	ASSERT_ERRNO(EBUSY, conn_tap(bq, "ipng0", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing a grabbed interface");
	/* A bridge port has an rx_handler: the two exclude each other. */
	ASSERT_EQ(0, sh("ip link add ipng2 type veth && ip link add ipnbr0 type bridge"
			" && ip link set ipng2 master ipnbr0"))
		TH_LOG("no bridge");
	ASSERT_ERRNO(EBUSY, conn_tap(bq, "ipng2", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing a bridge port");
	ASSERT_TRUE(sh("ip link set ipng0 master ipnbr0") != 0)
		TH_LOG("a grabbed interface became a bridge port");
	close(bq);
	/* Released with its socket, within 200 ms: back to normal. */
	close(b);
	(void)wait_until(!(iface_attr("ipng0", "flags") & IFF_PROMISC), 200);
	ASSERT_TRUE(iface_exists("ipng0"))
		TH_LOG("the grabbed interface was deleted");
	ASSERT_TRUE(!(iface_attr("ipng0", "flags") & IFF_PROMISC))
		TH_LOG("still promiscuous after the grab");
	ASSERT_TRUE(iface_gone("ipnt9"))
		TH_LOG("ipnt9 outlived its socket");
	ASSERT_VAL(0, sh("ip link set ipng0 master ipnbr0"),
		   "bridging the interface after the grab");
	sh("ip link del ipng0; ip link del ipng2; ip link del ipnbr0");
}

/*
 * Stacking that could carry a network's frames back into IPN is refused in
 * both orders: a bridge over a tap cannot be grabbed, and no tap (of this
 * network or another) joins a grabbed bridge.  Built, it deadlocked the
 * switch on its own lock at the first flooded frame.
 */
TEST(grab_stacking)
{
	const char *p = tpath("net"), *q = tpath("other");
	int b, bq;

	sh("ip link del ipnbr1; ip link del ipnbr2");
	b = TRY(net_create_proto(p, IPN_VDESWITCH,
				 &(struct netopts){ .bind_only = true }));
	bq = TRY(net_create(q, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipnlt0", IPN_NODEFLAG_TAP, NULL));
	ASSERT_EQ(0, sh("ip link add ipnbr1 type bridge && ip link add ipnbr2 type bridge"))
		TH_LOG("no bridge");
	ASSERT_VAL(0, sh("ip link set ipnlt0 master ipnbr1"),
		   "a tap becomes a port of an ordinary bridge");
	ASSERT_ERRNO(EBUSY, conn_tap(b, "ipnbr1", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing a bridge over a tap of the same network");
	ASSERT_ERRNO(EBUSY, conn_tap(bq, "ipnbr1", IPN_NODEFLAG_GRAB, NULL),
		     "grabbing a bridge over a tap of another network");
	TRY(conn_tap(b, "ipnbr2", IPN_NODEFLAG_GRAB, NULL));
	TRY(conn_tap(b, "ipnlt1", IPN_NODEFLAG_TAP, NULL));
	TRY(conn_tap(bq, "ipnlt2", IPN_NODEFLAG_TAP, NULL));
	ASSERT_TRUE(sh("ip link set ipnlt1 master ipnbr2") != 0)
		TH_LOG("a tap joined a bridge grabbed into its own network");
	ASSERT_TRUE(sh("ip link set ipnlt2 master ipnbr2") != 0)
		TH_LOG("a tap joined a bridge grabbed into another network");
	close(b);
	close(bq);
	sh("ip link del ipnbr1; ip link del ipnbr2");
}

/* The peer of the veth @name, into @peer. */
static void veth_peer(struct __test_metadata *_metadata, const char *name,
		      char *peer)
{
	long idx = iface_attr(name, "iflink");

	ASSERT_TRUE(idx > 0 && if_indextoname((unsigned int)idx, peer))
		TH_LOG("no peer of %s", name);
}

/* Receive, within RECV_TIMEOUT, a message equal to @want; skip others. */
static void expect_among(struct __test_metadata *_metadata, int s,
			 const void *want, size_t len, const char *who)
{
	long long end = now_ms() + RECV_TIMEOUT;
	bool found = false;
	ssize_t n;

	while (!found && now_ms() < end) {
		n = recv_timeout(s, rxbuf, sizeof(rxbuf), 0,
				 (int)(end - now_ms()));
		found = n == (ssize_t)len && !memcmp(rxbuf, want, len);
		if (n < 0 && errno != EAGAIN)
			break;
	}
	ASSERT_TRUE(found)
		TH_LOG("%s: the frame did not arrive", who);
}

/*
 * The tests that are the same on a hub and on a switch but for the
 * network's policy, the variant's protocol.  Nothing to set up: each
 * makes its own network.
 */
FIXTURE(policy) {
};

FIXTURE_VARIANT(policy) {
	int proto;
};

FIXTURE_VARIANT_ADD(policy, hub) {
	.proto = IPN_BROADCAST,
};

FIXTURE_VARIANT_ADD(policy, switch) {
	.proto = IPN_VDESWITCH,
};

FIXTURE_SETUP(policy)
{
}

FIXTURE_TEARDOWN(policy)
{
}

/* A tap is a port: frames that sockets send reach its host stack. */
TEST_F(policy, tap_port)
{
	const int proto = variant->proto;
	static const unsigned char frame[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
		0x88, 0xb5, 'h', 'e', 'l', 'l', 'o',
	};
	const char *p = tpath("net");
	long before;
	int b, c;

	b = TRY(net_create_proto(p, proto, &(struct netopts){
						 .bind_only = true,
						 .numnodes = 2 }));
	TRY(conn_tap(b, "ipntest1", IPN_NODEFLAG_TAP, NULL));
	c = TRY(net_join_proto(p, proto));
	/* The tap holds one of the two ports. */
	ASSERT_ERRNO(ENOSPC, net_join_proto(p, proto),
		     "a third port on a 2-port network");
	TRY(iface_up("ipntest1"));
	before = iface_stat("ipntest1", "rx_packets");
	ASSERT_VAL((ssize_t)sizeof(frame), send(c, frame, sizeof(frame), 0),
		   "send to the tap's network");
	(void)wait_until(iface_stat("ipntest1", "rx_packets") != before, 100);
	ASSERT_VAL(before + 1, iface_stat("ipntest1", "rx_packets"),
		   "rx_packets of the tap after one frame");
	close(c);
	close(b);
}

/*
 * A grabbed interface is a port: frames of the network leave through it,
 * its received frames enter the network.  Deleting it takes it off the
 * network.
 */
TEST_F(policy, grab_frames)
{
	const int proto = variant->proto;
	unsigned char out[60], in[60];
	const char *p = tpath("net");
	struct sockaddr_ll ll;
	char peer[IFNAMSIZ];
	int b, c, d, pk;

	sh("ip link del ipng4");
	ASSERT_EQ(0, sh("ip link add ipng4 type veth"))
		TH_LOG("no veth");
	veth_peer(_metadata, "ipng4", peer);
	TRY(iface_up("ipng4"));
	TRY(iface_up(peer));
	b = TRY(net_create_proto(p, proto, &(struct netopts){
						 .bind_only = true }));
	TRY(conn_tap(b, "ipng4", IPN_NODEFLAG_GRAB, NULL));
	c = TRY(net_join_proto(p, proto));
	pk = TRY(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = (int)if_nametoindex(peer);
	TRY(bind(pk, (struct sockaddr *)&ll, sizeof(ll)));
	/* Out of the network, through the grabbed end, to its peer. */
	memset(out, 0, sizeof(out));
	memcpy(out, test_frame, sizeof(test_frame));
	out[11] = 0x0a;
	memcpy(out + 14, "from-network", 12);
	ASSERT_VAL((ssize_t)sizeof(out), send(c, out, sizeof(out), 0),
		   "send to the grabbed interface's network");
	expect_among(_metadata, pk, out, sizeof(out),
		     "peer of the grabbed end");
	/* Into the network from the wire. */
	memcpy(in, out, sizeof(in));
	in[11] = 0x0b;
	memcpy(in + 14, "from-the-wire", 13);
	ASSERT_VAL((ssize_t)sizeof(in), sendto(pk, in, sizeof(in), 0,
					       (struct sockaddr *)&ll,
					       sizeof(ll)),
		   "send on the peer");
	expect_among(_metadata, c, in, sizeof(in), "socket on the network");
	close(pk);
	/* Deleted while grabbed: it leaves the network, which goes on. */
	ASSERT_VAL(0, sh("ip link del ipng4"), "ip link del of a grabbed veth");
	ASSERT_TRUE(iface_gone("ipng4"))
		TH_LOG("ipng4 is still there");
	d = TRY(net_join_proto(p, proto));
	memcpy(out + 14, "still-here", 10);
	ASSERT_VAL((ssize_t)sizeof(out), send(d, out, sizeof(out), 0),
		   "send after the deletion");
	expect_among(_metadata, c, out, sizeof(out), "c, after the deletion");
	/* The name can be grabbed again. */
	ASSERT_EQ(0, sh("ip link add ipng4 type veth"))
		TH_LOG("no veth");
	TRY(conn_tap(b, "ipng4", IPN_NODEFLAG_GRAB, NULL));
	close(b);
	(void)wait_until(!(iface_attr("ipng4", "flags") & IFF_PROMISC), 200);
	ASSERT_TRUE(!(iface_attr("ipng4", "flags") & IFF_PROMISC))
		TH_LOG("ipng4 still promiscuous after the grab");
	sh("ip link del ipng4");
	close(c);
	close(d);
}

IPN_HARNESS_MAIN
