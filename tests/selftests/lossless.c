// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery on AF_IPN networks: lossy ones drop what a full reader cannot
 * take, and count it; lossless ones hold the sender back until every
 * reader has room (in messages and in its receive buffer).
 */
#include "ipn_lib.h"

TEST(lossy_drops)
{
	const char *p = tpath("net");
	int a, b, i, v;

	a = TRY(net_create(p, &(struct netopts){ .pool = 4 }));
	b = TRY(net_join(p));
	for (i = 0; i < 10; i++)
		ASSERT_VAL(sizeof(i), send(a, &i, sizeof(i), MSG_DONTWAIT),
			   "lossy send never blocks");
	for (i = 0; i < 4; i++) {
		ASSERT_VAL(sizeof(v), recv(b, &v, sizeof(v), MSG_DONTWAIT),
			   "recv of a queued message");
		ASSERT_VAL(i, v, "message number");
	}
	expect_none(_metadata, b, "receiver with pool 4 after 10 sends");
	ASSERT_VAL(6, sock_drops(b), "SK_MEMINFO_DROPS of the receiver");
	ASSERT_VAL(0, sock_drops(a), "SK_MEMINFO_DROPS of the sender");
	/* Room again. */
	i = 10;
	ASSERT_VAL(sizeof(i), send(a, &i, sizeof(i), 0), "send");
	expect_msg(_metadata, b, &i, sizeof(i), "receiver");
	ASSERT_VAL(6, sock_drops(b), "SK_MEMINFO_DROPS after room was made");
}

TEST(lossy_default_pool)
{
	const char *p = tpath("net");
	int a, b, c, i, v;

	a = TRY(net_create(p, NULL));
	b = TRY(net_join(p));
	c = TRY(net_join(p));
	ASSERT_VAL(DEFAULT_MSGPOOLSIZE, opt_value(b, IPN_SO_MSGPOOLSIZE),
		   "default pool");
	for (i = 0; i < 20; i++)
		ASSERT_VAL(sizeof(i), send(a, &i, sizeof(i), MSG_DONTWAIT),
			   "lossy send never blocks");
	for (i = 0; i < DEFAULT_MSGPOOLSIZE; i++) {
		ASSERT_VAL(sizeof(v), recv(b, &v, sizeof(v), MSG_DONTWAIT),
			   "recv");
		ASSERT_VAL(i, v, "message number");
	}
	expect_none(_metadata, b, "b");
	ASSERT_VAL(20 - DEFAULT_MSGPOOLSIZE, sock_drops(b), "drops of b");
	/* Each queue is bounded on its own. */
	ASSERT_VAL(20 - DEFAULT_MSGPOOLSIZE, sock_drops(c), "drops of c");
	for (i = 0; i < DEFAULT_MSGPOOLSIZE; i++)
		ASSERT_VAL(sizeof(v), recv(c, &v, sizeof(v), MSG_DONTWAIT),
			   "recv");
	expect_none(_metadata, c, "c");
}

struct slow_reader {
	const char *path;
	int ready_w;
	int done_r;
	int done_w;
	int total;
};

#define SLOW_MSGS 100

static int slow_reader_fn(struct __test_metadata *_metadata, void *arg)
{
	struct slow_reader *c = arg;
	struct pollfd pf[2];
	int s, v, e, prev = -1, got = 0;
	bool done = false;
	long drops;
	ssize_t n;

	close(c->done_w);
	s = TRY(net_join(c->path));
	TRY(write(c->ready_w, "r", 1));
	for (;;) {
		n = recv(s, &v, sizeof(v), MSG_DONTWAIT);
		if (n < 0) {
			e = errno;
			ASSERT_EQ(EAGAIN, e)
				TH_LOG("recv: %s", errstr(e));
			if (done)
				break;
			pf[0] = (struct pollfd){ .fd = s, .events = POLLIN };
			pf[1] = (struct pollfd){ .fd = c->done_r, .events = POLLIN };
			ASSERT_LT(0, poll(pf, 2, 5000))
				TH_LOG("nothing happened for 5 s");
			/* EOF on done_r: the sender finished; drain, stop. */
			done = pf[1].revents != 0;
			continue;
		}
		ASSERT_VAL(sizeof(v), n, "message size");
		ASSERT_TRUE(v > prev && v < SLOW_MSGS)
			TH_LOG("message %d after %d: duplicated or reordered",
			       v, prev);
		prev = v;
		got++;
		msleep(1);
	}
	drops = sock_drops(s);
	ASSERT_TRUE(got >= DEFAULT_MSGPOOLSIZE)
		TH_LOG("only %d messages arrived", got);
	ASSERT_TRUE(got + drops == SLOW_MSGS)
		TH_LOG("%d received + %ld dropped != %d sent", got, drops,
		       SLOW_MSGS);
	TH_LOG("slow receiver: %d received, %ld dropped", got, drops);
	return 0;
}

TEST(lossy_slow_receiver)
{
	const char *p = tpath("net");
	struct slow_reader c = { .path = p };
	int a, i, ready[2], done[2];
	bool joined;
	pid_t pid;

	a = TRY(net_create(p, NULL));
	TRY(pipe(ready));
	TRY(pipe(done));
	c.ready_w = ready[1];
	c.done_r = done[0];
	c.done_w = done[1];
	pid = TRY(spawn(_metadata, slow_reader_fn, &c));
	close(ready[1]);
	close(done[0]);
	joined = read_byte_timeout(ready[0], 10000) == 1;
	if (!joined)
		reap(pid, "receiver");
	ASSERT_TRUE(joined)
		TH_LOG("the receiver did not join");
	for (i = 0; i < SLOW_MSGS; i++)
		ASSERT_VAL(sizeof(i), send(a, &i, sizeof(i), MSG_DONTWAIT),
			   "lossy send never blocks");
	close(done[1]);
	ASSERT_EQ(0, reap(pid, "slow receiver"));
}

TEST(lossless_eagain)
{
	const char *p = tpath("net");
	int a, b, c, fl, v;

	a = TRY(net_create(p, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 2 }));
	b = TRY(net_join(p));
	c = TRY(net_join(p));
	ASSERT_VAL(IPN_FLAG_LOSSLESS, opt_value(b, IPN_SO_FLAGS), "flags");
	v = 0;
	ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT), "send 0");
	v = 1;
	ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT), "send 1");
	v = 2;
	ASSERT_ERRNO(EAGAIN, send(a, &v, sizeof(v), MSG_DONTWAIT),
		     "send(MSG_DONTWAIT) with full receivers");
	fl = TRY(fcntl(a, F_GETFL));
	TRY(fcntl(a, F_SETFL, fl | O_NONBLOCK));
	ASSERT_ERRNO(EAGAIN, send(a, &v, sizeof(v), 0),
		     "send on an O_NONBLOCK socket with full receivers");
	TRY(fcntl(a, F_SETFL, fl));
	ASSERT_VAL(0, sock_drops(b), "drops of b");
	ASSERT_VAL(0, sock_drops(c), "drops of c");

	/* b drains, but c is still full: the slowest reader holds. */
	ASSERT_VAL(sizeof(v), recv(b, &v, sizeof(v), MSG_DONTWAIT), "b recv");
	ASSERT_VAL(0, v, "b's first");
	ASSERT_VAL(sizeof(v), recv(b, &v, sizeof(v), MSG_DONTWAIT), "b recv");
	ASSERT_VAL(1, v, "b's second");
	v = 2;
	ASSERT_ERRNO(EAGAIN, send(a, &v, sizeof(v), MSG_DONTWAIT),
		     "send(MSG_DONTWAIT) while c is full");
	ASSERT_VAL(sizeof(v), recv(c, &v, sizeof(v), MSG_DONTWAIT), "c recv");
	ASSERT_VAL(0, v, "c's first");
	v = 2;
	ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT),
		   "send once every receiver has room");
	expect_msg(_metadata, b, &v, sizeof(v), "b");
	v = 1;
	expect_msg(_metadata, c, &v, sizeof(v), "c");
	v = 2;
	expect_msg(_metadata, c, &v, sizeof(v), "c");
	expect_none(_metadata, b, "b");
	expect_none(_metadata, c, "c");
	ASSERT_VAL(0, sock_drops(b), "drops of b");
	ASSERT_VAL(0, sock_drops(c), "drops of c");
}

struct blocked_send {
	int s;
	int ready_w;
};

static int blocked_send_fn(struct __test_metadata *_metadata, void *arg)
{
	struct blocked_send *c = arg;
	long long t0, el;
	int v = 2;

	TRY(write(c->ready_w, "r", 1));
	t0 = now_ms();
	ASSERT_VAL(sizeof(v), send(c->s, &v, sizeof(v), 0), "blocking send");
	el = now_ms() - t0;
	ASSERT_TRUE(el >= 100)
		TH_LOG("the send returned after %lld ms: it did not block", el);
	return 0;
}

/* Whether the process @pid sleeps, in the kernel. */
static bool sleeping(pid_t pid)
{
	char st = proc_state(pid);

	return st == 'S' || st == 'D';
}

/*
 * A child that sends one int on @s, which must block for at least 100 ms;
 * returns its pid once it is blocked.  It is once it sleeps (in send():
 * it has nothing else to wait for); then it is held 200 ms, which it
 * checks.
 */
static pid_t start_blocked_send(struct __test_metadata *_metadata, int s)
{
	struct blocked_send c;
	int ready[2];
	bool started;
	pid_t pid;

	TRY(pipe(ready));
	c = (struct blocked_send){ .s = s, .ready_w = ready[1] };
	pid = TRY(spawn(_metadata, blocked_send_fn, &c));
	close(ready[1]);
	started = read_byte_timeout(ready[0], 10000) == 1;
	close(ready[0]);
	if (!started)
		reap(pid, "sender");
	ASSERT_TRUE(started)
		TH_LOG("the sender did not start");
	(void)wait_until(sleeping(pid), 5000);
	msleep(200);
	return pid;
}

TEST(lossless_blocking_send)
{
	const char *p = tpath("net");
	int a, b, v, i, st = 0;
	pid_t pid;

	a = TRY(net_create(p, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 2 }));
	b = TRY(net_join(p));
	for (v = 0; v < 2; v++)
		ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT),
			   "send");
	pid = start_blocked_send(_metadata, a);
	ASSERT_NE(pid, waitpid(pid, &st, WNOHANG))
		TH_LOG("the sender did not block on a full lossless network (%s %d)",
		       WIFEXITED(st) ? "exit status" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	ASSERT_VAL(0, sock_drops(b), "drops while the sender waits");
	ASSERT_VAL(sizeof(v), recv(b, &v, sizeof(v), MSG_DONTWAIT), "recv");
	ASSERT_VAL(0, v, "first message");
	ASSERT_EQ(0, reap(pid, "blocked sender"));
	for (i = 1; i <= 2; i++) {
		ASSERT_VAL(sizeof(v),
			   recv_timeout(b, &v, sizeof(v), 0, RECV_TIMEOUT),
			   "recv");
		ASSERT_VAL(i, v, "message order");
	}
	expect_none(_metadata, b, "b");
	ASSERT_VAL(0, sock_drops(b), "drops");
}

/*
 * A blocked lossless sender with SO_SNDTIMEO gives up with EAGAIN when the
 * time is up, as every socket's send does.
 */
TEST(lossless_sndtimeo)
{
	const char *p = tpath("net");
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	long long t0, el;
	int a, b, v = 0;

	a = TRY(net_create(p, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 1 }));
	b = TRY(net_join(p));
	ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT), "fill b");
	TRY(setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	t0 = now_ms();
	ASSERT_ERRNO(EAGAIN, send(a, &v, sizeof(v), 0),
		     "blocking send with a send timeout and a full reader");
	el = now_ms() - t0;
	ASSERT_TRUE(el >= 250 && el < 5000)
		TH_LOG("the send timed out after %lld ms, not about 300", el);
	ASSERT_VAL(0, sock_drops(b), "drops of b");
	expect_msg(_metadata, b, &v, sizeof(v), "b");
	expect_none(_metadata, b, "b");
}

/*
 * A reader's queue is bounded in bytes by its SO_RCVBUF, as any datagram
 * socket's is, and not only in messages: a reader that never reads cannot
 * make the kernel hold MSGPOOLSIZE full-sized messages for it.
 */
TEST(rcvbuf_bounds_queue)
{
	const char *p = tpath("net");
	static char big[60000];
	int a, b, rcvbuf = 4096, i, n = 0;

	a = TRY(net_create(p, &(struct netopts){ .mtu = 65535, .pool = 4096 }));
	b = TRY(net_join(p));
	TRY(setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	for (i = 0; i < 100; i++)
		ASSERT_VAL(sizeof(big), send(a, big, sizeof(big), MSG_DONTWAIT),
			   "lossy send");
	while (recv(b, big, sizeof(big), MSG_DONTWAIT) == sizeof(big))
		n++;
	ASSERT_TRUE(n >= 1 && n <= 2)
		TH_LOG("%d of 100 %zu-byte messages were queued to a reader with SO_RCVBUF %d",
		       n, sizeof(big), rcvbuf);
	ASSERT_VAL(100 - n, sock_drops(b), "drops of b");
	ASSERT_VAL(1, send(a, "x", 1, MSG_DONTWAIT), "send once b has read");
	expect_msg(_metadata, b, "x", 1, "b");
}

/* In a lossless network a full receive buffer holds the sender back. */
TEST(rcvbuf_lossless)
{
	const char *p = tpath("net");
	static char big[60000];
	int a, b, rcvbuf = 4096;

	a = TRY(net_create(p, &(struct netopts){
		.mtu = 65535, .pool = 4096, .flags = IPN_FLAG_LOSSLESS }));
	b = TRY(net_join(p));
	TRY(setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)));
	ASSERT_VAL(sizeof(big), send(a, big, sizeof(big), MSG_DONTWAIT),
		   "first send");
	ASSERT_ERRNO(EAGAIN, send(a, big, sizeof(big), MSG_DONTWAIT),
		     "a send while the reader's receive buffer is full");
	ASSERT_VAL(sizeof(big), recv(b, big, sizeof(big), MSG_DONTWAIT),
		   "recv");
	ASSERT_VAL(sizeof(big), send(a, big, sizeof(big), MSG_DONTWAIT),
		   "a send once the reader has read");
	ASSERT_VAL(0, sock_drops(b), "drops of b");
}

/*
 * A receive whose copy out fails (EFAULT) has still taken the message off
 * the queue: a lossless sender waiting for that room must wake up.
 */
TEST(lossless_efault_wakes_sender)
{
	const char *p = tpath("net");
	int a, b, v = 0, st = 0;
	bool exited;
	pid_t pid;

	a = TRY(net_create(p, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 1 }));
	b = TRY(net_join(p));
	ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT), "fill b");
	pid = start_blocked_send(_metadata, a);
	ASSERT_ERRNO(EFAULT, recv(b, (void *)8, sizeof(v), MSG_DONTWAIT),
		     "recv into a bad pointer");
	exited = wait_until(waitpid(pid, &st, WNOHANG) == pid, 5000);
	if (!exited) {
		kill(pid, SIGKILL);
		reap(pid, "sender");
	}
	ASSERT_TRUE(exited)
		TH_LOG("the sender still waits 5 s after the failed recv freed room");
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("the sender's send failed");
	v = 2;
	expect_msg(_metadata, b, &v, sizeof(v), "b");
}

/* A child that receives one message on @s after @delay_ms. */
struct delayed_recv {
	int s;
	int delay_ms;
};

static int delayed_recv_fn(struct __test_metadata *_metadata, void *arg)
{
	struct delayed_recv *d = arg;

	msleep(d->delay_ms);
	TRY(recv_timeout(d->s, rxbuf, sizeof(rxbuf), 0, RECV_TIMEOUT));
	return 0;
}

TEST(lossless_pollout)
{
	const char *p = tpath("net");
	struct delayed_recv d;
	struct pollfd pfd;
	long long t0, el;
	int a, b, v, r;
	pid_t pid;

	a = TRY(net_create(p, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 2 }));
	b = TRY(net_join(p));
	pfd = (struct pollfd){ .fd = a, .events = POLLOUT };
	TRY(poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & POLLOUT)
		TH_LOG("no POLLOUT with room (%#x)", pfd.revents);
	for (v = 0; v < 2; v++)
		ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT),
			   "send");
	pfd.revents = 0;
	TRY(poll(&pfd, 1, 0));
	ASSERT_TRUE(!(pfd.revents & POLLOUT))
		TH_LOG("POLLOUT with a full receiver (%#x)", pfd.revents);

	d = (struct delayed_recv){ .s = b, .delay_ms = 100 };
	t0 = now_ms();
	pid = TRY(spawn(_metadata, delayed_recv_fn, &d));
	pfd.revents = 0;
	r = poll(&pfd, 1, RECV_TIMEOUT);
	el = now_ms() - t0;
	ASSERT_EQ(0, reap(pid, "reader"));
	ASSERT_TRUE(r == 1 && (pfd.revents & POLLOUT))
		TH_LOG("poll returned %d, revents %#x, after %lld ms", r,
		       pfd.revents, el);
	ASSERT_TRUE(el >= 50)
		TH_LOG("POLLOUT after %lld ms, before the reader read", el);
	v = 2;
	ASSERT_VAL(sizeof(v), send(a, &v, sizeof(v), MSG_DONTWAIT),
		   "send after POLLOUT");
}

struct lossless_reader {
	int s;
	int count;
};

static int lossless_reader_fn(struct __test_metadata *_metadata, void *arg)
{
	struct lossless_reader *c = arg;
	int i, v;

	for (i = 0; i < c->count; i++) {
		ASSERT_VAL(sizeof(v),
			   recv_timeout(c->s, &v, sizeof(v), 0, RECV_TIMEOUT),
			   "recv");
		ASSERT_VAL(i, v, "message number");
		msleep(2);
	}
	expect_none(_metadata, c->s, "reader");
	ASSERT_VAL(0, sock_drops(c->s), "drops");
	return 0;
}

TEST(lossless_stream)
{
	const char *p = tpath("net");
	struct lossless_reader c;
	int a, b, i;
	pid_t pid;

	a = TRY(net_create(p, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 2 }));
	b = TRY(net_join(p));
	c = (struct lossless_reader){ .s = b, .count = 60 };
	pid = TRY(spawn(_metadata, lossless_reader_fn, &c));
	close(b);
	for (i = 0; i < c.count; i++)
		ASSERT_VAL(sizeof(i), send(a, &i, sizeof(i), 0),
			   "blocking lossless send");
	ASSERT_EQ(0, reap(pid, "slow reader"));
}

IPN_HARNESS_MAIN
