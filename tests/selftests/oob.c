// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-band messages: IPN_SO_HANDLE_OOB and IPN_SO_WANT_OOB_NUMNODES,
 * the reader/writer notices (struct ipn_numnode_oob) through joins,
 * leaves, shutdowns, joiners with one right only and interfaces, and how
 * recvmsg(), recv(MSG_OOB) and poll() tell them from data.  A policy's own
 * out-of-band messages are in c_policy.c.
 */
#include "ipn_lib.h"

/*
 * The next message of @s must be a notice of @readers and @writers: first
 * POLLPRI, then MSG_OOB and no sender (port -1) from recvmsg().
 */
static void expect_notice(struct __test_metadata *_metadata, int s,
			  int readers, int writers, const char *who)
{
	struct pollfd pfd = { .fd = s, .events = POLLPRI };
	struct ipn_numnode_oob n;
	struct sockaddr_ipn sa;
	struct iovec iov = { &n, sizeof(n) };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t r;

	ASSERT_EQ(1, poll(&pfd, 1, RECV_TIMEOUT))
		TH_LOG("%s: no POLLPRI within %d ms", who, RECV_TIMEOUT);
	ASSERT_TRUE(pfd.revents & POLLPRI)
		TH_LOG("%s: poll gave %#x", who, pfd.revents);
	memset(&n, 0x55, sizeof(n));
	r = recvmsg(s, &mh, MSG_DONTWAIT);
	ASSERT_VAL(sizeof(n), r, "the size of a notice");
	ASSERT_TRUE(mh.msg_flags & MSG_OOB)
		TH_LOG("%s: a notice without MSG_OOB (msg_flags %#x)", who,
		       mh.msg_flags);
	ASSERT_EQ(IPN_ANY, n.level);
	ASSERT_EQ(IPN_OOB_NUMNODE_TAG, n.tag);
	ASSERT_EQ(readers, n.numreaders)
		TH_LOG("%s: %d readers, expected %d", who, n.numreaders,
		       readers);
	ASSERT_EQ(writers, n.numwriters)
		TH_LOG("%s: %d writers, expected %d", who, n.numwriters,
		       writers);
	ASSERT_EQ(sizeof(sa), mh.msg_namelen);
	ASSERT_EQ(ipn_family(), sa.sipn_family);
	ASSERT_EQ(-1, sa.sipn_port)
		TH_LOG("%s: a notice from port %d", who, sa.sipn_port);
}

/* No out-of-band message may wait on @s. */
static void expect_no_notice(struct __test_metadata *_metadata, int s,
			     const char *who)
{
	struct pollfd pfd = { .fd = s, .events = POLLPRI };

	ASSERT_EQ(0, poll(&pfd, 1, 0))
		TH_LOG("%s: poll gave %#x, expected nothing", who,
		       pfd.revents);
	ASSERT_ERRNO(EAGAIN, recv(s, rxbuf, sizeof(rxbuf),
				  MSG_OOB | MSG_DONTWAIT),
		     "recv(MSG_OOB) with nothing out of band");
}

static void subscribe(struct __test_metadata *_metadata, int s)
{
	TRY(set_opt(s, IPN_SO_HANDLE_OOB, 1));
	TRY(set_opt(s, IPN_SO_WANT_OOB_NUMNODES, 1));
}

TEST(oob_options)
{
	const char *p = tpath("net");
	int u, c;

	u = TRY(ipn_socket());
	ASSERT_VAL(0, opt_value(u, IPN_SO_HANDLE_OOB), "default");
	ASSERT_VAL(0, opt_value(u, IPN_SO_WANT_OOB_NUMNODES), "default");
	/* Any state, as in the original; any non-zero value is on. */
	TRY(set_opt(u, IPN_SO_HANDLE_OOB, 7));
	ASSERT_VAL(1, opt_value(u, IPN_SO_HANDLE_OOB), "after setting 7");
	TRY(set_opt(u, IPN_SO_WANT_OOB_NUMNODES, 1));
	ASSERT_VAL(1, opt_value(u, IPN_SO_WANT_OOB_NUMNODES), "after 1");
	TRY(set_opt(u, IPN_SO_HANDLE_OOB, 0));
	ASSERT_VAL(0, opt_value(u, IPN_SO_HANDLE_OOB), "after 0");
	ASSERT_VAL(1, opt_value(u, IPN_SO_WANT_OOB_NUMNODES), "the other");
	ASSERT_ERRNO(EINVAL, setsockopt(u, SOL_IPN, IPN_SO_HANDLE_OOB, "x", 1),
		     "a one-byte value");
	c = TRY(net_create(p, NULL));
	TRY(set_opt(c, IPN_SO_HANDLE_OOB, 1));
	ASSERT_VAL(1, opt_value(c, IPN_SO_HANDLE_OOB), "connected");
	ASSERT_ERRNO(ENOTCONN, recv(u, rxbuf, 1, MSG_OOB),
		     "recv(MSG_OOB) of an unconnected socket");
	/* Without IPN_SO_HANDLE_OOB, recv(MSG_OOB) is a mistake. */
	TRY(set_opt(c, IPN_SO_HANDLE_OOB, 0));
	ASSERT_ERRNO(EINVAL, recv(c, rxbuf, 1, MSG_OOB | MSG_DONTWAIT),
		     "recv(MSG_OOB) without IPN_SO_HANDLE_OOB");
	/* Sending out of band is for the core and policies only. */
	ASSERT_ERRNO(EOPNOTSUPP, send(c, "x", 1, MSG_OOB), "send(MSG_OOB)");
	close(u);
	close(c);
}

/* Joins, leaves and shutdowns, each reported once, as they change. */
TEST(numnodes_join_leave)
{
	const char *p = tpath("net");
	int a, b, c, d;

	a = TRY(net_create(p, NULL));
	subscribe(_metadata, a);
	/* Asking while connected gives the numbers at once. */
	expect_notice(_metadata, a, 1, 1, "a, on asking");
	expect_no_notice(_metadata, a, "a, after the first notice");
	b = TRY(net_join(p));
	expect_notice(_metadata, a, 2, 2, "a, after b joined");
	/* Two changes unread: one notice, with the latest numbers. */
	c = TRY(net_join(p));
	d = TRY(net_join(p));
	expect_notice(_metadata, a, 4, 4, "a, after c and d joined");
	expect_no_notice(_metadata, a, "a, notices do not pile up");
	close(d);
	expect_notice(_metadata, a, 3, 3, "a, after d closed");
	TRY(shutdown(c, SHUT_RD));
	expect_notice(_metadata, a, 2, 3, "a, after c stopped reading");
	/* A shutdown that changes nothing sends nothing. */
	TRY(shutdown(c, SHUT_RD));
	expect_no_notice(_metadata, a, "a, after a repeated shutdown");
	TRY(shutdown(c, SHUT_WR));
	expect_notice(_metadata, a, 2, 2, "a, after c stopped writing");
	/* Others never see notices, nor do data readers see them as data. */
	expect_none(_metadata, b, "b");
	send_str(_metadata, b, "data");
	expect_str(_metadata, a, "data", "a, data after the notices");
	close(b);
	close(c);
	expect_notice(_metadata, a, 1, 1, "a, alone again");
	close(a);
}

/*
 * Notices come before data queued earlier; MSG_PEEK leaves them;
 * recv(MSG_OOB) takes only them; a socket shut for reading still gets
 * them.
 */
TEST(numnodes_order)
{
	const char *p = tpath("net");
	struct ipn_numnode_oob n;
	int a, b, c;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	send_str(_metadata, b, "first");
	ASSERT_ERRNO(EINVAL, recv(a, &n, sizeof(n), MSG_OOB | MSG_DONTWAIT),
		     "recv(MSG_OOB) before IPN_SO_HANDLE_OOB");
	subscribe(_metadata, a);
	/* Ahead of "first". */
	ASSERT_VAL(sizeof(n), recv(a, &n, sizeof(n), MSG_PEEK | MSG_OOB),
		   "recv(MSG_PEEK | MSG_OOB)");
	ASSERT_EQ(2, n.numreaders);
	expect_notice(_metadata, a, 2, 2, "a, after peeking");
	ASSERT_ERRNO(EAGAIN, recv(a, &n, sizeof(n), MSG_OOB),
		     "recv(MSG_OOB) with data first");
	expect_str(_metadata, a, "first", "a");
	/* Short buffers truncate, as for data. */
	c = TRY(net_join(p));
	ASSERT_VAL(4, recv(a, &n, 4, MSG_OOB), "a 4-byte recv(MSG_OOB)");
	/* A writer that does not read, like a camera waiting for viewers. */
	TRY(shutdown(a, SHUT_RD));
	expect_notice(_metadata, a, 2, 3, "a, shut for reading");
	send_str(_metadata, b, "not for a");
	ASSERT_VAL(0, recv(a, rxbuf, sizeof(rxbuf), MSG_DONTWAIT),
		   "a, shut for reading, gets no data: end of file");
	close(c);
	expect_notice(_metadata, a, 1, 2, "a, shut for reading, c gone");
	close(a);
	close(b);
}

/* Either option alone gives nothing. */
TEST(numnodes_needs_both)
{
	const char *p = tpath("net");
	int a, b, c;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	TRY(set_opt(a, IPN_SO_HANDLE_OOB, 1));
	TRY(set_opt(b, IPN_SO_WANT_OOB_NUMNODES, 1));
	c = TRY(net_join(p));
	expect_no_notice(_metadata, a, "a, which only handles them");
	expect_none(_metadata, b, "b, which only wants them");
	/*
	 * Turning the notices off drops none already queued, which gives
	 * the numbers as they are when read.
	 */
	TRY(set_opt(a, IPN_SO_WANT_OOB_NUMNODES, 1));
	TRY(set_opt(a, IPN_SO_WANT_OOB_NUMNODES, 0));
	close(c);
	expect_notice(_metadata, a, 2, 2, "a, queued before it stopped");
	expect_no_notice(_metadata, a, "a, after it stopped");
	close(a);
	close(b);
}

struct joiner {
	const char *path;
	int go[2], done[2];
};

/* Join as nobody, say so, and stay until told. */
static int joiner_child(struct __test_metadata *_metadata, void *arg)
{
	struct joiner *j = arg;
	char c = 0;
	int s;

	close(j->go[1]);
	close(j->done[0]);
	become_nobody(_metadata);
	s = TRY(net_join(j->path));
	ASSERT_VAL(1, write(j->done[1], "j", 1), "joined");
	ASSERT_VAL(0, read(j->go[0], &c, 1), "the parent's end");
	close(s);
	return 0;
}

/*
 * A joiner with the r right only is a reader, one with w only a writer;
 * when it leaves, the numbers go back.
 */
static void one_right(struct __test_metadata *_metadata, mode_t mode,
		      int readers, int writers)
{
	struct joiner j = { .path = tpath("net") };
	pid_t pid;
	char c;
	int a;

	a = TRY(net_create(j.path, &(struct netopts){ .mode = mode,
						      .set_mode = true }));
	subscribe(_metadata, a);
	expect_notice(_metadata, a, 1, 1, "the creator alone");
	TRY(pipe(j.go));
	TRY(pipe(j.done));
	pid = TRY(spawn(_metadata, joiner_child, &j));
	close(j.go[0]);
	close(j.done[1]);
	ASSERT_VAL(1, read(j.done[0], &c, 1), "the joiner's word");
	expect_notice(_metadata, a, readers, writers, "with the joiner");
	close(j.go[1]);
	ASSERT_EQ(0, reap(pid, "joiner"));
	expect_notice(_metadata, a, 1, 1, "after the joiner left");
	close(a);
}

TEST(numnodes_read_only_joiner)
{
	one_right(_metadata, 0644, 2, 1);
}

TEST(numnodes_write_only_joiner)
{
	one_right(_metadata, 0622, 1, 2);
}

/* An interface on a port reads and writes. */
TEST(numnodes_interface)
{
	const char *p = tpath("net");
	int m, a;

	sh("ip link del ipnoob0");
	m = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	a = TRY(net_join(p));
	subscribe(_metadata, a);
	/* A socket only bound holds no port. */
	expect_notice(_metadata, a, 1, 1, "a alone");
	TRY(conn_tap(m, "ipnoob0", IPN_NODEFLAG_TAP, NULL));
	expect_notice(_metadata, a, 2, 2, "a, with a tap");
	close(m);
	ASSERT_TRUE(iface_gone("ipnoob0"))
		TH_LOG("the tap stayed after its socket closed");
	expect_notice(_metadata, a, 1, 1, "a, the tap gone");
	close(a);
}

/*
 * With virtio-net headers every message starts with one: a notice with
 * one of zeros.
 */
TEST(numnodes_vnet_header)
{
	const char *p = tpath("net");
	unsigned char buf[64], zero[10] = { 0 };
	int a, v;

	a = TRY(net_create(p, NULL));
	v = TRY(ipn_socket());
	TRY(set_opt(v, IPN_SO_VNET_HDR, 10));
	subscribe(_metadata, v);
	TRY(ipn_connect(v, p));
	ASSERT_VAL(10 + sizeof(struct ipn_numnode_oob),
		   recv(v, buf, sizeof(buf), MSG_DONTWAIT),
		   "a notice with a header");
	ASSERT_EQ(0, memcmp(buf, zero, sizeof(zero)));
	ASSERT_EQ(2, ((struct ipn_numnode_oob *)(buf + 10))->numreaders);
	close(a);
	close(v);
}

/* Many sockets come and go while one watches: the last word is right. */
TEST(numnodes_churn)
{
	const char *p = tpath("net");
	int a, s[16], i, round;

	a = TRY(net_create(p, &(struct netopts){ .numnodes = 64 }));
	subscribe(_metadata, a);
	expect_notice(_metadata, a, 1, 1, "a alone");
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 16; i++)
			s[i] = TRY(net_join(p));
		for (i = 0; i < 16; i += 2)
			close(s[i]);
		for (i = 1; i < 16; i += 2)
			TRY(shutdown(s[i], SHUT_WR));
		expect_notice(_metadata, a, 9, 1, "a, after a round");
		for (i = 1; i < 16; i += 2)
			close(s[i]);
		expect_notice(_metadata, a, 1, 1, "a, after the round");
	}
	close(a);
}

IPN_HARNESS_MAIN
