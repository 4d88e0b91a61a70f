// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios on AF_IPN hubs: peers talking to each other, a stream with
 * late joiners, sockets closing while others send, many joins and
 * networks, how long a network lives, and what its users are charged.
 */
#include "ipn_lib.h"

#include <sys/mount.h>

#define P2P_PEERS	5
#define P2P_MSGS	20

struct p2p_peer {
	const char *path;
	int id;
	int ready_w;
	int go_r;
	int go_w;
};

struct p2p_msg {
	int32_t id;
	int32_t seq;
	unsigned char data[128];
};

static size_t p2p_len(int id, int seq)
{
	return 8 + (id * 31 + seq * 7) % 120;
}

static unsigned char p2p_byte(int id, int seq, size_t i)
{
	return (unsigned char)(id * 13 + seq * 3 + i);
}

static int p2p_peer_fn(struct __test_metadata *_metadata, void *arg)
{
	struct p2p_peer *c = arg;
	int next[P2P_PEERS] = { 0 };
	int s, i, e, seq, got = 0;
	struct p2p_msg m;
	size_t len, k;
	ssize_t n;
	char ch;

	close(c->go_w);
	/* Every peer runs the same code: the first bind creates. */
	s = TRY(ipn_socket());
	TRY(set_opt(s, IPN_SO_MSGPOOLSIZE, 256));
	TRY(ipn_bind(s, c->path));
	TRY(connect(s, NULL, 0));
	TRY(write(c->ready_w, "r", 1));
	ASSERT_VAL(0, read(c->go_r, &ch, 1), "barrier");

	for (seq = 0; seq < P2P_MSGS; seq++) {
		m.id = c->id;
		m.seq = seq;
		len = p2p_len(c->id, seq);
		for (k = 8; k < len; k++)
			m.data[k - 8] = p2p_byte(c->id, seq, k);
		ASSERT_VAL(len, send(s, &m, len, 0), "send");
	}
	while (got < P2P_MSGS * (P2P_PEERS - 1)) {
		n = recv_timeout(s, &m, sizeof(m), 0, 5000);
		e = errno;
		ASSERT_LE(0, n)
			TH_LOG("peer %d: after %d messages: %s", c->id, got,
			       errstr(e));
		ASSERT_TRUE(n >= 8)
			TH_LOG("peer %d: %zd-byte message", c->id, n);
		i = m.id;
		ASSERT_TRUE(i != c->id)
			TH_LOG("peer %d received its own message %d", i, m.seq);
		ASSERT_TRUE(i >= 0 && i < P2P_PEERS)
			TH_LOG("peer %d: sender id %d", c->id, i);
		ASSERT_TRUE(m.seq == next[i])
			TH_LOG("peer %d: from %d got message %d, expected %d",
			       c->id, i, m.seq, next[i]);
		ASSERT_TRUE((size_t)n == p2p_len(i, m.seq))
			TH_LOG("peer %d: message %d/%d is %zd bytes", c->id, i,
			       m.seq, n);
		for (k = 8; k < (size_t)n; k++)
			ASSERT_TRUE(m.data[k - 8] == p2p_byte(i, m.seq, k))
				TH_LOG("peer %d: message %d/%d corrupt at %zu",
				       c->id, i, m.seq, k);
		next[i]++;
		got++;
	}
	expect_none(_metadata, s, "peer after all messages");
	ASSERT_VAL(0, sock_drops(s), "drops");
	return 0;
}

TEST(p2p_five_peers)
{
	const char *p = tpath("hub");
	struct p2p_peer peers[P2P_PEERS];
	int i, s, ready[2], go[2], failed = 0;
	pid_t pids[P2P_PEERS];
	char name[32];

	TRY(pipe(ready));
	TRY(pipe(go));
	for (i = 0; i < P2P_PEERS; i++) {
		peers[i] = (struct p2p_peer){
			.path = p, .id = i, .ready_w = ready[1],
			.go_r = go[0], .go_w = go[1],
		};
		pids[i] = TRY(spawn(_metadata, p2p_peer_fn, &peers[i]));
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < P2P_PEERS; i++)
		if (read_byte_timeout(ready[0], 10000) != 1)
			break;
	EXPECT_EQ(P2P_PEERS, i)
		TH_LOG("only %d peers reached the barrier", i);
	close(go[1]);
	for (i = 0; i < P2P_PEERS; i++) {
		snprintf(name, sizeof(name), "peer %d", i);
		failed += reap(pids[i], name) != 0;
	}
	ASSERT_EQ(0, failed);
	/* Every socket is closed: the network is gone, the node stays. */
	expect_node(_metadata, p, DEFAULT_MODE);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, p),
		     "connect after every peer left");
}

#define STREAM_RECEIVERS	4
#define STREAM_MAGIC		0x49504e53

struct stream_msg {
	uint32_t magic;
	int32_t seq;	/* -1: end of stream */
};

struct stream_rx {
	const char *path;
	int id;
	int delay_ms;
	int joined_w;
	int close_fd;
};

static int stream_receiver_fn(struct __test_metadata *_metadata, void *arg)
{
	struct stream_rx *c = arg;
	struct stream_msg m;
	long gaps = 0, drops;
	int s, e, prev = -1, count = 0;
	ssize_t n;

	close(c->close_fd);
	msleep(c->delay_ms);
	s = TRY(net_join(c->path));
	TRY(write(c->joined_w, "j", 1));
	for (;;) {
		n = recv_timeout(s, &m, sizeof(m), 0, RECV_TIMEOUT);
		e = errno;
		ASSERT_LE(0, n)
			TH_LOG("receiver %d: after %d messages: %s", c->id,
			       count, errstr(e));
		ASSERT_VAL(sizeof(m), n, "message size");
		ASSERT_VAL(STREAM_MAGIC, m.magic, "magic");
		if (m.seq < 0)
			break;
		if (count) {
			ASSERT_TRUE(m.seq > prev)
				TH_LOG("receiver %d: message %d after %d: duplicated or reordered",
				       c->id, m.seq, prev);
			gaps += m.seq - prev - 1;
		}
		prev = m.seq;
		count++;
	}
	drops = sock_drops(s);
	ASSERT_TRUE(count > 0)
		TH_LOG("receiver %d got no message", c->id);
	ASSERT_TRUE(gaps <= drops)
		TH_LOG("receiver %d: %ld messages missing, only %ld drops counted",
		       c->id, gaps, drops);
	if (gaps)
		TH_LOG("receiver %d: %ld messages dropped", c->id, gaps);
	return 0;
}

TEST(stream_late_joiners)
{
	static const int delays[STREAM_RECEIVERS] = { 0, 150, 400, 700 };
	const char *p = tpath("stream");
	struct stream_rx rx[STREAM_RECEIVERS];
	pid_t pids[STREAM_RECEIVERS];
	struct stream_msg m = { .magic = STREAM_MAGIC };
	long long t0, last_join = 0;
	int a, i, joined = 0, pipefd[2], failed = 0;
	char buf[8], name[32];
	ssize_t n;

	a = TRY(net_create(p, &(struct netopts){ .pool = 64 }));
	TRY(pipe2(pipefd, O_NONBLOCK));
	for (i = 0; i < STREAM_RECEIVERS; i++) {
		rx[i] = (struct stream_rx){
			.path = p, .id = i, .delay_ms = delays[i],
			.joined_w = pipefd[1], .close_fd = a,
		};
		pids[i] = TRY(spawn(_metadata, stream_receiver_fn, &rx[i]));
	}
	close(pipefd[1]);
	t0 = now_ms();
	for (m.seq = 0;; m.seq++) {
		ASSERT_VAL(sizeof(m), send(a, &m, sizeof(m), 0), "stream send");
		msleep(5);
		n = read(pipefd[0], buf, sizeof(buf));
		if (n > 0) {
			joined += n;
			last_join = now_ms();
		}
		if (now_ms() - t0 >= 1000 && joined == STREAM_RECEIVERS &&
		    now_ms() - last_join >= 100)
			break;
		ASSERT_LE(now_ms() - t0, 10000LL)
			TH_LOG("only %d of %d receivers joined", joined,
			       STREAM_RECEIVERS);
	}
	m.seq = -1;
	ASSERT_VAL(sizeof(m), send(a, &m, sizeof(m), 0), "end of stream");
	for (i = 0; i < STREAM_RECEIVERS; i++) {
		snprintf(name, sizeof(name), "receiver %d", i);
		failed += reap(pids[i], name) != 0;
	}
	ASSERT_EQ(0, failed);
}

#define CHURN_MS	500

struct churn {
	const char *path;
	int id;
};

static int churn_sender_fn(struct __test_metadata *_metadata, void *arg)
{
	struct churn *c = arg;
	char buf[64];
	long long t0;
	long sent = 0;
	ssize_t n;
	int s, e;

	s = TRY(net_join(c->path));
	memset(buf, c->id, sizeof(buf));
	t0 = now_ms();
	while (now_ms() - t0 < CHURN_MS) {
		n = send(s, buf, sizeof(buf), 0);
		e = errno;
		ASSERT_EQ((ssize_t)sizeof(buf), n)
			TH_LOG("sender %d: send %ld: %s", c->id, sent,
			       n < 0 ? errstr(e) : "short");
		sent++;
	}
	ASSERT_TRUE(sent > 0)
		TH_LOG("sender %d sent nothing", c->id);
	return 0;
}

static int churn_receiver_fn(struct __test_metadata *_metadata, void *arg)
{
	struct churn *c = arg;
	char buf[128];
	long long t0;
	long cycles = 0;
	int s, k, r, e;

	t0 = now_ms();
	while (now_ms() - t0 < CHURN_MS) {
		s = TRY(ipn_socket());
		r = ipn_connect(s, c->path);
		e = errno;
		ASSERT_EQ(0, r)
			TH_LOG("receiver %d: connect %ld: %s", c->id, cycles,
			       errstr(e));
		for (k = 0; k < 3; k++) {
			if (recv(s, buf, sizeof(buf), MSG_DONTWAIT) < 0) {
				e = errno;
				ASSERT_EQ(EAGAIN, e)
					TH_LOG("receiver %d: recv: %s", c->id,
					       errstr(e));
			}
		}
		close(s);
		cycles++;
	}
	ASSERT_TRUE(cycles > 0)
		TH_LOG("receiver %d: no cycle", c->id);
	return 0;
}

TEST(close_while_sending)
{
	const char *p = tpath("net");
	struct churn ch[5];
	pid_t pids[5];
	int i, s, fds[8], failed = 0;
	char name[32];

	TRY(net_create(p, &(struct netopts){ .numnodes = 8, .bind_only = true }));
	for (i = 0; i < 5; i++) {
		ch[i] = (struct churn){ .path = p, .id = i };
		pids[i] = TRY(spawn(_metadata, i < 3 ? churn_sender_fn :
				    churn_receiver_fn, &ch[i]));
	}
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "%s %d",
			 i < 3 ? "sender" : "receiver", i);
		failed += reap(pids[i], name) != 0;
	}
	ASSERT_EQ(0, failed);
	/* Every port was released: all 8 can be taken again. */
	for (i = 0; i < 8; i++)
		fds[i] = TRY(net_join(p));
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ENOSPC, ipn_connect(s, p), "ninth node");
	send_str(_metadata, fds[0], "after the storm");
	for (i = 1; i < 8; i++)
		expect_str(_metadata, fds[i], "after the storm", "node");
}

TEST(join_leave_1000)
{
	const char *p = tpath("net");
	long long t0;
	int i, s, a, b, r, e, port;

	TRY(net_create(p, &(struct netopts){ .numnodes = 4, .bind_only = true }));
	t0 = now_ms();
	for (i = 0; i < 1000; i++) {
		s = TRY(ipn_socket());
		r = ipn_connect(s, p);
		e = errno;
		ASSERT_EQ(0, r)
			TH_LOG("cycle %d: connect: %s", i, errstr(e));
		close(s);
	}
	TH_LOG("1000 join/leave cycles in %lld ms", now_ms() - t0);
	a = TRY(net_join(p));
	b = TRY(net_join(p));
	port = opt_value(a, IPN_SO_PORT);
	ASSERT_TRUE(port >= 0 && port < 4)
		TH_LOG("port %d", port);
	send_str(_metadata, a, "still alive");
	expect_str(_metadata, b, "still alive", "b");
}
IPN_TIMEOUT(join_leave_1000, 45)

TEST(create_destroy_200)
{
	const char *p = tpath("net");
	long long t0;
	struct stat st;
	int i, s, r, e;

	t0 = now_ms();
	for (i = 0; i < 200; i++) {
		s = TRY(ipn_socket());
		/* EXCL: every bind must create a new network. */
		TRY(set_opt(s, IPN_SO_FLAGS, IPN_FLAG_EXCL));
		r = ipn_bind(s, p);
		e = errno;
		ASSERT_EQ(0, r)
			TH_LOG("cycle %d: bind: %s", i, errstr(e));
		if (i & 1)
			TRY(connect(s, NULL, 0));
		/* Unlink while alive or after the close, alternately. */
		if (i & 2)
			TRY(unlink(p));
		close(s);
		if (!(i & 2))
			TRY(unlink(p));
	}
	TH_LOG("200 create/destroy cycles in %lld ms", now_ms() - t0);
	ASSERT_ERRNO(ENOENT, stat(p, &st), "node after the last unlink");
}
IPN_TIMEOUT(create_destroy_200, 45)

TEST(lifetime_after_close)
{
	const char *p = tpath("net");
	const char *q = tpath("bound-only");
	int a, b, s;

	a = TRY(net_create(p, &(struct netopts){ .mtu = 700 }));
	b = TRY(net_join(p));
	close(a);
	close(b);
	expect_node(_metadata, p, DEFAULT_MODE);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, p),
		     "connect once every socket closed");
	ASSERT_ERRNO(EADDRINUSE, ipn_bind(s, p),
		     "bind once every socket closed");
	TRY(unlink(p));
	a = TRY(net_create(p, NULL));
	ASSERT_VAL(DEFAULT_MTU, opt_value(a, IPN_SO_MTU),
		   "MTU of the fresh network");
	b = TRY(net_join(p));
	send_str(_metadata, a, "reborn");
	expect_str(_metadata, b, "reborn", "b");

	/* A network held by a bound socket only dies with it too. */
	a = TRY(net_create(q, &(struct netopts){ .bind_only = true }));
	close(a);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, q),
		     "connect after the only (bound) socket closed");
}

TEST(lifetime_survivors)
{
	const char *p = tpath("net");
	int a, b, c, d;

	a = TRY(net_create(p, &(struct netopts){ .mtu = 600 }));
	b = TRY(net_join(p));
	c = TRY(net_join(p));
	close(a);
	send_str(_metadata, b, "creator gone");
	expect_str(_metadata, c, "creator gone", "c");
	d = TRY(net_join(p));
	ASSERT_VAL(600, opt_value(d, IPN_SO_MTU),
		   "MTU of the surviving network");
	send_str(_metadata, d, "late");
	expect_str(_metadata, b, "late", "b");
	expect_str(_metadata, c, "late", "c");
}

/* The memory cgroup the memcg test runs in; created on first use. */
#define MEMCG_DIR	"/sys/fs/cgroup/ipn-test"

static long long memcg_current(void)
{
	char buf[32];
	int fd = open(MEMCG_DIR "/memory.current", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoll(buf);
}

struct memcg_ctx {
	const char *path;	/* a network whose reader holds what is sent */
	int res_w;
};

static int memcg_child(struct __test_metadata *_metadata, void *arg)
{
	struct memcg_ctx *c = arg;
	static char big[60000];
	char q[PATH_MAX], pid[16];
	long long m[3];
	int i, s;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	TRY(write_file(MEMCG_DIR "/cgroup.procs", pid));
	m[0] = TRY(memcg_current());
	for (i = 0; i < 20; i++) {
		snprintf(q, sizeof(q), "%s-sw%d", c->path, i);
		s = TRY(sw_socket());
		TRY(set_opt(s, IPN_SO_NUMNODES, 1024));
		TRY(ipn_bind(s, q));
	}
	m[1] = TRY(memcg_current());
	s = TRY(net_join(c->path));
	for (i = 0; i < 100; i++)
		ASSERT_VAL(sizeof(big), send(s, big, sizeof(big), 0), "send");
	m[2] = TRY(memcg_current());
	ASSERT_VAL(sizeof(m), write(c->res_w, m, sizeof(m)),
		   "the figures, to the parent");
	return 0;
}

/*
 * What a user makes the kernel hold is charged to its memory cgroup:
 * networks (port tables, the switch's MAC table) and the messages it sent
 * that wait in readers' queues.
 */
TEST(memcg_charged)
{
	struct memcg_ctx c = { .path = tpath("net") };
	int r, e, fds[2], big = 16 << 20;
	long long m[3];

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		TRY(mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL));
	TRY(write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"));
	r = mkdir(MEMCG_DIR, 0755);
	e = errno;
	ASSERT_TRUE(!r || e == EEXIST)
		TH_LOG("mkdir %s: %s", MEMCG_DIR, errstr(e));
	r = TRY(net_create(c.path, &(struct netopts){ .mtu = 65535,
						      .pool = 4096 }));
	TRY(setsockopt(r, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)));
	TRY(pipe(fds));
	c.res_w = fds[1];
	ASSERT_EQ(0, reap(TRY(spawn(_metadata, memcg_child, &c)),
			  "process in a memory cgroup"));
	ASSERT_VAL(sizeof(m), read(fds[0], m, sizeof(m)),
		   "the child's figures");
	TH_LOG("memory.current: %lld, %lld after 20 switches, %lld after 6 MB sent",
	       m[0], m[1], m[2]);
	ASSERT_TRUE(m[1] - m[0] >= 2 << 20)
		TH_LOG("20 switch networks charged only %lld bytes",
		       m[1] - m[0]);
	ASSERT_TRUE(m[2] - m[1] >= 5 << 20)
		TH_LOG("6 MB of queued messages charged only %lld bytes",
		       m[2] - m[1]);
}

IPN_HARNESS_MAIN
