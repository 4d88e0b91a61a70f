// SPDX-License-Identifier: GPL-2.0
/*
 * The Ethernet switch policy (IPN_VDESWITCH, kvde_switch.ko): learning,
 * flooding, aging, VLANs and trunks, per-port statistics, its options,
 * who may set them, and the module's life.
 */
#include "ipn_lib.h"

#define MAC_LEN		6
#define VLAN_TAG_LEN	4
#define ETHERTYPE_TEST	0x88b5	/* local experimental */
#define ETHERTYPE_VLAN	0x8100	/* 802.1Q TPID */
#define UNTAGGED	(-1)	/* the tci of an untagged eth_frame() */
#define TCI(pcp, vid)	(((pcp) << 13) | (vid))

static const unsigned char mac_bcast[MAC_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const unsigned char mac_mcast[MAC_LEN] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* The locally administered unicast address 02:00:00:00:00:@n. */
static const unsigned char *mac(unsigned int n)
{
	static unsigned char macs[256][MAC_LEN];
	unsigned char *m = macs[n & 0xff];

	m[0] = 0x02;
	m[5] = n & 0xff;
	return m;
}

/* "02:00:00:00:00:01", in one of a few rotating buffers. */
static const char *mac_str(const unsigned char *m)
{
	static char bufs[4][18];
	static unsigned int next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];

	snprintf(b, sizeof(bufs[0]), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return b;
}

struct frame {
	size_t len;
	unsigned char b[256];
};

static void put_be16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * An Ethernet frame from @src to @dst of type ETHERTYPE_TEST, with @plen
 * bytes of payload made from @seed, and an 802.1Q tag of @tci unless @tci
 * is UNTAGGED.  The same @plen and @seed give the same payload, so the
 * tagged and untagged shapes of one frame can be built and compared.
 */
static struct frame eth_frame(const unsigned char *dst,
			      const unsigned char *src, int tci, size_t plen,
			      unsigned int seed)
{
	struct frame f;
	size_t h = 2 * MAC_LEN;

	memset(&f, 0, sizeof(f));
	memcpy(f.b, dst, MAC_LEN);
	memcpy(f.b + MAC_LEN, src, MAC_LEN);
	if (tci != UNTAGGED) {
		put_be16(f.b + h, ETHERTYPE_VLAN);
		put_be16(f.b + h + 2, tci);
		h += VLAN_TAG_LEN;
	}
	put_be16(f.b + h, ETHERTYPE_TEST);
	h += 2;
	if (plen > sizeof(f.b) - h)
		plen = sizeof(f.b) - h;
	fill_pattern(f.b + h, plen, seed);
	f.len = h + plen;
	return f;
}

/* Send @f on @s, whole. */
static void send_frame(struct __test_metadata *_metadata, int s,
		       const struct frame *f, const char *who)
{
	ssize_t n = send(s, f->b, f->len, 0);
	int e = errno;

	ASSERT_EQ((ssize_t)f->len, n)
		TH_LOG("%s: send of a %zu-byte frame: %s", who, f->len,
		       n < 0 ? errstr(e) : "short");
}

/* The next message on @s must be @f, byte for byte. */
static void expect_frame(struct __test_metadata *_metadata, int s,
			 const struct frame *f, const char *who)
{
	expect_msg(_metadata, s, f->b, f->len, who);
}

static int sw_set_vlan(int s, int name, int port, int vlan)
{
	struct ipn_switch_vlan v = { .port = port, .vlan = vlan };

	return setsockopt(s, IPN_VDESWITCH, name, &v, sizeof(v));
}

/* The pvid of @port (IPN_SWITCH_PORT_VLAN); -2 on error. */
static long long sw_pvid(int s, int port)
{
	struct ipn_switch_vlan v = { .port = port, .vlan = 0xa5a5 };
	socklen_t len = sizeof(v);

	if (getsockopt(s, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN, &v, &len)) {
		diag("IPN_SWITCH_PORT_VLAN of port %d: %s", port,
		     errstr(errno));
		return -2;
	}
	if (len != sizeof(v)) {
		diag("IPN_SWITCH_PORT_VLAN returned %u bytes, expected %zu",
		     (unsigned int)len, sizeof(v));
		return -2;
	}
	return v.vlan;
}

/*
 * The trunk VLANs of @port (IPN_SWITCH_PORT_TRUNKS) into @vids, at most
 * @max of them.  Returns their number, or -1.
 */
static int sw_trunks(int s, int port, __u16 *vids, int max)
{
	__u16 buf[64];
	socklen_t len = sizeof(buf);
	int n;

	memset(buf, 0xa5, sizeof(buf));
	memcpy(buf, &port, sizeof(port));
	if (getsockopt(s, IPN_VDESWITCH, IPN_SWITCH_PORT_TRUNKS, buf, &len)) {
		diag("IPN_SWITCH_PORT_TRUNKS of port %d: %s", port,
		     errstr(errno));
		return -1;
	}
	if (len % sizeof(__u16)) {
		diag("IPN_SWITCH_PORT_TRUNKS returned %u bytes, not a multiple of 2",
		     (unsigned int)len);
		return -1;
	}
	n = len / sizeof(__u16);
	if (n > max)
		n = max;
	memcpy(vids, buf, n * sizeof(__u16));
	return len / sizeof(__u16);
}

static struct ipn_switch_fdb_entry fdb_buf[IPN_SWITCH_MAXENTRIES_DEFAULT];

/* Read IPN_SWITCH_MACTABLE into fdb_buf: the number of entries, or -1. */
static int fdb_read(int s)
{
	socklen_t len = sizeof(fdb_buf);

	memset(fdb_buf, 0xa5, sizeof(fdb_buf));
	if (getsockopt(s, IPN_VDESWITCH, IPN_SWITCH_MACTABLE, fdb_buf, &len)) {
		diag("IPN_SWITCH_MACTABLE: %s", errstr(errno));
		return -1;
	}
	if (len % sizeof(fdb_buf[0])) {
		diag("IPN_SWITCH_MACTABLE returned %u bytes, not a multiple of %zu",
		     (unsigned int)len, sizeof(fdb_buf[0]));
		return -1;
	}
	return len / sizeof(fdb_buf[0]);
}

/* Print the first @n entries of fdb_buf. */
static void fdb_dump(int n)
{
	int i;

	diag("MAC table, %d entries:", n);
	for (i = 0; i < n && i < 16; i++)
		diag("  %s vlan %u port %d age %u ms", mac_str(fdb_buf[i].mac),
		     fdb_buf[i].vlan, fdb_buf[i].port, fdb_buf[i].age_ms);
}

/* The index in fdb_buf (of @n entries) of (@m, @vlan), or -1. */
static int fdb_find(int n, const unsigned char *m, int vlan)
{
	int i;

	for (i = 0; i < n; i++)
		if (!memcmp(fdb_buf[i].mac, m, MAC_LEN) &&
		    fdb_buf[i].vlan == vlan)
			return i;
	return -1;
}

/*
 * The MAC table of @s must map (@m, @vlan) to @port, or not hold it if
 * @port is -1.
 */
static void expect_fdb(struct __test_metadata *_metadata, int s,
		       const unsigned char *m, int vlan, int port,
		       const char *who)
{
	int n = fdb_read(s), i;

	ASSERT_LE(0, n)
		TH_LOG("%s: the MAC table could not be read", who);
	i = fdb_find(n, m, vlan);
	if (i < 0 && port < 0)
		return;
	if (i >= 0 && fdb_buf[i].port == port)
		return;
	if (i < 0)
		TH_LOG("%s: no entry for %s in VLAN %d, expected port %d", who,
		       mac_str(m), vlan, port);
	else if (port < 0)
		TH_LOG("%s: %s in VLAN %d is learnt on port %d, expected no entry",
		       who, mac_str(m), vlan, fdb_buf[i].port);
	else
		TH_LOG("%s: %s in VLAN %d is learnt on port %d, expected port %d",
		       who, mac_str(m), vlan, fdb_buf[i].port, port);
	fdb_dump(n);
	ASSERT_TRUE(false)
		TH_LOG("%s: the MAC table is not as expected", who);
}

/* The number of entries of the MAC table learnt on @port; -1 on error. */
static int fdb_count_port(int s, int port)
{
	int n = fdb_read(s), i, c = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		c += fdb_buf[i].port == port;
	return c;
}

static struct ipn_switch_port_stats stats_buf[256];

/* Read IPN_SWITCH_PORT_STATS into stats_buf: the number of records, or -1. */
static int stats_read(int s)
{
	socklen_t len = sizeof(stats_buf);

	memset(stats_buf, 0xa5, sizeof(stats_buf));
	if (getsockopt(s, IPN_VDESWITCH, IPN_SWITCH_PORT_STATS, stats_buf,
		       &len)) {
		diag("IPN_SWITCH_PORT_STATS: %s", errstr(errno));
		return -1;
	}
	if (len % sizeof(stats_buf[0])) {
		diag("IPN_SWITCH_PORT_STATS returned %u bytes, not a multiple of %zu",
		     (unsigned int)len, sizeof(stats_buf[0]));
		return -1;
	}
	return len / sizeof(stats_buf[0]);
}

/* The statistics of @port into @st; -1 if it is not listed. */
static int port_stats(int s, int port, struct ipn_switch_port_stats *st)
{
	int n = stats_read(s), i;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (stats_buf[i].port == port) {
			*st = stats_buf[i];
			return 0;
		}
	}
	diag("port %d is not among the %d records of IPN_SWITCH_PORT_STATS",
	     port, n);
	return -1;
}

/* The rx_drops of @port; -1 on error. */
static long long port_rx_drops(int s, int port)
{
	struct ipn_switch_port_stats st;

	if (port_stats(s, port, &st))
		return -1;
	return st.rx_drops;
}

struct counts {
	unsigned long long rx_frames, rx_bytes, rx_drops;
	unsigned long long tx_frames, tx_bytes, tx_drops;
};

/* The counters of @port must be @want: all are compared, then checked. */
static void expect_counts(struct __test_metadata *_metadata, int s, int port,
			  struct counts want, const char *who)
{
	struct ipn_switch_port_stats st;
	int bad = 0;

	ASSERT_EQ(0, port_stats(s, port, &st))
		TH_LOG("%s: no statistics of port %d", who, port);
#define CHECK_COUNT(f)							\
	do {								\
		if (st.f != want.f) {					\
			TH_LOG("%s (port %d): " #f " is %llu, expected %llu", \
			       who, port, (unsigned long long)st.f, want.f); \
			bad++;						\
		}							\
	} while (0)
	CHECK_COUNT(rx_frames);
	CHECK_COUNT(rx_bytes);
	CHECK_COUNT(rx_drops);
	CHECK_COUNT(tx_frames);
	CHECK_COUNT(tx_bytes);
	CHECK_COUNT(tx_drops);
#undef CHECK_COUNT
	ASSERT_EQ(0, bad)
		TH_LOG("%s: %d counters of port %d are wrong", who, bad, port);
}

/* The trunk VLANs of @port must be @want[0..n-1]. */
static void expect_trunks(struct __test_metadata *_metadata, int s, int port,
			  const __u16 *want, int n, const char *who)
{
	__u16 vids[16];
	int got, i;

	got = sw_trunks(s, port, vids, ARRAY_SIZE(vids));
	ASSERT_LE(0, got)
		TH_LOG("%s: the trunk VLANs of port %d could not be read",
		       who, port);
	ASSERT_EQ(n, got)
		TH_LOG("%s: port %d has %d trunk VLANs, expected %d", who, port,
		       got, n);
	for (i = 0; i < n; i++)
		ASSERT_EQ(want[i], vids[i])
			TH_LOG("%s: trunk VLAN %d of port %d is %u, expected %u",
			       who, i, port, vids[i], want[i]);
}

TEST(switch_uapi_constants)
{
	static const struct constant c[] = {
		{ "IPN_VDESWITCH", IPN_VDESWITCH, 2 },
		{ "IPN_VDESWITCH_L3", IPN_VDESWITCH_L3, 3 },
		{ "IPN_SWITCH_PORT_VLAN", IPN_SWITCH_PORT_VLAN, 1 },
		{ "IPN_SWITCH_TRUNK_ADD", IPN_SWITCH_TRUNK_ADD, 2 },
		{ "IPN_SWITCH_TRUNK_DEL", IPN_SWITCH_TRUNK_DEL, 3 },
		{ "IPN_SWITCH_PORT_TRUNKS", IPN_SWITCH_PORT_TRUNKS, 4 },
		{ "IPN_SWITCH_AGING", IPN_SWITCH_AGING, 5 },
		{ "IPN_SWITCH_FLUSH", IPN_SWITCH_FLUSH, 6 },
		{ "IPN_SWITCH_MAXENTRIES", IPN_SWITCH_MAXENTRIES, 7 },
		{ "IPN_SWITCH_MACTABLE", IPN_SWITCH_MACTABLE, 8 },
		{ "IPN_SWITCH_PORT_STATS", IPN_SWITCH_PORT_STATS, 9 },
		{ "IPN_SWITCH_AGING_DEFAULT", IPN_SWITCH_AGING_DEFAULT, 300 },
		{ "IPN_SWITCH_MAXENTRIES_DEFAULT",
		  IPN_SWITCH_MAXENTRIES_DEFAULT, 4096 },
		{ "sizeof(struct ipn_switch_vlan)",
		  (long long)sizeof(struct ipn_switch_vlan), 8 },
		{ "sizeof(struct ipn_switch_fdb_entry)",
		  (long long)sizeof(struct ipn_switch_fdb_entry), 16 },
		{ "offsetof(struct ipn_switch_fdb_entry, port)",
		  (long long)offsetof(struct ipn_switch_fdb_entry, port), 8 },
		{ "sizeof(struct ipn_switch_port_stats)",
		  (long long)sizeof(struct ipn_switch_port_stats), 56 },
		{ "offsetof(struct ipn_switch_port_stats, rx_frames)",
		  (long long)offsetof(struct ipn_switch_port_stats, rx_frames),
		  8 },
		{ "offsetof(struct ipn_switch_port_stats, tx_drops)",
		  (long long)offsetof(struct ipn_switch_port_stats, tx_drops),
		  48 },
	};

	check_constants(_metadata, c, ARRAY_SIZE(c));
}

TEST(switch_autoload)
{
	int s;

	if (module_loaded("kvde_switch")) {
		TH_LOG("kvde_switch is loaded already: unloading it first");
		unload_module_wait(_metadata, "kvde_switch");
	}
	s = TRY(socket(ipn_family(), SOCK_RAW, IPN_VDESWITCH));
	ASSERT_TRUE(module_loaded("kvde_switch"))
		TH_LOG("socket(IPN_VDESWITCH) did not load kvde_switch");
	/* The socket creates a switch network. */
	TRY(ipn_bind(s, tpath("switch")));
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(s, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING of the new network");
}

TEST(switch_learning_unicast)
{
	const char *p = tpath("switch");
	struct frame f;
	int m, a, b, c, pa, pb, n;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	pb = TRY(sw_port(b));
	ASSERT_VAL(0, fdb_read(m), "entries of a new MAC table");

	/* B is unknown: flooded. */
	f = eth_frame(mac(2), mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b, unknown unicast");
	expect_frame(_metadata, c, &f, "c, unknown unicast");
	expect_none(_metadata, a, "a, the sender");

	/* A was learnt: to A only. */
	f = eth_frame(mac(1), mac(2), UNTAGGED, 30, 2);
	send_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, a, &f, "a, known unicast");
	expect_none(_metadata, c, "c, known unicast to a");
	expect_none(_metadata, b, "b, the sender");

	/* And now B is known too. */
	f = eth_frame(mac(2), mac(1), UNTAGGED, 40, 3);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b, known unicast");
	expect_none(_metadata, c, "c, known unicast to b");
	expect_none(_metadata, a, "a, the sender");

	expect_fdb(_metadata, m, mac(1), 1, pa, "MAC table");
	expect_fdb(_metadata, m, mac(2), 1, pb, "MAC table");
	expect_fdb(_metadata, m, mac(3), 1, -1, "MAC table");
	/* Any socket of the network may read it. */
	n = TRY(fdb_read(c));
	ASSERT_VAL(2, n, "entries read by a connected socket");
	n = fdb_find(n, mac(1), 1);
	ASSERT_TRUE(n >= 0 && fdb_buf[n].age_ms < 10000)
		TH_LOG("entry of a seen just now: age %u ms",
		       n >= 0 ? fdb_buf[n].age_ms : 0);
}

/* The bucket an unseeded FNV-1a table of 512 buckets would put @m in. */
static unsigned int fnv_bucket(const unsigned char *m)
{
	const unsigned char key[8] = { m[0], m[1], m[2], m[3], m[4], m[5], 0, 1 };
	uint32_t h = 0x811c9dc5;

	for (unsigned int i = 0; i < sizeof(key); i++)
		h = (h ^ key[i]) * 0x01000193;
	return h & 511;
}

/*
 * The MAC table's hash is keyed with a secret per network: a sender that
 * crafts source addresses which would share the victim's bucket under a
 * known hash cannot evict the victim's entry, and so cannot have the
 * victim's unicast flooded to itself.
 */
TEST(switch_hash_seeded)
{
	const unsigned char victim[MAC_LEN] = { 0x02, 0x76, 0x69, 0x63, 0, 1 };
	unsigned char crafted[24][MAC_LEN];
	unsigned int n = 0, i, want = fnv_bucket(victim);
	const char *p = tpath("switch");
	struct frame f;
	int m, v, att, c;

	for (i = 0; n < ARRAY_SIZE(crafted); i++) {
		unsigned char x[MAC_LEN] = { 0x02, 0xa7, i >> 24, i >> 16,
					     i >> 8, i };

		if (fnv_bucket(x) == want)
			memcpy(crafted[n++], x, MAC_LEN);
	}
	m = TRY(sw_create(p, 0));
	ASSERT_VAL(4096, sw_get(m, IPN_SWITCH_MAXENTRIES), "table size");
	v = TRY(sw_join(p, IPN_PORTNO_ANY));
	att = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	f = eth_frame(mac_bcast, victim, UNTAGGED, 20, 1);
	send_frame(_metadata, v, &f, "victim");
	expect_frame(_metadata, att, &f, "attacker, broadcast");
	expect_frame(_metadata, c, &f, "c, broadcast");
	for (i = 0; i < n; i++) {
		f = eth_frame(mac(9), crafted[i], UNTAGGED, 20, i);
		send_frame(_metadata, att, &f, "attacker");
		expect_frame(_metadata, v, &f, "victim, unknown unicast");
		expect_frame(_metadata, c, &f, "c, unknown unicast");
	}
	f = eth_frame(victim, mac(3), UNTAGGED, 30, 2);
	send_frame(_metadata, c, &f, "c");
	expect_frame(_metadata, v, &f, "victim, its unicast");
	expect_none(_metadata, att,
		    "attacker, after crafting colliding addresses");
}

TEST(switch_flood_broadcast_multicast)
{
	const char *p = tpath("switch");
	struct frame f;
	int m, a, b, c, pa, n, i;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b, broadcast");
	expect_frame(_metadata, c, &f, "c, broadcast");
	expect_none(_metadata, a, "a, sender of a broadcast");

	/* The unicast source of a broadcast is learnt... */
	expect_fdb(_metadata, m, mac(1), 1, pa, "source of a broadcast");
	/* ...but a multicast destination is flooded, even so. */
	f = eth_frame(mac_mcast, mac(1), UNTAGGED, 21, 2);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b, multicast");
	expect_frame(_metadata, c, &f, "c, multicast");
	expect_none(_metadata, a, "a, sender of a multicast");

	/* Group sources are never learnt. */
	f = eth_frame(mac_bcast, mac_mcast, UNTAGGED, 22, 3);
	send_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, a, &f, "a, broadcast from a multicast source");
	expect_frame(_metadata, c, &f, "c, broadcast from a multicast source");
	expect_none(_metadata, b, "b, sender");
	f = eth_frame(mac(1), mac_bcast, UNTAGGED, 23, 4);
	send_frame(_metadata, c, &f, "c");
	expect_frame(_metadata, a, &f, "a, unicast from the broadcast address");
	expect_none(_metadata, b, "b, unicast to a");
	expect_none(_metadata, c, "c, sender");
	n = TRY(fdb_read(m));
	for (i = 0; i < n; i++) {
		if (fdb_buf[i].mac[0] & 1)
			fdb_dump(n);
		ASSERT_FALSE(fdb_buf[i].mac[0] & 1)
			TH_LOG("group address %s was learnt",
			       mac_str(fdb_buf[i].mac));
	}
	ASSERT_VAL(1, n, "entries: a's address only");

	/* A frame to the multicast address learnt nothing for it. */
	f = eth_frame(mac_mcast, mac(3), UNTAGGED, 24, 5);
	send_frame(_metadata, c, &f, "c");
	expect_frame(_metadata, a, &f, "a, multicast");
	expect_frame(_metadata, b, &f, "b, multicast");
}

TEST(switch_no_hairpin)
{
	const char *p = tpath("switch");
	struct frame f;
	int m, a, b, c, pa;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, c, &f, "c");

	/* Another host behind port a talks to mac(1), also behind a. */
	f = eth_frame(mac(1), mac(5), UNTAGGED, 20, 2);
	send_frame(_metadata, a, &f, "a");
	expect_none(_metadata, a,
		    "a, whose destination is behind its own port");
	expect_none(_metadata, b, "b");
	expect_none(_metadata, c, "c");
	/* Its source was learnt all the same. */
	expect_fdb(_metadata, m, mac(5), 1, pa, "source of the filtered frame");

	/* A frame to its own source address goes nowhere either. */
	f = eth_frame(mac(1), mac(1), UNTAGGED, 20, 3);
	send_frame(_metadata, a, &f, "a");
	expect_none(_metadata, a, "a, frame to itself");
	expect_none(_metadata, b, "b, frame from a to itself");
	expect_none(_metadata, c, "c, frame from a to itself");
}

TEST(switch_aging)
{
	const char *p = tpath("switch");
	struct frame f;
	int m, a, b, c, pa, pb;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	pb = TRY(sw_port(b));
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(m, IPN_SWITCH_AGING),
		   "default IPN_SWITCH_AGING");
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(a, IPN_SWITCH_AGING),
		   "default IPN_SWITCH_AGING read by a port");
	TRY(sw_set(m, IPN_SWITCH_AGING, 1));
	ASSERT_VAL(1, sw_get(m, IPN_SWITCH_AGING), "IPN_SWITCH_AGING set to 1");
	ASSERT_VAL(1, sw_get(c, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING read by a port");

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, c, &f, "c");
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 2);
	send_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, a, &f, "a, known unicast");
	expect_none(_metadata, c, "c, unicast to a learnt address");
	expect_fdb(_metadata, m, mac(1), 1, pa, "before aging");

	/* Aged within 1.2 s. */
	(void)wait_until(fdb_read(m) == 0, 1200);
	expect_fdb(_metadata, m, mac(1), 1, -1, "a's address after 1.2 s");
	expect_fdb(_metadata, m, mac(2), 1, -1, "b's address after 1.2 s");
	ASSERT_VAL(0, fdb_read(m), "entries after 1.2 s");
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 3);
	send_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, a, &f, "a, unicast to an aged address");
	expect_frame(_metadata, c, &f, "c, unicast to an aged address");
	/* The sender was learnt again, not the aged destination. */
	expect_fdb(_metadata, m, mac(2), 1, pb, "b's address relearnt");
	expect_fdb(_metadata, m, mac(1), 1, -1, "a's address, not relearnt");
	f = eth_frame(mac(2), mac(1), UNTAGGED, 20, 4);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b, known unicast");
	expect_none(_metadata, c, "c, unicast to b");
	expect_fdb(_metadata, m, mac(1), 1, pa, "a's address relearnt");
}

TEST(switch_port_close_flushes)
{
	const char *p = tpath("switch");
	struct frame f;
	int m, a, b, c, pa, pb;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	pb = TRY(sw_port(b));

	/* Two hosts behind a, one behind b. */
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	f = eth_frame(mac_bcast, mac(4), UNTAGGED, 20, 2);
	send_frame(_metadata, a, &f, "a");
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 20, 3);
	send_frame(_metadata, b, &f, "b");
	expect_fdb(_metadata, m, mac(1), 1, pa, "before close");
	ASSERT_VAL(2, fdb_count_port(m, pa), "entries of a's port");
	/* Empty the queues. */
	TRY(recv(b, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(b, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	expect_none(_metadata, b, "b");
	expect_none(_metadata, c, "c");

	close(a);
	ASSERT_VAL(0, fdb_count_port(m, pa), "entries of a's port after close");
	expect_fdb(_metadata, m, mac(2), 1, pb, "b's address after a's close");
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 4);
	send_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, c, &f,
		     "c, frame to the address of a closed port");
}

TEST(switch_flush)
{
	const char *p = tpath("switch");
	struct frame f;
	int m, a, b, c, pa, pb, pc;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	pb = TRY(sw_port(b));
	pc = TRY(sw_port(c));

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 20, 2);
	send_frame(_metadata, b, &f, "b");
	f = eth_frame(mac_bcast, mac(3), UNTAGGED, 20, 3);
	send_frame(_metadata, c, &f, "c");
	ASSERT_VAL(3, fdb_read(m), "entries");

	TRY(sw_set(m, IPN_SWITCH_FLUSH, pb));
	expect_fdb(_metadata, m, mac(2), 1, -1,
		   "b's address after flushing its port");
	expect_fdb(_metadata, m, mac(1), 1, pa,
		   "a's address after flushing b's port");
	expect_fdb(_metadata, m, mac(3), 1, pc,
		   "c's address after flushing b's port");
	/* A port with nothing learnt. */
	TRY(sw_set(m, IPN_SWITCH_FLUSH, pb));

	TRY(sw_set(m, IPN_SWITCH_FLUSH, -1));
	ASSERT_VAL(0, fdb_read(m), "entries after flushing all");
	while (recv(a, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	while (recv(b, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	while (recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	f = eth_frame(mac(1), mac(3), UNTAGGED, 20, 4);
	send_frame(_metadata, c, &f, "c");
	expect_frame(_metadata, a, &f, "a, unicast to a flushed address");
	expect_frame(_metadata, b, &f, "b, unicast to a flushed address");
}

TEST(switch_vlan_isolation)
{
	static const int pvid[4] = { 10, 10, 20, 20 };
	const char *p = tpath("switch");
	struct frame f;
	int m, s[4], i;

	m = TRY(sw_create(p, 8));
	for (i = 0; i < 4; i++) {
		s[i] = TRY(sw_join(p, i));
		ASSERT_VAL(1, sw_pvid(m, i), "initial pvid");
		TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, i, pvid[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_VAL(pvid[i], sw_pvid(m, i), "pvid read by the manager");
		ASSERT_VAL(pvid[i], sw_pvid(s[3], i), "pvid read by a port");
	}

	f = eth_frame(mac_bcast, mac(10), UNTAGGED, 20, 1);
	send_frame(_metadata, s[0], &f, "port 0");
	expect_frame(_metadata, s[1], &f, "port 1, broadcast in VLAN 10");
	expect_none(_metadata, s[2], "port 2 (VLAN 20), broadcast in VLAN 10");
	expect_none(_metadata, s[3], "port 3 (VLAN 20), broadcast in VLAN 10");
	expect_none(_metadata, s[0], "port 0, the sender");

	f = eth_frame(mac_bcast, mac(12), UNTAGGED, 20, 2);
	send_frame(_metadata, s[2], &f, "port 2");
	expect_frame(_metadata, s[3], &f, "port 3, broadcast in VLAN 20");
	expect_none(_metadata, s[0], "port 0 (VLAN 10), broadcast in VLAN 20");
	expect_none(_metadata, s[1], "port 1 (VLAN 10), broadcast in VLAN 20");
	expect_none(_metadata, s[2], "port 2, the sender");

	expect_fdb(_metadata, m, mac(10), 10, 0, "port 0's address");
	expect_fdb(_metadata, m, mac(12), 20, 2, "port 2's address");
	expect_fdb(_metadata, m, mac(10), 1, -1, "port 0's address in VLAN 1");

	/* mac(12) is known in VLAN 20 only: in VLAN 10 it is flooded. */
	f = eth_frame(mac(12), mac(10), UNTAGGED, 20, 3);
	send_frame(_metadata, s[0], &f, "port 0");
	expect_frame(_metadata, s[1], &f,
		     "port 1, unicast to another VLAN's host");
	expect_none(_metadata, s[2], "port 2, unicast from VLAN 10");
	expect_none(_metadata, s[3], "port 3, unicast from VLAN 10");
	f = eth_frame(mac(10), mac(12), UNTAGGED, 20, 4);
	send_frame(_metadata, s[2], &f, "port 2");
	expect_frame(_metadata, s[3], &f,
		     "port 3, unicast to another VLAN's host");
	expect_none(_metadata, s[0], "port 0, unicast from VLAN 20");
	expect_none(_metadata, s[1], "port 1, unicast from VLAN 20");

	/* One address in two VLANs: two entries. */
	f = eth_frame(mac_bcast, mac(12), UNTAGGED, 20, 5);
	send_frame(_metadata, s[1], &f, "port 1");
	expect_frame(_metadata, s[0], &f, "port 0");
	expect_fdb(_metadata, m, mac(12), 10, 1, "mac(12) in VLAN 10");
	expect_fdb(_metadata, m, mac(12), 20, 2, "mac(12) in VLAN 20");

	/* Changing a port's VLANs forgets what it taught. */
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 30));
	expect_fdb(_metadata, m, mac(10), 10, -1,
		   "port 0's address after a change of its VLANs");
	expect_fdb(_metadata, m, mac(12), 20, 2, "port 2's address");
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 2, 21));
	expect_fdb(_metadata, m, mac(12), 20, -1,
		   "port 2's address after a change of its pvid");
	expect_fdb(_metadata, m, mac(12), 10, 1, "port 1's address");
}

TEST(switch_trunk)
{
	static const __u16 both[] = { 10, 20 }, ten[] = { 10 };
	const char *p = tpath("switch");
	struct frame f, want;
	int m, t, a10, a20, a30;
	long long drops;

	m = TRY(sw_create(p, 8));
	t = TRY(sw_join(p, 0));
	a10 = TRY(sw_join(p, 1));
	a20 = TRY(sw_join(p, 2));
	a30 = TRY(sw_join(p, 3));
	expect_trunks(_metadata, m, 0, NULL, 0, "a new port");
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 0, 0));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 10));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 20));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 1, 10));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 2, 20));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 3, 30));
	ASSERT_VAL(0, sw_pvid(m, 0), "pvid of the trunk");
	expect_trunks(_metadata, m, 0, both, 2, "the trunk");
	expect_trunks(_metadata, t, 0, both, 2, "the trunk, read by itself");
	expect_trunks(_metadata, m, 1, NULL, 0, "an access port");

	/* Untagged in VLAN 10: leaves the trunk tagged 81 00 00 0a. */
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 40, 1);
	want = eth_frame(mac_bcast, mac(1), TCI(0, 10), 40, 1);
	ASSERT_VAL(f.len + VLAN_TAG_LEN, want.len,
		   "length of the tagged frame");
	send_frame(_metadata, a10, &f, "a10");
	expect_frame(_metadata, t, &want, "trunk, frame from VLAN 10");
	ASSERT_TRUE(rxbuf[12] == 0x81 && rxbuf[13] == 0x00 &&
		    rxbuf[14] == 0x00 && rxbuf[15] == 10)
		TH_LOG("tag %02x %02x %02x %02x", rxbuf[12], rxbuf[13],
		       rxbuf[14], rxbuf[15]);
	expect_none(_metadata, a20, "a20, frame from VLAN 10");
	expect_none(_metadata, a30, "a30, frame from VLAN 10");
	expect_none(_metadata, a10, "a10, the sender");

	/* The priority of an incoming tag is kept. */
	f = eth_frame(mac_bcast, mac(1), TCI(5, 0), 40, 2);
	want = eth_frame(mac_bcast, mac(1), TCI(5, 10), 40, 2);
	send_frame(_metadata, a10, &f, "a10");
	expect_frame(_metadata, t, &want,
		     "trunk, priority-tagged frame from VLAN 10");
	expect_none(_metadata, a20, "a20, priority-tagged frame from VLAN 10");
	expect_none(_metadata, a30, "a30, priority-tagged frame from VLAN 10");

	/* Tagged 20 from the trunk: leaves a20 untagged. */
	f = eth_frame(mac_bcast, mac(5), TCI(3, 20), 40, 3);
	want = eth_frame(mac_bcast, mac(5), UNTAGGED, 40, 3);
	send_frame(_metadata, t, &f, "trunk");
	expect_frame(_metadata, a20, &want,
		     "a20, frame tagged 20 from the trunk");
	ASSERT_TRUE(rxbuf[12] == ETHERTYPE_TEST >> 8 &&
		    rxbuf[13] == (ETHERTYPE_TEST & 0xff))
		TH_LOG("ethertype %02x%02x", rxbuf[12], rxbuf[13]);
	expect_none(_metadata, a10, "a10, frame tagged 20");
	expect_none(_metadata, a30, "a30, frame tagged 20");
	expect_none(_metadata, t, "trunk, the sender");
	expect_fdb(_metadata, m, mac(5), 20, 0, "trunk's address in VLAN 20");

	/* Untagged from a20 to the trunk's address: tagged 20, to it only. */
	f = eth_frame(mac(5), mac(2), UNTAGGED, 40, 4);
	want = eth_frame(mac(5), mac(2), TCI(0, 20), 40, 4);
	send_frame(_metadata, a20, &f, "a20");
	expect_frame(_metadata, t, &want, "trunk, unicast from a20");
	expect_none(_metadata, a10, "a10, unicast from a20");
	expect_none(_metadata, a30, "a30, unicast from a20");

	/* Known unicast tagged 10 from the trunk. */
	f = eth_frame(mac(1), mac(5), TCI(0, 10), 40, 5);
	want = eth_frame(mac(1), mac(5), UNTAGGED, 40, 5);
	send_frame(_metadata, t, &f, "trunk");
	expect_frame(_metadata, a10, &want, "a10, unicast tagged 10");
	expect_none(_metadata, a20, "a20, unicast tagged 10");
	expect_none(_metadata, a30, "a30, unicast tagged 10");

	/* VLAN 30 is not on the trunk. */
	drops = port_rx_drops(m, 0);
	ASSERT_TRUE(drops >= 0)
		TH_LOG("rx_drops of the trunk");
	f = eth_frame(mac_bcast, mac(5), TCI(0, 30), 40, 6);
	send_frame(_metadata, t, &f, "trunk");
	expect_none(_metadata, a30, "a30, frame tagged 30 from the trunk");
	expect_none(_metadata, a10, "a10, frame tagged 30");
	expect_none(_metadata, a20, "a20, frame tagged 30");
	expect_none(_metadata, t, "trunk, frame tagged 30");
	ASSERT_VAL(drops + 1, port_rx_drops(m, 0),
		   "rx_drops of the trunk after a frame tagged 30");

	/* Nor is any untagged VLAN (pvid 0). */
	f = eth_frame(mac_bcast, mac(5), UNTAGGED, 40, 7);
	send_frame(_metadata, t, &f, "trunk");
	expect_none(_metadata, a10, "a10, untagged frame from the trunk");
	expect_none(_metadata, a20, "a20, untagged frame from the trunk");
	expect_none(_metadata, a30, "a30, untagged frame from the trunk");
	ASSERT_VAL(drops + 2, port_rx_drops(m, 0),
		   "rx_drops of the trunk after an untagged frame");

	/* Nor, now, VLAN 20. */
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, 0, 20));
	expect_trunks(_metadata, m, 0, ten, 1, "the trunk after TRUNK_DEL 20");
	f = eth_frame(mac_bcast, mac(5), TCI(0, 20), 40, 8);
	send_frame(_metadata, t, &f, "trunk");
	expect_none(_metadata, a20, "a20, frame tagged 20 after TRUNK_DEL");
	expect_none(_metadata, a10, "a10, frame tagged 20 after TRUNK_DEL");
	ASSERT_VAL(drops + 3, port_rx_drops(m, 0),
		   "rx_drops of the trunk after TRUNK_DEL 20");
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 40, 9);
	send_frame(_metadata, a20, &f, "a20");
	expect_none(_metadata, t, "trunk, frame from VLAN 20 after TRUNK_DEL");
}

TEST(switch_access_drops_tagged)
{
	const char *p = tpath("switch");
	struct frame f, want;
	int m, a, b, c, pa;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));

	/* Tagged with the access VLAN itself: dropped. */
	f = eth_frame(mac_bcast, mac(7), TCI(0, 1), 30, 1);
	send_frame(_metadata, a, &f, "a");
	expect_none(_metadata, b, "b, frame tagged 1 from an access port");
	expect_none(_metadata, c, "c, frame tagged 1 from an access port");
	ASSERT_VAL(1, port_rx_drops(m, pa), "rx_drops after a frame tagged 1");
	f = eth_frame(mac_bcast, mac(7), TCI(0, 5), 30, 2);
	send_frame(_metadata, a, &f, "a");
	expect_none(_metadata, b, "b, frame tagged 5 from an access port");
	expect_none(_metadata, c, "c, frame tagged 5 from an access port");
	ASSERT_VAL(2, port_rx_drops(m, pa), "rx_drops after a frame tagged 5");
	ASSERT_VAL(0, fdb_read(m), "entries learnt from dropped frames");

	/* Priority-tagged: VLAN 1, leaves untagged. */
	f = eth_frame(mac_bcast, mac(1), TCI(5, 0), 30, 3);
	want = eth_frame(mac_bcast, mac(1), UNTAGGED, 30, 3);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &want, "b, priority-tagged frame");
	expect_frame(_metadata, c, &want, "c, priority-tagged frame");
	expect_none(_metadata, a, "a, the sender");
	ASSERT_VAL(2, port_rx_drops(m, pa), "rx_drops after a priority tag");
	expect_fdb(_metadata, m, mac(1), 1, pa,
		   "source of a priority-tagged frame");
}

TEST(switch_stats)
{
	const char *p = tpath("switch"), *q = tpath("small");
	struct frame f, runt;
	int m, a, b, c, pa, pb, pc, n, i, s2, a2, b2, pa2, pb2;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	pb = TRY(sw_port(b));
	pc = TRY(sw_port(c));

	/* One record per connected port; the bound manager has none. */
	n = TRY(stats_read(m));
	ASSERT_VAL(3, n, "records of IPN_SWITCH_PORT_STATS");
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(stats_buf[i].port == pa ||
			    stats_buf[i].port == pb ||
			    stats_buf[i].port == pc)
			TH_LOG("record of port %d", stats_buf[i].port);
		ASSERT_VAL(1, stats_buf[i].pvid, "pvid");
		ASSERT_VAL(0, stats_buf[i].ntrunks, "ntrunks");
	}
	expect_counts(_metadata, m, pa, (struct counts){ 0 }, "a, new");

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 46, 1);	/* 60 bytes */
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, c, &f, "c");
	f = eth_frame(mac(1), mac(2), UNTAGGED, 86, 2);		/* 100 bytes */
	send_frame(_metadata, b, &f, "b");
	expect_frame(_metadata, a, &f, "a");
	expect_none(_metadata, c, "c");
	/* A runt: dropped. */
	runt = eth_frame(mac_bcast, mac(1), UNTAGGED, 0, 3);
	runt.len = 10;
	send_frame(_metadata, a, &runt, "a");
	expect_none(_metadata, b, "b, runt");
	expect_none(_metadata, c, "c, runt");

	expect_counts(_metadata, m, pa, (struct counts){
		.rx_frames = 1, .rx_bytes = 60, .rx_drops = 1,
		.tx_frames = 1, .tx_bytes = 100 }, "a");
	expect_counts(_metadata, m, pb, (struct counts){
		.rx_frames = 1, .rx_bytes = 100,
		.tx_frames = 1, .tx_bytes = 60 }, "b");
	expect_counts(_metadata, c, pc,
		      (struct counts){ .tx_frames = 1, .tx_bytes = 60 },
		      "c, read by itself");

	/* A closed port leaves the list. */
	close(c);
	n = TRY(stats_read(m));
	ASSERT_VAL(2, n, "records after a close");
	for (i = 0; i < n; i++)
		ASSERT_TRUE(stats_buf[i].port != pc)
			TH_LOG("record of the closed port %d", pc);

	/* tx_drops: a full reader. */
	s2 = TRY(net_create_proto(q, IPN_VDESWITCH, &(struct netopts){
		.pool = 4, .bind_only = true }));
	a2 = TRY(net_join_proto(q, IPN_VDESWITCH));
	b2 = TRY(net_join_proto(q, IPN_VDESWITCH));
	pa2 = TRY(sw_port(a2));
	pb2 = TRY(sw_port(b2));
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 6, 4);	/* 20 bytes */
	for (i = 0; i < 6; i++)
		send_frame(_metadata, a2, &f, "a2");
	expect_counts(_metadata, s2, pa2,
		      (struct counts){ .rx_frames = 6, .rx_bytes = 120 },
		      "a2, sender");
	expect_counts(_metadata, s2, pb2, (struct counts){
		.tx_frames = 4, .tx_bytes = 80, .tx_drops = 2 },
		"b2, with a pool of 4");
}

/* Whether @cap is a valid capacity for IPN_SWITCH_MAXENTRIES @n. */
static bool fdb_capacity_ok(long long cap, long long n)
{
	return cap >= n && cap % 8 == 0 && !((cap / 8) & (cap / 8 - 1));
}

TEST(switch_options_errors)
{
	static const int vlan_opts[] = {
		IPN_SWITCH_PORT_VLAN, IPN_SWITCH_TRUNK_ADD, IPN_SWITCH_TRUNK_DEL,
	};
	static const struct {
		int name;
		int val;	/* a valid value */
	} int_opts[] = {
		{ IPN_SWITCH_AGING, 300 },
		{ IPN_SWITCH_FLUSH, -1 },
		{ IPN_SWITCH_MAXENTRIES, IPN_SWITCH_MAXENTRIES_DEFAULT },
	};
	static const socklen_t vlan_lens[] = { 0, 3, 4, 7, 9, 16 };
	static const socklen_t int_lens[] = { 0, 2, 3, 5, 8 };
	static const int bad_vlans[] = { 4095, 4096, 0xffff };
	static const int bad_ports[] = { 8, 9999, -1, -2 };
	const char *p = tpath("switch"), *hp = tpath("hub");
	struct ipn_switch_vlan v;
	unsigned char buf[32];
	struct frame f;
	int m, mc, a, b, c, pa, pb, pc, h, hj, val, n, r, e;
	unsigned int i, j;
	socklen_t len;
	long long cap;

	m = TRY(sw_create(p, 8));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	pb = TRY(sw_port(b));
	pc = TRY(sw_port(c));

	/* Wrong lengths. */
	for (i = 0; i < ARRAY_SIZE(vlan_opts); i++) {
		for (j = 0; j < ARRAY_SIZE(vlan_lens); j++) {
			memset(buf, 0, sizeof(buf));
			v = (struct ipn_switch_vlan){ .port = 0, .vlan = 5 };
			memcpy(buf, &v, sizeof(v));
			errno = 0;
			r = setsockopt(m, IPN_VDESWITCH, vlan_opts[i], buf,
				       vlan_lens[j]);
			e = errno;
			ASSERT_TRUE(r == -1 && e == EINVAL)
				TH_LOG("option %d with optlen %u: expected EINVAL, got %s",
				       vlan_opts[i], (unsigned int)vlan_lens[j],
				       r == -1 ? errstr(e) : "success");
		}
	}
	for (i = 0; i < ARRAY_SIZE(int_opts); i++) {
		for (j = 0; j < ARRAY_SIZE(int_lens); j++) {
			memset(buf, 0, sizeof(buf));
			memcpy(buf, &int_opts[i].val, sizeof(int));
			errno = 0;
			r = setsockopt(m, IPN_VDESWITCH, int_opts[i].name, buf,
				       int_lens[j]);
			e = errno;
			ASSERT_TRUE(r == -1 && e == EINVAL)
				TH_LOG("option %d with optlen %u: expected EINVAL, got %s",
				       int_opts[i].name,
				       (unsigned int)int_lens[j],
				       r == -1 ? errstr(e) : "success");
		}
	}

	/* Wrong values. */
	for (i = 0; i < ARRAY_SIZE(vlan_opts); i++) {
		for (j = 0; j < ARRAY_SIZE(bad_vlans); j++) {
			errno = 0;
			r = sw_set_vlan(m, vlan_opts[i], 0, bad_vlans[j]);
			e = errno;
			ASSERT_TRUE(r == -1 && e == EINVAL)
				TH_LOG("option %d with VLAN %d: expected EINVAL, got %s",
				       vlan_opts[i], bad_vlans[j],
				       r == -1 ? errstr(e) : "success");
		}
		for (j = 0; j < ARRAY_SIZE(bad_ports); j++) {
			errno = 0;
			r = sw_set_vlan(m, vlan_opts[i], bad_ports[j], 5);
			e = errno;
			ASSERT_TRUE(r == -1 && e == EINVAL)
				TH_LOG("option %d on port %d of 8: expected EINVAL, got %s",
				       vlan_opts[i], bad_ports[j],
				       r == -1 ? errstr(e) : "success");
		}
		v = (struct ipn_switch_vlan){ .port = 0, .vlan = 5,
					      .reserved = 1 };
		ASSERT_ERRNO(EINVAL, setsockopt(m, IPN_VDESWITCH, vlan_opts[i],
						&v, sizeof(v)),
			     "struct ipn_switch_vlan with reserved 1");
	}
	ASSERT_ERRNO(EINVAL, sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 0),
		     "IPN_SWITCH_TRUNK_ADD of VLAN 0");
	ASSERT_ERRNO(EINVAL, sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, 0, 0),
		     "IPN_SWITCH_TRUNK_DEL of VLAN 0");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_AGING, 0),
		     "IPN_SWITCH_AGING 0");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_AGING, -1),
		     "IPN_SWITCH_AGING -1");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_AGING, 1000001),
		     "IPN_SWITCH_AGING 1000001");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_MAXENTRIES, 7),
		     "IPN_SWITCH_MAXENTRIES 7");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_MAXENTRIES, 65537),
		     "IPN_SWITCH_MAXENTRIES 65537");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_MAXENTRIES, -1),
		     "IPN_SWITCH_MAXENTRIES -1");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_FLUSH, 9999),
		     "IPN_SWITCH_FLUSH 9999");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_FLUSH, 8),
		     "IPN_SWITCH_FLUSH 8 on 8 ports");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_FLUSH, -2),
		     "IPN_SWITCH_FLUSH -2");
	/* The refusals changed nothing. */
	ASSERT_VAL(1, sw_pvid(m, 0), "pvid of port 0");
	expect_trunks(_metadata, m, 0, NULL, 0, "port 0");
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(m, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING");
	ASSERT_VAL(IPN_SWITCH_MAXENTRIES_DEFAULT,
		   sw_get(m, IPN_SWITCH_MAXENTRIES), "IPN_SWITCH_MAXENTRIES");
	ASSERT_VAL(0, fdb_read(m), "entries");
	/* The limits themselves are fine. */
	TRY(sw_set(m, IPN_SWITCH_AGING, 1000000));
	ASSERT_VAL(1000000, sw_get(m, IPN_SWITCH_AGING), "IPN_SWITCH_AGING");
	TRY(sw_set(m, IPN_SWITCH_AGING, IPN_SWITCH_AGING_DEFAULT));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, pc, 4094));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, pc, 1));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pc, 4094));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pc, 0));
	ASSERT_VAL(0, sw_pvid(m, pc), "pvid of c");
	expect_trunks(_metadata, m, pc, (const __u16[]){ 1, 4094 }, 2, "c");
	/* Back to an access port of VLAN 1. */
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, pc, 1));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, pc, 4094));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pc, 1));
	expect_trunks(_metadata, m, pc, NULL, 0, "c, restored");
	TRY(sw_set(m, IPN_SWITCH_FLUSH, pc));

	/* Only the manager may set. */
	ASSERT_ERRNO(EPERM, sw_set_vlan(a, IPN_SWITCH_PORT_VLAN, pa, 1),
		     "IPN_SWITCH_PORT_VLAN from a connected socket");
	ASSERT_ERRNO(EPERM, sw_set_vlan(a, IPN_SWITCH_TRUNK_ADD, pa, 10),
		     "IPN_SWITCH_TRUNK_ADD from a connected socket");
	ASSERT_ERRNO(EPERM, sw_set_vlan(a, IPN_SWITCH_TRUNK_DEL, pa, 10),
		     "IPN_SWITCH_TRUNK_DEL from a connected socket");
	ASSERT_ERRNO(EPERM, sw_set(a, IPN_SWITCH_AGING, 300),
		     "IPN_SWITCH_AGING from a connected socket");
	ASSERT_ERRNO(EPERM, sw_set(a, IPN_SWITCH_FLUSH, -1),
		     "IPN_SWITCH_FLUSH from a connected socket");
	ASSERT_ERRNO(EPERM, sw_set(a, IPN_SWITCH_MAXENTRIES, 4096),
		     "IPN_SWITCH_MAXENTRIES from a connected socket");
	expect_trunks(_metadata, a, pa, NULL, 0,
		      "a, after the refused TRUNK_ADD");
	/* A bound socket that connected too is manager and port. */
	mc = TRY(sw_socket());
	TRY(ipn_bind(mc, p));
	TRY(connect(mc, NULL, 0));
	TRY(sw_set(mc, IPN_SWITCH_AGING, 600));
	ASSERT_VAL(600, sw_get(a, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING set by a bound and connected socket");

	/* Unknown options, and levels other than the network's protocol. */
	ASSERT_ERRNO(ENOPROTOOPT, sw_set(m, 99, 1), "setsockopt of option 99");
	ASSERT_ERRNO(ENOPROTOOPT, sw_set(m, 0, 1), "setsockopt of option 0");
	len = sizeof(val);
	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(m, IPN_VDESWITCH, 99, &val, &len),
		     "getsockopt of option 99");
	/* Level 1 is SOL_SOCKET, the socket core's: use other numbers. */
	val = 10;
	ASSERT_ERRNO(ENOPROTOOPT,
		     setsockopt(m, 7, IPN_SWITCH_AGING, &val, sizeof(val)),
		     "setsockopt at level 7 on a switch network");
	ASSERT_ERRNO(ENOPROTOOPT,
		     setsockopt(m, 255, IPN_SWITCH_AGING, &val, sizeof(val)),
		     "setsockopt at level 255 on a switch network");
	len = sizeof(val);
	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(a, IPN_VDESWITCH_L3,
					     IPN_SWITCH_AGING, &val, &len),
		     "getsockopt at level 3 on a switch network");
	h = TRY(net_create(hp, NULL));
	hj = TRY(net_join(hp));
	val = 10;
	ASSERT_ERRNO(ENOPROTOOPT, setsockopt(h, IPN_VDESWITCH, IPN_SWITCH_AGING,
					     &val, sizeof(val)),
		     "setsockopt at level 2 on a hub network");
	len = sizeof(val);
	ASSERT_ERRNO(ENOPROTOOPT,
		     getsockopt(h, IPN_VDESWITCH, IPN_SWITCH_AGING, &val, &len),
		     "getsockopt at level 2 on a hub network");
	len = sizeof(val);
	ASSERT_ERRNO(ENOPROTOOPT, getsockopt(hj, IPN_VDESWITCH,
					     IPN_SWITCH_MACTABLE, buf, &len),
		     "getsockopt at level 2 from a hub port");

	/* Buffers too short to read into, and ports beyond the table. */
	len = 3;
	ASSERT_ERRNO(EINVAL,
		     getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_AGING, &val, &len),
		     "IPN_SWITCH_AGING with optlen 3");
	len = 0;
	ASSERT_ERRNO(EINVAL, getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_MAXENTRIES,
					&val, &len),
		     "IPN_SWITCH_MAXENTRIES with optlen 0");
	v = (struct ipn_switch_vlan){ .port = 0 };
	len = 4;
	ASSERT_ERRNO(EINVAL, getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN,
					&v, &len),
		     "IPN_SWITCH_PORT_VLAN with optlen 4");
	val = 0;
	len = 2;
	ASSERT_ERRNO(EINVAL, getsockopt(m, IPN_VDESWITCH,
					IPN_SWITCH_PORT_TRUNKS, &val, &len),
		     "IPN_SWITCH_PORT_TRUNKS with optlen 2");
	v = (struct ipn_switch_vlan){ .port = 8 };
	len = sizeof(v);
	ASSERT_ERRNO(EINVAL, getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN,
					&v, &len),
		     "IPN_SWITCH_PORT_VLAN of port 8");
	v = (struct ipn_switch_vlan){ .port = -1 };
	len = sizeof(v);
	ASSERT_ERRNO(EINVAL, getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN,
					&v, &len),
		     "IPN_SWITCH_PORT_VLAN of port -1");
	val = 8;
	len = sizeof(buf);
	memcpy(buf, &val, sizeof(val));
	ASSERT_ERRNO(EINVAL, getsockopt(m, IPN_VDESWITCH,
					IPN_SWITCH_PORT_TRUNKS, buf, &len),
		     "IPN_SWITCH_PORT_TRUNKS of port 8");

	/* Resizing the table keeps what it learnt. */
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 20, 2);
	send_frame(_metadata, b, &f, "b");
	ASSERT_VAL(2, fdb_read(m), "entries before IPN_SWITCH_MAXENTRIES");
	TRY(sw_set(m, IPN_SWITCH_MAXENTRIES, 100));
	cap = sw_get(m, IPN_SWITCH_MAXENTRIES);
	ASSERT_TRUE(fdb_capacity_ok(cap, 100))
		TH_LOG("capacity %lld for 100 entries", cap);
	n = TRY(fdb_read(m));
	ASSERT_VAL(2, n, "entries after IPN_SWITCH_MAXENTRIES 100");
	expect_fdb(_metadata, m, mac(1), 1, pa,
		   "after IPN_SWITCH_MAXENTRIES 100");
	expect_fdb(_metadata, m, mac(2), 1, pb,
		   "after IPN_SWITCH_MAXENTRIES 100");
	while (recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 3);
	send_frame(_metadata, b, &f, "b");
	expect_none(_metadata, c,
		    "c, known unicast after IPN_SWITCH_MAXENTRIES");
	TRY(sw_set(m, IPN_SWITCH_MAXENTRIES, 8));
	cap = sw_get(m, IPN_SWITCH_MAXENTRIES);
	ASSERT_TRUE(fdb_capacity_ok(cap, 8))
		TH_LOG("capacity %lld for 8 entries", cap);
}

static int switch_owner_child(struct __test_metadata *_metadata, void *arg)
{
	const char *p = arg;
	char q[PATH_MAX];
	int m, pa;

	become_nobody(_metadata);
	m = TRY(sw_socket());
	TRY(ipn_bind(m, p));
	TRY(connect(m, NULL, 0));
	pa = 0;
	ASSERT_ERRNO(EPERM, sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pa, 10),
		     "IPN_SWITCH_PORT_VLAN from a manager who is not the owner");
	ASSERT_ERRNO(EPERM, sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, pa, 10),
		     "IPN_SWITCH_TRUNK_ADD from a manager who is not the owner");
	ASSERT_ERRNO(EPERM, sw_set(m, IPN_SWITCH_FLUSH, -1),
		     "IPN_SWITCH_FLUSH from a manager who is not the owner");
	ASSERT_ERRNO(EPERM, sw_set(m, IPN_SWITCH_AGING, 10),
		     "IPN_SWITCH_AGING from a manager who is not the owner");
	/* On a network of its own it is the owner. */
	snprintf(q, sizeof(q), "%s-own", p);
	m = TRY(sw_socket());
	TRY(ipn_bind(m, q));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 0, 10));
	ASSERT_VAL(10, sw_pvid(m, 0), "pvid set by the owner");
	return 0;
}

/*
 * Switch configuration (VLANs of any port, the table) acts on every user
 * of the network: the x right alone does not give it, ownership of the
 * node does.
 */
TEST(switch_config_needs_owner)
{
	const char *p = tpath("sw");
	int m;

	m = TRY(sw_socket());
	TRY(set_opt(m, IPN_SO_MODE, 0777));
	TRY(ipn_bind(m, p));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 0, 20));
	ASSERT_EQ(0, reap(TRY(spawn(_metadata, switch_owner_child, (void *)p)),
			  "unprivileged manager"));
	ASSERT_VAL(20, sw_pvid(m, 0),
		   "pvid of port 0 after the refused change");
}

TEST(switch_protocol_mismatch)
{
	const char *hp = tpath("hub"), *sp = tpath("switch");
	struct frame f;
	int h, m, x, y, any, pany, s;

	h = TRY(net_create(hp, NULL));
	m = TRY(sw_create(sp, 0));

	s = TRY(sw_socket());
	ASSERT_ERRNO(EPROTO, ipn_connect(s, hp),
		     "IPN_VDESWITCH socket connecting to a hub network");
	close(s);
	s = TRY(sw_socket());
	ASSERT_ERRNO(EPROTO, ipn_bind(s, hp),
		     "IPN_VDESWITCH socket binding to a hub network");
	close(s);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(EPROTO, ipn_bind(s, sp),
		     "IPN_BROADCAST socket binding to a switch network");
	close(s);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(EPROTO, ipn_connect(s, sp),
		     "IPN_BROADCAST socket connecting to a switch network");
	close(s);

	/* IPN_ANY takes the network's policy. */
	x = TRY(sw_join(sp, IPN_PORTNO_ANY));
	y = TRY(sw_join(sp, IPN_PORTNO_ANY));
	any = TRY(net_join_proto(sp, IPN_ANY));
	pany = TRY(sw_port(any));
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(any, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING read by an IPN_ANY socket");
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, x, &f, "x");
	expect_frame(_metadata, any, &f, "IPN_ANY port, broadcast");
	expect_frame(_metadata, y, &f, "y, broadcast");
	/* A hub would give this one to y as well. */
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 2);
	send_frame(_metadata, any, &f, "IPN_ANY port");
	expect_frame(_metadata, x, &f, "x, unicast from the IPN_ANY port");
	expect_none(_metadata, y, "y, unicast to x");
	expect_fdb(_metadata, m, mac(2), 1, pany, "the IPN_ANY port's address");
	/* And binds as a manager. */
	s = TRY(socket(ipn_family(), SOCK_RAW, IPN_ANY));
	TRY(ipn_bind(s, sp));
	TRY(sw_set(s, IPN_SWITCH_AGING, 100));
	ASSERT_VAL(100, sw_get(m, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING set by an IPN_ANY manager");
	/* The hub is still a hub. */
	s = TRY(net_join_proto(hp, IPN_ANY));
	send_str(_metadata, h, "hub");
	expect_str(_metadata, s, "hub", "IPN_ANY socket on the hub");
}

/* ------------------------------------------------------------------ */
/* Spanning tree                                                        */

/*
 * A cable between switch networks @a and @b: a helper process with a
 * port on each that relays frames both ways until killed, as vde_plug
 * between two switches does.  Its ports are put in *@pa and *@pb.
 */
static pid_t cable(struct __test_metadata *_metadata, const char *a,
		   const char *b, int *pa, int *pb)
{
	int sa = TRY(sw_join(a, IPN_PORTNO_ANY));
	int sb = TRY(sw_join(b, IPN_PORTNO_ANY));
	pid_t pid;

	*pa = TRY(sw_port(sa));
	*pb = TRY(sw_port(sb));
	pid = fork_helper(false);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct pollfd fds[2] = { { sa, POLLIN, 0 }, { sb, POLLIN, 0 } };
		char buf[2048];
		ssize_t n;
		int i;

		for (;;) {
			if (poll(fds, 2, -1) < 0 && errno != EINTR)
				_exit(1);
			for (i = 0; i < 2; i++) {
				if (!(fds[i].revents & POLLIN))
					continue;
				n = recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
				if (n > 0)
					send(fds[!i].fd, buf, n, MSG_DONTWAIT);
			}
		}
	}
	close(sa);
	close(sb);
	return pid;
}

static void cut(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Spanning tree on, with @prio and the shortest times it takes. */
static int stp_on(int s, int prio)
{
	struct ipn_switch_stp_bridge b = {
		.priority = prio, .hello_time = 1, .max_age = 6,
		.forward_delay = 2,
	};

	if (setsockopt(s, IPN_VDESWITCH, IPN_SWITCH_STP_BRIDGE, &b, sizeof(b)))
		return -1;
	return sw_set(s, IPN_SWITCH_STP, 1);
}

static struct ipn_switch_stp_port_state stp_buf[64];

/* The spanning-tree state of @port (IPN_STP_*), -1 if none. */
static int stp_state(int s, int port)
{
	socklen_t len = sizeof(stp_buf);
	unsigned int i;

	if (getsockopt(s, IPN_VDESWITCH, IPN_SWITCH_STP_PORTS, stp_buf, &len))
		return -1;
	for (i = 0; i < len / sizeof(stp_buf[0]); i++)
		if (stp_buf[i].port == port)
			return stp_buf[i].state;
	return -1;
}

static int stp_root_port(int s)
{
	struct ipn_switch_stp_status st;
	socklen_t len = sizeof(st);

	if (getsockopt(s, IPN_VDESWITCH, IPN_SWITCH_STP_STATUS, &st, &len))
		return -2;
	return st.root_port;
}

/* The test frames from mac(1) that reach @s in @ms milliseconds. */
static int count_frames(int s, int ms)
{
	long long end = now_ms() + ms;
	unsigned char buf[2048];
	int n = 0;
	ssize_t len;

	for (;;) {
		long long left = end - now_ms();

		if (left <= 0)
			break;
		len = recv_timeout(s, buf, sizeof(buf), 0, left);
		if (len >= 14 && !memcmp(buf + MAC_LEN, mac(1), MAC_LEN) &&
		    buf[12] == ETHERTYPE_TEST >> 8 &&
		    buf[13] == (ETHERTYPE_TEST & 0xff))
			n++;
	}
	return n;
}

/*
 * Two switches cabled twice, a loop: a broadcast circulates for ever.
 * The spanning tree stops it, elects the switch of the lower priority
 * root, blocks one of the other switch's cable ports, and when the cable
 * that carries the traffic goes, unblocks the other.
 */
TEST(switch_stp_loop)
{
	const char *a = tpath("sw-a"), *b = tpath("sw-b");
	int ma, mb, ha, hb, a1, b1, a2, b2, rp, other, i, n;
	pid_t c1, c2;
	struct frame f;

	ma = TRY(sw_create(a, 0));
	mb = TRY(sw_create(b, 0));
	ha = TRY(sw_join(a, IPN_PORTNO_ANY));
	hb = TRY(sw_join(b, IPN_PORTNO_ANY));
	c1 = cable(_metadata, a, b, &a1, &b1);
	c2 = cable(_metadata, a, b, &a2, &b2);

	/* Without the spanning tree, one broadcast goes round and round. */
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 40, 1);
	send_frame(_metadata, ha, &f, "ha");
	n = count_frames(hb, 500);
	ASSERT_LT(2, n)
		TH_LOG("a loop without STP: %d copies of one broadcast", n);

	/* With it, the storm ends and the tree forms. */
	TRY(stp_on(ma, 0x1000));
	TRY(stp_on(mb, 0x8000));
	ASSERT_VAL(1, sw_get(mb, IPN_SWITCH_STP), "IPN_SWITCH_STP");
	for (i = 0; i < 150; i++) {
		rp = stp_root_port(mb);
		other = rp == b1 ? b2 : b1;
		if ((rp == b1 || rp == b2) &&
		    stp_state(mb, rp) == IPN_STP_FORWARDING &&
		    stp_state(mb, other) == IPN_STP_BLOCKING &&
		    stp_state(ma, a1) == IPN_STP_FORWARDING &&
		    stp_state(ma, a2) == IPN_STP_FORWARDING &&
		    stp_state(mb, sw_port(hb)) == IPN_STP_FORWARDING)
			break;
		usleep(100000);
	}
	ASSERT_LT(i, 150)
		TH_LOG("no tree after 15 s: b's root port %d, states %d %d",
		       rp, stp_state(mb, b1), stp_state(mb, b2));
	ASSERT_VAL(-1, stp_root_port(ma), "the root's root port");
	count_frames(hb, 300);
	send_frame(_metadata, ha, &f, "ha");
	ASSERT_VAL(1, count_frames(hb, 1000), "copies of one broadcast with STP");

	/* The cable of b's root port goes: the other takes over. */
	cut(rp == b1 ? c1 : c2);
	for (i = 0; i < 150; i++) {
		if (stp_root_port(mb) == other &&
		    stp_state(mb, other) == IPN_STP_FORWARDING)
			break;
		usleep(100000);
	}
	ASSERT_LT(i, 150)
		TH_LOG("the other cable did not take over: root port %d, state %d",
		       stp_root_port(mb), stp_state(mb, other));
	count_frames(hb, 300);
	send_frame(_metadata, ha, &f, "ha");
	ASSERT_VAL(1, count_frames(hb, 1000),
		   "copies of one broadcast over the remaining cable");
	cut(rp == b1 ? c2 : c1);
}
IPN_TIMEOUT(switch_stp_loop, 2 * IPN_TEST_TIMEOUT)

/* The spanning tree's options: values, errors, and who may set them. */
TEST(switch_stp_options)
{
	const char *p = tpath("switch");
	struct ipn_switch_stp_bridge br = { 0x7000, 3, 12, 5 }, got;
	struct ipn_switch_stp_port sp = { 0 };
	struct ipn_switch_stp_status st;
	socklen_t len;
	int m, a, pa;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	pa = TRY(sw_port(a));
	ASSERT_VAL(0, sw_get(m, IPN_SWITCH_STP), "IPN_SWITCH_STP of a new switch");
	len = sizeof(got);
	TRY(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_BRIDGE, &got, &len));
	ASSERT_TRUE(got.priority == 0x8000 && got.hello_time == 2 &&
		    got.max_age == 20 && got.forward_delay == 15)
		TH_LOG("defaults %#x %u %u %u", got.priority, got.hello_time,
		       got.max_age, got.forward_delay);
	TRY(setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_BRIDGE, &br, sizeof(br)));
	len = sizeof(got);
	TRY(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_BRIDGE, &got, &len));
	ASSERT_EQ(0, memcmp(&br, &got, sizeof(br)));
	br.hello_time = 0;
	ASSERT_ERRNO(EINVAL, setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_BRIDGE,
					&br, sizeof(br)), "hello time 0");
	br.hello_time = 2;
	br.forward_delay = 31;
	ASSERT_ERRNO(EINVAL, setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_BRIDGE,
					&br, sizeof(br)), "forward delay 31");
	ASSERT_ERRNO(EINVAL, sw_set(m, IPN_SWITCH_STP, 2), "IPN_SWITCH_STP 2");

	sp.port = pa;
	sp.path_cost = 42;
	sp.priority = 0x20;
	TRY(setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_PORT, &sp, sizeof(sp)));
	memset(&sp, 0, sizeof(sp));
	sp.port = pa;
	len = sizeof(sp);
	TRY(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_PORT, &sp, &len));
	ASSERT_TRUE(sp.path_cost == 42 && sp.priority == 0x20)
		TH_LOG("port %d: cost %u priority %#x", pa, sp.path_cost,
		       sp.priority);
	sp.priority = 0x21;
	ASSERT_ERRNO(EINVAL, setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_PORT,
					&sp, sizeof(sp)), "port priority 0x21");
	sp.priority = 0x20;
	sp.path_cost = 0;
	ASSERT_ERRNO(EINVAL, setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_PORT,
					&sp, sizeof(sp)), "path cost 0");
	sp.path_cost = 1;
	sp.port = 4096;
	ASSERT_ERRNO(EINVAL, setsockopt(m, IPN_VDESWITCH, IPN_SWITCH_STP_PORT,
					&sp, sizeof(sp)), "no such port");
	/* Only the network's owner sets them; any member reads. */
	ASSERT_ERRNO(EPERM, sw_set(a, IPN_SWITCH_STP, 1), "IPN_SWITCH_STP by a member");

	TRY(sw_set(m, IPN_SWITCH_STP, 1));
	len = sizeof(st);
	TRY(getsockopt(a, IPN_VDESWITCH, IPN_SWITCH_STP_STATUS, &st, &len));
	ASSERT_TRUE(st.enabled && st.root_port == -1 &&
		    !memcmp(st.bridge_id, st.root_id, 8) &&
		    st.bridge_id[0] == 0x70 && st.hello_time == 3)
		TH_LOG("a lone switch is its own root");
	/* A new port listens first. */
	ASSERT_VAL(IPN_STP_LISTENING, stp_state(m, pa), "state of a port");
	TRY(sw_set(m, IPN_SWITCH_STP, 0));
	ASSERT_VAL(0, sw_get(m, IPN_SWITCH_STP), "IPN_SWITCH_STP off");
}

TEST(switch_rmmod_in_use)
{
	const char *hp = tpath("hub"), *sp = tpath("switch");
	struct frame f;
	int h1, h2, m, a, b, s;

	h1 = TRY(net_create(hp, NULL));
	h2 = TRY(net_join(hp));
	m = TRY(sw_create(sp, 0));
	a = TRY(sw_join(sp, IPN_PORTNO_ANY));
	b = TRY(sw_join(sp, IPN_PORTNO_ANY));
	ASSERT_TRUE(module_loaded("kvde_switch"))
		TH_LOG("kvde_switch is not loaded");

	expect_unload_refused(_metadata, "kvde_switch",
			      "with a switch network");
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	send_frame(_metadata, a, &f, "a");
	expect_frame(_metadata, b, &f, "b, after the refused delete_module");
	send_str(_metadata, h1, "hub, switch loaded");
	expect_str(_metadata, h2, "hub, switch loaded", "h2");

	/* Without its bound socket the network lives on. */
	close(m);
	expect_unload_refused(_metadata, "kvde_switch",
			      "with a switch network of connected sockets");
	close(a);
	close(b);
	unload_module_wait(_metadata, "kvde_switch");
	send_str(_metadata, h2, "hub, switch unloaded");
	expect_str(_metadata, h1, "hub, switch unloaded", "h1");

	s = TRY(socket(ipn_family(), SOCK_RAW, IPN_VDESWITCH));
	ASSERT_TRUE(module_loaded("kvde_switch"))
		TH_LOG("kvde_switch was not loaded again");
	TRY(ipn_bind(s, tpath("switch2")));
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(s, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING of a network of the reloaded switch");
	send_str(_metadata, h1, "hub, switch reloaded");
	expect_str(_metadata, h2, "hub, switch reloaded", "h2");
}

IPN_HARNESS_MAIN
