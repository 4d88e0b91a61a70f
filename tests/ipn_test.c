// SPDX-License-Identifier: GPL-2.0
/*
 * ipn_test: the in-guest test suite of AF_IPN (ipn.ko).
 *
 * Runs as root in the test guest with ipn.ko loaded and prints TAP:
 *
 *	TAP version 13
 *	ok 1 - name
 *	# diagnostics of a failure come before its "not ok" line
 *	not ok 2 - name
 *	1..2
 *	1 passed, 1 failed
 *
 * Every test is a function run in a forked child, in its own process
 * group and with its own directory under /tmp, so that a crash or a hang
 * fails that test only.  The exit status is 0 iff every test passed.
 *
 * Usage: ipn_test [FILTER]	(run only the tests whose name contains FILTER)
 *
 * Inside a test, TRY() and the EXPECT_*() macros print where and why a
 * check failed and return -1 from the test (or from the helper using
 * them); MUST() does the same for helpers that print their own reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <net/if.h>
#include <sys/klog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/filter.h>
#include <linux/ipn.h>
#include <linux/sock_diag.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO		55
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define DEFAULT_MTU		1514
#define DEFAULT_NUMNODES	32
#define DEFAULT_MSGPOOLSIZE	8
#define DEFAULT_MODE		0777

#define NOBODY			65534	/* uid and gid of the unprivileged tests */
#define TEST_TIMEOUT		20	/* seconds, per test */
#define CHILD_TIMEOUT		15	/* seconds, per helper process */
#define RECV_TIMEOUT		3000	/* ms to wait for an expected message */

/* The directory of the running test (0777, on tmpfs). */
static char test_dir[64];

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */
/* ------------------------------------------------------------------ */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= n;
	}
}

/*
 * Print a TAP diagnostic line.  One write() per line, so that the lines of
 * concurrent processes do not mix and nothing sits in a stdio buffer that
 * fork() would duplicate.
 */
static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	buf[0] = '#';
	buf[1] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += 2;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	write_all(STDOUT_FILENO, buf, n);
}

static const char *errname(int e)
{
	const char *name;

	if (!e)
		return "no error";
	name = strerrorname_np(e);
	return name ? name : "E?";
}

/* "EINVAL (Invalid argument)", in one of a few rotating buffers. */
static const char *errstr(int e)
{
	static char bufs[4][96];
	static unsigned int next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];

	snprintf(b, sizeof(bufs[0]), "%s (%s)", errname(e), strerror(e));
	return b;
}

#define fail(fmt, ...) \
	diag("%s:%d: " fmt, __func__, __LINE__, ##__VA_ARGS__)

/* A call that must succeed (return >= 0); evaluates to its result. */
#define TRY(call) ({							\
	long __r = (long)(call);					\
	if (__r < 0) {							\
		fail("%s: %s", #call, errstr(errno));			\
		return -1;						\
	}								\
	__r;								\
})

/* A helper that prints its own diagnostics and returns < 0 on failure. */
#define MUST(call) do {							\
	if ((call) < 0) {						\
		fail("%s failed", #call);				\
		return -1;						\
	}								\
} while (0)

/* A call that must fail with -1 and errno @err. */
#define EXPECT_ERRNO(call, err, what) do {				\
	long __r;							\
	int __e;							\
	errno = 0;							\
	__r = (long)(call);						\
	__e = errno;							\
	if (__r != -1 || __e != (err)) {				\
		if (__r == -1)						\
			fail("%s: expected %s, got %s", what,		\
			     errname(err), errstr(__e));		\
		else							\
			fail("%s: expected %s, but it returned %ld",	\
			     what, errname(err), __r);			\
		return -1;						\
	}								\
} while (0)

#define EXPECT_EQ(got, want, what) do {					\
	long long __g, __w;						\
	int __e;							\
	errno = 0;							\
	__g = (long long)(got);						\
	__e = errno;							\
	__w = (long long)(want);					\
	if (__g != __w) {						\
		if (__g == -1 && __e)					\
			fail("%s: expected %lld, got -1: %s", what,	\
			     __w, errstr(__e));				\
		else							\
			fail("%s: expected %lld, got %lld", what,	\
			     __w, __g);					\
		return -1;						\
	}								\
} while (0)

#define EXPECT(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		fail("%s: " fmt, #cond, ##__VA_ARGS__);			\
		return -1;						\
	}								\
} while (0)

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* @name inside the test's directory, in one of a few rotating buffers. */
static const char *tpath(const char *name)
{
	static char bufs[16][256];
	static unsigned int next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];

	snprintf(b, sizeof(bufs[0]), "%s/%s", test_dir, name);
	return b;
}

/* ------------------------------------------------------------------ */
/* Processes                                                            */
/* ------------------------------------------------------------------ */

typedef int (*child_fn)(void *arg);

/* Run @fn(@arg) in a child; it exits 0 iff @fn returned 0. */
static pid_t spawn(child_fn fn, void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(CHILD_TIMEOUT);
		_exit(fn(arg) ? 1 : 0);
	}
	if (pid < 0)
		diag("fork: %s", errstr(errno));
	return pid;
}

/* Wait for a child of spawn(): 0 iff it succeeded. */
static int reap(pid_t pid, const char *what)
{
	int st;

	if (waitpid(pid, &st, 0) < 0) {
		diag("waitpid for %s: %s", what, errstr(errno));
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		diag("%s exited with status %d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		diag("%s was killed by signal %d (%s)%s", what, WTERMSIG(st),
		     strsignal(WTERMSIG(st)),
		     WTERMSIG(st) == SIGALRM ? ": timed out" : "");
	return -1;
}

/* ------------------------------------------------------------------ */
/* AF_IPN helpers                                                       */
/* ------------------------------------------------------------------ */

static int ipn_socket(void)
{
	return socket(AF_IPN, SOCK_RAW, IPN_BROADCAST);
}

/* Fill @sa with @path; returns the address length, NUL included. */
static socklen_t ipn_addr(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	if (n >= sizeof(sa->sun_path))
		n = sizeof(sa->sun_path) - 1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_IPN;
	memcpy(sa->sun_path, path, n);
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

static int ipn_bind(int s, const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = ipn_addr(&sa, path);

	return bind(s, (struct sockaddr *)&sa, len);
}

static int ipn_connect(int s, const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = ipn_addr(&sa, path);

	return connect(s, (struct sockaddr *)&sa, len);
}

static int set_opt(int s, int name, int val)
{
	return setsockopt(s, SOL_IPN, name, &val, sizeof(val));
}

/* Settings of a network a test creates; zero fields keep the defaults. */
struct netopts {
	int mtu;
	int numnodes;
	int pool;		/* IPN_SO_MSGPOOLSIZE */
	int flags;
	int mode;		/* only if set_mode */
	bool set_mode;
	bool bind_only;		/* the creator does not connect */
};

/*
 * Create (or attach to) the network at @path with a socket of protocol
 * @proto: set the options, bind and, unless @o->bind_only, connect.
 * Returns the socket or -1.
 */
static int net_create_proto(const char *path, int proto,
			    const struct netopts *o)
{
	static const struct netopts defaults;
	int s, e;

	if (!o)
		o = &defaults;
	s = socket(AF_IPN, SOCK_RAW, proto);
	if (s < 0) {
		diag("socket(AF_IPN, SOCK_RAW, %d): %s", proto, errstr(errno));
		return -1;
	}
	if ((o->mtu && set_opt(s, IPN_SO_MTU, o->mtu)) ||
	    (o->numnodes && set_opt(s, IPN_SO_NUMNODES, o->numnodes)) ||
	    (o->pool && set_opt(s, IPN_SO_MSGPOOLSIZE, o->pool)) ||
	    (o->flags && set_opt(s, IPN_SO_FLAGS, o->flags)) ||
	    (o->set_mode && set_opt(s, IPN_SO_MODE, o->mode))) {
		diag("setsockopt before bind of %s: %s", path, errstr(errno));
		goto err;
	}
	if (ipn_bind(s, path)) {
		diag("bind %s: %s", path, errstr(errno));
		goto err;
	}
	if (!o->bind_only && connect(s, NULL, 0)) {
		diag("connect after bind of %s: %s", path, errstr(errno));
		goto err;
	}
	return s;
err:
	e = errno;
	close(s);
	errno = e;
	return -1;
}

static int net_create(const char *path, const struct netopts *o)
{
	return net_create_proto(path, IPN_BROADCAST, o);
}

/*
 * Join the network at @path without bind, with a socket of protocol
 * @proto.  Returns the socket or -1.
 */
static int net_join_proto(const char *path, int proto)
{
	int s, e;

	s = socket(AF_IPN, SOCK_RAW, proto);
	if (s < 0) {
		diag("socket(AF_IPN, SOCK_RAW, %d): %s", proto, errstr(errno));
		return -1;
	}
	if (ipn_connect(s, path)) {
		e = errno;
		diag("connect %s: %s", path, errstr(e));
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/* Join the network at @path without bind.  Returns the socket or -1. */
static int net_join(const char *path)
{
	return net_join_proto(path, IPN_BROADCAST);
}

static int send_str(int s, const char *str)
{
	ssize_t n = send(s, str, strlen(str), 0);

	if (n != (ssize_t)strlen(str)) {
		diag("send \"%s\": %s", str, n < 0 ? errstr(errno) : "short");
		return -1;
	}
	return 0;
}

/* recv() of one message, waiting at most @ms for it (ETIMEDOUT). */
static ssize_t recv_timeout(int s, void *buf, size_t len, int flags, int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	int r;

	r = poll(&p, 1, ms);
	if (r < 0)
		return -1;
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return recv(s, buf, len, flags | MSG_DONTWAIT);
}

static unsigned char rxbuf[IPN_MTU_MAX + 64];

/* Receive one message within RECV_TIMEOUT; it must be @want. */
static int expect_msg(int s, const void *want, size_t len, const char *who)
{
	ssize_t n;
	size_t i;

	n = recv_timeout(s, rxbuf, sizeof(rxbuf), 0, RECV_TIMEOUT);
	if (n < 0) {
		diag("%s: expected a %zu-byte message: %s", who, len,
		     errstr(errno));
		return -1;
	}
	if ((size_t)n != len) {
		diag("%s: got a %zd-byte message, expected %zu bytes", who, n,
		     len);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (rxbuf[i] != ((const unsigned char *)want)[i]) {
			diag("%s: message differs at byte %zu: %#x, expected %#x",
			     who, i, rxbuf[i],
			     ((const unsigned char *)want)[i]);
			return -1;
		}
	}
	return 0;
}

static int expect_str(int s, const char *str, const char *who)
{
	return expect_msg(s, str, strlen(str), who);
}

/* SO_MEMINFO's SK_MEMINFO_DROPS of @s, or -1. */
static long sock_drops(int s)
{
	__u32 mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	memset(mi, 0, sizeof(mi));
	if (getsockopt(s, SOL_SOCKET, SO_MEMINFO, mi, &len)) {
		diag("getsockopt(SO_MEMINFO): %s", errstr(errno));
		return -1;
	}
	if (len < (SK_MEMINFO_DROPS + 1) * sizeof(__u32)) {
		diag("SO_MEMINFO returned only %u bytes", (unsigned int)len);
		return -1;
	}
	return mi[SK_MEMINFO_DROPS];
}

/* ------------------------------------------------------------------ */
/* The ABI and socket()                                                 */
/* ------------------------------------------------------------------ */

/* IPN_CONN_NETDEV: create a tap on the network of @s; fills @name. */
static int conn_tap(int s, const char *want, short flags, char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", want);
	ifr.ifr_flags = flags;
	if (ioctl(s, IPN_CONN_NETDEV, &ifr) < 0)
		return -1;
	if (name)
		snprintf(name, IFNAMSIZ, "%s", ifr.ifr_name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The Ethernet switch (IPN_VDESWITCH, kvde_switch.ko)                  */
/* ------------------------------------------------------------------ */

#define SW_POOL		64	/* IPN_SO_MSGPOOLSIZE of the switch networks */
#define UNLOAD_WAIT	1500	/* ms to retry delete_module of an unused module */

/* A socket of the switch policy; it loads kvde_switch.ko if need be. */
static int sw_socket(void)
{
	int s = socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH);

	if (s < 0)
		diag("socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH): %s",
		     errstr(errno));
	return s;
}

static long unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/* ------------------------------------------------------------------ */
/* The runner                                                           */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Stress                                                               */
/* ------------------------------------------------------------------ */

/* Messages of the stress tests: IPN_STRESS_MSGS, default 5000 (CI). */
static long stress_msgs(void)
{
	const char *e = getenv("IPN_STRESS_MSGS");
	long n = e ? atol(e) : 0;

	return n > 0 ? n : 5000;
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
static int stress_reader(int s, int idx, long n, bool lossless, int ctl,
			 int res_fd)
{
	struct mmsghdr mm[STRESS_BATCH];
	struct iovec iov[STRESS_BATCH];
	uint64_t buf[STRESS_BATCH], next = 0, gaps = 0;
	struct pollfd pfd[2];
	bool done = false;
	bool slow = idx == 0;
	long got = 0, out[4];
	int i, r;

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
			if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
				fail("poll: %s", errstr(errno));
				return -1;
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
			if (errno == EINTR)
				continue;
			fail("recvmmsg after %ld messages: %s", got, errstr(errno));
			return -1;
		}
		for (i = 0; i < r; i++) {
			if (mm[i].msg_len != sizeof(uint64_t) ||
			    buf[i] < next || (lossless && buf[i] != next)) {
				fail("message %ld: got #%llu (%u bytes), expected #%llu%s",
				     got, (unsigned long long)buf[i], mm[i].msg_len,
				     (unsigned long long)next,
				     lossless ? "" : " or later");
				return -1;
			}
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
	return write(res_fd, out, sizeof(out)) == sizeof(out) ? 0 : -1;
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
			fail("sendmmsg after %ld messages: %s", sent, errstr(errno));
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
 * goes to @res[i]; its socket's drop count to @drops[i].
 */
static int stress_run(const struct netopts *o, long n, long res[][4],
		      long *drops)
{
	const char *p = tpath("net");
	bool lossless = o->flags & IPN_FLAG_LOSSLESS;
	int a, r[STRESS_READERS], fds[2], ctl[2], i, ret = 0;
	pid_t pid[STRESS_READERS];
	long long t0;

	memset(res, 0, STRESS_READERS * sizeof(res[0]));
	if (!stress_sent) {
		stress_sent = mmap(NULL, sizeof(*stress_sent),
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (stress_sent == MAP_FAILED) {
			stress_sent = NULL;
			fail("mmap: %s", errstr(errno));
			return -1;
		}
	}
	*stress_sent = 0;
	a = TRY(net_create(p, o));
	for (i = 0; i < STRESS_READERS; i++)
		r[i] = TRY(net_join(p));
	TRY(pipe(fds));
	TRY(pipe(ctl));
	for (i = 0; i < STRESS_READERS; i++) {
		fflush(stdout);
		pid[i] = TRY(fork());
		if (pid[i] == 0) {
			close(ctl[1]);
			_exit(stress_reader(r[i], i, n, lossless, ctl[0],
					    fds[1]) ? 1 : 0);
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
	diag("%ld messages to %d readers in %lld ms", n, STRESS_READERS,
	     now_ms() - t0);
	return ret;
}

/*
 * Lossless: every reader, the slow one too, gets every message in order,
 * and nothing is dropped.
 */
static int test_stress_lossless(void)
{
	long res[STRESS_READERS][4], drops[STRESS_READERS], n = stress_msgs();
	int i;

	MUST(stress_run(&(struct netopts){ .flags = IPN_FLAG_LOSSLESS,
					    .pool = 64 }, n, res, drops));
	for (i = 0; i < STRESS_READERS; i++) {
		EXPECT(res[i][0] == n, "reader %d received %ld of %ld", i,
		       res[i][0], n);
		EXPECT_EQ(drops[i], 0, "drops of a lossless reader");
	}
	return 0;
}

/*
 * Lossy: readers get messages in order, and what a reader missed is
 * exactly what its drop counter says.
 */
static int test_stress_lossy_drops(void)
{
	long res[STRESS_READERS][4], drops[STRESS_READERS], n = stress_msgs();
	int i, bad = 0;

	MUST(stress_run(&(struct netopts){ .pool = 8 }, n, res, drops));
	for (i = 0; i < STRESS_READERS; i++) {
		diag("reader %d: %ld received, %ld skipped, stopped before #%ld, %ld dropped",
		     i, res[i][0], res[i][2], res[i][1], drops[i]);
		bad += res[i][0] + drops[i] != n;
	}
	EXPECT(!bad, "%d readers: received + dropped is not what was sent", bad);
	EXPECT(drops[0] > 0, "the slow reader missed nothing");
	return 0;
}

/*
 * Churn until killed: @arg 0 sends on a hub, 1 joins a switch, 2 puts taps
 * on a switch.  Exits 1 on an error other than the module being on its
 * way out (EAFNOSUPPORT, EPROTONOSUPPORT from socket() or bind()).
 */
static int stress_churn_child(void *arg)
{
	int kind = (int)(long)arg, proto = kind ? IPN_VDESWITCH : IPN_BROADCAST;
	char p[PATH_MAX], name[IFNAMSIZ];
	unsigned int i;
	int s, t;

	snprintf(p, sizeof(p), "%s/churn%d", test_dir, kind);
	alarm(0);
	for (i = 0;; i++) {
		unlink(p);
		s = socket(AF_IPN, SOCK_RAW, proto);
		if (s < 0 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
			continue;
		if (s < 0) {
			fail("socket: %s", errstr(errno));
			return -1;
		}
		/* The policy is looked up (and loaded) again at bind. */
		if (ipn_bind(s, p)) {
			if (errno == EPROTONOSUPPORT) {
				close(s);
				continue;
			}
			fail("bind of %s: %s", p, errstr(errno));
			return -1;
		}
		switch (kind) {
		case 0:
			TRY(connect(s, NULL, 0));
			t = TRY(net_join(p));
			MUST(send_str(s, "churn"));
			MUST(expect_str(t, "churn", "churn reader"));
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
}

/*
 * rmmod of both modules tried 1000 times while traffic, joins and tap
 * creation run: each attempt fails cleanly while a module is in use, or
 * unloads it when it is not, and the next socket loads it again.
 */
static int test_stress_rmmod(void)
{
	pid_t pid[3];
	int i, j, hold, unloaded = 0, e;

	hold = TRY(ipn_socket());
	for (j = 0; j < 3; j++)
		pid[j] = TRY(spawn(stress_churn_child, (void *)(long)j));
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
			EXPECT(e == EAGAIN || e == EBUSY || e == ENOENT,
			       "delete_module(%s) attempt %d: %s", m, i,
			       errstr(e));
		}
		msleep(5);
	}
	for (j = 0; j < 3; j++) {
		int st;

		kill(pid[j], SIGKILL);
		TRY(waitpid(pid[j], &st, 0));
		EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		       "churn %d stopped before the end (see above)", j);
	}
	diag("%d of 2000 attempts unloaded a module", unloaded);
	/* And the modules come back on demand. */
	hold = TRY(sw_socket());
	TRY(ipn_bind(hold, tpath("after")));
	return 0;
}

struct test {
	const char *name;
	int (*fn)(void);
	int timeout;
};

#define TEST(n)		{ #n, test_##n, TEST_TIMEOUT }
#define SLOW_TEST(n)	{ #n, test_##n, 45 }

static const struct test tests[] = {

	/* Stress: last, and with their own time limits. */
	{ "stress_lossless", test_stress_lossless, 600 },
	{ "stress_lossy_drops", test_stress_lossy_drops, 600 },
	{ "stress_rmmod", test_stress_rmmod, 300 },
};

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Reap what is left of a test: its process group and any orphans. */
static void reap_leftovers(pid_t pgid)
{
	long long deadline = now_ms() + 2000;
	pid_t r;

	kill(-pgid, SIGKILL);
	while (now_ms() < deadline) {
		r = waitpid(-1, NULL, WNOHANG);
		if (r < 0)
			break;		/* ECHILD: nothing left */
		if (r == 0)
			msleep(5);
	}
}

/* @t's time limit: the stress tests' grows with IPN_STRESS_MSGS. */
static int test_timeout(const struct test *t)
{
	long n = stress_msgs();

	if (strncmp(t->name, "stress_loss", 11) || n <= 5000)
		return t->timeout;
	return n / 5000 * t->timeout + t->timeout;
}

/* Run @t in a child; true iff it passed. */
static bool run_test(const struct test *t)
{
	char dir[] = "/tmp/ipn-test.XXXXXX";
	int timeout = test_timeout(t);
	long long t0, deadline;
	bool timed_out = false, ok;
	int st = 0;
	pid_t pid, r;

	if (!mkdtemp(dir) || chmod(dir, 0777)) {
		diag("test directory: %s", errstr(errno));
		return false;
	}
	snprintf(test_dir, sizeof(test_dir), "%s", dir);

	fflush(stdout);
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		diag("fork: %s", errstr(errno));
		return false;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(timeout);
		_exit(t->fn() == 0 ? 0 : 1);
	}
	setpgid(pid, pid);

	deadline = t0 + (timeout + 3) * 1000LL;
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			diag("waitpid: %s", errstr(errno));
			st = -1;
			break;
		}
		if (now_ms() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			timed_out = true;
			break;
		}
		msleep(5);
	}
	reap_leftovers(pid);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	ok = !timed_out && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (timed_out)
		diag("%s: timed out after %d s", t->name, timeout);
	else if (st != -1 && WIFSIGNALED(st))
		diag("%s: killed by signal %d (%s)%s", t->name, WTERMSIG(st),
		     strsignal(WTERMSIG(st)),
		     WTERMSIG(st) == SIGALRM ? ": timed out" : "");
	if (now_ms() - t0 > 2000)
		diag("%s took %lld ms", t->name, now_ms() - t0);
	return ok;
}

/* Whether @name contains one of the comma-separated words of @filter. */
static bool selected(const char *name, const char *filter)
{
	char words[256], *w, *save;

	if (!filter)
		return true;
	snprintf(words, sizeof(words), "%s", filter);
	for (w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save))
		if (strstr(name, w))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int n = 0, passed = 0, failed = 0;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	umask(0);
	/* Orphans of a test come back to us, to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	printf("TAP version 13\n");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!selected(tests[i].name, filter))
			continue;
		n++;
		if (run_test(&tests[i])) {
			passed++;
			printf("ok %d - %s\n", n, tests[i].name);
		} else {
			failed++;
			printf("not ok %d - %s\n", n, tests[i].name);
		}
		fflush(stdout);
	}
	printf("1..%d\n", n);
	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}
