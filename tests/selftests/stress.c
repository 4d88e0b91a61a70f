// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: lossless and lossy delivery of IPN_STRESS_MSGS messages (5000
 * by default) to 8 readers, one of them slow, and rmmod of both modules
 * tried 1000 times while traffic, joins and taps churn.
 */
#include "ipn_lib.h"

#include <sys/mman.h>

/* Messages of the stress tests: IPN_STRESS_MSGS, default 5000 (CI). */
static long stress_msgs(void)
{
	const char *e = getenv("IPN_STRESS_MSGS");
	long n = e ? atol(e) : 0;

	return n > 0 ? n : 5000;
}

/*
 * The time limit of a stress test that takes @base s with 5000 messages:
 * it grows with IPN_STRESS_MSGS, by @base per 5000 more (as far as the
 * harness can count: it waits with poll() for @seconds * 1000 ms).
 */
static int stress_timeout(int base)
{
	long long n = stress_msgs(), t;

	if (n <= 5000)
		return base;
	t = n / 5000 * base + base;
	return t < INT_MAX / 1000 ? (int)t : INT_MAX / 1000;
}

#define STRESS_READERS	8
#define STRESS_BATCH	64

/* Messages sent so far, shared with the readers (MAP_SHARED). */
static long *stress_sent;

/*
 * The slow reader's pause on a lossy network: until the sender is
 * STRESS_LEAD messages ahead of it, or done (@ctl hung up).  Its queue
 * holds far fewer (the pool is 8), so each pause drops messages however
 * fast or slow the machine, where a fixed sleep may not.
 */
#define STRESS_LEAD	(4 * STRESS_BATCH)

static void stress_fall_behind(long next, int ctl)
{
	struct pollfd pfd = { .fd = ctl, .events = POLLIN };

	while (__atomic_load_n(stress_sent, __ATOMIC_ACQUIRE) <
	       next + STRESS_LEAD)
		if (poll(&pfd, 1, 1) > 0)
			break;
}

/*
 * Read messages, each a 64-bit sequence number below @n, from @s: in
 * order, and (when @lossless) none missing, until the last one or, once
 * @ctl hangs up (the sender is done), until the queue is empty.  The slow
 * reader (@idx 0) pauses now and then.  Writes the number received, the
 * next sequence expected, the number skipped and @idx to @res_fd.
 */
static int stress_reader(struct __test_metadata *_metadata, int s, int idx,
			 long n, bool lossless, int ctl, int res_fd)
{
	struct mmsghdr mm[STRESS_BATCH];
	struct iovec iov[STRESS_BATCH];
	uint64_t buf[STRESS_BATCH], next = 0, gaps = 0;
	struct pollfd pfd[2];
	bool done = false;
	bool slow = idx == 0;
	long got = 0, out[4];
	int i, r, e = 0;

	for (i = 0; i < STRESS_BATCH; i++) {
		iov[i] = (struct iovec){ &buf[i], sizeof(buf[i]) };
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while ((long)next < n) {
		r = recvmmsg(s, mm, STRESS_BATCH, MSG_DONTWAIT, NULL);
		if (r < 0 && errno == EAGAIN) {
			if (done)
				break;
			pfd[0] = (struct pollfd){ .fd = s, .events = POLLIN };
			pfd[1] = (struct pollfd){ .fd = ctl, .events = POLLIN };
			if (poll(pfd, 2, -1) < 0) {
				e = errno;
				ASSERT_EQ(EINTR, e)
					TH_LOG("poll: %s", errstr(e));
			}
			/* Sent before the hang-up, so queued already. */
			done = pfd[1].revents != 0;
			/*
			 * Let a batch build up: a wake-up per message costs
			 * the emulated debug kernel more than the rest.
			 */
			usleep(500);
			continue;
		}
		if (r < 0) {
			e = errno;
			if (e == EINTR)
				continue;
		}
		ASSERT_LE(0, r)
			TH_LOG("recvmmsg after %ld messages: %s", got,
			       errstr(e));
		for (i = 0; i < r; i++) {
			ASSERT_FALSE(mm[i].msg_len != sizeof(uint64_t) ||
				     buf[i] < next ||
				     (lossless && buf[i] != next))
				TH_LOG("message %ld: got #%llu (%u bytes), expected #%llu%s",
				       got, (unsigned long long)buf[i],
				       mm[i].msg_len, (unsigned long long)next,
				       lossless ? "" : " or later");
			gaps += buf[i] - next;
			next = buf[i] + 1;
			got++;
		}
		if (slow && (got & 1023) < (unsigned int)r) {
			if (lossless)
				msleep(2);
			else
				stress_fall_behind((long)next, ctl);
		}
	}
	out[0] = got;
	out[1] = (long)next;
	out[2] = (long)gaps;
	out[3] = idx;
	ASSERT_VAL(sizeof(out), write(res_fd, out, sizeof(out)),
		   "the reader's figures, to the sender");
	return 0;
}

/* Send @n sequence numbers on @s, in batches; @dontwait retries EAGAIN. */
static int stress_send(int s, long n)
{
	struct mmsghdr mm[STRESS_BATCH];
	struct iovec iov[STRESS_BATCH];
	uint64_t buf[STRESS_BATCH];
	long sent = 0;
	int i, r, k;

	while (sent < n) {
		k = n - sent < STRESS_BATCH ? (int)(n - sent) : STRESS_BATCH;
		for (i = 0; i < k; i++) {
			buf[i] = (uint64_t)(sent + i);
			iov[i] = (struct iovec){ &buf[i], sizeof(buf[i]) };
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(s, mm, k, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			diag("sendmmsg after %ld messages: %s", sent,
			     errstr(errno));
			return -1;
		}
		sent += r;
		__atomic_store_n(stress_sent, sent, __ATOMIC_RELEASE);
	}
	return 0;
}

/*
 * Run one sender and STRESS_READERS readers (the first one slow) of @n
 * messages on a network made with @o.  Each reader's (received, next)
 * goes to @res[i]; its socket's drop count to @drops[i].  Returns -1 if
 * the sender or a reader failed, once every reader is done.
 */
static int stress_run(struct __test_metadata *_metadata,
		      const struct netopts *o, long n, long res[][4],
		      long *drops)
{
	const char *p = tpath("net");
	bool lossless = o->flags & IPN_FLAG_LOSSLESS;
	int a, r[STRESS_READERS], fds[2], ctl[2], i, ret = 0;
	pid_t pid[STRESS_READERS];
	long long t0;

	memset(res, 0, STRESS_READERS * sizeof(res[0]));
	if (!stress_sent) {
		void *m = mmap(NULL, sizeof(*stress_sent),
			       PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		ASSERT_TRUE(m != MAP_FAILED)
			TH_LOG("mmap: %s", errstr(errno));
		stress_sent = m;
	}
	*stress_sent = 0;
	a = TRY(net_create(p, o));
	for (i = 0; i < STRESS_READERS; i++)
		r[i] = TRY(net_join(p));
	TRY(pipe(fds));
	TRY(pipe(ctl));
	for (i = 0; i < STRESS_READERS; i++) {
		/* No time limit: the test's own scales with @n. */
		pid[i] = TRY(fork_helper(false));
		if (pid[i] == 0) {
			close(ctl[1]);
			_exit(stress_reader(_metadata, r[i], i, n, lossless,
					    ctl[0], fds[1]) ||
			      _metadata->exit_code == KSFT_FAIL);
		}
	}
	close(fds[1]);
	close(ctl[0]);
	t0 = now_ms();
	if (stress_send(a, n))
		ret = -1;
	close(ctl[1]);
	for (i = 0; i < STRESS_READERS; i++) {
		if (reap(pid[i], "reader"))
			ret = -1;
		drops[i] = sock_drops(r[i]);
	}
	/* The readers' reports come in the order they finished. */
	for (i = 0; i < STRESS_READERS; i++) {
		long rec[4];

		if (read(fds[0], rec, sizeof(rec)) != sizeof(rec) ||
		    rec[3] < 0 || rec[3] >= STRESS_READERS) {
			ret = -1;
			continue;
		}
		memcpy(res[rec[3]], rec, sizeof(rec));
	}
	TH_LOG("%ld messages to %d readers in %lld ms", n, STRESS_READERS,
	       now_ms() - t0);
	return ret;
}

/*
 * Lossless: every reader, the slow one too, gets every message in order,
 * and nothing is dropped.
 */
TEST(stress_lossless)
{
	long res[STRESS_READERS][4], drops[STRESS_READERS], n = stress_msgs();
	int i;

	ASSERT_EQ(0, stress_run(_metadata, &(struct netopts){
		.flags = IPN_FLAG_LOSSLESS, .pool = 64 }, n, res, drops));
	for (i = 0; i < STRESS_READERS; i++) {
		ASSERT_TRUE(res[i][0] == n)
			TH_LOG("reader %d received %ld of %ld", i, res[i][0],
			       n);
		ASSERT_VAL(0, drops[i], "drops of a lossless reader");
	}
}
IPN_TIMEOUT(stress_lossless, stress_timeout(600))

/*
 * Lossy: readers get messages in order, and what a reader missed is
 * exactly what its drop counter says.
 */
TEST(stress_lossy_drops)
{
	long res[STRESS_READERS][4], drops[STRESS_READERS], n = stress_msgs();
	int i, bad = 0;

	ASSERT_EQ(0, stress_run(_metadata, &(struct netopts){ .pool = 8 }, n,
				res, drops));
	for (i = 0; i < STRESS_READERS; i++) {
		TH_LOG("reader %d: %ld received, %ld skipped, stopped before #%ld, %ld dropped",
		       i, res[i][0], res[i][2], res[i][1], drops[i]);
		bad += res[i][0] + drops[i] != n;
	}
	ASSERT_TRUE(!bad)
		TH_LOG("%d readers: received + dropped is not what was sent",
		       bad);
	ASSERT_TRUE(drops[0] > 0)
		TH_LOG("the slow reader missed nothing");
}
IPN_TIMEOUT(stress_lossy_drops, stress_timeout(600))

/*
 * Churn until killed: @arg 0 sends on a hub, 1 joins a switch, 2 puts taps
 * on a switch.  Fails (SIGABRT) on an error other than the module being
 * on its way out (EAFNOSUPPORT, EPROTONOSUPPORT from socket() or bind()).
 */
static int stress_churn_child(struct __test_metadata *_metadata, void *arg)
{
	int kind = (int)(long)arg, proto = kind ? IPN_VDESWITCH : IPN_BROADCAST;
	char p[PATH_MAX], name[IFNAMSIZ];
	unsigned int i;
	int s, t, r, e;

	snprintf(p, sizeof(p), "%s/churn%d", tdir(), kind);
	alarm(0);
	for (i = 0;; i++) {
		unlink(p);
		s = socket(ipn_family(), SOCK_RAW, proto);
		e = errno;
		if (s < 0 && (e == EAFNOSUPPORT || e == EPROTONOSUPPORT))
			continue;
		ASSERT_LE(0, s)
			TH_LOG("socket: %s", errstr(e));
		/* The policy is looked up (and loaded) again at bind. */
		r = ipn_bind(s, p);
		e = errno;
		if (r && e == EPROTONOSUPPORT) {
			close(s);
			continue;
		}
		ASSERT_EQ(0, r)
			TH_LOG("bind of %s: %s", p, errstr(e));
		switch (kind) {
		case 0:
			TRY(connect(s, NULL, 0));
			t = TRY(net_join(p));
			send_str(_metadata, s, "churn");
			expect_str(_metadata, t, "churn", "churn reader");
			close(t);
			break;
		case 1:
			TRY(connect(s, NULL, 0));
			t = TRY(net_join_proto(p, IPN_VDESWITCH));
			close(t);
			break;
		case 2:
			snprintf(name, sizeof(name), "ipnst%u", i % 4);
			TRY(conn_tap(s, name, IPN_NODEFLAG_TAP, NULL));
			break;
		}
		close(s);
	}
	return 0;	/* not reached: killed */
}

/*
 * rmmod of both modules tried 1000 times while traffic, joins and tap
 * creation run: each attempt fails cleanly while a module is in use, or
 * unloads it when it is not, and the next socket loads it again.
 */
TEST(stress_rmmod)
{
	pid_t pid[3];
	int i, j, hold, unloaded = 0, e;

	hold = TRY(ipn_socket());
	for (j = 0; j < 3; j++)
		pid[j] = TRY(spawn(_metadata, stress_churn_child,
				   (void *)(long)j));
	for (i = 0; i < 1000; i++) {
		/* The second half with no socket of ours holding ipn.ko. */
		if (i == 500)
			close(hold);
		for (j = 0; j < 2; j++) {
			const char *m = j ? "ipn" : "kvde_switch";

			if (!unload_module(m)) {
				unloaded++;
				continue;
			}
			e = errno;
			ASSERT_TRUE(e == EAGAIN || e == EBUSY || e == ENOENT)
				TH_LOG("delete_module(%s) attempt %d: %s", m, i,
				       errstr(e));
		}
		msleep(5);
	}
	for (j = 0; j < 3; j++) {
		int st;

		kill(pid[j], SIGKILL);
		TRY(waitpid(pid[j], &st, 0));
		ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			TH_LOG("churn %d stopped before the end (see above)",
			       j);
	}
	TH_LOG("%d of 2000 attempts unloaded a module", unloaded);
	/* And the modules come back on demand. */
	hold = TRY(sw_socket());
	TRY(ipn_bind(hold, tpath("after")));
}
IPN_TIMEOUT(stress_rmmod, 300)

IPN_HARNESS_MAIN
