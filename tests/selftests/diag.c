// SPDX-License-Identifier: GPL-2.0
/*
 * AF_IPN socket diagnostics (<linux/ipn_diag.h>): a SOCK_DIAG_BY_FAMILY
 * dump over NETLINK_SOCK_DIAG lists the networks and their sockets and
 * interfaces, with their settings and queues; requests are checked;
 * filters work; a dump in many rounds shows each record once; namespaces
 * see their own.
 */
#include "ipn_lib.h"

#include <sched.h>
#include <sys/sysmacros.h>
#include <linux/ipn_diag.h>
#include <linux/netlink.h>

#ifndef SO_COOKIE
#define SO_COOKIE		57
#endif

/* A record of a dump, with the attributes the tests look at. */
struct rec {
	struct ipn_diag_msg m;
	char path[PATH_MAX];
	struct ipn_diag_params params;
	bool has_params;
	__u32 users, uid, ifflags;
	char descr[IPN_DESCRLEN + 1];
	char ifname[IFNAMSIZ];
	__u8 shut;
	struct ipn_diag_rqlen rq;
	bool has_rq;
	__u32 meminfo[SK_MEMINFO_VARS];
	bool has_meminfo;
	struct ipn_diag_stats stats;
	bool has_stats;
};

#define MAX_RECS		1024

static struct rec recs[MAX_RECS];

static void copy_attr(void *dst, size_t size, const struct nlattr *a)
{
	size_t len = a->nla_len - NLA_HDRLEN;

	memcpy(dst, (const char *)a + NLA_HDRLEN, len < size ? len : size);
}

static void parse_rec(struct rec *r, const struct nlmsghdr *h)
{
	const char *p = NLMSG_DATA(h);
	int left = h->nlmsg_len - NLMSG_LENGTH(sizeof(r->m));
	const struct nlattr *a;

	memset(r, 0, sizeof(*r));
	memcpy(&r->m, p, sizeof(r->m));
	a = (const struct nlattr *)(p + NLMSG_ALIGN(sizeof(r->m)));
	while (left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= left) {
		switch (a->nla_type) {
		case IPN_DIAG_PATH:
			copy_attr(r->path, sizeof(r->path) - 1, a);
			break;
		case IPN_DIAG_PARAMS:
			copy_attr(&r->params, sizeof(r->params), a);
			r->has_params = true;
			break;
		case IPN_DIAG_USERS:
			copy_attr(&r->users, sizeof(r->users), a);
			break;
		case IPN_DIAG_UID:
			copy_attr(&r->uid, sizeof(r->uid), a);
			break;
		case IPN_DIAG_DESCR:
			copy_attr(r->descr, sizeof(r->descr) - 1, a);
			break;
		case IPN_DIAG_SHUTDOWN:
			copy_attr(&r->shut, sizeof(r->shut), a);
			break;
		case IPN_DIAG_RQLEN:
			copy_attr(&r->rq, sizeof(r->rq), a);
			r->has_rq = true;
			break;
		case IPN_DIAG_MEMINFO:
			copy_attr(r->meminfo, sizeof(r->meminfo), a);
			r->has_meminfo = true;
			break;
		case IPN_DIAG_IFNAME:
			copy_attr(r->ifname, sizeof(r->ifname) - 1, a);
			break;
		case IPN_DIAG_IFFLAGS:
			copy_attr(&r->ifflags, sizeof(r->ifflags), a);
			break;
		case IPN_DIAG_STATS:
			copy_attr(&r->stats, sizeof(r->stats), a);
			r->has_stats = true;
			break;
		}
		left -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

/*
 * Send a SOCK_DIAG_BY_FAMILY request of @reqlen bytes of @req, with
 * @flags, and collect the answer into recs[] through a receive buffer of
 * @bufsize bytes (the size of each round follows it).  Returns the
 * number of records, or -1 with errno the error the kernel answered.
 */
static int dump_raw(const void *req, size_t reqlen, int flags, size_t bufsize)
{
	struct {
		struct nlmsghdr h;
		char req[64];
	} msg = {
		.h = {
			.nlmsg_len = NLMSG_LENGTH(reqlen),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = flags,
			.nlmsg_seq = 1,
		},
	};
	static char buf[65536];
	int s, n = 0, err = 0;
	bool done = false;

	memcpy(msg.req, req, reqlen);
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -1;
	if (send(s, &msg, msg.h.nlmsg_len, 0) < 0) {
		err = errno;
		goto out;
	}
	while (!done && !err) {
		ssize_t len = recv_timeout(s, buf, bufsize, 0, RECV_TIMEOUT);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (len < 0) {
			err = errno;
			break;
		}
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				/* No error: an ack. */
				done = !err;
				break;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || n == MAX_RECS) {
				err = EPROTO;
				break;
			}
			parse_rec(&recs[n++], h);
		}
	}
out:
	close(s);
	errno = err;
	return err ? -1 : n;
}

static struct ipn_diag_req diag_req(void)
{
	return (struct ipn_diag_req){ .sdiag_family = ipn_family() };
}

static int dump(const struct ipn_diag_req *req)
{
	return dump_raw(req, sizeof(*req), NLM_F_REQUEST | NLM_F_DUMP, 32768);
}

static struct ipn_diag_req net_req(const char *path);

/* A dump of the network at @path only. */
static int dump_net(const char *path, __u32 show)
{
	struct ipn_diag_req req;
	struct stat st;

	if (stat(path, &st))
		return -1;
	req = net_req(path);
	req.idiag_show = show;
	return dump(&req);
}

/* The first record of type @type (and socket inode @ino, if not 0). */
static struct rec *find(int n, int type, __u32 ino)
{
	int i;

	for (i = 0; i < n; i++)
		if (recs[i].m.idiag_type == type &&
		    (!ino || recs[i].m.idiag_ino == ino))
			return &recs[i];
	return NULL;
}

static int count(int n, int type)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += recs[i].m.idiag_type == type;
	return c;
}

static __u32 sock_ino(int s)
{
	struct stat st;

	return fstat(s, &st) ? 0 : st.st_ino;
}

static __u64 sock_cookie(int s)
{
	__u64 c = 0;
	socklen_t len = sizeof(c);

	return getsockopt(s, SOL_SOCKET, SO_COOKIE, &c, &len) ? 0 : c;
}

TEST(diag_requests_are_checked)
{
	struct ipn_diag_req req = diag_req();

	ASSERT_ERRNO(EOPNOTSUPP,
		     dump_raw(&req, sizeof(req), NLM_F_REQUEST, 32768),
		     "a request without NLM_F_DUMP");
	ASSERT_ERRNO(EINVAL,
		     dump_raw(&req, sizeof(req) - 1, NLM_F_REQUEST | NLM_F_DUMP,
			      32768),
		     "a short request");
	req.pad = 1;
	ASSERT_ERRNO(EINVAL, dump(&req), "pad set");
	req = diag_req();
	req.idiag_show = IPN_DIAG_REC_ALL + 1;
	ASSERT_ERRNO(EINVAL, dump(&req), "an unknown record type");
	req = diag_req();
	req.idiag_net_dev = 1;
	ASSERT_ERRNO(EINVAL, dump(&req), "a device without an inode");
	req = diag_req();
	req.idiag_net_ino[1] = 1;
	ASSERT_ERRNO(EINVAL, dump(&req), "an inode without a device");
	req = diag_req();
	ASSERT_LE(0, dump(&req))
		TH_LOG("a valid dump: %s", errstr(errno));
}

TEST(diag_network_and_sockets)
{
	struct netopts o = { .mtu = 1000, .numnodes = 7, .pool = 16,
			     .flags = IPN_FLAG_LOSSLESS, .mode = 0750,
			     .set_mode = true, .bind_only = true };
	const char *p = tpath("net");
	char real[PATH_MAX];
	int mgr, a, b, n;
	struct rec *r;

	mgr = TRY(net_create(p, &o));
	a = TRY(net_join(p));
	b = TRY(net_join(p));
	TRY(set_descr(a, "the first"));
	TRY(shutdown(b, SHUT_RD));
	ASSERT_TRUE(realpath(p, real) != NULL);

	n = TRY(dump_net(p, 0));
	ASSERT_VAL(1, count(n, IPN_DIAG_REC_NETWORK), "network records");
	ASSERT_VAL(3, count(n, IPN_DIAG_REC_SOCKET), "socket records");
	ASSERT_VAL(0, count(n, IPN_DIAG_REC_IFACE), "interface records");
	r = find(n, IPN_DIAG_REC_NETWORK, 0);
	ASSERT_VAL(ipn_family(), r->m.idiag_family, "family");
	ASSERT_VAL(IPN_BROADCAST, r->m.idiag_protocol, "policy");
	ASSERT_VAL(-1, r->m.idiag_port, "a network's port");
	ASSERT_STREQ(real, r->path);
	ASSERT_TRUE(r->has_params);
	ASSERT_VAL(1000, r->params.mtu, "mtu");
	ASSERT_VAL(7, r->params.numnodes, "numnodes");
	ASSERT_VAL(16, r->params.msgpoolsize, "msgpoolsize");
	ASSERT_VAL(IPN_FLAG_LOSSLESS, r->params.flags, "flags");
	ASSERT_VAL(0750, r->params.mode, "mode");
	ASSERT_VAL(2, r->params.ports, "ports taken");
	ASSERT_VAL(3, r->users, "users");
	ASSERT_VAL(0, r->uid, "owner");

	/* Connected sockets in port order, then the one only bound. */
	ASSERT_VAL(sock_ino(a), recs[1].m.idiag_ino, "first socket");
	ASSERT_VAL(sock_ino(b), recs[2].m.idiag_ino, "second socket");
	ASSERT_VAL(sock_ino(mgr), recs[3].m.idiag_ino, "bound socket");
	r = &recs[1];
	ASSERT_VAL(IPN_DIAG_ST_CONNECTED, r->m.idiag_state, "a's state");
	ASSERT_VAL(opt_value(a, IPN_SO_PORT), r->m.idiag_port, "a's port");
	ASSERT_VAL(sock_cookie(a),
		   r->m.idiag_cookie[0] | (__u64)r->m.idiag_cookie[1] << 32,
		   "a's cookie");
	ASSERT_STREQ("the first", r->descr);
	ASSERT_VAL(0, r->shut, "a's shutdown");
	ASSERT_TRUE(r->has_rq && r->has_meminfo);
	r = &recs[2];
	ASSERT_VAL(opt_value(b, IPN_SO_PORT), r->m.idiag_port, "b's port");
	ASSERT_VAL(1, r->shut, "b's shutdown (SHUT_RD)");
	ASSERT_STREQ("", r->descr);
	r = &recs[3];
	ASSERT_VAL(IPN_DIAG_ST_BOUND, r->m.idiag_state, "the manager's state");
	ASSERT_VAL(-1, r->m.idiag_port, "the manager's port");

	/* Gone with its last socket. */
	close(a);
	close(b);
	n = TRY(dump_net(p, 0));
	ASSERT_VAL(2, n, "records with one socket left");
	close(mgr);
	ASSERT_VAL(0, dump_net(p, 0), "records of a network gone");
}

TEST(diag_queues_and_drops)
{
	struct netopts o = { .pool = 4 };
	const char *p = tpath("net");
	int tx, rx, n, i;
	struct rec *r;

	tx = TRY(net_create(p, &o));
	rx = TRY(net_join(p));
	for (i = 0; i < 6; i++)
		send_str(_metadata, tx, "0123456789");
	n = TRY(dump_net(p, IPN_DIAG_REC_SOCKET));
	r = find(n, IPN_DIAG_REC_SOCKET, sock_ino(rx));
	ASSERT_TRUE(r != NULL);
	ASSERT_VAL(4, r->rq.messages, "messages queued (the pool)");
	ASSERT_LT(40u, r->rq.bytes);
	ASSERT_VAL(r->rq.bytes, r->meminfo[SK_MEMINFO_RMEM_ALLOC],
		   "RQLEN's bytes are SK_MEMINFO_RMEM_ALLOC");
	ASSERT_VAL(2, r->meminfo[SK_MEMINFO_DROPS], "drops");
	ASSERT_VAL(sock_drops(rx), r->meminfo[SK_MEMINFO_DROPS],
		   "drops as SO_MEMINFO says");
	r = find(n, IPN_DIAG_REC_SOCKET, sock_ino(tx));
	ASSERT_TRUE(r != NULL);
	ASSERT_VAL(0, r->rq.messages, "the sender's queue");
	ASSERT_TRUE(r->has_stats);
	ASSERT_VAL(6, r->stats.tx_messages, "messages sent");
	ASSERT_VAL(60, r->stats.tx_bytes, "bytes sent");
	ASSERT_VAL(0, r->stats.rx_messages, "messages the sender read");
	ASSERT_VAL(0, count(n, IPN_DIAG_REC_NETWORK), "network records not asked for");

	/* Read, not peeked, messages count; a truncated one whole. */
	ASSERT_VAL(10, recv(rx, rxbuf, sizeof(rxbuf), MSG_PEEK), "peek");
	ASSERT_VAL(10, recv(rx, rxbuf, sizeof(rxbuf), 0), "recv");
	ASSERT_VAL(3, recv(rx, rxbuf, 3, 0), "a truncated recv");
	n = TRY(dump_net(p, IPN_DIAG_REC_SOCKET));
	r = find(n, IPN_DIAG_REC_SOCKET, sock_ino(rx));
	ASSERT_TRUE(r != NULL && r->has_stats);
	ASSERT_VAL(2, r->stats.rx_messages, "messages read");
	ASSERT_VAL(20, r->stats.rx_bytes, "bytes read");
	ASSERT_VAL(0, r->stats.tx_messages, "messages the reader sent");
	ASSERT_VAL(2, r->rq.messages, "messages left");
}

TEST(diag_filters)
{
	const char *hub = tpath("hub"), *sw = tpath("sw");
	struct ipn_diag_req req = diag_req();
	int h, s, x, n, i;

	h = TRY(net_create(hub, &(struct netopts){ 0 }));
	x = TRY(net_join(hub));
	s = TRY(sw_create(sw, 0));

	req.sdiag_protocol = IPN_VDESWITCH;
	n = TRY(dump(&req));
	ASSERT_LE(1, n);
	for (i = 0; i < n; i++)
		ASSERT_VAL(IPN_VDESWITCH, recs[i].m.idiag_protocol,
			   "a record of another policy");
	ASSERT_TRUE(find(n, IPN_DIAG_REC_SOCKET, sock_ino(s)) != NULL);

	req = diag_req();
	req.idiag_ino = sock_ino(x);
	n = TRY(dump(&req));
	ASSERT_VAL(2, n, "records of one socket: it and its network");
	ASSERT_VAL(IPN_DIAG_REC_NETWORK, recs[0].m.idiag_type, "first record");
	ASSERT_VAL(sock_ino(x), recs[1].m.idiag_ino, "the socket");

	req.idiag_show = IPN_DIAG_REC_SOCKET;
	n = TRY(dump(&req));
	ASSERT_VAL(1, n, "the socket only");

	req = diag_req();
	req.idiag_show = IPN_DIAG_REC_NETWORK;
	n = TRY(dump(&req));
	ASSERT_VAL(n, count(n, IPN_DIAG_REC_NETWORK), "networks only");
	ASSERT_LE(2, n);

	/* An inode that is no socket of any network: nothing. */
	req = diag_req();
	req.idiag_ino = sock_ino(h) + 1000000;
	ASSERT_VAL(0, dump(&req), "records of an unknown socket");
	close(h);
}

/*
 * Many networks with a socket each, through a small receive buffer: the
 * dump takes many rounds, and must show every record exactly once.
 */
#define MANY 150

TEST(diag_dump_in_rounds)
{
	static int socks[MANY];
	static __u32 inos[MANY];
	static bool seen[MANY];
	struct ipn_diag_req req = diag_req();
	char name[32];
	int n, i, j, nets = 0;

	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "net%d", i);
		socks[i] = TRY(net_create(tpath(name), &(struct netopts){ 0 }));
		inos[i] = sock_ino(socks[i]);
	}
	n = TRY(dump_raw(&req, sizeof(req), NLM_F_REQUEST | NLM_F_DUMP, 4096));
	for (i = 0; i < n; i++) {
		if (recs[i].m.idiag_type == IPN_DIAG_REC_NETWORK &&
		    strstr(recs[i].path, tdir()) == recs[i].path)
			nets++;
		for (j = 0; j < MANY; j++) {
			if (recs[i].m.idiag_type != IPN_DIAG_REC_SOCKET ||
			    recs[i].m.idiag_ino != inos[j])
				continue;
			ASSERT_FALSE(seen[j]) {
				TH_LOG("socket %d shown twice", j);
			}
			seen[j] = true;
		}
	}
	for (j = 0; j < MANY; j++) {
		ASSERT_TRUE(seen[j])
			TH_LOG("socket %d not shown (%d records)", j, n);
	}
	ASSERT_VAL(MANY, nets, "networks shown");
}

/*
 * A path longer than a record may carry is left out: the network is
 * still shown, named by its inode, and the dump goes on.
 */
TEST(diag_long_path)
{
	char dir[200];
	int s, n, depth;
	struct stat st;

	memset(dir, 'd', sizeof(dir) - 1);
	dir[sizeof(dir) - 1] = 0;
	ASSERT_EQ(0, chdir(tdir()));
	for (depth = 0; depth < 12; depth++) {
		ASSERT_EQ(0, mkdir(dir, 0777));
		ASSERT_EQ(0, chdir(dir));
	}
	s = TRY(net_create("net", &(struct netopts){ 0 }));
	n = TRY(dump_net("net", 0));
	ASSERT_VAL(2, n, "the network and its socket");
	ASSERT_STREQ("", recs[0].path);
	ASSERT_EQ(0, stat("net", &st));
	ASSERT_VAL(st.st_ino, recs[0].m.idiag_net_ino[0] |
		   (__u64)recs[0].m.idiag_net_ino[1] << 32, "the node's inode");
	ASSERT_VAL(sock_ino(s), recs[1].m.idiag_ino, "the socket");
}

TEST(diag_interfaces)
{
	const char *p = tpath("net");
	char name[IFNAMSIZ];
	int b, n;
	struct rec *r;

	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(conn_tap(b, "ipndiag0", IPN_NODEFLAG_TAP, name));
	n = TRY(dump_net(p, IPN_DIAG_REC_IFACE));
	ASSERT_VAL(1, n, "interface records");
	r = &recs[0];
	ASSERT_STREQ("ipndiag0", r->ifname);
	ASSERT_VAL(iface_attr("ipndiag0", "ifindex"), r->m.idiag_ino,
		   "ifindex");
	ASSERT_VAL(0, r->m.idiag_port, "the tap's port");
	ASSERT_VAL(IPN_DIAG_IF_TAP | IPN_DIAG_IF_CONTROLLED, r->ifflags,
		   "flags");
	TRY(ioctl(b, IPN_SETPERSIST, 1));
	n = TRY(dump_net(p, IPN_DIAG_REC_IFACE));
	ASSERT_VAL(IPN_DIAG_IF_TAP | IPN_DIAG_IF_CONTROLLED |
		   IPN_DIAG_IF_PERSIST, recs[0].ifflags, "flags, persistent");
	/* Persistent, it holds the network when its socket is gone. */
	close(b);
	n = TRY(dump_net(p, 0));
	ASSERT_VAL(2, n, "the network and its tap");
	ASSERT_VAL(IPN_DIAG_IF_TAP | IPN_DIAG_IF_PERSIST, recs[1].ifflags,
		   "flags, no socket");
	ASSERT_VAL(1, recs[0].users, "users: the tap");
	TRY(netdev_ioctl(ipn_socket(), IPN_CLRPERSIST_NETDEV, "ipndiag0", 0));
	ASSERT_TRUE(iface_gone("ipndiag0"));
	ASSERT_VAL(0, dump_net(p, 0), "records of a network gone");
}

/*
 * The line of /proc/net/ipn whose path is @path, without its newline, in
 * @line; whether there is one.  The header must be the first line.
 */
static bool proc_line(const char *path, char *line, size_t size)
{
	static const char header[] =
		"Inode Dev Policy Mtu Ports Numnodes Msgpool Flags Mode Uid Users Path\n";
	FILE *f = fopen("/proc/net/ipn", "r");
	size_t n = strlen(path), len;
	bool found = false;

	if (!f)
		return false;
	if (fgets(line, size, f) && !strcmp(line, header)) {
		while (!found && fgets(line, size, f)) {
			len = strcspn(line, "\n");
			line[len] = 0;
			found = len > n && line[len - n - 1] == ' ' &&
				!strcmp(line + len - n, path);
		}
	}
	fclose(f);
	return found;
}

TEST(proc_net_ipn)
{
	struct netopts o = { .mtu = 1000, .numnodes = 7, .pool = 16,
			     .flags = IPN_FLAG_LOSSLESS, .mode = 0750,
			     .set_mode = true };
	const char *p = tpath("net");
	char real[PATH_MAX], line[PATH_MAX + 256], want[PATH_MAX + 256];
	struct stat st;
	int a, b;

	a = TRY(net_create(p, &o));
	b = TRY(net_join(p));
	ASSERT_TRUE(realpath(p, real) != NULL);
	ASSERT_EQ(0, stat(p, &st));
	ASSERT_TRUE(proc_line(real, line, sizeof(line)))
		TH_LOG("no line for %s in /proc/net/ipn", real);
	snprintf(want, sizeof(want), "%lu %u:%u hub 1000 2 7 16 %d 0750 0 2 %s",
		 (unsigned long)st.st_ino, major(st.st_dev), minor(st.st_dev),
		 IPN_FLAG_LOSSLESS, real);
	ASSERT_STREQ(want, line);
	close(a);
	ASSERT_TRUE(proc_line(real, line, sizeof(line)));
	snprintf(want, sizeof(want), "%lu %u:%u hub 1000 1 7 16 %d 0750 0 1 %s",
		 (unsigned long)st.st_ino, major(st.st_dev), minor(st.st_dev),
		 IPN_FLAG_LOSSLESS, real);
	ASSERT_STREQ(want, line);
	close(b);
	ASSERT_FALSE(proc_line(real, line, sizeof(line)));
}

struct netns_arg {
	const char *path;
	__u32 ino;	/* a socket of the parent's namespace */
};

static int in_netns(struct __test_metadata *_metadata, void *arg)
{
	const struct netns_arg *a = arg;
	struct ipn_diag_req req = diag_req();
	char real[PATH_MAX], line[PATH_MAX + 256];
	int n, s;

	ASSERT_TRUE(realpath(a->path, real) != NULL);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	/* Nothing of the parent's namespace. */
	n = TRY(dump_net(a->path, 0));
	ASSERT_VAL(0, n, "records of another namespace's network");
	/* /proc/net is the reading process's namespace's. */
	ASSERT_FALSE(proc_line(real, line, sizeof(line)));
	/* A socket here shows the network, and itself only. */
	s = TRY(net_join(a->path));
	n = TRY(dump_net(a->path, 0));
	ASSERT_VAL(2, n, "the network and this namespace's socket");
	ASSERT_VAL(sock_ino(s), recs[1].m.idiag_ino, "this namespace's socket");
	ASSERT_VAL(2, recs[0].params.ports, "ports taken, of all namespaces");
	ASSERT_TRUE(proc_line(real, line, sizeof(line)));
	/* Nor can a socket of the other namespace be asked for by inode. */
	req.idiag_ino = a->ino;
	ASSERT_VAL(0, dump(&req), "records of another namespace's socket");
	return 0;
}

TEST(diag_netns)
{
	struct netns_arg a = { .path = tpath("net") };
	pid_t pid;
	int s;

	s = TRY(net_create(a.path, &(struct netopts){ 0 }));
	a.ino = sock_ino(s);
	pid = TRY(spawn(_metadata, in_netns, &a));
	ASSERT_EQ(0, reap(pid, "the dumper in a new namespace"));
}

/* Paths are shown from the dumper's root, and not outside it. */
struct root_arg {
	const char *root;
	struct ipn_diag_req in, out;
};

static int in_chroot(struct __test_metadata *_metadata, void *arg)
{
	struct root_arg *a = arg;

	ASSERT_EQ(0, chroot(a->root));
	ASSERT_EQ(0, chdir("/"));
	ASSERT_VAL(1, dump(&a->in), "the network under the root");
	ASSERT_STREQ("/net", recs[0].path);
	ASSERT_VAL(1, dump(&a->out), "the network outside the root");
	ASSERT_STREQ("", recs[0].path);
	ASSERT_TRUE(recs[0].has_params);
	return 0;
}

/* A request for the network of the node @path (its record only). */
static struct ipn_diag_req net_req(const char *path)
{
	struct ipn_diag_req req = diag_req();
	struct stat st;

	memset(&st, 0, sizeof(st));
	stat(path, &st);
	req.idiag_net_ino[0] = (__u32)st.st_ino;
	req.idiag_net_ino[1] = (__u64)st.st_ino >> 32;
	req.idiag_net_dev = (minor(st.st_dev) & 0xff) |
		(major(st.st_dev) << 8) | ((minor(st.st_dev) & ~0xffu) << 12);
	req.idiag_show = IPN_DIAG_REC_NETWORK;
	return req;
}

TEST(diag_path_from_root)
{
	struct root_arg a = { .root = tpath("root") };
	pid_t pid;

	ASSERT_EQ(0, mkdir(a.root, 0777));
	TRY(net_create(tpath("root/net"), &(struct netopts){ 0 }));
	TRY(net_create(tpath("net"), &(struct netopts){ 0 }));
	a.in = net_req(tpath("root/net"));
	a.out = net_req(tpath("net"));
	pid = TRY(spawn(_metadata, in_chroot, &a));
	ASSERT_EQ(0, reap(pid, "the dumper in a chroot"));
}

static int as_nobody(struct __test_metadata *_metadata, void *arg)
{
	const char *p = arg;
	int n;

	become_nobody(_metadata);
	/* As for AF_UNIX, anybody sees what exists in the namespace. */
	n = TRY(dump_net(p, 0));
	ASSERT_VAL(2, n, "records shown to another user");
	ASSERT_VAL(0, recs[0].uid, "the node's owner");
	ASSERT_VAL(0, recs[1].uid, "the socket's owner");
	return 0;
}

TEST(diag_other_user)
{
	const char *p = tpath("net");
	pid_t pid;

	TRY(net_create(p, &(struct netopts){ .mode = 0700, .set_mode = true }));
	pid = TRY(spawn(_metadata, as_nobody, (void *)p));
	ASSERT_EQ(0, reap(pid, "the dumper as nobody"));
}

IPN_HARNESS_MAIN
