// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI of AF_IPN: the header's constants, socket(), the IPN_CHECK
 * ioctl, and Documentation/ipn.rst's table of errors, row by row.
 */
#include "ipn_lib.h"

#include <endian.h>
#include <linux/virtio_net.h>

TEST(uapi_constants)
{
	static const struct constant c[] = {
		{ "AF_IPN", AF_IPN, 46 },
		{ "PF_IPN", PF_IPN, 46 },
		{ "IPN_ANY", IPN_ANY, 0 },
		{ "IPN_BROADCAST", IPN_BROADCAST, 1 },
		{ "IPN_VDESWITCH", IPN_VDESWITCH, 2 },
		{ "SOL_IPN", SOL_IPN, 0 },
		{ "IPN_SO_PORT", IPN_SO_PORT, 0 },
		{ "IPN_SO_DESCR", IPN_SO_DESCR, 1 },
		{ "IPN_SO_CHANGE_NUMNODES", IPN_SO_CHANGE_NUMNODES, 2 },
		{ "IPN_SO_VNET_HDR", IPN_SO_VNET_HDR, 5 },
		{ "IPN_SO_MTU", IPN_SO_MTU, 0x80 },
		{ "IPN_SO_NUMNODES", IPN_SO_NUMNODES, 0x81 },
		{ "IPN_SO_MSGPOOLSIZE", IPN_SO_MSGPOOLSIZE, 0x82 },
		{ "IPN_SO_FLAGS", IPN_SO_FLAGS, 0x83 },
		{ "IPN_SO_MODE", IPN_SO_MODE, 0x84 },
		{ "IPN_DESCRLEN", IPN_DESCRLEN, 128 },
		{ "IPN_PORTNO_ANY", IPN_PORTNO_ANY, -1 },
		{ "IPN_FLAG_LOSSLESS", IPN_FLAG_LOSSLESS, 1 },
		{ "IPN_FLAG_EXCL", IPN_FLAG_EXCL, 2 },
		{ "IPN_FLAG_MASK", IPN_FLAG_MASK, 7 },
		{ "IPN_MTU_MAX", IPN_MTU_MAX, 65535 },
		{ "IPN_NUMNODES_MAX", IPN_NUMNODES_MAX, 4096 },
		{ "IPN_MSGPOOLSIZE_MAX", IPN_MSGPOOLSIZE_MAX, 4096 },
		{ "IPN_CHECK", (long long)IPN_CHECK, 0x400449c7 },
		{ "IPN_CHECK_MAGIC", IPN_CHECK_MAGIC, 0x49504e },
		{ "sizeof(struct sockaddr_un)",
		  (long long)sizeof(struct sockaddr_un), 110 },
	};

	check_constants(_metadata, c, ARRAY_SIZE(c));
}

/*
 * The family number that ipn.ko registered is in sysfs, where programs
 * find it on a kernel without AF_IPN (tools/include/ipn_family.h): 46
 * where the kernel has AF_IPN, a borrowed slot elsewhere, which then is
 * the only number that makes IPN sockets.
 */
TEST(family_param)
{
	char buf[16] = "";
	int fd, family, s, v;
	socklen_t len = sizeof(v);
	ssize_t n;

	fd = TRY(open(IPN_FAMILY_PATH, O_RDONLY));
	n = TRY(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	ASSERT_GT(n, 0);
	family = atoi(buf);
	ASSERT_TRUE(family > 0 && family < 64)
		TH_LOG("%s holds \"%s\"", IPN_FAMILY_PATH, buf);
	s = TRY(socket(family, SOCK_RAW, IPN_BROADCAST));
	TRY(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len));
	ASSERT_VAL(family, v, "SO_DOMAIN");
	ASSERT_VAL(IPN_CHECK_MAGIC, ioctl(s, IPN_CHECK, 0), "IPN_CHECK");
	close(s);
	if (family != AF_IPN)
		ASSERT_ERRNO(EAFNOSUPPORT, socket(AF_IPN, SOCK_RAW, IPN_BROADCAST),
			     "socket(46) on a kernel without AF_IPN");
}

TEST(socket_create)
{
	static const int protos[] = { IPN_BROADCAST, IPN_ANY };
	socklen_t len;
	unsigned int i;
	int s, v;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		s = TRY(socket(ipn_family(), SOCK_RAW, protos[i]));
		len = sizeof(v);
		TRY(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len));
		ASSERT_VAL(ipn_family(), v, "SO_DOMAIN");
		len = sizeof(v);
		TRY(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
		ASSERT_VAL(SOCK_RAW, v, "SO_TYPE");
		close(s);
	}
	s = TRY(socket(ipn_family(), SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPN_BROADCAST));
	v = TRY(fcntl(s, F_GETFL));
	ASSERT_TRUE(v & O_NONBLOCK)
		TH_LOG("SOCK_NONBLOCK was not applied");
	close(s);
}

TEST(socket_bad_type)
{
	ASSERT_ERRNO(EPROTOTYPE, socket(ipn_family(), SOCK_DGRAM, IPN_BROADCAST),
		     "socket(SOCK_DGRAM)");
	ASSERT_ERRNO(EPROTOTYPE, socket(ipn_family(), SOCK_STREAM, IPN_BROADCAST),
		     "socket(SOCK_STREAM)");
	ASSERT_ERRNO(EPROTOTYPE, socket(ipn_family(), SOCK_DGRAM, IPN_ANY),
		     "socket(SOCK_DGRAM, IPN_ANY)");
}

/*
 * IPN_VDESWITCH loads kvde_switch.ko on demand (see switch_autoload); the
 * numbers no module provides, and those out of range, are refused.
 */
TEST(socket_bad_protocol)
{
	static const struct {
		int proto;
		const char *what;
	} bad[] = {
		{ 99, "socket with protocol 99" },
		{ IPN_VDESWITCH_L3, "socket(IPN_VDESWITCH_L3), reserved" },
		{ 256, "socket with protocol 256" },
		{ -1, "socket with protocol -1" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_ERRNO(EPROTONOSUPPORT,
			     socket(ipn_family(), SOCK_RAW, bad[i].proto),
			     bad[i].what);
}

TEST(ioctl_check)
{
	const char *p = tpath("net");
	int s, b, c;

	s = TRY(ipn_socket());
	ASSERT_VAL(IPN_CHECK_MAGIC, ioctl(s, IPN_CHECK, 0),
		   "IPN_CHECK on an unbound socket");
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	ASSERT_VAL(IPN_CHECK_MAGIC, ioctl(b, IPN_CHECK, 0),
		   "IPN_CHECK on a bound socket");
	c = TRY(net_join(p));
	ASSERT_VAL(IPN_CHECK_MAGIC, ioctl(c, IPN_CHECK, 0),
		   "IPN_CHECK on a connected socket");
}

/*
 * Documentation/ipn.rst's table of errors, row by row: ROW(id, errno,
 * call).  tests/run checks that the table and these rows list the same
 * ids with the same errnos.  A row that fails does not stop the others.
 */
#define ROW(id, err, call)	EXPECT_ERRNO(err, call, id)

static int errno_table_child(struct __test_metadata *_metadata, void *arg)
{
	const char *p = arg;
	char q[PATH_MAX];
	int s, m;

	become_nobody(_metadata);
	snprintf(q, sizeof(q), "%s-0", p);
	s = TRY(ipn_socket());
	ROW("connect-rights", EACCES, ipn_connect(s, q));
	snprintf(q, sizeof(q), "%s-666", p);
	ROW("bind-rights", EACCES, ipn_bind(s, q));
	snprintf(q, sizeof(q), "%s-777", p);
	m = TRY(sw_socket());
	TRY(ipn_bind(m, q));
	ROW("ioctl-admin", EPERM, conn_tap(m, "ipnerr0", IPN_NODEFLAG_TAP, NULL));
	ROW("switch-owner", EPERM, sw_set(m, IPN_SWITCH_AGING, 10));
	return 0;
}

TEST(errno_table)
{
	static char big[2000];
	const char *p = tpath("net"), *f = tpath("file");
	char q[PATH_MAX], name[IFNAMSIZ];
	struct sockaddr_un sa;
	int u, b, c, c2, m, x, v = 0;
	socklen_t len;

	/* A network (MTU 1000, 2 ports) with a bound and a connected socket. */
	b = TRY(net_create(p, &(struct netopts){ .mtu = 1000, .numnodes = 2,
						 .bind_only = true }));
	c = TRY(net_join(p));
	u = TRY(ipn_socket());
	TRY(close(TRY(open(f, O_CREAT | O_WRONLY, 0644))));

	ROW("socket-type", EPROTOTYPE, socket(ipn_family(), SOCK_DGRAM, 0));
	ROW("socket-protocol", EPROTONOSUPPORT, socket(ipn_family(), SOCK_RAW, 99));

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = ipn_family();
	ROW("bind-addrlen", EINVAL, bind(u, (struct sockaddr *)&sa, 1));
	ROW("bind-abstract", EINVAL, bind(u, (struct sockaddr *)&sa, sizeof(sa)));
	len = ipn_addr(&sa, tpath("inet"));
	sa.sun_family = AF_INET;
	ROW("bind-family", EAFNOSUPPORT, bind(u, (struct sockaddr *)&sa, len));
	ROW("bind-occupied", EADDRINUSE, ipn_bind(u, f));
	ROW("bind-protocol", EPROTO, ({
		int s = socket(ipn_family(), SOCK_RAW, IPN_VDESWITCH);
		int r = ipn_bind(s, p);
		int e = errno;
		close(s);
		errno = e;
		r;
	}));
	x = TRY(ipn_socket());
	TRY(set_opt(x, IPN_SO_FLAGS, IPN_FLAG_EXCL));
	ROW("bind-excl", EEXIST, ipn_bind(x, p));
	ROW("bind-twice", EINVAL, ipn_bind(b, tpath("other")));

	ROW("connect-noaddr", EDESTADDRREQ, connect(u, NULL, 0));
	ROW("connect-none", ECONNREFUSED, ipn_connect(u, tpath("nothing")));
	ROW("connect-twice", EISCONN, ipn_connect(c, p));
	x = TRY(ipn_socket());
	TRY(set_opt(x, IPN_SO_PORT, 5));
	ROW("connect-port-range", EINVAL, ipn_connect(x, p));
	TRY(set_opt(x, IPN_SO_PORT, 0));
	ROW("connect-port-taken", EADDRINUSE, ipn_connect(x, p));
	c2 = TRY(net_join(p));
	ROW("connect-full", ENOSPC, ipn_connect(TRY(ipn_socket()), p));

	ROW("setsockopt-unknown", ENOPROTOOPT, set_opt(u, 77, 1));
	ROW("setsockopt-level", ENOPROTOOPT,
	    setsockopt(u, 5, IPN_SO_MTU, &v, sizeof(v)));
	ROW("setsockopt-range", EINVAL, set_opt(u, IPN_SO_MTU, 0));
	ROW("setsockopt-after-bind", EISCONN, set_opt(b, IPN_SO_MTU, 1500));
	ROW("setsockopt-descr-unbound", ENOTCONN, set_descr(u, "early"));
	ROW("setsockopt-numnodes-manage", EPERM,
	    set_opt(c, IPN_SO_CHANGE_NUMNODES, 8));
	ROW("setsockopt-numnodes-busy", EADDRINUSE,
	    set_opt(b, IPN_SO_CHANGE_NUMNODES, 1));
	ROW("setsockopt-oob-len", EINVAL,
	    setsockopt(c, SOL_IPN, IPN_SO_HANDLE_OOB, "x", 1));
	ROW("setsockopt-passsec", EOPNOTSUPP,
	    setsockopt(c, SOL_SOCKET, SO_PASSSEC, &v, sizeof(v)));
	ROW("setsockopt-vnet-range", EINVAL, set_opt(u, IPN_SO_VNET_HDR, 11));
	ROW("setsockopt-vnet-connected", EISCONN, set_opt(c, IPN_SO_VNET_HDR, 10));
	len = 1;
	ROW("getsockopt-short", EINVAL,
	    getsockopt(b, SOL_IPN, IPN_SO_MTU, &v, &len));
	len = sizeof(v);
	ROW("getsockopt-unknown", ENOPROTOOPT, getsockopt(b, SOL_IPN, 77, &v, &len));
	ROW("getsockopt-passcred", EOPNOTSUPP,
	    getsockopt(c, SOL_SOCKET, SO_PASSCRED, &v, &len));

	ROW("send-unconnected", ENOTCONN, send(u, "x", 1, 0));
	ROW("send-bound", ENOTCONN, send(b, "x", 1, 0));
	ROW("send-mtu", EOVERFLOW, send(c, big, 1001, 0));
	ROW("send-empty", EINVAL, send(c, big, 0, 0));
	ROW("send-flags", EOPNOTSUPP, send(c, "x", 1, MSG_OOB));
	len = ipn_addr(&sa, p);
	ROW("send-address", EISCONN,
	    sendto(c, "x", 1, 0, (struct sockaddr *)&sa, len));
	ROW("recv-unconnected", ENOTCONN, recv(u, big, 1, MSG_DONTWAIT));
	ROW("recv-empty", EAGAIN, recv(c, big, 1, MSG_DONTWAIT));
	ROW("recv-flags", EOPNOTSUPP, recv(c, big, 1, MSG_ERRQUEUE));
	ROW("recv-oob-unhandled", EINVAL, recv(c, big, 1, MSG_OOB));
	TRY(set_opt(c, IPN_SO_HANDLE_OOB, 1));
	ROW("recv-oob-none", EAGAIN, recv(c, big, 1, MSG_OOB));
	TRY(set_opt(c, IPN_SO_HANDLE_OOB, 0));
	send_str(_metadata, c2, "x");
	ROW("recv-fault", EFAULT, recv(c, (void *)8, 1, MSG_DONTWAIT));
	ROW("shutdown-unconnected", ENOTCONN, shutdown(u, SHUT_WR));
	ROW("shutdown-how", EINVAL, shutdown(c, 7));
	TRY(shutdown(c2, SHUT_WR));
	ROW("send-shut", EPIPE, send(c2, "x", 1, MSG_NOSIGNAL));
	snprintf(q, sizeof(q), "%s-lossless", p);
	x = TRY(net_create(q, &(struct netopts){ .flags = IPN_FLAG_LOSSLESS,
						 .pool = 1 }));
	TRY(net_join(q));
	send_str(_metadata, x, "x");
	ROW("send-lossless-full", EAGAIN, send(x, "x", 1, MSG_DONTWAIT));
	snprintf(q, sizeof(q), "%s-vnet", p);
	x = TRY(ipn_socket());
	TRY(set_opt(x, IPN_SO_VNET_HDR, 10));
	TRY(ipn_bind(x, q));
	TRY(ipn_connect(x, q));
	m = TRY(net_join(q));
	ROW("send-vnet-header", EINVAL, send(x, big, 5, 0));
	ROW("send-vnet-gso-mtu", EOVERFLOW, ({
		/* TCPv4 GSO of 2000-byte segments, MTU 1514. */
		static unsigned char f[10 + 4000];
		struct virtio_net_hdr *h = (void *)f;
		unsigned char *ip = f + 10 + 14;

		f[10 + 12] = 0x08;	/* IPv4 */
		ip[0] = 0x45;
		ip[2] = (4000 - 14) >> 8;
		ip[3] = (4000 - 14) & 0xff;
		ip[9] = 6;		/* TCP */
		ip[20 + 12] = 5 << 4;	/* TCP header of 20 bytes */

		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h->gso_size = htole16(2000);
		h->csum_start = htole16(34);
		h->csum_offset = htole16(16);
		send(x, f, sizeof(f), 0);
	}));
	send_str(_metadata, m, "x");
	ROW("recv-vnet-short", EINVAL, recv(x, big, 4, MSG_DONTWAIT));

	ROW("ioctl-unbound", ENOTCONN, conn_tap(u, "ipnerr0", IPN_NODEFLAG_TAP, NULL));
	ROW("ioctl-connected", EPERM, conn_tap(c, "ipnerr0", IPN_NODEFLAG_TAP, NULL));
	ROW("ioctl-flags", EINVAL, conn_tap(b, "ipnerr0", 0, NULL));
	ROW("ioctl-fault", EFAULT, ioctl(b, IPN_CONN_NETDEV, (void *)8));
	ROW("ioctl-grab-nodev", ENODEV, conn_tap(b, "ipnnosuch", IPN_NODEFLAG_GRAB, NULL));
	ROW("ioctl-grab-loopback", EINVAL, conn_tap(b, "lo", IPN_NODEFLAG_GRAB, NULL));
	ROW("ioctl-join-foreign", EADDRNOTAVAIL, netdev_ioctl(b, IPN_JOIN_NETDEV, "lo", 0));
	ROW("ioctl-persist-none", ENODEV, ioctl(b, IPN_SETPERSIST, 1));
	ROW("ioctl-persist-nodev", ENODEV,
	    netdev_ioctl(b, IPN_SETPERSIST_NETDEV, "ipnnosuch", 0));
	snprintf(q, sizeof(q), "%s-tap", p);
	m = TRY(net_create(q, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(m, "ipnerr1", IPN_NODEFLAG_TAP, name));
	ROW("ioctl-tap-exists", EEXIST, conn_tap(b, "ipnerr1", IPN_NODEFLAG_TAP, NULL));

	/* Rights: as an unprivileged user. */
	snprintf(q, sizeof(q), "%s-0", p);
	TRY(net_create(q, &(struct netopts){ .set_mode = true, .mode = 0,
					     .bind_only = true }));
	snprintf(q, sizeof(q), "%s-666", p);
	TRY(net_create(q, &(struct netopts){ .set_mode = true, .mode = 0666,
					     .bind_only = true }));
	snprintf(q, sizeof(q), "%s-777", p);
	TRY(net_create_proto(q, IPN_VDESWITCH, &(struct netopts){
		.set_mode = true, .mode = 0777, .bind_only = true }));
	EXPECT_EQ(0, reap(TRY(spawn(_metadata, errno_table_child, (void *)p)),
			  "unprivileged rows"));
}

IPN_HARNESS_MAIN
