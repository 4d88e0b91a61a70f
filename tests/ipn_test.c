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

/* Whether the kernel log holds @needle (klogctl: root only). */
static bool kernel_log_has(const char *needle)
{
	static char buf[1 << 20];
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);

	if (n <= 0 || n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	if (n < 0)
		return false;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

static bool module_loaded(const char *name)
{
	size_t n = strlen(name);
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/modules", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, n) && line[n] == ' ';
	fclose(f);
	return found;
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

/* Become uid/gid 65534, without supplementary groups. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
		diag("dropping privileges to %d: %s", NOBODY, errstr(errno));
		return -1;
	}
	if (geteuid() != NOBODY || getegid() != NOBODY) {
		diag("still euid %d egid %d", (int)geteuid(), (int)getegid());
		return -1;
	}
	return 0;
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

static int get_opt(int s, int name, int *val)
{
	socklen_t len = sizeof(*val);

	*val = 0x5a5a5a5a;
	return getsockopt(s, SOL_IPN, name, val, &len);
}

/* getsockopt of an int option, as a value; -2 (never valid) on error. */
static long long opt_value(int s, int name)
{
	int v;

	if (get_opt(s, name, &v)) {
		diag("getsockopt(%#x): %s", name, errstr(errno));
		return -2;
	}
	return v;
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

/* Nothing may be queued on @s. */
static int expect_none(int s, const char *who)
{
	ssize_t n = recv(s, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);

	if (n >= 0) {
		diag("%s: unexpected %zd-byte message", who, n);
		return -1;
	}
	if (errno != EAGAIN) {
		diag("%s: recv(MSG_DONTWAIT) of an empty queue: expected EAGAIN, got %s",
		     who, errstr(errno));
		return -1;
	}
	return 0;
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

static void fill_pattern(void *buf, size_t len, unsigned int seed)
{
	unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

/* ------------------------------------------------------------------ */
/* The ABI and socket()                                                 */
/* ------------------------------------------------------------------ */

/* A value of the ABI: the header's, and what the ABI says it is. */
struct constant {
	const char *name;
	long long got, want;
};

static int check_constants(const struct constant *c, size_t n)
{
	int ret = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i].got != c[i].want) {
			diag("%s is %#llx, the ABI says %#llx", c[i].name,
			     c[i].got, c[i].want);
			ret = -1;
		}
	}
	return ret;
}

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
#define MAC_LEN		6
#define VLAN_TAG_LEN	4
#define ETHERTYPE_TEST	0x88b5	/* local experimental */
#define ETHERTYPE_VLAN	0x8100	/* 802.1Q TPID */
#define UNTAGGED	(-1)	/* the tci of an untagged eth_frame() */
#define TCI(pcp, vid)	(((pcp) << 13) | (vid))
#define DUMMY_POLICY_KO	"/modules/ipn_dummy_policy.ko"
#define DUMMY_PROTOCOL	7	/* ipn_dummy_policy's default */
#define UNLOAD_WAIT	1500	/* ms to retry delete_module of an unused module */

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

static int send_frame(int s, const struct frame *f, const char *who)
{
	ssize_t n = send(s, f->b, f->len, 0);

	if (n != (ssize_t)f->len) {
		diag("%s: send of a %zu-byte frame: %s", who, f->len,
		     n < 0 ? errstr(errno) : "short");
		return -1;
	}
	return 0;
}

/* The next message on @s must be @f, byte for byte. */
static int expect_frame(int s, const struct frame *f, const char *who)
{
	return expect_msg(s, f->b, f->len, who);
}

/* A socket of the switch policy; it loads kvde_switch.ko if need be. */
static int sw_socket(void)
{
	int s = socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH);

	if (s < 0)
		diag("socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH): %s",
		     errstr(errno));
	return s;
}

/*
 * Create the switch network at @path with @numnodes ports (0: the
 * default) and a pool of SW_POOL messages.  Returns the bound socket, the
 * manager, which is not connected, or -1.
 */
static int sw_create(const char *path, int numnodes)
{
	return net_create_proto(path, IPN_VDESWITCH, &(struct netopts){
		.numnodes = numnodes, .pool = SW_POOL, .bind_only = true });
}

/* Connect a switch socket to @path on @port (IPN_PORTNO_ANY: any one). */
static int sw_join(const char *path, int port)
{
	int s, e;

	if (port == IPN_PORTNO_ANY)
		return net_join_proto(path, IPN_VDESWITCH);
	s = sw_socket();
	if (s < 0)
		return -1;
	if (set_opt(s, IPN_SO_PORT, port)) {
		diag("IPN_SO_PORT %d: %s", port, errstr(errno));
		goto err;
	}
	if (ipn_connect(s, path)) {
		diag("connect %s on port %d: %s", path, port, errstr(errno));
		goto err;
	}
	return s;
err:
	e = errno;
	close(s);
	errno = e;
	return -1;
}

/* The port a connected socket holds; -1 (with a diagnostic) on error. */
static int sw_port(int s)
{
	long long p = opt_value(s, IPN_SO_PORT);

	if (p < 0) {
		diag("a connected socket holds no port (%lld)", p);
		return -1;
	}
	return p;
}

static int sw_set(int s, int name, int val)
{
	return setsockopt(s, IPN_VDESWITCH, name, &val, sizeof(val));
}

static int sw_set_vlan(int s, int name, int port, int vlan)
{
	struct ipn_switch_vlan v = { .port = port, .vlan = vlan };

	return setsockopt(s, IPN_VDESWITCH, name, &v, sizeof(v));
}

/* An int option at level IPN_VDESWITCH, as a value; -2 on error. */
static long long sw_get(int s, int name)
{
	socklen_t len = sizeof(int);
	int v = 0x5a5a5a5a;

	if (getsockopt(s, IPN_VDESWITCH, name, &v, &len)) {
		diag("getsockopt(IPN_VDESWITCH, %d): %s", name, errstr(errno));
		return -2;
	}
	if (len != sizeof(int)) {
		diag("getsockopt(IPN_VDESWITCH, %d) returned %u bytes", name,
		     (unsigned int)len);
		return -2;
	}
	return v;
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
		diag("  %s vlan %u port %d age %u ms",
		     mac_str(fdb_buf[i].mac), fdb_buf[i].vlan, fdb_buf[i].port,
		     fdb_buf[i].age_ms);
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
static int expect_fdb(int s, const unsigned char *m, int vlan, int port,
		      const char *who)
{
	int n = fdb_read(s), i;

	if (n < 0)
		return -1;
	i = fdb_find(n, m, vlan);
	if (i < 0 && port < 0)
		return 0;
	if (i >= 0 && fdb_buf[i].port == port)
		return 0;
	if (i < 0)
		diag("%s: no entry for %s in VLAN %d, expected port %d", who,
		     mac_str(m), vlan, port);
	else if (port < 0)
		diag("%s: %s in VLAN %d is learnt on port %d, expected no entry",
		     who, mac_str(m), vlan, fdb_buf[i].port);
	else
		diag("%s: %s in VLAN %d is learnt on port %d, expected port %d",
		     who, mac_str(m), vlan, fdb_buf[i].port, port);
	fdb_dump(n);
	return -1;
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

/* The counters of @port must be @want. */
static int expect_counts(int s, int port, struct counts want, const char *who)
{
	struct ipn_switch_port_stats st;
	int bad = 0;

	if (port_stats(s, port, &st))
		return -1;
#define CHECK_COUNT(f)							\
	do {								\
		if (st.f != want.f) {					\
			diag("%s (port %d): " #f " is %llu, expected %llu", \
			     who, port, (unsigned long long)st.f, want.f); \
			bad = 1;					\
		}							\
	} while (0)
	CHECK_COUNT(rx_frames);
	CHECK_COUNT(rx_bytes);
	CHECK_COUNT(rx_drops);
	CHECK_COUNT(tx_frames);
	CHECK_COUNT(tx_bytes);
	CHECK_COUNT(tx_drops);
#undef CHECK_COUNT
	return bad ? -1 : 0;
}

/* finit_module() of the module file @path with @params. */
static long load_module(const char *path, const char *params)
{
	long r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, params, 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static long unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * Unload @name, which no network uses any more: retry for UNLOAD_WAIT ms
 * while it is still busy, in case the last reference goes a moment after
 * the last close.
 */
static int unload_module_wait(const char *name)
{
	long long deadline = now_ms() + UNLOAD_WAIT;

	for (;;) {
		if (!unload_module(name))
			break;
		if ((errno != EAGAIN && errno != EBUSY) || now_ms() > deadline) {
			diag("delete_module(%s): %s", name, errstr(errno));
			return -1;
		}
		msleep(20);
	}
	if (module_loaded(name)) {
		diag("%s is still in /proc/modules after delete_module", name);
		return -1;
	}
	return 0;
}

/* delete_module(@name) must be refused: the module is in use. */
static int expect_unload_refused(const char *name, const char *what)
{
	int e;

	errno = 0;
	if (!unload_module(name)) {
		diag("%s: delete_module(%s) succeeded", what, name);
		return -1;
	}
	e = errno;
	if (e != EAGAIN && e != EBUSY) {
		diag("%s: delete_module(%s): expected EWOULDBLOCK or EBUSY, got %s",
		     what, name, errstr(e));
		return -1;
	}
	if (!module_loaded(name)) {
		diag("%s: %s left /proc/modules", what, name);
		return -1;
	}
	return 0;
}

static int test_switch_uapi_constants(void)
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

	return check_constants(c, ARRAY_SIZE(c));
}

static int switch_owner_child(void *arg)
{
	const char *p = arg;
	char q[PATH_MAX];
	int m, pa;

	MUST(become_nobody());
	m = TRY(sw_socket());
	TRY(ipn_bind(m, p));
	TRY(connect(m, NULL, 0));
	pa = 0;
	EXPECT_ERRNO(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pa, 10), EPERM,
		     "IPN_SWITCH_PORT_VLAN from a manager who is not the owner");
	EXPECT_ERRNO(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, pa, 10), EPERM,
		     "IPN_SWITCH_TRUNK_ADD from a manager who is not the owner");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_FLUSH, -1), EPERM,
		     "IPN_SWITCH_FLUSH from a manager who is not the owner");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_AGING, 10), EPERM,
		     "IPN_SWITCH_AGING from a manager who is not the owner");
	/* On a network of its own it is the owner. */
	snprintf(q, sizeof(q), "%s-own", p);
	m = TRY(sw_socket());
	TRY(ipn_bind(m, q));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 0, 10));
	EXPECT_EQ(sw_pvid(m, 0), 10, "pvid set by the owner");
	return 0;
}

/*
 * Switch configuration (VLANs of any port, the table) acts on every user
 * of the network: the x right alone does not give it, ownership of the
 * node does.
 */
static int test_switch_config_needs_owner(void)
{
	const char *p = tpath("sw");
	int m;

	m = TRY(sw_socket());
	TRY(set_opt(m, IPN_SO_MODE, 0777));
	TRY(ipn_bind(m, p));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 0, 20));
	MUST(reap(TRY(spawn(switch_owner_child, (void *)p)),
		  "unprivileged manager"));
	EXPECT_EQ(sw_pvid(m, 0), 20, "pvid of port 0 after the refused change");
	return 0;
}

static int test_switch_autoload(void)
{
	int s;

	if (module_loaded("kvde_switch")) {
		diag("kvde_switch is loaded already: unloading it first");
		MUST(unload_module_wait("kvde_switch"));
	}
	s = TRY(socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH));
	EXPECT(module_loaded("kvde_switch"),
	       "socket(IPN_VDESWITCH) did not load kvde_switch");
	/* The socket creates a switch network. */
	TRY(ipn_bind(s, tpath("switch")));
	EXPECT_EQ(sw_get(s, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "IPN_SWITCH_AGING of the new network");
	return 0;
}

static int test_switch_learning_unicast(void)
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
	EXPECT_EQ(fdb_read(m), 0, "entries of a new MAC table");

	/* B is unknown: flooded. */
	f = eth_frame(mac(2), mac(1), UNTAGGED, 20, 1);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b, unknown unicast"));
	MUST(expect_frame(c, &f, "c, unknown unicast"));
	MUST(expect_none(a, "a, the sender"));

	/* A was learnt: to A only. */
	f = eth_frame(mac(1), mac(2), UNTAGGED, 30, 2);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_frame(a, &f, "a, known unicast"));
	MUST(expect_none(c, "c, known unicast to a"));
	MUST(expect_none(b, "b, the sender"));

	/* And now B is known too. */
	f = eth_frame(mac(2), mac(1), UNTAGGED, 40, 3);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b, known unicast"));
	MUST(expect_none(c, "c, known unicast to b"));
	MUST(expect_none(a, "a, the sender"));

	MUST(expect_fdb(m, mac(1), 1, pa, "MAC table"));
	MUST(expect_fdb(m, mac(2), 1, pb, "MAC table"));
	MUST(expect_fdb(m, mac(3), 1, -1, "MAC table"));
	/* Any socket of the network may read it. */
	n = TRY(fdb_read(c));
	EXPECT_EQ(n, 2, "entries read by a connected socket");
	n = fdb_find(n, mac(1), 1);
	EXPECT(n >= 0 && fdb_buf[n].age_ms < 10000,
	       "entry of a seen just now: age %u ms",
	       n >= 0 ? fdb_buf[n].age_ms : 0);
	return 0;
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
static int test_switch_hash_seeded(void)
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
	EXPECT_EQ(sw_get(m, IPN_SWITCH_MAXENTRIES), 4096, "table size");
	v = TRY(sw_join(p, IPN_PORTNO_ANY));
	att = TRY(sw_join(p, IPN_PORTNO_ANY));
	c = TRY(sw_join(p, IPN_PORTNO_ANY));
	f = eth_frame(mac_bcast, victim, UNTAGGED, 20, 1);
	MUST(send_frame(v, &f, "victim"));
	MUST(expect_frame(att, &f, "attacker, broadcast"));
	MUST(expect_frame(c, &f, "c, broadcast"));
	for (i = 0; i < n; i++) {
		f = eth_frame(mac(9), crafted[i], UNTAGGED, 20, i);
		MUST(send_frame(att, &f, "attacker"));
		MUST(expect_frame(v, &f, "victim, unknown unicast"));
		MUST(expect_frame(c, &f, "c, unknown unicast"));
	}
	f = eth_frame(victim, mac(3), UNTAGGED, 30, 2);
	MUST(send_frame(c, &f, "c"));
	MUST(expect_frame(v, &f, "victim, its unicast"));
	MUST(expect_none(att, "attacker, after crafting colliding addresses"));
	return 0;
}

static int test_switch_flood_broadcast_multicast(void)
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
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b, broadcast"));
	MUST(expect_frame(c, &f, "c, broadcast"));
	MUST(expect_none(a, "a, sender of a broadcast"));

	/* The unicast source of a broadcast is learnt... */
	MUST(expect_fdb(m, mac(1), 1, pa, "source of a broadcast"));
	/* ...but a multicast destination is flooded, even so. */
	f = eth_frame(mac_mcast, mac(1), UNTAGGED, 21, 2);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b, multicast"));
	MUST(expect_frame(c, &f, "c, multicast"));
	MUST(expect_none(a, "a, sender of a multicast"));

	/* Group sources are never learnt. */
	f = eth_frame(mac_bcast, mac_mcast, UNTAGGED, 22, 3);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_frame(a, &f, "a, broadcast from a multicast source"));
	MUST(expect_frame(c, &f, "c, broadcast from a multicast source"));
	MUST(expect_none(b, "b, sender"));
	f = eth_frame(mac(1), mac_bcast, UNTAGGED, 23, 4);
	MUST(send_frame(c, &f, "c"));
	MUST(expect_frame(a, &f, "a, unicast from the broadcast address"));
	MUST(expect_none(b, "b, unicast to a"));
	MUST(expect_none(c, "c, sender"));
	n = TRY(fdb_read(m));
	for (i = 0; i < n; i++) {
		if (fdb_buf[i].mac[0] & 1) {
			fail("group address %s was learnt",
			     mac_str(fdb_buf[i].mac));
			fdb_dump(n);
			return -1;
		}
	}
	EXPECT_EQ(n, 1, "entries: a's address only");

	/* A frame to the multicast address learnt nothing for it. */
	f = eth_frame(mac_mcast, mac(3), UNTAGGED, 24, 5);
	MUST(send_frame(c, &f, "c"));
	MUST(expect_frame(a, &f, "a, multicast"));
	MUST(expect_frame(b, &f, "b, multicast"));
	return 0;
}

static int test_switch_no_hairpin(void)
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
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b"));
	MUST(expect_frame(c, &f, "c"));

	/* Another host behind port a talks to mac(1), also behind a. */
	f = eth_frame(mac(1), mac(5), UNTAGGED, 20, 2);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_none(a, "a, whose destination is behind its own port"));
	MUST(expect_none(b, "b"));
	MUST(expect_none(c, "c"));
	/* Its source was learnt all the same. */
	MUST(expect_fdb(m, mac(5), 1, pa, "source of the filtered frame"));

	/* A frame to its own source address goes nowhere either. */
	f = eth_frame(mac(1), mac(1), UNTAGGED, 20, 3);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_none(a, "a, frame to itself"));
	MUST(expect_none(b, "b, frame from a to itself"));
	MUST(expect_none(c, "c, frame from a to itself"));
	return 0;
}

static int test_switch_aging(void)
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
	EXPECT_EQ(sw_get(m, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "default IPN_SWITCH_AGING");
	EXPECT_EQ(sw_get(a, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "default IPN_SWITCH_AGING read by a port");
	TRY(sw_set(m, IPN_SWITCH_AGING, 1));
	EXPECT_EQ(sw_get(m, IPN_SWITCH_AGING), 1, "IPN_SWITCH_AGING set to 1");
	EXPECT_EQ(sw_get(c, IPN_SWITCH_AGING), 1,
		  "IPN_SWITCH_AGING read by a port");

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b"));
	MUST(expect_frame(c, &f, "c"));
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 2);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_frame(a, &f, "a, known unicast"));
	MUST(expect_none(c, "c, unicast to a learnt address"));
	MUST(expect_fdb(m, mac(1), 1, pa, "before aging"));

	msleep(1200);
	MUST(expect_fdb(m, mac(1), 1, -1, "a's address after 1.2 s"));
	MUST(expect_fdb(m, mac(2), 1, -1, "b's address after 1.2 s"));
	EXPECT_EQ(fdb_read(m), 0, "entries after 1.2 s");
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 3);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_frame(a, &f, "a, unicast to an aged address"));
	MUST(expect_frame(c, &f, "c, unicast to an aged address"));
	/* The sender was learnt again, not the aged destination. */
	MUST(expect_fdb(m, mac(2), 1, pb, "b's address relearnt"));
	MUST(expect_fdb(m, mac(1), 1, -1, "a's address, not relearnt"));
	f = eth_frame(mac(2), mac(1), UNTAGGED, 20, 4);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b, known unicast"));
	MUST(expect_none(c, "c, unicast to b"));
	MUST(expect_fdb(m, mac(1), 1, pa, "a's address relearnt"));
	return 0;
}

static int test_switch_port_close_flushes(void)
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
	MUST(send_frame(a, &f, "a"));
	f = eth_frame(mac_bcast, mac(4), UNTAGGED, 20, 2);
	MUST(send_frame(a, &f, "a"));
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 20, 3);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_fdb(m, mac(1), 1, pa, "before close"));
	EXPECT_EQ(fdb_count_port(m, pa), 2, "entries of a's port");
	/* Empty the queues. */
	TRY(recv(b, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(b, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	TRY(recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT));
	MUST(expect_none(b, "b"));
	MUST(expect_none(c, "c"));

	close(a);
	EXPECT_EQ(fdb_count_port(m, pa), 0, "entries of a's port after close");
	MUST(expect_fdb(m, mac(2), 1, pb, "b's address after a's close"));
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 4);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_frame(c, &f, "c, frame to the address of a closed port"));
	return 0;
}

static int test_switch_flush(void)
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
	MUST(send_frame(a, &f, "a"));
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 20, 2);
	MUST(send_frame(b, &f, "b"));
	f = eth_frame(mac_bcast, mac(3), UNTAGGED, 20, 3);
	MUST(send_frame(c, &f, "c"));
	EXPECT_EQ(fdb_read(m), 3, "entries");

	TRY(sw_set(m, IPN_SWITCH_FLUSH, pb));
	MUST(expect_fdb(m, mac(2), 1, -1, "b's address after flushing its port"));
	MUST(expect_fdb(m, mac(1), 1, pa, "a's address after flushing b's port"));
	MUST(expect_fdb(m, mac(3), 1, pc, "c's address after flushing b's port"));
	/* A port with nothing learnt. */
	TRY(sw_set(m, IPN_SWITCH_FLUSH, pb));

	TRY(sw_set(m, IPN_SWITCH_FLUSH, -1));
	EXPECT_EQ(fdb_read(m), 0, "entries after flushing all");
	while (recv(a, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	while (recv(b, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	while (recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	f = eth_frame(mac(1), mac(3), UNTAGGED, 20, 4);
	MUST(send_frame(c, &f, "c"));
	MUST(expect_frame(a, &f, "a, unicast to a flushed address"));
	MUST(expect_frame(b, &f, "b, unicast to a flushed address"));
	return 0;
}

static int test_switch_vlan_isolation(void)
{
	static const int pvid[4] = { 10, 10, 20, 20 };
	const char *p = tpath("switch");
	struct frame f;
	int m, s[4], i;

	m = TRY(sw_create(p, 8));
	for (i = 0; i < 4; i++) {
		s[i] = TRY(sw_join(p, i));
		EXPECT_EQ(sw_pvid(m, i), 1, "initial pvid");
		TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, i, pvid[i]));
	}
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(sw_pvid(m, i), pvid[i], "pvid read by the manager");
		EXPECT_EQ(sw_pvid(s[3], i), pvid[i], "pvid read by a port");
	}

	f = eth_frame(mac_bcast, mac(10), UNTAGGED, 20, 1);
	MUST(send_frame(s[0], &f, "port 0"));
	MUST(expect_frame(s[1], &f, "port 1, broadcast in VLAN 10"));
	MUST(expect_none(s[2], "port 2 (VLAN 20), broadcast in VLAN 10"));
	MUST(expect_none(s[3], "port 3 (VLAN 20), broadcast in VLAN 10"));
	MUST(expect_none(s[0], "port 0, the sender"));

	f = eth_frame(mac_bcast, mac(12), UNTAGGED, 20, 2);
	MUST(send_frame(s[2], &f, "port 2"));
	MUST(expect_frame(s[3], &f, "port 3, broadcast in VLAN 20"));
	MUST(expect_none(s[0], "port 0 (VLAN 10), broadcast in VLAN 20"));
	MUST(expect_none(s[1], "port 1 (VLAN 10), broadcast in VLAN 20"));
	MUST(expect_none(s[2], "port 2, the sender"));

	MUST(expect_fdb(m, mac(10), 10, 0, "port 0's address"));
	MUST(expect_fdb(m, mac(12), 20, 2, "port 2's address"));
	MUST(expect_fdb(m, mac(10), 1, -1, "port 0's address in VLAN 1"));

	/* mac(12) is known in VLAN 20 only: in VLAN 10 it is flooded. */
	f = eth_frame(mac(12), mac(10), UNTAGGED, 20, 3);
	MUST(send_frame(s[0], &f, "port 0"));
	MUST(expect_frame(s[1], &f, "port 1, unicast to another VLAN's host"));
	MUST(expect_none(s[2], "port 2, unicast from VLAN 10"));
	MUST(expect_none(s[3], "port 3, unicast from VLAN 10"));
	f = eth_frame(mac(10), mac(12), UNTAGGED, 20, 4);
	MUST(send_frame(s[2], &f, "port 2"));
	MUST(expect_frame(s[3], &f, "port 3, unicast to another VLAN's host"));
	MUST(expect_none(s[0], "port 0, unicast from VLAN 20"));
	MUST(expect_none(s[1], "port 1, unicast from VLAN 20"));

	/* One address in two VLANs: two entries. */
	f = eth_frame(mac_bcast, mac(12), UNTAGGED, 20, 5);
	MUST(send_frame(s[1], &f, "port 1"));
	MUST(expect_frame(s[0], &f, "port 0"));
	MUST(expect_fdb(m, mac(12), 10, 1, "mac(12) in VLAN 10"));
	MUST(expect_fdb(m, mac(12), 20, 2, "mac(12) in VLAN 20"));

	/* Changing a port's VLANs forgets what it taught. */
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 30));
	MUST(expect_fdb(m, mac(10), 10, -1,
			"port 0's address after a change of its VLANs"));
	MUST(expect_fdb(m, mac(12), 20, 2, "port 2's address"));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 2, 21));
	MUST(expect_fdb(m, mac(12), 20, -1,
			"port 2's address after a change of its pvid"));
	MUST(expect_fdb(m, mac(12), 10, 1, "port 1's address"));
	return 0;
}

/* The trunk VLANs of @port must be @want[0..n-1]. */
static int expect_trunks(int s, int port, const __u16 *want, int n,
			 const char *who)
{
	__u16 vids[16];
	int got, i;

	got = sw_trunks(s, port, vids, ARRAY_SIZE(vids));
	if (got < 0)
		return -1;
	if (got != n) {
		diag("%s: port %d has %d trunk VLANs, expected %d", who, port,
		     got, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (vids[i] != want[i]) {
			diag("%s: trunk VLAN %d of port %d is %u, expected %u",
			     who, i, port, vids[i], want[i]);
			return -1;
		}
	}
	return 0;
}

static int test_switch_trunk(void)
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
	MUST(expect_trunks(m, 0, NULL, 0, "a new port"));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 0, 0));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 10));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 20));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 1, 10));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 2, 20));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, 3, 30));
	EXPECT_EQ(sw_pvid(m, 0), 0, "pvid of the trunk");
	MUST(expect_trunks(m, 0, both, 2, "the trunk"));
	MUST(expect_trunks(t, 0, both, 2, "the trunk, read by itself"));
	MUST(expect_trunks(m, 1, NULL, 0, "an access port"));

	/* Untagged in VLAN 10: leaves the trunk tagged 81 00 00 0a. */
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 40, 1);
	want = eth_frame(mac_bcast, mac(1), TCI(0, 10), 40, 1);
	EXPECT_EQ(want.len, f.len + VLAN_TAG_LEN, "length of the tagged frame");
	MUST(send_frame(a10, &f, "a10"));
	MUST(expect_frame(t, &want, "trunk, frame from VLAN 10"));
	EXPECT(rxbuf[12] == 0x81 && rxbuf[13] == 0x00 && rxbuf[14] == 0x00 &&
	       rxbuf[15] == 10, "tag %02x %02x %02x %02x", rxbuf[12],
	       rxbuf[13], rxbuf[14], rxbuf[15]);
	MUST(expect_none(a20, "a20, frame from VLAN 10"));
	MUST(expect_none(a30, "a30, frame from VLAN 10"));
	MUST(expect_none(a10, "a10, the sender"));

	/* The priority of an incoming tag is kept. */
	f = eth_frame(mac_bcast, mac(1), TCI(5, 0), 40, 2);
	want = eth_frame(mac_bcast, mac(1), TCI(5, 10), 40, 2);
	MUST(send_frame(a10, &f, "a10"));
	MUST(expect_frame(t, &want, "trunk, priority-tagged frame from VLAN 10"));
	MUST(expect_none(a20, "a20, priority-tagged frame from VLAN 10"));
	MUST(expect_none(a30, "a30, priority-tagged frame from VLAN 10"));

	/* Tagged 20 from the trunk: leaves a20 untagged. */
	f = eth_frame(mac_bcast, mac(5), TCI(3, 20), 40, 3);
	want = eth_frame(mac_bcast, mac(5), UNTAGGED, 40, 3);
	MUST(send_frame(t, &f, "trunk"));
	MUST(expect_frame(a20, &want, "a20, frame tagged 20 from the trunk"));
	EXPECT(rxbuf[12] == ETHERTYPE_TEST >> 8 &&
	       rxbuf[13] == (ETHERTYPE_TEST & 0xff),
	       "ethertype %02x%02x", rxbuf[12], rxbuf[13]);
	MUST(expect_none(a10, "a10, frame tagged 20"));
	MUST(expect_none(a30, "a30, frame tagged 20"));
	MUST(expect_none(t, "trunk, the sender"));
	MUST(expect_fdb(m, mac(5), 20, 0, "trunk's address in VLAN 20"));

	/* Untagged from a20 to the trunk's address: tagged 20, to it only. */
	f = eth_frame(mac(5), mac(2), UNTAGGED, 40, 4);
	want = eth_frame(mac(5), mac(2), TCI(0, 20), 40, 4);
	MUST(send_frame(a20, &f, "a20"));
	MUST(expect_frame(t, &want, "trunk, unicast from a20"));
	MUST(expect_none(a10, "a10, unicast from a20"));
	MUST(expect_none(a30, "a30, unicast from a20"));

	/* Known unicast tagged 10 from the trunk. */
	f = eth_frame(mac(1), mac(5), TCI(0, 10), 40, 5);
	want = eth_frame(mac(1), mac(5), UNTAGGED, 40, 5);
	MUST(send_frame(t, &f, "trunk"));
	MUST(expect_frame(a10, &want, "a10, unicast tagged 10"));
	MUST(expect_none(a20, "a20, unicast tagged 10"));
	MUST(expect_none(a30, "a30, unicast tagged 10"));

	/* VLAN 30 is not on the trunk. */
	drops = port_rx_drops(m, 0);
	EXPECT(drops >= 0, "rx_drops of the trunk");
	f = eth_frame(mac_bcast, mac(5), TCI(0, 30), 40, 6);
	MUST(send_frame(t, &f, "trunk"));
	MUST(expect_none(a30, "a30, frame tagged 30 from the trunk"));
	MUST(expect_none(a10, "a10, frame tagged 30"));
	MUST(expect_none(a20, "a20, frame tagged 30"));
	MUST(expect_none(t, "trunk, frame tagged 30"));
	EXPECT_EQ(port_rx_drops(m, 0), drops + 1,
		  "rx_drops of the trunk after a frame tagged 30");

	/* Nor is any untagged VLAN (pvid 0). */
	f = eth_frame(mac_bcast, mac(5), UNTAGGED, 40, 7);
	MUST(send_frame(t, &f, "trunk"));
	MUST(expect_none(a10, "a10, untagged frame from the trunk"));
	MUST(expect_none(a20, "a20, untagged frame from the trunk"));
	MUST(expect_none(a30, "a30, untagged frame from the trunk"));
	EXPECT_EQ(port_rx_drops(m, 0), drops + 2,
		  "rx_drops of the trunk after an untagged frame");

	/* Nor, now, VLAN 20. */
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, 0, 20));
	MUST(expect_trunks(m, 0, ten, 1, "the trunk after TRUNK_DEL 20"));
	f = eth_frame(mac_bcast, mac(5), TCI(0, 20), 40, 8);
	MUST(send_frame(t, &f, "trunk"));
	MUST(expect_none(a20, "a20, frame tagged 20 after TRUNK_DEL"));
	MUST(expect_none(a10, "a10, frame tagged 20 after TRUNK_DEL"));
	EXPECT_EQ(port_rx_drops(m, 0), drops + 3,
		  "rx_drops of the trunk after TRUNK_DEL 20");
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 40, 9);
	MUST(send_frame(a20, &f, "a20"));
	MUST(expect_none(t, "trunk, frame from VLAN 20 after TRUNK_DEL"));
	return 0;
}

static int test_switch_access_drops_tagged(void)
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
	MUST(send_frame(a, &f, "a"));
	MUST(expect_none(b, "b, frame tagged 1 from an access port"));
	MUST(expect_none(c, "c, frame tagged 1 from an access port"));
	EXPECT_EQ(port_rx_drops(m, pa), 1, "rx_drops after a frame tagged 1");
	f = eth_frame(mac_bcast, mac(7), TCI(0, 5), 30, 2);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_none(b, "b, frame tagged 5 from an access port"));
	MUST(expect_none(c, "c, frame tagged 5 from an access port"));
	EXPECT_EQ(port_rx_drops(m, pa), 2, "rx_drops after a frame tagged 5");
	EXPECT_EQ(fdb_read(m), 0, "entries learnt from dropped frames");

	/* Priority-tagged: VLAN 1, leaves untagged. */
	f = eth_frame(mac_bcast, mac(1), TCI(5, 0), 30, 3);
	want = eth_frame(mac_bcast, mac(1), UNTAGGED, 30, 3);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &want, "b, priority-tagged frame"));
	MUST(expect_frame(c, &want, "c, priority-tagged frame"));
	MUST(expect_none(a, "a, the sender"));
	EXPECT_EQ(port_rx_drops(m, pa), 2, "rx_drops after a priority tag");
	MUST(expect_fdb(m, mac(1), 1, pa, "source of a priority-tagged frame"));
	return 0;
}

static int test_switch_stats(void)
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
	EXPECT_EQ(n, 3, "records of IPN_SWITCH_PORT_STATS");
	for (i = 0; i < n; i++) {
		EXPECT(stats_buf[i].port == pa || stats_buf[i].port == pb ||
		       stats_buf[i].port == pc, "record of port %d",
		       stats_buf[i].port);
		EXPECT_EQ(stats_buf[i].pvid, 1, "pvid");
		EXPECT_EQ(stats_buf[i].ntrunks, 0, "ntrunks");
	}
	MUST(expect_counts(m, pa, (struct counts){ 0 }, "a, new"));

	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 46, 1);	/* 60 bytes */
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b"));
	MUST(expect_frame(c, &f, "c"));
	f = eth_frame(mac(1), mac(2), UNTAGGED, 86, 2);		/* 100 bytes */
	MUST(send_frame(b, &f, "b"));
	MUST(expect_frame(a, &f, "a"));
	MUST(expect_none(c, "c"));
	/* A runt: dropped. */
	runt = eth_frame(mac_bcast, mac(1), UNTAGGED, 0, 3);
	runt.len = 10;
	MUST(send_frame(a, &runt, "a"));
	MUST(expect_none(b, "b, runt"));
	MUST(expect_none(c, "c, runt"));

	MUST(expect_counts(m, pa, (struct counts){
		.rx_frames = 1, .rx_bytes = 60, .rx_drops = 1,
		.tx_frames = 1, .tx_bytes = 100 }, "a"));
	MUST(expect_counts(m, pb, (struct counts){
		.rx_frames = 1, .rx_bytes = 100,
		.tx_frames = 1, .tx_bytes = 60 }, "b"));
	MUST(expect_counts(c, pc, (struct counts){
		.tx_frames = 1, .tx_bytes = 60 }, "c, read by itself"));

	/* A closed port leaves the list. */
	close(c);
	n = TRY(stats_read(m));
	EXPECT_EQ(n, 2, "records after a close");
	for (i = 0; i < n; i++)
		EXPECT(stats_buf[i].port != pc, "record of the closed port %d",
		       pc);

	/* tx_drops: a full reader. */
	s2 = TRY(net_create_proto(q, IPN_VDESWITCH, &(struct netopts){
		.pool = 4, .bind_only = true }));
	a2 = TRY(net_join_proto(q, IPN_VDESWITCH));
	b2 = TRY(net_join_proto(q, IPN_VDESWITCH));
	pa2 = TRY(sw_port(a2));
	pb2 = TRY(sw_port(b2));
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 6, 4);	/* 20 bytes */
	for (i = 0; i < 6; i++)
		MUST(send_frame(a2, &f, "a2"));
	MUST(expect_counts(s2, pa2, (struct counts){
		.rx_frames = 6, .rx_bytes = 120 }, "a2, sender"));
	MUST(expect_counts(s2, pb2, (struct counts){
		.tx_frames = 4, .tx_bytes = 80, .tx_drops = 2 },
		"b2, with a pool of 4"));
	return 0;
}

/* Whether @cap is a valid capacity for IPN_SWITCH_MAXENTRIES @n. */
static bool fdb_capacity_ok(long long cap, long long n)
{
	return cap >= n && cap % 8 == 0 && !((cap / 8) & (cap / 8 - 1));
}

static int test_switch_options_errors(void)
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
	int m, mc, a, b, c, pa, pb, pc, h, hj, val, n;
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
			if (setsockopt(m, IPN_VDESWITCH, vlan_opts[i], buf,
				       vlan_lens[j]) != -1 || errno != EINVAL) {
				fail("option %d with optlen %u: expected EINVAL, got %s",
				     vlan_opts[i], (unsigned int)vlan_lens[j],
				     errstr(errno));
				return -1;
			}
		}
	}
	for (i = 0; i < ARRAY_SIZE(int_opts); i++) {
		for (j = 0; j < ARRAY_SIZE(int_lens); j++) {
			memset(buf, 0, sizeof(buf));
			memcpy(buf, &int_opts[i].val, sizeof(int));
			errno = 0;
			if (setsockopt(m, IPN_VDESWITCH, int_opts[i].name, buf,
				       int_lens[j]) != -1 || errno != EINVAL) {
				fail("option %d with optlen %u: expected EINVAL, got %s",
				     int_opts[i].name, (unsigned int)int_lens[j],
				     errstr(errno));
				return -1;
			}
		}
	}

	/* Wrong values. */
	for (i = 0; i < ARRAY_SIZE(vlan_opts); i++) {
		for (j = 0; j < ARRAY_SIZE(bad_vlans); j++) {
			errno = 0;
			if (sw_set_vlan(m, vlan_opts[i], 0, bad_vlans[j]) != -1 ||
			    errno != EINVAL) {
				fail("option %d with VLAN %d: expected EINVAL, got %s",
				     vlan_opts[i], bad_vlans[j], errstr(errno));
				return -1;
			}
		}
		for (j = 0; j < ARRAY_SIZE(bad_ports); j++) {
			errno = 0;
			if (sw_set_vlan(m, vlan_opts[i], bad_ports[j], 5) != -1 ||
			    errno != EINVAL) {
				fail("option %d on port %d of 8: expected EINVAL, got %s",
				     vlan_opts[i], bad_ports[j], errstr(errno));
				return -1;
			}
		}
		v = (struct ipn_switch_vlan){ .port = 0, .vlan = 5,
					      .reserved = 1 };
		EXPECT_ERRNO(setsockopt(m, IPN_VDESWITCH, vlan_opts[i], &v,
					sizeof(v)), EINVAL,
			     "struct ipn_switch_vlan with reserved 1");
	}
	EXPECT_ERRNO(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, 0, 0), EINVAL,
		     "IPN_SWITCH_TRUNK_ADD of VLAN 0");
	EXPECT_ERRNO(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, 0, 0), EINVAL,
		     "IPN_SWITCH_TRUNK_DEL of VLAN 0");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_AGING, 0), EINVAL,
		     "IPN_SWITCH_AGING 0");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_AGING, -1), EINVAL,
		     "IPN_SWITCH_AGING -1");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_AGING, 1000001), EINVAL,
		     "IPN_SWITCH_AGING 1000001");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_MAXENTRIES, 7), EINVAL,
		     "IPN_SWITCH_MAXENTRIES 7");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_MAXENTRIES, 65537), EINVAL,
		     "IPN_SWITCH_MAXENTRIES 65537");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_MAXENTRIES, -1), EINVAL,
		     "IPN_SWITCH_MAXENTRIES -1");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_FLUSH, 9999), EINVAL,
		     "IPN_SWITCH_FLUSH 9999");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_FLUSH, 8), EINVAL,
		     "IPN_SWITCH_FLUSH 8 on 8 ports");
	EXPECT_ERRNO(sw_set(m, IPN_SWITCH_FLUSH, -2), EINVAL,
		     "IPN_SWITCH_FLUSH -2");
	/* The refusals changed nothing. */
	EXPECT_EQ(sw_pvid(m, 0), 1, "pvid of port 0");
	MUST(expect_trunks(m, 0, NULL, 0, "port 0"));
	EXPECT_EQ(sw_get(m, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "IPN_SWITCH_AGING");
	EXPECT_EQ(sw_get(m, IPN_SWITCH_MAXENTRIES),
		  IPN_SWITCH_MAXENTRIES_DEFAULT, "IPN_SWITCH_MAXENTRIES");
	EXPECT_EQ(fdb_read(m), 0, "entries");
	/* The limits themselves are fine. */
	TRY(sw_set(m, IPN_SWITCH_AGING, 1000000));
	EXPECT_EQ(sw_get(m, IPN_SWITCH_AGING), 1000000, "IPN_SWITCH_AGING");
	TRY(sw_set(m, IPN_SWITCH_AGING, IPN_SWITCH_AGING_DEFAULT));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, pc, 4094));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_ADD, pc, 1));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pc, 4094));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pc, 0));
	EXPECT_EQ(sw_pvid(m, pc), 0, "pvid of c");
	MUST(expect_trunks(m, pc, (const __u16[]){ 1, 4094 }, 2, "c"));
	/* Back to an access port of VLAN 1. */
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, pc, 1));
	TRY(sw_set_vlan(m, IPN_SWITCH_TRUNK_DEL, pc, 4094));
	TRY(sw_set_vlan(m, IPN_SWITCH_PORT_VLAN, pc, 1));
	MUST(expect_trunks(m, pc, NULL, 0, "c, restored"));
	TRY(sw_set(m, IPN_SWITCH_FLUSH, pc));

	/* Only the manager may set. */
	EXPECT_ERRNO(sw_set_vlan(a, IPN_SWITCH_PORT_VLAN, pa, 1), EPERM,
		     "IPN_SWITCH_PORT_VLAN from a connected socket");
	EXPECT_ERRNO(sw_set_vlan(a, IPN_SWITCH_TRUNK_ADD, pa, 10), EPERM,
		     "IPN_SWITCH_TRUNK_ADD from a connected socket");
	EXPECT_ERRNO(sw_set_vlan(a, IPN_SWITCH_TRUNK_DEL, pa, 10), EPERM,
		     "IPN_SWITCH_TRUNK_DEL from a connected socket");
	EXPECT_ERRNO(sw_set(a, IPN_SWITCH_AGING, 300), EPERM,
		     "IPN_SWITCH_AGING from a connected socket");
	EXPECT_ERRNO(sw_set(a, IPN_SWITCH_FLUSH, -1), EPERM,
		     "IPN_SWITCH_FLUSH from a connected socket");
	EXPECT_ERRNO(sw_set(a, IPN_SWITCH_MAXENTRIES, 4096), EPERM,
		     "IPN_SWITCH_MAXENTRIES from a connected socket");
	MUST(expect_trunks(a, pa, NULL, 0, "a, after the refused TRUNK_ADD"));
	/* A bound socket that connected too is manager and port. */
	mc = TRY(sw_socket());
	TRY(ipn_bind(mc, p));
	TRY(connect(mc, NULL, 0));
	TRY(sw_set(mc, IPN_SWITCH_AGING, 600));
	EXPECT_EQ(sw_get(a, IPN_SWITCH_AGING), 600,
		  "IPN_SWITCH_AGING set by a bound and connected socket");

	/* Unknown options, and levels other than the network's protocol. */
	EXPECT_ERRNO(sw_set(m, 99, 1), ENOPROTOOPT, "setsockopt of option 99");
	EXPECT_ERRNO(sw_set(m, 0, 1), ENOPROTOOPT, "setsockopt of option 0");
	len = sizeof(val);
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, 99, &val, &len), ENOPROTOOPT,
		     "getsockopt of option 99");
	/* Level 1 is SOL_SOCKET, the socket core's: use other numbers. */
	val = 10;
	EXPECT_ERRNO(setsockopt(m, 7, IPN_SWITCH_AGING, &val, sizeof(val)),
		     ENOPROTOOPT, "setsockopt at level 7 on a switch network");
	EXPECT_ERRNO(setsockopt(m, 255, IPN_SWITCH_AGING, &val, sizeof(val)),
		     ENOPROTOOPT, "setsockopt at level 255 on a switch network");
	len = sizeof(val);
	EXPECT_ERRNO(getsockopt(a, IPN_VDESWITCH_L3, IPN_SWITCH_AGING, &val,
				&len), ENOPROTOOPT,
		     "getsockopt at level 3 on a switch network");
	h = TRY(net_create(hp, NULL));
	hj = TRY(net_join(hp));
	val = 10;
	EXPECT_ERRNO(setsockopt(h, IPN_VDESWITCH, IPN_SWITCH_AGING, &val,
				sizeof(val)), ENOPROTOOPT,
		     "setsockopt at level 2 on a hub network");
	len = sizeof(val);
	EXPECT_ERRNO(getsockopt(h, IPN_VDESWITCH, IPN_SWITCH_AGING, &val,
				&len), ENOPROTOOPT,
		     "getsockopt at level 2 on a hub network");
	len = sizeof(val);
	EXPECT_ERRNO(getsockopt(hj, IPN_VDESWITCH, IPN_SWITCH_MACTABLE, buf,
				&len), ENOPROTOOPT,
		     "getsockopt at level 2 from a hub port");

	/* Buffers too short to read into, and ports beyond the table. */
	len = 3;
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_AGING, &val, &len),
		     EINVAL, "IPN_SWITCH_AGING with optlen 3");
	len = 0;
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_MAXENTRIES, &val,
				&len), EINVAL,
		     "IPN_SWITCH_MAXENTRIES with optlen 0");
	v = (struct ipn_switch_vlan){ .port = 0 };
	len = 4;
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN, &v,
				&len), EINVAL,
		     "IPN_SWITCH_PORT_VLAN with optlen 4");
	val = 0;
	len = 2;
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_TRUNKS, &val,
				&len), EINVAL,
		     "IPN_SWITCH_PORT_TRUNKS with optlen 2");
	v = (struct ipn_switch_vlan){ .port = 8 };
	len = sizeof(v);
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN, &v,
				&len), EINVAL, "IPN_SWITCH_PORT_VLAN of port 8");
	v = (struct ipn_switch_vlan){ .port = -1 };
	len = sizeof(v);
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_VLAN, &v,
				&len), EINVAL, "IPN_SWITCH_PORT_VLAN of port -1");
	val = 8;
	len = sizeof(buf);
	memcpy(buf, &val, sizeof(val));
	EXPECT_ERRNO(getsockopt(m, IPN_VDESWITCH, IPN_SWITCH_PORT_TRUNKS, buf,
				&len), EINVAL,
		     "IPN_SWITCH_PORT_TRUNKS of port 8");

	/* Resizing the table keeps what it learnt. */
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	MUST(send_frame(a, &f, "a"));
	f = eth_frame(mac_bcast, mac(2), UNTAGGED, 20, 2);
	MUST(send_frame(b, &f, "b"));
	EXPECT_EQ(fdb_read(m), 2, "entries before IPN_SWITCH_MAXENTRIES");
	TRY(sw_set(m, IPN_SWITCH_MAXENTRIES, 100));
	cap = sw_get(m, IPN_SWITCH_MAXENTRIES);
	EXPECT(fdb_capacity_ok(cap, 100), "capacity %lld for 100 entries",
	       cap);
	n = TRY(fdb_read(m));
	EXPECT_EQ(n, 2, "entries after IPN_SWITCH_MAXENTRIES 100");
	MUST(expect_fdb(m, mac(1), 1, pa, "after IPN_SWITCH_MAXENTRIES 100"));
	MUST(expect_fdb(m, mac(2), 1, pb, "after IPN_SWITCH_MAXENTRIES 100"));
	while (recv(c, rxbuf, sizeof(rxbuf), MSG_DONTWAIT) >= 0)
		;
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 3);
	MUST(send_frame(b, &f, "b"));
	MUST(expect_none(c, "c, known unicast after IPN_SWITCH_MAXENTRIES"));
	TRY(sw_set(m, IPN_SWITCH_MAXENTRIES, 8));
	cap = sw_get(m, IPN_SWITCH_MAXENTRIES);
	EXPECT(fdb_capacity_ok(cap, 8), "capacity %lld for 8 entries", cap);
	return 0;
}

static int test_switch_protocol_mismatch(void)
{
	const char *hp = tpath("hub"), *sp = tpath("switch");
	struct frame f;
	int h, m, x, y, any, pany, s;

	h = TRY(net_create(hp, NULL));
	m = TRY(sw_create(sp, 0));

	s = TRY(sw_socket());
	EXPECT_ERRNO(ipn_connect(s, hp), EPROTO,
		     "IPN_VDESWITCH socket connecting to a hub network");
	close(s);
	s = TRY(sw_socket());
	EXPECT_ERRNO(ipn_bind(s, hp), EPROTO,
		     "IPN_VDESWITCH socket binding to a hub network");
	close(s);
	s = TRY(ipn_socket());
	EXPECT_ERRNO(ipn_bind(s, sp), EPROTO,
		     "IPN_BROADCAST socket binding to a switch network");
	close(s);
	s = TRY(ipn_socket());
	EXPECT_ERRNO(ipn_connect(s, sp), EPROTO,
		     "IPN_BROADCAST socket connecting to a switch network");
	close(s);

	/* IPN_ANY takes the network's policy. */
	x = TRY(sw_join(sp, IPN_PORTNO_ANY));
	y = TRY(sw_join(sp, IPN_PORTNO_ANY));
	any = TRY(net_join_proto(sp, IPN_ANY));
	pany = TRY(sw_port(any));
	EXPECT_EQ(sw_get(any, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "IPN_SWITCH_AGING read by an IPN_ANY socket");
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	MUST(send_frame(x, &f, "x"));
	MUST(expect_frame(any, &f, "IPN_ANY port, broadcast"));
	MUST(expect_frame(y, &f, "y, broadcast"));
	/* A hub would give this one to y as well. */
	f = eth_frame(mac(1), mac(2), UNTAGGED, 20, 2);
	MUST(send_frame(any, &f, "IPN_ANY port"));
	MUST(expect_frame(x, &f, "x, unicast from the IPN_ANY port"));
	MUST(expect_none(y, "y, unicast to x"));
	MUST(expect_fdb(m, mac(2), 1, pany, "the IPN_ANY port's address"));
	/* And binds as a manager. */
	s = TRY(socket(AF_IPN, SOCK_RAW, IPN_ANY));
	TRY(ipn_bind(s, sp));
	TRY(sw_set(s, IPN_SWITCH_AGING, 100));
	EXPECT_EQ(sw_get(m, IPN_SWITCH_AGING), 100,
		  "IPN_SWITCH_AGING set by an IPN_ANY manager");
	/* The hub is still a hub. */
	s = TRY(net_join_proto(hp, IPN_ANY));
	MUST(send_str(h, "hub"));
	MUST(expect_str(s, "hub", "IPN_ANY socket on the hub"));
	return 0;
}

static int test_switch_rmmod_in_use(void)
{
	const char *hp = tpath("hub"), *sp = tpath("switch");
	struct frame f;
	int h1, h2, m, a, b, s;

	h1 = TRY(net_create(hp, NULL));
	h2 = TRY(net_join(hp));
	m = TRY(sw_create(sp, 0));
	a = TRY(sw_join(sp, IPN_PORTNO_ANY));
	b = TRY(sw_join(sp, IPN_PORTNO_ANY));
	EXPECT(module_loaded("kvde_switch"), "kvde_switch is not loaded");

	MUST(expect_unload_refused("kvde_switch", "with a switch network"));
	f = eth_frame(mac_bcast, mac(1), UNTAGGED, 20, 1);
	MUST(send_frame(a, &f, "a"));
	MUST(expect_frame(b, &f, "b, after the refused delete_module"));
	MUST(send_str(h1, "hub, switch loaded"));
	MUST(expect_str(h2, "hub, switch loaded", "h2"));

	/* Without its bound socket the network lives on. */
	close(m);
	MUST(expect_unload_refused("kvde_switch",
				   "with a switch network of connected sockets"));
	close(a);
	close(b);
	MUST(unload_module_wait("kvde_switch"));
	MUST(send_str(h2, "hub, switch unloaded"));
	MUST(expect_str(h1, "hub, switch unloaded", "h1"));

	s = TRY(socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH));
	EXPECT(module_loaded("kvde_switch"), "kvde_switch was not loaded again");
	TRY(ipn_bind(s, tpath("switch2")));
	EXPECT_EQ(sw_get(s, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "IPN_SWITCH_AGING of a network of the reloaded switch");
	MUST(send_str(h1, "hub, switch reloaded"));
	MUST(expect_str(h2, "hub, switch reloaded", "h2"));
	return 0;
}

static int test_policy_duplicate_register(void)
{
	const char *sp = tpath("switch"), *ep = tpath("echo");
	char params[32];
	int m, e, x, y;

	if (access(DUMMY_POLICY_KO, R_OK)) {
		diag("skip: %s: %s", DUMMY_POLICY_KO, errstr(errno));
		return 0;
	}
	/* Its own name must be free, or finit_module() says EEXIST anyway. */
	if (module_loaded("ipn_dummy_policy")) {
		diag("ipn_dummy_policy is loaded already: unloading it first");
		MUST(unload_module_wait("ipn_dummy_policy"));
	}
	m = TRY(sw_create(sp, 0));
	EXPECT(module_loaded("kvde_switch"), "kvde_switch is not loaded");

	/*
	 * ipn_proto_register() refuses the taken number with -EEXIST, which
	 * the module logs; finit_module() reports a module init's -EEXIST as
	 * EBUSY, because EEXIST there means "this module is loaded already".
	 */
	snprintf(params, sizeof(params), "protocol=%d", IPN_VDESWITCH);
	EXPECT_ERRNO(load_module(DUMMY_POLICY_KO, params), EBUSY,
		     "ipn_dummy_policy on the switch's protocol number");
	snprintf(params, sizeof(params), "protocol %d: error %d",
		 IPN_VDESWITCH, -EEXIST);
	EXPECT(kernel_log_has(params),
	       "the kernel log does not say ipn_proto_register() gave -EEXIST");
	EXPECT(!module_loaded("ipn_dummy_policy"),
	       "ipn_dummy_policy stayed after its init failed");
	/* The switch is untouched. */
	EXPECT_EQ(sw_get(m, IPN_SWITCH_AGING), IPN_SWITCH_AGING_DEFAULT,
		  "IPN_SWITCH_AGING after the refused registration");

	snprintf(params, sizeof(params), "protocol=%d", DUMMY_PROTOCOL);
	TRY(load_module(DUMMY_POLICY_KO, params));
	EXPECT(module_loaded("ipn_dummy_policy"),
	       "ipn_dummy_policy is not in /proc/modules");

	e = TRY(net_create_proto(ep, DUMMY_PROTOCOL, NULL));
	x = TRY(net_join_proto(ep, DUMMY_PROTOCOL));
	y = TRY(net_join_proto(ep, IPN_ANY));
	MUST(send_str(x, "echo"));
	MUST(expect_str(x, "echo", "x, the sender"));
	MUST(expect_none(y, "y"));
	MUST(expect_none(e, "the creator"));
	MUST(send_str(e, "echo e"));
	MUST(expect_str(e, "echo e", "the creator, the sender"));
	MUST(expect_none(x, "x"));
	MUST(expect_none(y, "y"));
	MUST(expect_unload_refused("ipn_dummy_policy", "with an echo network"));

	/* ioctls the core does not know go to the policy. */
	EXPECT_EQ(ioctl(x, _IO('I', 250), 0), 1000 + opt_value(x, IPN_SO_PORT),
		  "the policy's ioctl answers with 1000 + the caller's port");
	EXPECT(ioctl(x, _IO('I', 251), 0) < 0 && errno == ENOTTY,
	       "an ioctl nobody knows gives ENOTTY");

	close(e);
	close(x);
	close(y);
	MUST(unload_module_wait("ipn_dummy_policy"));
	EXPECT_ERRNO(socket(AF_IPN, SOCK_RAW, DUMMY_PROTOCOL), EPROTONOSUPPORT,
		     "socket of the unloaded policy's protocol");
	return 0;
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

	TEST(switch_uapi_constants),
	TEST(switch_autoload),
	TEST(switch_learning_unicast),
	TEST(switch_hash_seeded),
	TEST(switch_flood_broadcast_multicast),
	TEST(switch_no_hairpin),
	TEST(switch_aging),
	TEST(switch_port_close_flushes),
	TEST(switch_flush),
	TEST(switch_vlan_isolation),
	TEST(switch_trunk),
	TEST(switch_access_drops_tagged),
	TEST(switch_stats),
	TEST(switch_options_errors),
	TEST(switch_config_needs_owner),
	TEST(switch_protocol_mismatch),
	TEST(switch_rmmod_in_use),
	TEST(policy_duplicate_register),
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
