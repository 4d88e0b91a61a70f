// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options of AF_IPN (level SOL_IPN): the settings of a network,
 * given before bind, its description, ports and their number.
 */
#include "ipn_lib.h"

static const struct {
	int name;
	const char *str;
	int def;
	int good;	/* a valid non-default value */
} prebind_opts[] = {
	{ IPN_SO_MTU, "IPN_SO_MTU", DEFAULT_MTU, 1000 },
	{ IPN_SO_NUMNODES, "IPN_SO_NUMNODES", DEFAULT_NUMNODES, 7 },
	{ IPN_SO_MSGPOOLSIZE, "IPN_SO_MSGPOOLSIZE", DEFAULT_MSGPOOLSIZE, 16 },
	{ IPN_SO_FLAGS, "IPN_SO_FLAGS", 0, IPN_FLAG_LOSSLESS },
	{ IPN_SO_MODE, "IPN_SO_MODE", DEFAULT_MODE, 0700 },
};

TEST(sockopt_defaults)
{
	unsigned int i;
	int s;

	s = TRY(ipn_socket());
	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++)
		ASSERT_VAL(prebind_opts[i].def,
			   opt_value(s, prebind_opts[i].name),
			   prebind_opts[i].str);
	ASSERT_VAL(IPN_PORTNO_ANY, opt_value(s, IPN_SO_PORT),
		   "IPN_SO_PORT before connect");
}

TEST(sockopt_pending_values)
{
	const char *p = tpath("net");
	unsigned int i;
	int s;

	s = TRY(ipn_socket());
	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++)
		TRY(set_opt(s, prebind_opts[i].name, prebind_opts[i].good));
	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++)
		ASSERT_VAL(prebind_opts[i].good,
			   opt_value(s, prebind_opts[i].name),
			   prebind_opts[i].str);
	TRY(ipn_bind(s, p));
	expect_node(_metadata, p, 0700);
	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++)
		ASSERT_VAL(prebind_opts[i].good,
			   opt_value(s, prebind_opts[i].name),
			   prebind_opts[i].str);
}

TEST(sockopt_range)
{
	static const struct {
		int name;
		int val;
		const char *what;
	} bad[] = {
		{ IPN_SO_MTU, 0, "IPN_SO_MTU 0" },
		{ IPN_SO_MTU, -1, "IPN_SO_MTU -1" },
		{ IPN_SO_MTU, IPN_MTU_MAX + 1, "IPN_SO_MTU 65536" },
		{ IPN_SO_NUMNODES, 0, "IPN_SO_NUMNODES 0" },
		{ IPN_SO_NUMNODES, -1, "IPN_SO_NUMNODES -1" },
		{ IPN_SO_NUMNODES, IPN_NUMNODES_MAX + 1, "IPN_SO_NUMNODES 4097" },
		{ IPN_SO_MSGPOOLSIZE, 0, "IPN_SO_MSGPOOLSIZE 0" },
		{ IPN_SO_MSGPOOLSIZE, -1, "IPN_SO_MSGPOOLSIZE -1" },
		{ IPN_SO_MSGPOOLSIZE, IPN_MSGPOOLSIZE_MAX + 1,
		  "IPN_SO_MSGPOOLSIZE 4097" },
		{ IPN_SO_FLAGS, IPN_FLAG_MASK + 1, "IPN_SO_FLAGS 8" },
		{ IPN_SO_FLAGS, 0x100, "IPN_SO_FLAGS 0x100" },
		{ IPN_SO_FLAGS, -1, "IPN_SO_FLAGS -1" },
		{ IPN_SO_MODE, -1, "IPN_SO_MODE -1" },
		{ IPN_SO_MODE, 01000, "IPN_SO_MODE 01000" },
		{ IPN_SO_MODE, 04755, "IPN_SO_MODE 04755" },
	};
	static const struct {
		int name;
		int val;
	} good[] = {
		{ IPN_SO_MTU, IPN_MTU_MIN }, { IPN_SO_MTU, IPN_MTU_MAX },
		{ IPN_SO_NUMNODES, 1 }, { IPN_SO_NUMNODES, IPN_NUMNODES_MAX },
		{ IPN_SO_MSGPOOLSIZE, 1 },
		{ IPN_SO_MSGPOOLSIZE, IPN_MSGPOOLSIZE_MAX },
		{ IPN_SO_FLAGS, 0 }, { IPN_SO_FLAGS, IPN_FLAG_MASK },
		{ IPN_SO_MODE, 0 }, { IPN_SO_MODE, 0777 },
	};
	unsigned int i;
	int s, r, e;

	s = TRY(ipn_socket());
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_ERRNO(EINVAL, set_opt(s, bad[i].name, bad[i].val),
			     bad[i].what);
	/* Refused values changed nothing. */
	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++)
		ASSERT_VAL(prebind_opts[i].def,
			   opt_value(s, prebind_opts[i].name),
			   prebind_opts[i].str);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		r = set_opt(s, good[i].name, good[i].val);
		e = errno;
		ASSERT_EQ(0, r)
			TH_LOG("setsockopt(%#x, %d): %s", good[i].name,
			       good[i].val, errstr(e));
		ASSERT_VAL(good[i].val, opt_value(s, good[i].name),
			   "value read back");
	}
}

TEST(sockopt_optlen)
{
	long long val = 1000;
	unsigned int i;
	int s;

	s = TRY(ipn_socket());
	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++) {
		ASSERT_ERRNO(EINVAL, setsockopt(s, SOL_IPN,
						prebind_opts[i].name, &val, 0),
			     prebind_opts[i].str);
		ASSERT_ERRNO(EINVAL, setsockopt(s, SOL_IPN,
						prebind_opts[i].name, &val, 2),
			     prebind_opts[i].str);
		ASSERT_ERRNO(EINVAL, setsockopt(s, SOL_IPN,
						prebind_opts[i].name, &val,
						sizeof(val)),
			     prebind_opts[i].str);
	}
}

/* Every option of prebind_opts is refused on @s with EISCONN. */
static void expect_prebind_eisconn(struct __test_metadata *_metadata, int s,
				   const char *who)
{
	unsigned int i;
	int r, e;

	for (i = 0; i < ARRAY_SIZE(prebind_opts); i++) {
		errno = 0;
		r = set_opt(s, prebind_opts[i].name, prebind_opts[i].good);
		e = errno;
		ASSERT_TRUE(r == -1 && e == EISCONN)
			TH_LOG("%s: setsockopt(%s): expected EISCONN, got %s",
			       who, prebind_opts[i].str,
			       r == -1 ? errstr(e) : "success");
	}
}

TEST(sockopt_after_bind)
{
	const char *p = tpath("net");
	int a, b, c;

	a = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	expect_prebind_eisconn(_metadata, a, "bound socket");
	b = TRY(net_create(p, NULL));
	expect_prebind_eisconn(_metadata, b, "bound and connected socket");
	c = TRY(net_join(p));
	expect_prebind_eisconn(_metadata, c, "connected socket");
	/* Nothing changed on the network. */
	ASSERT_VAL(DEFAULT_MTU, opt_value(c, IPN_SO_MTU), "network MTU");
}

TEST(sockopt_network_values)
{
	static char buf[701];
	const char *p = tpath("net");
	int a, b, c;

	a = TRY(net_create(p, &(struct netopts){
		.mtu = 700, .pool = 16, .numnodes = 10, .bind_only = true }));
	ASSERT_VAL(700, opt_value(a, IPN_SO_MTU), "creator's MTU");
	ASSERT_VAL(16, opt_value(a, IPN_SO_MSGPOOLSIZE), "creator's pool");
	ASSERT_VAL(10, opt_value(a, IPN_SO_NUMNODES), "creator's numnodes");

	b = TRY(ipn_socket());
	TRY(set_opt(b, IPN_SO_MTU, 900));
	TRY(ipn_bind(b, p));
	ASSERT_VAL(700, opt_value(b, IPN_SO_MTU),
		   "MTU of a socket that bound to the existing network");
	ASSERT_VAL(16, opt_value(b, IPN_SO_MSGPOOLSIZE),
		   "pool of a socket that bound to the existing network");
	TRY(connect(b, NULL, 0));

	c = TRY(net_join(p));
	ASSERT_VAL(700, opt_value(c, IPN_SO_MTU), "joiner's MTU");
	ASSERT_VAL(16, opt_value(c, IPN_SO_MSGPOOLSIZE), "joiner's pool");
	ASSERT_VAL(10, opt_value(c, IPN_SO_NUMNODES), "joiner's numnodes");
	ASSERT_ERRNO(EOVERFLOW, send(c, buf, 701, 0),
		     "joiner's send of 701 bytes (network MTU 700)");
	ASSERT_VAL(700, send(c, buf, 700, 0), "joiner's send of 700 bytes");
	expect_msg(_metadata, b, buf, 700, "b");
}

TEST(sockopt_unknown)
{
	const char *p = tpath("net");
	socklen_t len;
	int s, b, v = 1;

	s = TRY(ipn_socket());
	ASSERT_ERRNO(ENOPROTOOPT, set_opt(s, 77, 1), "setsockopt(SOL_IPN, 77)");
	len = sizeof(v);
	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(s, SOL_IPN, 77, &v, &len),
		     "getsockopt(SOL_IPN, 77)");
	ASSERT_ERRNO(ENOPROTOOPT, set_opt(s, IPN_SO_PREBIND | 0x7f, 1),
		     "setsockopt(SOL_IPN, 0xff)");
	ASSERT_ERRNO(ENOPROTOOPT, setsockopt(s, 5, IPN_SO_MTU, &v, sizeof(v)),
		     "setsockopt at level 5");
	len = sizeof(v);
	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(s, 5, IPN_SO_MTU, &v, &len),
		     "getsockopt at level 5");
	b = TRY(net_create(p, NULL));
	ASSERT_ERRNO(ENOPROTOOPT, set_opt(b, 77, 1),
		     "setsockopt(SOL_IPN, 77) when connected");
	len = sizeof(v);
	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(b, SOL_IPN, 77, &v, &len),
		     "getsockopt(SOL_IPN, 77) when connected");
}

TEST(getsockopt_short_optlen)
{
	socklen_t len;
	int s, v;

	s = TRY(ipn_socket());
	len = 2;
	ASSERT_ERRNO(EINVAL, getsockopt(s, SOL_IPN, IPN_SO_MTU, &v, &len),
		     "getsockopt(IPN_SO_MTU) with optlen 2");
	len = 0;
	ASSERT_ERRNO(EINVAL, getsockopt(s, SOL_IPN, IPN_SO_MTU, &v, &len),
		     "getsockopt(IPN_SO_MTU) with optlen 0");
	len = 3;
	ASSERT_ERRNO(EINVAL, getsockopt(s, SOL_IPN, IPN_SO_PORT, &v, &len),
		     "getsockopt(IPN_SO_PORT) with optlen 3");
	len = sizeof(v);
	TRY(getsockopt(s, SOL_IPN, IPN_SO_MTU, &v, &len));
	ASSERT_VAL(sizeof(int), len, "optlen returned");
}

/* IPN_SO_DESCR of @s must be @want. */
static void expect_descr(struct __test_metadata *_metadata, int s,
			 const char *want, const char *who)
{
	char buf[256];
	socklen_t len = sizeof(buf);
	size_t n = strlen(want);

	memset(buf, 0, sizeof(buf));
	TRY(getsockopt(s, SOL_IPN, IPN_SO_DESCR, buf, &len));
	ASSERT_TRUE(len == n || (len == n + 1 && !buf[n]))
		TH_LOG("%s: IPN_SO_DESCR is %u bytes long, expected %zu", who,
		       (unsigned int)len, n);
	ASSERT_TRUE(!memcmp(buf, want, n))
		TH_LOG("%s: IPN_SO_DESCR is \"%.*s\", expected \"%s\"", who,
		       (int)n, buf, want);
}

TEST(descr)
{
	const char *p = tpath("net");
	char longest[IPN_DESCRLEN];
	int s, b, c;

	s = TRY(ipn_socket());
	ASSERT_ERRNO(ENOTCONN, set_descr(s, "too early"),
		     "IPN_SO_DESCR before bind");
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(set_descr(b, "the manager"));
	expect_descr(_metadata, b, "the manager", "bound socket");
	c = TRY(net_join(p));
	TRY(set_descr(c, "node c"));
	expect_descr(_metadata, c, "node c", "connected socket");
	expect_descr(_metadata, b, "the manager", "bound socket, again");
	TRY(set_descr(c, "renamed"));
	expect_descr(_metadata, c, "renamed", "connected socket, renamed");
	/* The longest description: 127 characters and the NUL. */
	memset(longest, 'd', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = 0;
	TRY(set_descr(c, longest));
	expect_descr(_metadata, c, longest, "128-byte description");
}

TEST(port_select)
{
	const char *p = tpath("net");
	int keep, a, b, c, port;

	keep = TRY(net_create(p, &(struct netopts){
		.numnodes = 8, .bind_only = true }));
	ASSERT_VAL(IPN_PORTNO_ANY, opt_value(keep, IPN_SO_PORT),
		   "IPN_SO_PORT of a bound socket");
	a = TRY(ipn_socket());
	ASSERT_VAL(IPN_PORTNO_ANY, opt_value(a, IPN_SO_PORT),
		   "IPN_SO_PORT before connect");
	TRY(set_opt(a, IPN_SO_PORT, 5));
	TRY(ipn_connect(a, p));
	ASSERT_VAL(5, opt_value(a, IPN_SO_PORT), "port taken at connect");

	b = TRY(ipn_socket());
	TRY(set_opt(b, IPN_SO_PORT, 5));
	ASSERT_ERRNO(EADDRINUSE, ipn_connect(b, p), "connect to a taken port");

	c = TRY(net_join(p));
	port = opt_value(c, IPN_SO_PORT);
	ASSERT_TRUE(port >= 0 && port < 8 && port != 5)
		TH_LOG("a port chosen by the network is %d", port);
	send_str(_metadata, a, "port five");
	expect_str(_metadata, c, "port five", "c");
}

TEST(port_out_of_range)
{
	const char *p = tpath("net");
	int a, b;

	TRY(net_create(p, &(struct netopts){ .numnodes = 4, .bind_only = true }));
	a = TRY(ipn_socket());
	TRY(set_opt(a, IPN_SO_PORT, 4));
	ASSERT_ERRNO(EINVAL, ipn_connect(a, p),
		     "connect to port 4 of a 4-port network");
	b = TRY(ipn_socket());
	TRY(set_opt(b, IPN_SO_PORT, 3));
	TRY(ipn_connect(b, p));
	ASSERT_VAL(3, opt_value(b, IPN_SO_PORT), "last port");
}

TEST(numnodes_full)
{
	const char *p = tpath("net");
	int a, b, c, d;

	TRY(net_create(p, &(struct netopts){ .numnodes = 2, .bind_only = true }));
	a = TRY(net_join(p));
	b = TRY(net_join(p));
	c = TRY(ipn_socket());
	ASSERT_ERRNO(ENOSPC, ipn_connect(c, p),
		     "third connect to a 2-port network");
	close(a);
	d = TRY(net_join(p));
	send_str(_metadata, d, "took the freed port");
	expect_str(_metadata, b, "took the freed port", "b");
	send_str(_metadata, b, "hi d");
	expect_str(_metadata, d, "hi d", "d");
}

static int port_join(const char *path, int port)
{
	int s = ipn_socket();

	if (s < 0 || set_opt(s, IPN_SO_PORT, port))
		return -1;
	return ipn_connect(s, path) ? -1 : s;
}

TEST(change_numnodes)
{
	const char *p = tpath("net");
	int m, c, x, y, z, r;

	m = TRY(net_create(p, &(struct netopts){ .numnodes = 4, .bind_only = true }));
	c = TRY(port_join(p, 3));
	ASSERT_ERRNO(EADDRINUSE, set_opt(m, IPN_SO_CHANGE_NUMNODES, 2),
		     "shrinking below busy port 3");
	ASSERT_VAL(4, opt_value(m, IPN_SO_NUMNODES), "numnodes after refusal");
	close(c);
	TRY(set_opt(m, IPN_SO_CHANGE_NUMNODES, 2));
	ASSERT_VAL(2, opt_value(m, IPN_SO_NUMNODES), "numnodes after shrink");
	x = TRY(net_join(p));
	y = TRY(net_join(p));
	z = TRY(ipn_socket());
	ASSERT_ERRNO(ENOSPC, ipn_connect(z, p), "third node after shrink to 2");
	z = TRY(ipn_socket());
	TRY(set_opt(z, IPN_SO_PORT, 3));
	ASSERT_ERRNO(EINVAL, ipn_connect(z, p), "port 3 after shrink to 2");

	TRY(set_opt(m, IPN_SO_CHANGE_NUMNODES, 8));
	ASSERT_VAL(8, opt_value(m, IPN_SO_NUMNODES), "numnodes after growth");
	r = TRY(port_join(p, 7));
	z = TRY(net_join(p));
	send_str(_metadata, x, "after resize");
	expect_str(_metadata, y, "after resize", "y");
	expect_str(_metadata, r, "after resize", "port 7");
	expect_str(_metadata, z, "after resize", "z");
	expect_none(_metadata, x, "sender");
}

TEST(change_numnodes_connected)
{
	const char *p = tpath("net");
	int a, b;

	a = TRY(net_create(p, NULL));
	ASSERT_ERRNO(EPERM, set_opt(a, IPN_SO_CHANGE_NUMNODES, 16),
		     "IPN_SO_CHANGE_NUMNODES on a bound and connected socket");
	b = TRY(net_join(p));
	ASSERT_ERRNO(EPERM, set_opt(b, IPN_SO_CHANGE_NUMNODES, 16),
		     "IPN_SO_CHANGE_NUMNODES on a connected socket");
	ASSERT_VAL(DEFAULT_NUMNODES, opt_value(b, IPN_SO_NUMNODES), "numnodes");
}

IPN_HARNESS_MAIN
