// SPDX-License-Identifier: GPL-2.0
/*
 * Who sent a message: SO_PASSCRED's SCM_CREDENTIALS, as the reader's pid
 * and user namespaces see the sender, and the sender's port in msg_name
 * (struct sockaddr_ipn); none for frames of interfaces.
 */
#include "ipn_lib.h"

#include <sched.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

/* What recvmsg() said of one message. */
struct got {
	ssize_t len;
	int flags;
	bool has_cred;
	struct ucred cred;
	struct sockaddr_ipn from;
	socklen_t fromlen;
};

/* Receive one message of @s within RECV_TIMEOUT, with its metadata. */
static int recv_meta(int s, struct got *g)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred)) + 64];
	} ctl;
	struct iovec iov = { rxbuf, sizeof(rxbuf) };
	struct msghdr mh = {
		.msg_name = &g->from, .msg_namelen = sizeof(g->from) + 8,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct pollfd pfd = { .fd = s, .events = POLLIN };
	struct cmsghdr *c;

	memset(g, 0, sizeof(*g));
	if (poll(&pfd, 1, RECV_TIMEOUT) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	g->len = recvmsg(s, &mh, MSG_DONTWAIT);
	if (g->len < 0)
		return -1;
	g->flags = mh.msg_flags;
	g->fromlen = mh.msg_namelen;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_CREDENTIALS ||
		    c->cmsg_len != CMSG_LEN(sizeof(struct ucred)))
			return diag("an unexpected control message: level %d type %d len %zu",
				    c->cmsg_level, c->cmsg_type,
				    (size_t)c->cmsg_len), -1;
		memcpy(&g->cred, CMSG_DATA(c), sizeof(g->cred));
		g->has_cred = true;
	}
	return 0;
}

/* The next message of @s must carry these credentials (@pid -1: any). */
static void expect_cred(struct __test_metadata *_metadata, int s,
			pid_t pid, uid_t uid, gid_t gid, const char *who)
{
	struct got g;

	ASSERT_EQ(0, recv_meta(s, &g))
		TH_LOG("%s: no message: %s", who, errstr(errno));
	ASSERT_TRUE(g.has_cred)
		TH_LOG("%s: no SCM_CREDENTIALS", who);
	if (pid != -1)
		ASSERT_EQ(pid, g.cred.pid)
			TH_LOG("%s: pid %d, expected %d", who, g.cred.pid,
			       pid);
	ASSERT_EQ(uid, g.cred.uid)
		TH_LOG("%s: uid %u, expected %u", who, g.cred.uid, uid);
	ASSERT_EQ(gid, g.cred.gid)
		TH_LOG("%s: gid %u, expected %u", who, g.cred.gid, gid);
}

static void passcred(struct __test_metadata *_metadata, int s)
{
	int one = 1;

	TRY(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)));
}

TEST(passcred_option)
{
	const char *p = tpath("net");
	int one = 1, v = 0, a;
	socklen_t len = sizeof(v);

	a = TRY(net_create(p, NULL));
	passcred(_metadata, a);
	ASSERT_ERRNO(EINVAL, setsockopt(a, SOL_SOCKET, SO_PASSCRED, &one, 1),
		     "SO_PASSCRED with a one-byte value");
	/*
	 * The socket core answers these itself, for AF_UNIX, AF_NETLINK and
	 * AF_BLUETOOTH only (Documentation/ipn.rst says why).
	 */
	ASSERT_ERRNO(EOPNOTSUPP, getsockopt(a, SOL_SOCKET, SO_PASSCRED, &v,
					    &len),
		     "getsockopt(SO_PASSCRED)");
	ASSERT_ERRNO(EOPNOTSUPP, setsockopt(a, SOL_SOCKET, SO_PASSSEC, &one,
					    sizeof(one)),
		     "SO_PASSSEC");
	/* The other SOL_SOCKET options still reach the socket core. */
	v = 65536;
	TRY(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	len = sizeof(v);
	TRY(getsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, &len));
	ASSERT_EQ(2 * 65536, v);
	ASSERT_ERRNO(ENOPROTOOPT, setsockopt(a, SOL_SOCKET, 9999, &one,
					     sizeof(one)),
		     "an unknown SOL_SOCKET option");
	close(a);
}

struct sender {
	const char *path;
	uid_t uid;		/* 0: stay root */
	int word[2];		/* the sender's pid, once it sent */
};

static int sender_child(struct __test_metadata *_metadata, void *arg)
{
	struct sender *s = arg;
	pid_t me;
	int x;

	x = TRY(net_join(s->path));
	if (s->uid) {
		TRY(setgroups(0, NULL));
		TRY(setgid(s->uid));
		TRY(setuid(s->uid));
		die_with_parent();
	}
	send_str(_metadata, x, "who am i");
	me = getpid();
	ASSERT_VAL(sizeof(me), write(s->word[1], &me, sizeof(me)), "word");
	close(x);
	return 0;
}

/* A helper process sends one message as @uid; its pid. */
static pid_t send_as(struct __test_metadata *_metadata, const char *path,
		     uid_t uid)
{
	struct sender s = { .path = path, .uid = uid };
	pid_t pid, sent = -1;

	TRY(pipe(s.word));
	pid = TRY(spawn(_metadata, sender_child, &s));
	close(s.word[1]);
	ASSERT_VAL(sizeof(sent), read(s.word[0], &sent, sizeof(sent)),
		   "the sender's pid");
	close(s.word[0]);
	ASSERT_EQ(pid, sent);
	/* Gone before the message is read: the reader still names it. */
	ASSERT_EQ(0, reap(pid, "sender"));
	return pid;
}

/* Readers in the sender's namespaces see its pid, uid and gid. */
TEST(credentials)
{
	const char *p = tpath("net");
	int a, b, c;
	struct got g;
	pid_t pid;

	a = TRY(net_create(p, &(struct netopts){ .mode = 0666,
						 .set_mode = true }));
	b = TRY(net_join(p));
	passcred(_metadata, a);
	pid = send_as(_metadata, p, NOBODY);
	expect_cred(_metadata, a, pid, NOBODY, NOBODY, "a, from nobody");
	/* Without SO_PASSCRED, none. */
	ASSERT_EQ(0, recv_meta(b, &g));
	ASSERT_FALSE(g.has_cred);
	pid = send_as(_metadata, p, 0);
	expect_cred(_metadata, a, pid, 0, 0, "a, from root");
	/* Its own sends, through every copy of a hub, carry it too. */
	c = TRY(net_join(p));
	passcred(_metadata, c);
	send_str(_metadata, b, "b");
	expect_cred(_metadata, a, getpid(), 0, 0, "a, from b");
	expect_cred(_metadata, c, getpid(), 0, 0, "c, from b");
	/* Turned off, gone. */
	TRY(setsockopt(a, SOL_SOCKET, SO_PASSCRED, &(int){ 0 }, sizeof(int)));
	send_str(_metadata, b, "b again");
	ASSERT_EQ(0, recv_meta(a, &g));
	ASSERT_FALSE(g.has_cred);
	close(a);
	close(b);
	close(c);
}

/* msg_name is the sender's port, as a struct sockaddr_ipn. */
TEST(source_port)
{
	const char *p = tpath("net");
	struct sockaddr_ipn sa;
	socklen_t len = sizeof(sa);
	int a, b, c;

	a = TRY(net_create(p, NULL));
	b = TRY(ipn_socket());
	TRY(set_opt(b, IPN_SO_PORT, 5));
	TRY(ipn_connect(b, p));
	c = TRY(net_join(p));
	send_str(_metadata, b, "from 5");
	ASSERT_VAL(6, recv(c, rxbuf, sizeof(rxbuf), 0), "c, from 5");
	memset(&sa, 0x55, sizeof(sa));
	ASSERT_VAL(6, recvfrom(a, rxbuf, sizeof(rxbuf), 0,
			       (struct sockaddr *)&sa, &len),
		   "recvfrom");
	ASSERT_EQ(sizeof(sa), len);
	ASSERT_EQ(ipn_family(), sa.sipn_family);
	ASSERT_EQ(0, sa.sipn_reserved);
	ASSERT_EQ(5, sa.sipn_port);
	send_str(_metadata, a, "from a");
	len = sizeof(sa);
	ASSERT_VAL(6, recvfrom(c, rxbuf, sizeof(rxbuf), 0,
			       (struct sockaddr *)&sa, &len),
		   "recvfrom");
	ASSERT_EQ(opt_value(a, IPN_SO_PORT), sa.sipn_port);
	/* A short buffer gets what fits, and the full length. */
	send_str(_metadata, b, "again");
	len = 2;
	ASSERT_VAL(5, recvfrom(a, rxbuf, sizeof(rxbuf), 0,
			       (struct sockaddr *)&sa, &len),
		   "recvfrom with a 2-byte address");
	ASSERT_EQ(sizeof(sa), len);
	close(a);
	close(b);
	close(c);
}

/*
 * Frames of an interface carry no credentials; msg_name names the
 * interface's port.  Through the switch as through the hub.
 */
static void from_interface(struct __test_metadata *_metadata, int proto)
{
	static const unsigned char frame[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x0c,
		0x88, 0xb5, 'c', 'r', 'e', 'd',
	};
	const char *p = tpath("net");
	struct sockaddr_ll ll = { 0 };
	int m, a, pk, port, tries;
	struct got g;

	sh("ip link del ipncred0");
	m = TRY(net_create_proto(p, proto, &(struct netopts){
						 .bind_only = true }));
	TRY(conn_tap(m, "ipncred0", IPN_NODEFLAG_TAP, NULL));
	a = TRY(net_join_proto(p, proto));
	passcred(_metadata, a);
	TRY(iface_up("ipncred0"));
	/* The tap took the first port, the socket the next. */
	port = (int)opt_value(a, IPN_SO_PORT) - 1;
	pk = TRY(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = (int)if_nametoindex("ipncred0");
	ll.sll_halen = ETH_ALEN;
	ASSERT_VAL(sizeof(frame), sendto(pk, frame, sizeof(frame), 0,
					 (struct sockaddr *)&ll, sizeof(ll)),
		   "a frame out of the tap");
	/* The host may send frames of its own there (IPv6). */
	for (tries = 0; tries < 20; tries++) {
		ASSERT_EQ(0, recv_meta(a, &g))
			TH_LOG("no frame from the tap: %s", errstr(errno));
		if (g.len == sizeof(frame) &&
		    !memcmp(rxbuf, frame, sizeof(frame)))
			break;
	}
	ASSERT_LT(tries, 20);
	ASSERT_FALSE(g.has_cred)
		TH_LOG("a frame of an interface with credentials (pid %d)",
		       g.cred.pid);
	ASSERT_EQ(sizeof(g.from), g.fromlen);
	ASSERT_EQ(port, g.from.sipn_port);
	close(pk);
	close(a);
	close(m);
}

TEST(interface_hub)
{
	from_interface(_metadata, IPN_BROADCAST);
}

TEST(interface_switch)
{
	from_interface(_metadata, IPN_VDESWITCH);
}

/* Through the switch, known unicast and flooded frames keep the sender. */
TEST(credentials_switch)
{
	unsigned char f[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x0a,
		0x88, 0xb5,
	};
	const char *p = tpath("sw");
	int m, a, b;

	m = TRY(sw_create(p, 0));
	a = TRY(sw_join(p, IPN_PORTNO_ANY));
	b = TRY(sw_join(p, IPN_PORTNO_ANY));
	passcred(_metadata, b);
	passcred(_metadata, a);
	ASSERT_VAL(sizeof(f), send(a, f, sizeof(f), 0), "broadcast from a");
	expect_cred(_metadata, b, getpid(), 0, 0, "b, flooded");
	/* b answers a, now known: a unicast frame. */
	memcpy(f, f + 6, 6);
	f[11] = 0x0b;
	ASSERT_VAL(sizeof(f), send(b, f, sizeof(f), 0), "unicast from b");
	expect_cred(_metadata, a, getpid(), 0, 0, "a, unicast");
	close(a);
	close(b);
	close(m);
}

struct nsreader {
	const char *path;
	int ready[2], go[2];
	pid_t want_pid;
	uid_t want_uid;
};

/* In a new user namespace where root outside is 1000: read one message. */
static int userns_reader(struct __test_metadata *_metadata, void *arg)
{
	struct nsreader *r = arg;
	char c;
	int a;

	a = TRY(net_join(r->path));
	passcred(_metadata, a);
	TRY(unshare(CLONE_NEWUSER));
	ASSERT_VAL(1, write(r->ready[1], "u", 1), "unshared");
	ASSERT_VAL(1, read(r->go[0], &c, 1), "the maps written");
	expect_cred(_metadata, a, r->want_pid, 1000, 1000, "from root");
	expect_cred(_metadata, a, -1, 65534, 65534, "from an unmapped user");
	return 0;
}

TEST(credentials_user_namespace)
{
	struct nsreader r = { .path = tpath("net"), .want_pid = getpid() };
	char file[64], c;
	pid_t pid;
	int a;

	a = TRY(net_create(r.path, &(struct netopts){ .mode = 0666,
						      .set_mode = true }));
	TRY(pipe(r.ready));
	TRY(pipe(r.go));
	pid = TRY(spawn(_metadata, userns_reader, &r));
	ASSERT_VAL(1, read(r.ready[0], &c, 1), "the reader's word");
	snprintf(file, sizeof(file), "/proc/%d/uid_map", pid);
	TRY(write_file(file, "1000 0 1"));
	snprintf(file, sizeof(file), "/proc/%d/gid_map", pid);
	TRY(write_file(file, "1000 0 1"));
	send_str(_metadata, a, "from root");
	/* uid 1234, not mapped in the reader's namespace. */
	send_as(_metadata, r.path, 1234);
	ASSERT_VAL(1, write(r.go[1], "g", 1), "go");
	ASSERT_EQ(0, reap(pid, "reader in a user namespace"));
	close(a);
}

/*
 * Pid namespaces: a reader outside sees a sender inside by its pid
 * outside; a reader inside sees a sender outside as pid 0.
 */
static int pidns_child(struct __test_metadata *_metadata, void *arg)
{
	struct nsreader *r = arg;
	int a;

	/* pid 1 of its namespace. */
	ASSERT_EQ(1, getpid());
	a = TRY(net_join(r->path));
	passcred(_metadata, a);
	send_str(_metadata, a, "from inside");
	expect_cred(_metadata, a, 0, 0, 0, "inside, from outside");
	return 0;
}

static int pidns_parent(struct __test_metadata *_metadata, void *arg)
{
	struct nsreader *r = arg;
	pid_t pid;

	TRY(unshare(CLONE_NEWPID));
	/*
	 * Not spawn(): fork_helper() checks its parent by pid, which pid 1 of
	 * a namespace sees as 0.
	 */
	pid = TRY(fork());
	if (pid == 0) {
		die_with_parent();
		_exit(pidns_child(_metadata, r) ||
		      _metadata->exit_code == KSFT_FAIL);
	}
	ASSERT_VAL(sizeof(pid), write(r->ready[1], &pid, sizeof(pid)),
		   "the child's pid");
	ASSERT_EQ(0, reap(pid, "pid 1 of a new pid namespace"));
	return 0;
}

TEST(credentials_pid_namespace)
{
	struct nsreader r = { .path = tpath("net") };
	pid_t pid, inner;
	int a;

	a = TRY(net_create(r.path, NULL));
	passcred(_metadata, a);
	TRY(pipe(r.ready));
	pid = TRY(spawn(_metadata, pidns_parent, &r));
	ASSERT_VAL(sizeof(inner), read(r.ready[0], &inner, sizeof(inner)),
		   "the child's pid");
	expect_cred(_metadata, a, inner, 0, 0, "outside, from inside");
	send_str(_metadata, a, "from outside");
	ASSERT_EQ(0, reap(pid, "parent of the pid namespace"));
	close(a);
}

IPN_HARNESS_MAIN
