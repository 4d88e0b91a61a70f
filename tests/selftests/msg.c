// SPDX-License-Identifier: GPL-2.0
/*
 * Messages on an AF_IPN hub: send and receive, their sizes and flags,
 * non-blocking calls, poll(), epoll() and select(), shutdown().
 */
#include "ipn_lib.h"

#include <linux/filter.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/uio.h>

/* A child that sends @msg on @s after @delay_ms. */
struct delayed_send {
	int s;
	int delay_ms;
	const char *msg;
};

static int delayed_send_fn(struct __test_metadata *_metadata, void *arg)
{
	struct delayed_send *d = arg;

	msleep(d->delay_ms);
	send_str(_metadata, d->s, d->msg);
	return 0;
}

TEST(send_recv_basic)
{
	const char *p = tpath("net");
	int a, b, c;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	c = TRY(net_join(p));
	send_str(_metadata, a, "alpha");
	send_str(_metadata, a, "beta-message");
	/* One whole message per call, in order, to every other node. */
	expect_str(_metadata, b, "alpha", "b");
	expect_str(_metadata, b, "beta-message", "b");
	expect_str(_metadata, c, "alpha", "c");
	expect_str(_metadata, c, "beta-message", "c");
	expect_none(_metadata, a, "sender");
	expect_none(_metadata, b, "b");
	send_str(_metadata, b, "from b");
	expect_str(_metadata, a, "from b", "a");
	expect_str(_metadata, c, "from b", "c");
	expect_none(_metadata, b, "sender b");
}

TEST(read_write)
{
	const char *p = tpath("net");
	char buf[64];
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	ASSERT_VAL(7, write(a, "written", 7), "write");
	ASSERT_VAL(5, write(a, "twice", 5), "write");
	ASSERT_VAL(7, read(b, buf, sizeof(buf)), "read of the first message");
	ASSERT_TRUE(!memcmp(buf, "written", 7))
		TH_LOG("got \"%.7s\"", buf);
	ASSERT_VAL(5, read(b, buf, sizeof(buf)), "read of the second message");
	ASSERT_TRUE(!memcmp(buf, "twice", 5))
		TH_LOG("got \"%.5s\"", buf);
	ASSERT_VAL(2, sendto(b, "st", 2, 0, NULL, 0), "sendto without address");
	expect_str(_metadata, a, "st", "a");
}

TEST(sendmsg_iovec)
{
	char p1[] = "abc", p2[] = "", p3[] = "defgh";
	struct iovec out[3] = {
		{ p1, 3 }, { p2, 0 }, { p3, 5 },
	};
	char in1[4], in2[10];
	struct iovec in[2] = { { in1, sizeof(in1) }, { in2, sizeof(in2) } };
	struct msghdr mh;
	const char *p = tpath("net");
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = out;
	mh.msg_iovlen = 3;
	ASSERT_VAL(8, sendmsg(a, &mh, 0), "sendmsg of 3 iovecs");
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = in;
	mh.msg_iovlen = 2;
	ASSERT_VAL(8, recvmsg(b, &mh, MSG_DONTWAIT), "recvmsg into 2 iovecs");
	ASSERT_TRUE(!memcmp(in1, "abcd", 4) && !memcmp(in2, "efgh", 4))
		TH_LOG("scattered \"%.4s\" \"%.4s\"", in1, in2);
	ASSERT_TRUE(!(mh.msg_flags & MSG_TRUNC))
		TH_LOG("msg_flags %#x", mh.msg_flags);
	expect_none(_metadata, b, "b");
}

/*
 * A network of MTU @mtu (set when it is created, or the default) takes
 * messages of @mtu bytes, and no more.
 */
static void mtu_check(struct __test_metadata *_metadata, int mtu, bool set)
{
	static unsigned char buf[IPN_MTU_MAX + 2];
	const char *p = tpath(set ? "custom" : "default");
	int a, b;

	ASSERT_LE(mtu, IPN_MTU_MAX)
		TH_LOG("bad MTU %d", mtu);
	a = TRY(net_create(p, &(struct netopts){ .mtu = set ? mtu : 0 }));
	b = TRY(net_join(p));
	ASSERT_VAL(mtu, opt_value(b, IPN_SO_MTU), "network MTU");
	fill_pattern(buf, mtu + 1, mtu);
	ASSERT_ERRNO(EOVERFLOW, send(a, buf, mtu + 1, 0),
		     "send of MTU + 1 bytes");
	ASSERT_ERRNO(EOVERFLOW, send(a, buf, mtu + 1, MSG_DONTWAIT),
		     "send(MSG_DONTWAIT) of MTU + 1 bytes");
	ASSERT_VAL(mtu, send(a, buf, mtu, 0), "send of MTU bytes");
	expect_msg(_metadata, b, buf, mtu, "receiver");
	expect_none(_metadata, b, "receiver");
	close(a);
	close(b);
	unlink(p);
}

TEST(mtu_default)
{
	mtu_check(_metadata, DEFAULT_MTU, false);
}

TEST(mtu_custom)
{
	mtu_check(_metadata, 100, true);
	mtu_check(_metadata, IPN_MTU_MIN, true);
	mtu_check(_metadata, 9000, true);
}

TEST(mtu_max)
{
	mtu_check(_metadata, IPN_MTU_MAX, true);
}

/*
 * recv() returning 0 means end of file (a socket shut for reading): an
 * empty message, which would read the same, is refused.
 */
TEST(zero_length)
{
	const char *p = tpath("net");
	struct pollfd pfd;
	struct iovec iov;
	struct msghdr mh;
	char buf[16];
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	ASSERT_ERRNO(EINVAL, send(a, buf, 0, 0), "send of 0 bytes");
	iov = (struct iovec){ buf, 0 };
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	ASSERT_ERRNO(EINVAL, sendmsg(a, &mh, 0), "sendmsg of an empty iovec");
	ASSERT_ERRNO(EINVAL, write(a, buf, 0), "write of 0 bytes");
	pfd = (struct pollfd){ .fd = b, .events = POLLIN };
	ASSERT_VAL(0, poll(&pfd, 1, 0), "poll after the refused sends");
	expect_none(_metadata, b, "b");
	send_str(_metadata, a, "xyz");
	expect_str(_metadata, b, "xyz", "b");
	TRY(shutdown(b, SHUT_RD));
	ASSERT_VAL(0, recv(b, buf, sizeof(buf), 0),
		   "recv after SHUT_RD (end of file)");
}

/*
 * A reader's socket filter (SO_ATTACH_FILTER) decides what it receives, as
 * on any datagram socket; what it refuses is not a drop.
 */
TEST(attach_filter)
{
	/* Accept messages whose first byte is 'A', whole; refuse others. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 'A', 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { ARRAY_SIZE(code), code };
	const char *p = tpath("net");
	int a, b, c, one = 1;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	c = TRY(net_join(p));
	TRY(setsockopt(b, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)));
	send_str(_metadata, a, "Bravo");
	send_str(_metadata, a, "Alpha");
	expect_str(_metadata, b, "Alpha", "b, filtered");
	expect_none(_metadata, b, "b, filtered");
	expect_str(_metadata, c, "Bravo", "c, unfiltered");
	expect_str(_metadata, c, "Alpha", "c, unfiltered");
	ASSERT_VAL(0, sock_drops(b), "drops of b");
	TRY(setsockopt(b, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof(one)));
	send_str(_metadata, a, "Bravo");
	expect_str(_metadata, b, "Bravo", "b, filter detached");
}

static ssize_t recv_flags(int s, void *buf, size_t len, int flags, int *mflags)
{
	struct iovec iov = { buf, len };
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	n = recvmsg(s, &mh, flags);
	*mflags = mh.msg_flags;
	return n;
}

TEST(msg_trunc)
{
	unsigned char m1[100], m2[30], m3[50], m4[40], buf[128];
	const char *p = tpath("net");
	int a, b, fl;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	fill_pattern(m1, sizeof(m1), 1);
	fill_pattern(m2, sizeof(m2), 2);
	fill_pattern(m3, sizeof(m3), 3);
	fill_pattern(m4, sizeof(m4), 4);
	ASSERT_VAL(sizeof(m1), send(a, m1, sizeof(m1), 0), "send");
	ASSERT_VAL(sizeof(m2), send(a, m2, sizeof(m2), 0), "send");
	ASSERT_VAL(sizeof(m3), send(a, m3, sizeof(m3), 0), "send");
	ASSERT_VAL(sizeof(m4), send(a, m4, sizeof(m4), 0), "send");

	ASSERT_VAL(10, recv_flags(b, buf, 10, MSG_DONTWAIT, &fl),
		   "recvmsg of 100 bytes into 10");
	ASSERT_TRUE(fl & MSG_TRUNC)
		TH_LOG("MSG_TRUNC not set in msg_flags %#x", fl);
	ASSERT_TRUE(!memcmp(buf, m1, 10))
		TH_LOG("wrong truncated data");

	/* The truncated rest is gone: next comes the second message. */
	ASSERT_VAL(30, recv_flags(b, buf, sizeof(buf), MSG_DONTWAIT, &fl),
		   "recvmsg of the second message");
	ASSERT_TRUE(!(fl & MSG_TRUNC))
		TH_LOG("MSG_TRUNC set in msg_flags %#x", fl);
	ASSERT_TRUE(!memcmp(buf, m2, 30))
		TH_LOG("wrong data");

	ASSERT_VAL(50, recv(b, buf, 10, MSG_TRUNC | MSG_DONTWAIT),
		   "recv(MSG_TRUNC) returns the real length");
	ASSERT_TRUE(!memcmp(buf, m3, 10))
		TH_LOG("wrong truncated data");

	ASSERT_VAL(40, recv_flags(b, buf, 40, MSG_DONTWAIT, &fl),
		   "recvmsg with a buffer of the exact size");
	ASSERT_TRUE(!(fl & MSG_TRUNC))
		TH_LOG("MSG_TRUNC set in msg_flags %#x", fl);
	ASSERT_TRUE(!memcmp(buf, m4, 40))
		TH_LOG("wrong data");
	expect_none(_metadata, b, "b");
}

TEST(msg_peek)
{
	const char *p = tpath("net");
	char buf[64];
	int a, b, fl;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	send_str(_metadata, a, "first");
	send_str(_metadata, a, "second");
	ASSERT_VAL(5, recv(b, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT),
		   "peek");
	ASSERT_TRUE(!memcmp(buf, "first", 5))
		TH_LOG("peeked \"%.5s\"", buf);
	ASSERT_VAL(5, recv(b, buf, sizeof(buf), MSG_PEEK), "second peek");
	ASSERT_VAL(2, recv_flags(b, buf, 2, MSG_PEEK | MSG_DONTWAIT, &fl),
		   "peek into 2 bytes");
	ASSERT_TRUE(fl & MSG_TRUNC)
		TH_LOG("MSG_TRUNC not set on a short peek (%#x)", fl);
	ASSERT_VAL(5, recv(b, buf, 2, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT),
		   "peek with MSG_TRUNC");
	expect_str(_metadata, b, "first", "b");
	expect_str(_metadata, b, "second", "b");
	expect_none(_metadata, b, "b");
}

TEST(send_not_connected)
{
	const char *p = tpath("net");
	struct timeval tv = { 2, 0 };
	char buf[8];
	int s, b;

	s = TRY(ipn_socket());
	TRY(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_ERRNO(ENOTCONN, send(s, "x", 1, 0), "send when unconnected");
	ASSERT_ERRNO(ENOTCONN, write(s, "x", 1), "write when unconnected");
	ASSERT_ERRNO(ENOTCONN, recv(s, buf, sizeof(buf), 0),
		     "recv when unconnected");
	ASSERT_ERRNO(ENOTCONN, recv(s, buf, sizeof(buf), MSG_DONTWAIT),
		     "recv(MSG_DONTWAIT) when unconnected");
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	ASSERT_ERRNO(ENOTCONN, send(b, "x", 1, 0), "send when only bound");
}

TEST(send_bad_flags)
{
	const char *p = tpath("net");
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	ASSERT_ERRNO(EOPNOTSUPP, send(a, "x", 1, MSG_OOB), "send(MSG_OOB)");
	expect_none(_metadata, b, "b");
}

TEST(nonblock_dontwait)
{
	const char *p = tpath("net");
	char buf[16];
	int a, b, fl;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	ASSERT_ERRNO(EAGAIN, recv(b, buf, sizeof(buf), MSG_DONTWAIT),
		     "recv(MSG_DONTWAIT) of an empty queue");
	ASSERT_ERRNO(EAGAIN, recv_flags(b, buf, sizeof(buf), MSG_DONTWAIT, &fl),
		     "recvmsg(MSG_DONTWAIT) of an empty queue");
	ASSERT_VAL(3, send(a, "now", 3, MSG_DONTWAIT), "send(MSG_DONTWAIT)");
	ASSERT_VAL(3, recv(b, buf, sizeof(buf), MSG_DONTWAIT),
		   "recv(MSG_DONTWAIT) of a queued message");
	ASSERT_ERRNO(EAGAIN, recv(b, buf, sizeof(buf), MSG_DONTWAIT),
		     "recv(MSG_DONTWAIT) once drained");
}

TEST(nonblock_fcntl)
{
	const char *p = tpath("net");
	char buf[16];
	int a, b, fl;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	fl = TRY(fcntl(b, F_GETFL));
	TRY(fcntl(b, F_SETFL, fl | O_NONBLOCK));
	ASSERT_ERRNO(EAGAIN, recv(b, buf, sizeof(buf), 0),
		     "recv on an O_NONBLOCK socket");
	ASSERT_ERRNO(EAGAIN, read(b, buf, sizeof(buf)),
		     "read on an O_NONBLOCK socket");
	send_str(_metadata, a, "nb");
	ASSERT_VAL(2, read(b, buf, sizeof(buf)), "read of a queued message");
	fl = TRY(fcntl(a, F_GETFL));
	TRY(fcntl(a, F_SETFL, fl | O_NONBLOCK));
	ASSERT_VAL(1, send(a, "x", 1, 0), "send on an O_NONBLOCK socket");
}

TEST(poll_basic)
{
	const char *p = tpath("net");
	struct pollfd pfd;
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	pfd = (struct pollfd){ .fd = b, .events = POLLIN | POLLOUT };
	TRY(poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & POLLOUT)
		TH_LOG("no POLLOUT on a lossy network (%#x)", pfd.revents);
	ASSERT_TRUE(!(pfd.revents & POLLIN))
		TH_LOG("POLLIN on an empty queue (%#x)", pfd.revents);
	send_str(_metadata, a, "ping");
	pfd.revents = 0;
	TRY(poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & POLLIN)
		TH_LOG("no POLLIN with a queued message (%#x)", pfd.revents);
	expect_str(_metadata, b, "ping", "b");
	pfd.revents = 0;
	TRY(poll(&pfd, 1, 0));
	ASSERT_TRUE(!(pfd.revents & POLLIN))
		TH_LOG("POLLIN once drained (%#x)", pfd.revents);
	pfd = (struct pollfd){ .fd = a, .events = POLLIN };
	TRY(poll(&pfd, 1, 0));
	ASSERT_TRUE(!(pfd.revents & POLLIN))
		TH_LOG("POLLIN on the sender (%#x)", pfd.revents);
}

enum waiter { WAIT_POLL, WAIT_EPOLL, WAIT_SELECT };

/* Wait with @how for a message another process sends 100 ms later. */
static void wakeup_check(struct __test_metadata *_metadata, enum waiter how)
{
	const char *p = tpath("net");
	struct delayed_send d;
	long long t0, el;
	int a, b, r = 0, e, ep;
	pid_t pid;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	d = (struct delayed_send){ .s = a, .delay_ms = 100, .msg = "wake up" };
	ep = TRY(epoll_create1(0));
	if (how == WAIT_EPOLL) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = b };

		TRY(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev));
	}
	t0 = now_ms();
	pid = TRY(spawn(_metadata, delayed_send_fn, &d));
	if (how == WAIT_POLL) {
		struct pollfd pfd = { .fd = b, .events = POLLIN };

		r = poll(&pfd, 1, RECV_TIMEOUT);
		if (r == 1 && !(pfd.revents & POLLIN))
			r = -2;
	} else if (how == WAIT_EPOLL) {
		struct epoll_event ev;

		r = epoll_wait(ep, &ev, 1, RECV_TIMEOUT);
		if (r == 1 && (ev.data.fd != b || !(ev.events & EPOLLIN)))
			r = -2;
	} else {
		struct timeval tv = { RECV_TIMEOUT / 1000, 0 };
		fd_set rd;

		FD_ZERO(&rd);
		FD_SET(b, &rd);
		r = select(b + 1, &rd, NULL, NULL, &tv);
		if (r == 1 && !FD_ISSET(b, &rd))
			r = -2;
	}
	e = errno;
	el = now_ms() - t0;
	ASSERT_EQ(0, reap(pid, "sender"));
	ASSERT_TRUE(r == 1)
		TH_LOG("waiting returned %d after %lld ms (%s)", r, el,
		       r == -1 ? errstr(e) : r == 0 ? "timeout" : "wrong event");
	ASSERT_TRUE(el >= 50)
		TH_LOG("woke up after %lld ms, before the message was sent",
		       el);
	expect_str(_metadata, b, "wake up", "b");
}

TEST(poll_wakeup)
{
	wakeup_check(_metadata, WAIT_POLL);
}

TEST(epoll_wakeup)
{
	wakeup_check(_metadata, WAIT_EPOLL);
}

TEST(select_wakeup)
{
	wakeup_check(_metadata, WAIT_SELECT);
}

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/*
 * A send that fails with EPIPE raises SIGPIPE, unless MSG_NOSIGNAL, as
 * every socket's send does; a send with an address on a connected socket
 * fails with EISCONN rather than ignoring it.
 */
TEST(send_epipe_sigpipe)
{
	const char *p = tpath("net");
	struct sockaddr_un sun = { .sun_family = ipn_family() };
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
	ASSERT_ERRNO(EISCONN,
		     sendto(b, "x", 1, 0, (struct sockaddr *)&sun, sizeof(sun)),
		     "sendto with an address on a connected socket");
	expect_none(_metadata, a, "a after the refused sendto");
	TRY(shutdown(b, SHUT_WR));
	signal(SIGPIPE, count_sigpipe);
	sigpipes = 0;
	ASSERT_ERRNO(EPIPE, send(b, "x", 1, MSG_NOSIGNAL),
		     "send(MSG_NOSIGNAL)");
	ASSERT_VAL(0, sigpipes, "SIGPIPEs with MSG_NOSIGNAL");
	ASSERT_ERRNO(EPIPE, send(b, "x", 1, 0), "send after SHUT_WR");
	ASSERT_VAL(1, sigpipes, "SIGPIPEs without MSG_NOSIGNAL");
	signal(SIGPIPE, SIG_IGN);
}

TEST(shutdown_wr)
{
	const char *p = tpath("net");
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	TRY(shutdown(b, SHUT_WR));
	ASSERT_ERRNO(EPIPE, send(b, "x", 1, 0), "send after SHUT_WR");
	ASSERT_ERRNO(EPIPE, write(b, "x", 1), "write after SHUT_WR");
	expect_none(_metadata, a, "a");
	send_str(_metadata, a, "still reading");
	expect_str(_metadata, b, "still reading", "b after SHUT_WR");
}

TEST(shutdown_rd)
{
	const char *p = tpath("net");
	struct timeval tv = { 2, 0 };
	char buf[16];
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	TRY(setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	TRY(shutdown(b, SHUT_RD));
	ASSERT_VAL(0, recv(b, buf, sizeof(buf), 0), "recv after SHUT_RD");
	send_str(_metadata, b, "still writing");
	expect_str(_metadata, a, "still writing", "a");
}

TEST(shutdown_rdwr)
{
	const char *p = tpath("net");
	struct timeval tv = { 2, 0 };
	char buf[16];
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	TRY(setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	TRY(shutdown(b, SHUT_RDWR));
	ASSERT_ERRNO(EPIPE, send(b, "x", 1, 0), "send after SHUT_RDWR");
	ASSERT_VAL(0, recv(b, buf, sizeof(buf), 0), "recv after SHUT_RDWR");
	send_str(_metadata, a, "anyone");
}

TEST(shutdown_errors)
{
	const char *p = tpath("net");
	int s, b;

	s = TRY(ipn_socket());
	ASSERT_ERRNO(ENOTCONN, shutdown(s, SHUT_WR),
		     "shutdown of an unconnected socket");
	TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	ASSERT_ERRNO(EINVAL, shutdown(b, 7), "shutdown with how 7");
	send_str(_metadata, b, "how 7 changed nothing");
}

IPN_HARNESS_MAIN
