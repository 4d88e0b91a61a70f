// SPDX-License-Identifier: GPL-2.0
/*
 * ipn_fuzz: a seed-reproducible syscall fuzzer for AF_IPN (ipn.ko and
 * kvde_switch.ko).
 *
 * Usage: ipn_fuzz [-n OPS] [-s SEED] [-p PROCS] [-t THREADS]
 *		   [-f FAILNTH_PERCENT] [-d DIR] [-v]
 *
 * PROCS worker processes of THREADS threads each make OPS system calls in
 * all, on a small per-process pool of AF_IPN sockets and a small set of
 * network paths under DIR, so that the calls of different workers meet on
 * the same networks, ports and interfaces.  Each worker draws its calls
 * from its own RNG, seeded from SEED and its index: "-p 1 -t 1 -s SEED"
 * replays a run exactly, more workers as far as scheduling allows.
 *
 * The kernel is the thing under test, so the fuzzer itself must neither
 * hang nor die: every thread gets SIGALRM every 0.5 s (no SA_RESTART), so
 * that no interruptible wait outlives it (a call with fail-nth armed goes
 * without it, and the parent disarms and wakes it after KICK_SECS), and
 * the parent kills a worker
 * that makes no call for 30 s and reports its last call and kernel stack,
 * since a task stuck in a system call is a kernel bug.
 *
 * With /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION), -f percent of
 * the calls run with the Nth (1..20) allocation or user copy made to fail.
 *
 * Output: "# " lines and, with -v, one line per call before it is made
 * (so that the call that brought the kernel down is on the console) and
 * one with its result.  Exit status: 0, 1 when a worker got stuck or died
 * of a signal or the kernel broke an invariant checked here, 2 on a usage
 * error, 77 (skip) when the kernel has no AF_IPN.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
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
#include <ucontext.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <linux/ipn.h>
#include <ipn_family.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PICK(w, a)	((a)[rn(w, ARRAY_SIZE(a))])

#define MAX_WORKERS	256
#define MAX_OPS		32
#define POOL_SIZE	12	/* sockets per worker process */
#define NPATHS		8
#define DESC_LEN	240
#define BUF_LEN		(72 * 1024)	/* largest send or receive */
#define CANARY		0xa5	/* bytes past a buffer's length, checked */
#define CANARY_LEN	64
#define STUCK_SECS	30
/* An armed call blocked this long is disarmed and woken (kick_armed()). */
#define KICK_SECS	3

/* slot.fi_state */
enum { FI_IDLE, FI_ARMED, FI_KICKING, FI_KICKED };
#define NERRNO		1024
#define BAD_FD		1023	/* never open: EBADF */

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* Per worker thread, in memory shared with the parent (the watchdog). */
struct slot {
	uint64_t nops;		/* calls made by the thread and its children */
	int tid;		/* the task to look at when it is stuck */
	int active;
	int fi_state;		/* FI_*: fail-nth armed, and the kick */
	char last[DESC_LEN];	/* the call in progress, or the last one */
};

struct shared {
	uint64_t total;
	uint64_t err[NERRNO];	/* [0]: successes; [e]: calls failing with e */
	uint64_t calls[MAX_OPS], ok[MAX_OPS];
	uint64_t fi_armed, fi_hit, fi_kicked;
	int br_lock;		/* br_addif(): the task holding it, or 0 */
	int failures;		/* stuck or crashed workers, broken invariants */
	struct slot slot[MAX_WORKERS];
};

struct worker {
	int idx;		/* slot and seed index */
	char tag[16];		/* "p1.t2", "p1.t2c" in a forked child */
	uint64_t rng;
	bool child;		/* a forked child: no nested fork or unshare */
	int op;			/* current op, for the statistics */
	int fi_fd;		/* /proc/thread-self/fail-nth, or -1 */
	int fi_n;		/* N written for the current call, or 0 */
	int inet_fd, nl_fd, pkt_fd, ep_fd, memfd, pipe_fd[2];
	struct slot *slot;
	unsigned char *sbuf, *rbuf;	/* BUF_LEN + CANARY_LEN each */
	struct {
		struct sockaddr_un un;
		char pad[192];	/* lengths up to 200 stay readable */
	} addr;
	char adesc[160];
	char desc[DESC_LEN];
};

static struct {
	uint64_t nops, seed;
	int procs, threads, fail_pct;
	const char *dir;
	bool verbose;
} cfg = { .nops = 20000, .procs = 2, .threads = 3, .fail_pct = 20,
	  .dir = "/tmp/ipnfuzz" };

static struct shared *sh;
static bool fi_ok;		/* fail-nth usable (and made quiet) */
static char paths[NPATHS][sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
static char *g_edge;		/* a writable page ends here, PROT_NONE follows */
static int pool[POOL_SIZE];	/* per worker process, shared by its threads */

/*
 * Interfaces the fuzzer creates and may take down, rename or delete.
 *
 * It must not cable an Ethernet loop: like a loop of bridges without STP,
 * one broadcast frame then circulates for ever (each hop is a netif_rx, so
 * nothing recurses) and the flood starves the workers.  IPN, a bridge and
 * veth pairs forward frames, so the rules are: only the even end of a veth
 * pair (ipnfzv0, ipnfzv2) is grabbed, never its peer nor the bridge (see
 * grab_name()); the bridge has at most one port (br_addif()); and only the
 * taps' names are renamed, so that a name keeps its role.
 */
static const char *const fz_ifs[] = {
	"ipnfz0", "ipnfz1", "ipnfz2", "ipnfz3",
	"ipnfzv0", "ipnfzv1", "ipnfzv2", "ipnfzv3", "ipnfzbr0",
};

static const unsigned char macs[][6] = {
	{ 0x02, 0, 0, 0, 0, 1 }, { 0x02, 0, 0, 0, 0, 2 },
	{ 0x02, 0, 0, 0, 0, 3 }, { 0x02, 0, 0, 0, 0, 4 },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x01, 0, 0x5e, 0, 0, 1 },
	{ 0x33, 0x33, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0, 0 },
};

static const int int_vals[] = {
	0, 1, -1, 2, 3, 4, 7, 8, 14, 31, 32, 64, 255, 1500, 1514, 4094, 4095,
	4096, 4097, 65535, 65536, INT_MAX, INT_MIN, 0777,
};

/* Output: unbuffered and lock-free, so that it is safe in forked children. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[1024];
	int n, e = errno;
	ssize_t r, off;
	va_list ap;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	/* The tick interrupts writes to a slow console: finish them. */
	for (off = 0; off < n; off += r) {
		r = write(1, buf + off, n - off);
		if (r < 0 && errno != EINTR)
			break;
		if (r < 0)
			r = 0;
	}
	errno = e;
}

static void failure(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void failure(struct worker *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
	say("# FAIL %s: %s, in: %s\n", w->tag, buf, w->desc);
}

static const char *errname(int e)
{
	static __thread char buf[16];
	const char *s = e ? strerrorname_np(e) : "OK";

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* splitmix64: seeds; xorshift64*: the stream. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (x ^ (x >> 31)) | 1;
}

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t rn(struct worker *w, uint32_t n)
{
	return n ? (uint32_t)((rnd(w) >> 32) % n) : 0;
}

static bool pct(struct worker *w, unsigned int p)
{
	return rn(w, 100) < p;
}

static int int_val(struct worker *w)
{
	return pct(w, 75) ? PICK(w, int_vals) : (int)rnd(w);
}

/* Pointers the kernel must refuse with EFAULT, or fault on part way. */
static void *bad_ptr(struct worker *w, size_t len)
{
	switch (rn(w, 6)) {
	case 0:
		return NULL;
	case 1:
		return (void *)8;
	case 2:
		return g_edge;			/* PROT_NONE */
	case 3:
		/* Runs into it, from within the writable page before it. */
		return g_edge - (len < 2 ? 1 : len > 8192 ? 4096 : len / 2);
	case 4:
		return (void *)0xffffffff81000000ul;	/* kernel text */
	default:
		return (void *)0x800000000000ul;	/* non-canonical */
	}
}

/*
 * Pointers and names for the -v log, without addresses that ASLR changes
 * from run to run, so that the logs of two runs of a seed compare.
 */
static const char *pd(struct worker *w, const void *p)
{
	static __thread char buf[4][32];
	static __thread int i;
	const char *c = p;
	char *b = buf[i++ % 4];

	if (c >= (char *)w->sbuf && c <= (char *)w->sbuf + BUF_LEN)
		snprintf(b, sizeof(buf[0]), "sbuf+%td", c - (char *)w->sbuf);
	else if (c >= (char *)w->rbuf && c <= (char *)w->rbuf + BUF_LEN)
		snprintf(b, sizeof(buf[0]), "rbuf+%td", c - (char *)w->rbuf);
	else if (c >= g_edge - 4096 && c <= g_edge)
		snprintf(b, sizeof(buf[0]), "edge-%td", g_edge - c);
	else if ((uintptr_t)c < 4096 || (uintptr_t)c >= 0x800000000000ul)
		snprintf(b, sizeof(buf[0]), "%p", p);
	else
		snprintf(b, sizeof(buf[0]), "ptr");
	return b;
}

/* An interface name as the kernel sees it: up to 16 bytes, maybe no NUL. */
static const char *ifn(const char *name)
{
	static __thread char buf[IFNAMSIZ * 4 + 1];
	char *b = buf;
	int i;

	for (i = 0; i < IFNAMSIZ && name[i]; i++)
		b += name[i] > ' ' && name[i] < 127 ?
		     sprintf(b, "%c", name[i]) :
		     sprintf(b, "\\x%02x", (unsigned char)name[i]);
	return buf;
}

/*
 * Every fuzzed call goes through SYS(): it records the call for -v and for
 * the watchdog, arms fail-nth for it, and counts its result.
 */
/* { SIGALRM }, the tick that ends blocking calls. */
static sigset_t tick_set;

static void pre_call(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void pre_call(struct worker *w, const char *fmt, ...)
{
	va_list ap;
	bool fi = pct(w, cfg.fail_pct);
	int n = 1 + rn(w, 20);	/* drawn always: same stream with or without */
	char num[16];
	int len;

	va_start(ap, fmt);
	vsnprintf(w->desc, sizeof(w->desc), fmt, ap);
	va_end(ap);
	memcpy(w->slot->last, w->desc, sizeof(w->desc));
	__atomic_add_fetch(&w->slot->nops, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->total, 1, __ATOMIC_RELAXED);
	w->fi_n = 0;
	if (fi && w->fi_fd >= 0) {
		/*
		 * No tick while armed: a fault the call leaves unused would
		 * strike the kernel's writing of the signal frame (or
		 * rt_sigreturn's reading of it), and the kernel kills the
		 * thread with SIGSEGV for a frame it could not build.
		 */
		pthread_sigmask(SIG_BLOCK, &tick_set, NULL);
		len = snprintf(num, sizeof(num), "%d", n);
		if (write(w->fi_fd, num, len) == len) {
			w->fi_n = n;
			__atomic_store_n(&w->slot->fi_state, FI_ARMED,
					 __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&sh->fi_armed, 1, __ATOMIC_RELAXED);
		} else {
			pthread_sigmask(SIG_UNBLOCK, &tick_set, NULL);
		}
	}
	if (cfg.verbose)
		say("%s > %s%s\n", w->tag, w->desc,
		    w->fi_n ? " [fail-nth armed]" : "");
	errno = 0;
}

static long post_call(struct worker *w, long r)
{
	int e = r < 0 ? errno : 0;
	bool hit = false;
	char buf[16];

	if (w->fi_n) {
		int st = FI_ARMED;

		/*
		 * Not armed any more for the watchdog; if it is kicking this
		 * call, its signal is queued once the state is FI_KICKED, and
		 * the next system call (pread below, fail-nth 0) takes it.
		 */
		if (!__atomic_compare_exchange_n(&w->slot->fi_state, &st,
						 FI_IDLE, false,
						 __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST)) {
			while (__atomic_load_n(&w->slot->fi_state,
					       __ATOMIC_SEQ_CST) == FI_KICKING)
				;
			__atomic_store_n(&w->slot->fi_state, FI_IDLE,
					 __ATOMIC_SEQ_CST);
			st = FI_KICKED;
		}
		/* "0" means the fault was injected; then disarm. */
		hit = pread(w->fi_fd, buf, sizeof(buf), 0) == 2 &&
		      buf[0] == '0' && st == FI_ARMED;
		/*
		 * A fault the call did not use may strike this write (its
		 * user copy): then it has fired, and fail-nth is 0 already.
		 */
		if (write(w->fi_fd, "0", 1) != 1 && errno != EFAULT &&
		    errno != ENOMEM)
			say("# cannot reset fail-nth: %s\n", strerror(errno));
		pthread_sigmask(SIG_UNBLOCK, &tick_set, NULL);
		if (hit)
			__atomic_add_fetch(&sh->fi_hit, 1, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&sh->err[e < NERRNO ? e : NERRNO - 1], 1,
			   __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->calls[w->op], 1, __ATOMIC_RELAXED);
	if (r >= 0)
		__atomic_add_fetch(&sh->ok[w->op], 1, __ATOMIC_RELAXED);
	/* ERESTARTSYS, ENOIOCTLCMD...: kernel-internal, never for userland. */
	if (e >= 512)
		failure(w, "kernel-internal errno %d leaked to userland", e);
	if (cfg.verbose)
		say("%s = %ld %s%s\n", w->tag, r, errname(e),
		    hit ? " [fault injected]" : "");
	errno = e;
	return r;
}

#define SYS(w, expr, ...)			\
	({					\
		long __r;			\
		pre_call(w, __VA_ARGS__);	\
		__r = (long)(expr);		\
		post_call(w, __r);		\
	})

static void canary_set(unsigned char *buf, size_t len)
{
	memset(buf + len, CANARY, CANARY_LEN);
}

/* The kernel must not write past the length it was given. */
static void canary_check(struct worker *w, unsigned char *buf, size_t len,
			 const char *what)
{
	size_t i;

	for (i = 0; i < CANARY_LEN; i++) {
		if (buf[len + i] != CANARY) {
			failure(w, "%s wrote past its %zu-byte buffer", what,
				len);
			return;
		}
	}
}

/* --- the socket pool ---------------------------------------------------- */

/*
 * Slots are taken with atomic exchanges, so each fd is closed by one thread
 * only; another thread may still be using its number, as in any racy
 * program: the call then goes to whatever socket took the number, which
 * is all pool sockets (helper fds are all opened before the first op).
 */
static int pool_get(struct worker *w)
{
	int i, fd;

	if (pct(w, 3))
		return pct(w, 50) ? -1 : BAD_FD;
	for (i = 0; i < 3; i++) {
		fd = __atomic_load_n(&pool[rn(w, POOL_SIZE)], __ATOMIC_RELAXED);
		if (fd >= 0)
			return fd;
	}
	return fd;
}

static void pool_put(struct worker *w, int fd)
{
	int old;

	old = __atomic_exchange_n(&pool[rn(w, POOL_SIZE)], fd,
				  __ATOMIC_RELAXED);
	if (old >= 0)
		SYS(w, close(old), "close(%d) (evicted)", old);
}

static int pool_take(struct worker *w)
{
	return __atomic_exchange_n(&pool[rn(w, POOL_SIZE)], -1,
				   __ATOMIC_RELAXED);
}

/* --- arguments ---------------------------------------------------------- */

static int pick_path(struct worker *w)
{
	return pct(w, 85) ? (int)rn(w, 4) : 4 + (int)rn(w, NPATHS - 4);
}

/* A sockaddr_un for bind or connect: mostly good, often hostile. */
static const void *gen_addr(struct worker *w, socklen_t *len)
{
	static const socklen_t bad_lens[] = { 0, 1, 2, 3, 109, 111, 128, 129,
					      200 };
	static const socklen_t huge_lens[] = { 0x7fffffff, 0xffffffff,
					       0x80000000, 4096 };
	static const int families[] = { AF_UNIX, AF_UNSPEC, AF_INET,
					AF_PACKET, 0xffff };
	struct sockaddr_un *un = &w->addr.un;
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	int p = pick_path(w), r = rn(w, 100);
	size_t plen = strlen(paths[p]);
	const void *ptr = un;

	memset(&w->addr, 0, sizeof(w->addr));
	un->sun_family = ipn_family();
	memcpy(un->sun_path, paths[p], plen);	/* 108 bytes: no NUL */
	*len = off + plen + (plen < sizeof(un->sun_path));
	snprintf(w->adesc, sizeof(w->adesc), "%s", paths[p]);
	if (r < 60) {
		if (pct(w, 35)) {
			*len = sizeof(*un);
		} else if (pct(w, 25)) {
			/* Unterminated: the length ends the path, not a NUL. */
			*len = off + plen;
			((char *)un)[*len] = 'Z';
		}
	} else if (r < 65) {
		un->sun_path[0] = 0;
		memcpy(un->sun_path + 1, "ipnfz", 5);
		*len = off + 6;
		strcpy(w->adesc, "@ipnfz");
	} else if (r < 70) {
		memset(un->sun_path, 'a' + rn(w, 26), sizeof(un->sun_path));
		*len = sizeof(*un) + rn(w, 3);
		strcpy(w->adesc, "aaa...(108, no NUL)");
	} else if (r < 76) {
		un->sun_family = PICK(w, families);
	} else if (r < 85) {
		*len = PICK(w, bad_lens);
	} else if (r < 89) {
		*len = PICK(w, huge_lens);
	} else if (r < 95) {
		ptr = bad_ptr(w, *len);
		snprintf(w->adesc, sizeof(w->adesc), "(%s)", pd(w, ptr));
	} else {
		un->sun_path[0] = 0;
		*len = off + rn(w, 2);
		strcpy(w->adesc, "(empty)");
	}
	return ptr;
}

/* An Ethernet frame for the switch: few MACs so that it learns, VLANs. */
static void fill_frame(struct worker *w, unsigned char *p, size_t len)
{
	static const uint16_t vids[] = { 0, 1, 2, 10, 4094, 4095 };
	static const uint16_t types[] = { 0x0800, 0x0806, 0x86dd, 0x88b5 };
	size_t i;
	uint64_t x;
	uint16_t t;

	for (i = 0; i < len && i < 64; i += 8) {
		x = rnd(w);
		memcpy(p + i, &x, len - i < 8 ? len - i : 8);
	}
	if (len < 14)
		return;
	memcpy(p, macs[rn(w, ARRAY_SIZE(macs))], 6);
	memcpy(p + 6, macs[pct(w, 90) ? rn(w, 4) : rn(w, ARRAY_SIZE(macs))], 6);
	if (len >= 21 && pct(w, 10)) {
		/*
		 * A BPDU for a switch running STP: an 802.3 length (right,
		 * short or past the frame), LLC 42 42 03, protocol and version
		 * 0 mostly, a configuration, TCN or other type; the rest
		 * random (roots, costs, times).
		 */
		static const unsigned char bpdu_mac[6] = {
			0x01, 0x80, 0xc2, 0, 0, 0 };
		static const uint16_t lens[] = { 38, 7, 3, 1500, 0xffff };

		t = pct(w, 70) ? PICK(w, lens) : (uint16_t)rnd(w);
		memcpy(p, bpdu_mac, 6);
		p[12] = t >> 8;
		p[13] = t & 0xff;
		p[14] = p[15] = 0x42;
		p[16] = 0x03;
		if (pct(w, 90))
			p[17] = p[18] = p[19] = 0;
		p[20] = pct(w, 45) ? 0x00 : pct(w, 80) ? 0x80 : (uint8_t)rnd(w);
		return;
	}
	t = pct(w, 90) ? PICK(w, types) : (uint16_t)rnd(w);
	if (len >= 18 && pct(w, 30)) {
		p[12] = 0x81;
		p[13] = 0x00;
		t = (uint16_t)((rn(w, 8) << 13) | PICK(w, vids));
		p[14] = t >> 8;
		p[15] = t & 0xff;
		t = PICK(w, types);
		p[16] = t >> 8;
		p[17] = t & 0xff;
	} else {
		p[12] = t >> 8;
		p[13] = t & 0xff;
	}
}

/*
 * A virtio-net header of @len (10 or 12) bytes at @p, for a socket with
 * IPN_SO_VNET_HDR (on one without, it is the start of a message like any
 * other): GSO types, sizes and checksum offsets near and past what the
 * kernel accepts.
 */
static void fill_vnet_hdr(struct worker *w, unsigned char *p, size_t len)
{
	static const uint8_t flags[] = { 0, 1, 2, 3, 0xff };
	static const uint8_t gso[] = { 0, 1, 3, 4, 5, 0x81, 0x84, 2, 7, 0xff };
	static const uint16_t sizes[] = { 0, 1, 8, 88, 536, 1400, 1448, 1460,
					  1500, 9000, 65535 };
	static const uint16_t starts[] = { 0, 13, 14, 34, 38, 54, 58, 1514,
					   65535 };
	static const uint16_t offs[] = { 0, 6, 10, 16, 17, 65534 };
	uint16_t v[4];
	size_t i;

	p[0] = pct(w, 90) ? PICK(w, flags) : (uint8_t)rnd(w);
	p[1] = pct(w, 90) ? PICK(w, gso) : (uint8_t)rnd(w);
	v[0] = pct(w, 70) ? 0 : PICK(w, starts);		/* hdr_len */
	v[1] = pct(w, 90) ? PICK(w, sizes) : (uint16_t)rnd(w);
	v[2] = pct(w, 90) ? PICK(w, starts) : (uint16_t)rnd(w);
	v[3] = pct(w, 90) ? PICK(w, offs) : (uint16_t)rnd(w);
	for (i = 0; i < 4; i++) {
		p[2 + 2 * i] = v[i] & 0xff;	/* little endian */
		p[3 + 2 * i] = v[i] >> 8;
	}
	if (len > 10)
		memset(p + 10, pct(w, 90) ? 0 : 0xff, len - 10);
}

static size_t pick_size(struct worker *w)
{
	static const size_t sizes[] = { 0, 1, 6, 13, 14, 15, 18, 42, 60, 64,
					100, 1499, 1500, 1513, 1514, 1515,
					1518, 1522, 4096, 9000, 65535, 65536,
					70000 };

	return pct(w, 80) ? PICK(w, sizes) : rn(w, 2000);
}

static int ifindex_of(struct worker *w, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(w->inet_fd, SIOCGIFINDEX, &ifr) < 0)
		return 0;
	return ifr.ifr_ifindex;
}

/* --- netlink (RTM_NEWLINK, RTM_DELLINK) --------------------------------- */

struct nlreq {
	struct nlmsghdr h;
	struct ifinfomsg ifi;
	char attrs[512];
};

static struct rtattr *nla_put(struct nlreq *r, int type, const void *data,
			      size_t len)
{
	struct rtattr *a = (void *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* Raw bytes inside a nest (the ifinfomsg of a veth peer). */
static void nla_raw(struct nlreq *r, const void *data, size_t len)
{
	memcpy((char *)r + r->h.nlmsg_len, data, len);
	r->h.nlmsg_len += NLMSG_ALIGN(len);
}

static void nla_end(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (char *)r + r->h.nlmsg_len - (char *)nest;
}

static void nl_init(struct nlreq *r, int type, int flags, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof(r->ifi));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->ifi.ifi_family = AF_UNSPEC;
	if (name)
		nla_put(r, IFLA_IFNAME, name, strlen(name) + 1);
}

/* Returns the error of the kernel's answer (0 if none came). */
static int nl_talk(struct worker *w, int fd, struct nlreq *r, const char *what)
{
	char ack[1024];
	struct nlmsghdr *h = (void *)ack;
	ssize_t n;

	while (recv(fd, ack, sizeof(ack), MSG_DONTWAIT) > 0)
		;	/* answers to earlier, interrupted requests */
	if (SYS(w, send(fd, r, r->h.nlmsg_len, 0), "netlink %s", what) < 0)
		return -errno;
	n = recv(fd, ack, sizeof(ack), MSG_DONTWAIT);
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
	    h->nlmsg_type == NLMSG_ERROR) {
		int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

		if (cfg.verbose)
			say("%s   netlink answer: %s\n", w->tag, errname(-e));
		return e;
	}
	return 0;
}

static void nl_dellink(struct worker *w, int fd, const char *name)
{
	struct nlreq r;

	nl_init(&r, RTM_DELLINK, 0, name);
	nl_talk(w, fd, &r, "RTM_DELLINK");
}

/* --- ops ---------------------------------------------------------------- */

/*
 * Blocking calls are few (MSG_DONTWAIT otherwise) and wait 20 ms, or
 * 0.5 s on some sockets: a full lossless network must not cut the call
 * rate to a few per second.  The 0.5 s tick bounds sockets without.
 */
static void set_timeouts(struct worker *w, int fd)
{
	struct timeval tv = { 0, pct(w, 10) ? 500000 : 20000 };

	SYS(w, setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)),
	    "setsockopt(%d, SOL_SOCKET, SO_SNDTIMEO, %ld us)", fd,
	    (long)tv.tv_usec);
	SYS(w, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
	    "setsockopt(%d, SOL_SOCKET, SO_RCVTIMEO, %ld us)", fd,
	    (long)tv.tv_usec);
}

static int pick_proto(struct worker *w)
{
	static const int odd[] = { IPN_VDESWITCH_L3, 4, -1, 255, 0x10000 };
	int r = rn(w, 100);

	/* Unknown protocols run modprobe each time: rare, it is slow. */
	return r < 35 ? IPN_ANY : r < 65 ? IPN_BROADCAST :
	       r < 94 ? IPN_VDESWITCH : PICK(w, odd);
}

static void op_socket(struct worker *w)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET,
				     SOCK_RDM, SOCK_PACKET, 0, 11 };
	int type = pct(w, 75) ? SOCK_RAW : PICK(w, types);
	int proto = pick_proto(w), fd;

	if (pct(w, 20))
		type |= SOCK_NONBLOCK;
	if (pct(w, 20))
		type |= SOCK_CLOEXEC;
	fd = SYS(w, socket(ipn_family(), type, proto), "socket(AF_IPN, %#x, %d)",
		 type, proto);
	if (fd < 0)
		return;
	if (pct(w, 80))
		set_timeouts(w, fd);
	pool_put(w, fd);
}

static void prebind_opt(struct worker *w, int fd, int name, int val)
{
	SYS(w, setsockopt(fd, SOL_IPN, name, &val, sizeof(val)),
	    "setsockopt(%d, SOL_IPN, %#x, %d)", fd, name, val);
}

/*
 * socket, options, bind and/or connect in one go: random single calls
 * rarely line up into a working network, and the interesting bugs are in
 * working networks.  Path 2 is mostly a switch, path 3 mostly lossless.
 */
static void op_netup(struct worker *w)
{
	static const int mtus[] = { 14, 60, 100, 1500, 1514, 1518, 9000, 65535 };
	static const int nodes[] = { 1, 2, 4, 8, 32, 64, 256 };
	static const int pools[] = { 1, 2, 4, 8, 32, 128 };
	static const int modes[] = { 0777, 0770, 0700, 0755, 0666, 0711, 0 };
	int p = pct(w, 95) ? (int)rn(w, 4) : 4;
	int proto = p == 2 && pct(w, 80) ? IPN_VDESWITCH : pick_proto(w);
	int fd, flags = 0, r;
	socklen_t len;

	fd = SYS(w, socket(ipn_family(), SOCK_RAW | (pct(w, 20) ? SOCK_NONBLOCK : 0),
			   proto), "socket(AF_IPN, SOCK_RAW, %d)", proto);
	if (fd < 0)
		return;
	set_timeouts(w, fd);
	if (pct(w, 30))
		prebind_opt(w, fd, IPN_SO_MTU, PICK(w, mtus));
	if (pct(w, 30))
		prebind_opt(w, fd, IPN_SO_NUMNODES, PICK(w, nodes));
	if (pct(w, 30))
		prebind_opt(w, fd, IPN_SO_MSGPOOLSIZE, PICK(w, pools));
	if (p == 3 && pct(w, 80))
		flags |= IPN_FLAG_LOSSLESS;
	if (pct(w, 10))
		flags |= IPN_FLAG_EXCL;
	if (flags || pct(w, 10))
		prebind_opt(w, fd, IPN_SO_FLAGS, flags);
	if (pct(w, 20))
		prebind_opt(w, fd, IPN_SO_MODE, PICK(w, modes));

	memset(&w->addr, 0, sizeof(w->addr));
	w->addr.un.sun_family = ipn_family();
	memcpy(w->addr.un.sun_path, paths[p], strlen(paths[p]));
	len = sizeof(w->addr.un);
	r = rn(w, 100);
	if (r < 60) {
		if (SYS(w, bind(fd, (void *)&w->addr, len), "bind(%d, %s)", fd,
			paths[p]) == 0 && r < 40) {
			if (pct(w, 50))
				SYS(w, connect(fd, NULL, 0),
				    "connect(%d, NULL, 0)", fd);
			else
				SYS(w, connect(fd, (void *)&w->addr, len),
				    "connect(%d, %s)", fd, paths[p]);
		}
	} else {
		if (pct(w, 20)) {
			int port = pct(w, 50) ? IPN_PORTNO_ANY : (int)rn(w, 40);

			SYS(w, setsockopt(fd, SOL_IPN, IPN_SO_PORT, &port,
					  sizeof(port)),
			    "setsockopt(%d, SOL_IPN, IPN_SO_PORT, %d)", fd,
			    port);
		}
		SYS(w, connect(fd, (void *)&w->addr, len), "connect(%d, %s)",
		    fd, paths[p]);
	}
	pool_put(w, fd);
}

static void op_bind(struct worker *w)
{
	int fd = pool_get(w);
	socklen_t len;
	const void *a = gen_addr(w, &len);

	SYS(w, bind(fd, a, len), "bind(%d, fam=%d %s, %u)", fd,
	    a == &w->addr ? w->addr.un.sun_family : -1, w->adesc, len);
}

static void op_connect(struct worker *w)
{
	int fd = pool_get(w);
	socklen_t len;
	const void *a = gen_addr(w, &len);

	if (pct(w, 15))
		SYS(w, connect(fd, NULL, 0), "connect(%d, NULL, 0)", fd);
	else
		SYS(w, connect(fd, a, len), "connect(%d, fam=%d %s, %u)", fd,
		    a == &w->addr ? w->addr.un.sun_family : -1, w->adesc,
		    len);
}

static socklen_t hostile_len(struct worker *w, socklen_t good)
{
	static const socklen_t lens[] = { 0, 1, 3, 4, 7, 8, 128, 129, 4096 };

	return pct(w, 80) ? good : PICK(w, lens);
}

static int ipn_optname(struct worker *w)
{
	static const int names[] = {
		IPN_SO_PORT, IPN_SO_DESCR, IPN_SO_CHANGE_NUMNODES,
		IPN_SO_HANDLE_OOB, IPN_SO_WANT_OOB_NUMNODES, IPN_SO_MTU,
		IPN_SO_NUMNODES, IPN_SO_MSGPOOLSIZE, IPN_SO_FLAGS, IPN_SO_MODE,
		IPN_SO_VNET_HDR,
	};
	static const int odd[] = { 6, 0x7f, 0x85, 0xff, -1, 0x180 };

	if (pct(w, 88))
		return PICK(w, names);
	return pct(w, 70) ? PICK(w, odd) : (int)rnd(w);
}

static int ipn_optval(struct worker *w, int name)
{
	static const int ports[] = { -1, 0, 1, 2, 31, 32, 4095, 4096, -2 };
	static const int nodes[] = { 0, 1, 2, 4, 8, 32, 64, 4096, 4097, -1 };
	static const int mtus[] = { 0, 1, 14, 60, 1500, 1514, 9000, 65535,
				    65536, -1 };
	static const int flags[] = { 0, 1, 2, 3, 4, 5, 7, 8, -1 };
	static const int modes[] = { 0777, 0700, 0600, 0500, 0300, 0100, 0,
				     01777, 07777 };
	static const int vnet[] = { 0, 10, 12, 10, 12, 11, 1, -1 };

	if (pct(w, 15))
		return int_val(w);
	switch (name) {
	case IPN_SO_PORT:
		return PICK(w, ports);
	case IPN_SO_CHANGE_NUMNODES:
	case IPN_SO_NUMNODES:
	case IPN_SO_MSGPOOLSIZE:
		return PICK(w, nodes);
	case IPN_SO_MTU:
		return PICK(w, mtus);
	case IPN_SO_FLAGS:
		return PICK(w, flags);
	case IPN_SO_MODE:
		return PICK(w, modes);
	case IPN_SO_VNET_HDR:
		return PICK(w, vnet);
	default:
		return int_val(w);
	}
}

static void op_setsockopt_ipn(struct worker *w)
{
	int fd = pool_get(w), name = ipn_optname(w), v;
	unsigned char *buf = w->sbuf;
	socklen_t len;
	void *ptr = buf;

	if (name == IPN_SO_DESCR && pct(w, 80)) {
		len = rn(w, 200);
		memset(buf, 'd', len);
		if (len && pct(w, 70))
			buf[len - 1] = 0;
	} else {
		v = ipn_optval(w, name);
		memcpy(buf, &v, sizeof(v));
		memset(buf + 4, 0, 4);
		len = hostile_len(w, sizeof(v));
	}
	if (pct(w, 7))
		ptr = bad_ptr(w, len);
	SYS(w, setsockopt(fd, SOL_IPN, name, ptr, len),
	    "setsockopt(%d, SOL_IPN, %#x, %s [%d], %u)", fd, name, pd(w, ptr),
	    *(int *)buf, len);
}

/* getsockopt into a canary-guarded buffer; check the length it reports. */
static void get_opt(struct worker *w, int fd, int level, int name,
		    socklen_t len)
{
	/*
	 * SO_GET_FILTER counts its length in instructions (struct
	 * sock_filter), not bytes: the socket core's ABI, not IPN's.
	 */
	size_t unit = level == SOL_SOCKET && name == SO_GET_FILTER ?
		      sizeof(struct sock_filter) : 1;
	unsigned char *buf = w->rbuf;
	socklen_t l = len;
	void *ptr = buf;
	void *lp = &l;
	long r;

	if (len > BUF_LEN / unit)
		len = l = BUF_LEN / unit;
	canary_set(buf, len * unit);
	if (pct(w, 5))
		ptr = bad_ptr(w, len);
	else if (pct(w, 3))
		lp = bad_ptr(w, sizeof(l));
	else if (pct(w, 3))
		l = (socklen_t)-1;
	r = SYS(w, getsockopt(fd, level, name, ptr, lp),
		"getsockopt(%d, %d, %#x, %s, %s [%d])", fd, level, name,
		pd(w, ptr), lp == &l ? "&len" : pd(w, lp), (int)l);
	if (ptr == buf && lp == &l && (int)len >= 0) {
		canary_check(w, buf, len * unit, "getsockopt");
		if (r == 0 && l > len)
			failure(w, "getsockopt reported %u bytes in %u", l,
				len);
	}
}

static void op_getsockopt_ipn(struct worker *w)
{
	static const socklen_t lens[] = { 0, 1, 3, 4, 7, 8, 127, 128, 129,
					  256 };

	get_opt(w, pool_get(w), SOL_IPN, ipn_optname(w),
		pct(w, 60) ? 4 : PICK(w, lens));
}

/* A small classic BPF program, mostly valid, for SO_ATTACH_FILTER. */
static unsigned short gen_bpf(struct worker *w, struct sock_filter *f)
{
	static const uint32_t rets[] = { 0, 1, 14, 60, 0xffff, 0xffffffff };
	static const uint32_t offs[] = { 0, 6, 12, 14, 1000, 0xfffff000 };
	unsigned short n = 1 + rn(w, 6), i;

	for (i = 0; i < n - 1; i++) {
		switch (rn(w, 6)) {
		case 0:
			f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
							    PICK(w, offs));
			break;
		case 1:
			f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
							    12);
			break;
		case 2:
			f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_LEN,
							    0);
			break;
		case 3:
			f[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							    (uint32_t)rnd(w),
							    rn(w, 3), rn(w, 3));
			break;
		case 4:
			f[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_IND,
							    PICK(w, offs));
			break;
		default:	/* anything: the verifier's business */
			f[i].code = rnd(w);
			f[i].jt = rn(w, 4);
			f[i].jf = rn(w, 4);
			f[i].k = rnd(w);
		}
	}
	f[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, PICK(w, rets));
	return n;
}

static void op_sockopt_sol(struct worker *w)
{
	enum { INT, TV, STR, FPROG, LINGER };
	static const struct {
		int name, kind;
	} opts[] = {
		{ SO_RCVBUF, INT }, { SO_SNDBUF, INT }, { SO_RCVBUFFORCE, INT },
		{ SO_SNDBUFFORCE, INT }, { SO_RCVTIMEO, TV },
		{ SO_SNDTIMEO, TV }, { SO_ATTACH_FILTER, FPROG },
		{ SO_DETACH_FILTER, INT }, { SO_LOCK_FILTER, INT },
		{ SO_PEEK_OFF, INT }, { SO_BINDTODEVICE, STR },
		{ SO_BINDTOIFINDEX, INT }, { SO_MEMINFO, INT },
		{ SO_TYPE, INT }, { SO_PROTOCOL, INT }, { SO_DOMAIN, INT },
		{ SO_ERROR, INT }, { SO_PEERCRED, INT }, { SO_PASSCRED, INT },
		{ SO_TIMESTAMP, INT }, { SO_TIMESTAMPNS, INT },
		{ SO_RXQ_OVFL, INT }, { SO_MARK, INT }, { SO_PRIORITY, INT },
		{ SO_LINGER, LINGER }, { SO_ZEROCOPY, INT },
		{ SO_KEEPALIVE, INT }, { SO_REUSEADDR, INT },
		{ SO_RCVLOWAT, INT }, { SO_SNDLOWAT, INT },
		{ SO_BUSY_POLL, INT }, { SO_INCOMING_CPU, INT },
		{ SO_COOKIE, INT }, { SO_PEERNAME, INT }, { SO_NOFCS, INT },
		{ SO_SELECT_ERR_QUEUE, INT }, { SO_OOBINLINE, INT },
		{ SO_PASSSEC, INT }, { SO_PEERGROUPS, INT },
		{ SO_TXREHASH, INT }, { SO_RCVMARK, INT },
	};
	static const struct timeval tvs[] = {
		{ 0, 0 }, { 0, 500000 }, { 0, 1000 }, { 1, 0 }, { -1, 0 },
		{ 0, 1000000 }, { 0, -1 },
	};
	static const char *const devs[] = { "", "lo", "ipnfz0", "ipnfzv0",
					    "nosuchdev" };
	static const int bufs[] = { 0, 1, 256, 2048, 4608, 65536, INT_MAX,
				    -1 };
	int fd = pool_get(w), i = rn(w, ARRAY_SIZE(opts)), v;
	int name = opts[i].name;
	struct sock_filter f[8];
	struct sock_fprog prog = { 0, f };
	struct linger lg = { (int)rn(w, 2), (int)rn(w, 3) };
	struct timeval tv;
	const void *ptr = &v, *bad = NULL;
	socklen_t len = sizeof(v);

	if (pct(w, 40)) {
		get_opt(w, fd, SOL_SOCKET, name, pct(w, 70) ? 4 : rn(w, 130));
		return;
	}
	v = name == SO_RCVBUF || name == SO_SNDBUF ? PICK(w, bufs)
						   : int_val(w);
	switch (opts[i].kind) {
	case TV:
		tv = PICK(w, tvs);
		ptr = &tv;
		len = sizeof(tv);
		break;
	case STR:
		ptr = PICK(w, devs);
		len = strlen(ptr) + 1;
		break;
	case FPROG:
		prog.len = gen_bpf(w, f);
		if (pct(w, 5))
			prog.len = pct(w, 50) ? 0 : 4097;
		if (pct(w, 5))
			prog.filter = bad_ptr(w, sizeof(f));
		ptr = &prog;
		len = sizeof(prog);
		break;
	case LINGER:
		ptr = &lg;
		len = sizeof(lg);
		break;
	}
	len = hostile_len(w, len);
	if (pct(w, 5))
		ptr = bad = bad_ptr(w, len);
	SYS(w, setsockopt(fd, SOL_SOCKET, name, ptr, len),
	    "setsockopt(%d, SOL_SOCKET, %d, %s [%d], %u)", fd, name,
	    opts[i].kind == STR && ptr != bad ? (const char *)ptr : pd(w, ptr),
	    v, len);
}

/* Options of the switch policy (level IPN_VDESWITCH), and odd levels. */
static void op_sockopt_switch(struct worker *w)
{
	static const int ports[] = { -1, 0, 1, 2, 3, 31, 32, 4096, INT_MAX };
	static const uint16_t vlans[] = { 0, 1, 2, 10, 4094, 4095, 65535 };
	static const int vals[] = { -1, 0, 1, 7, 8, 9, 64, 300, 4096, 65536,
				    65537, 1000000, 1000001 };
	static const socklen_t lens[] = { 0, 2, 4, 8, 12, 16, 56, 64, 160,
					  4096, 8192, 65536 };
	static const int levels[] = { IPN_VDESWITCH, IPN_VDESWITCH,
				      IPN_VDESWITCH, IPN_VDESWITCH,
				      IPN_VDESWITCH_L3, 4, 255, -1 };
	int fd = pool_get(w), name, level = PICK(w, levels);
	struct ipn_switch_vlan sv;
	socklen_t len;
	void *ptr;
	int v;

	if (pct(w, 5))
		level = (int)rnd(w);
	name = pct(w, 90) ? 1 + (int)rn(w, IPN_SWITCH_STP_PORTS)
			  : int_val(w);
	if (pct(w, 45)) {
		/* Gets whose input is in the buffer: a port number. */
		v = PICK(w, ports);
		if (name == IPN_SWITCH_PORT_VLAN) {
			sv.port = v;
			sv.vlan = 0;
			sv.reserved = 0;
			memcpy(w->rbuf, &sv, sizeof(sv));
		}
		len = pct(w, 40) ? (name == IPN_SWITCH_PORT_VLAN ? 8 : 4)
				 : PICK(w, lens);
		/* get_opt puts the canary after len: write the port first. */
		if (name != IPN_SWITCH_PORT_VLAN)
			memcpy(w->rbuf, &v, sizeof(v));
		get_opt(w, fd, level, name, len);
		return;
	}
	if (name == IPN_SWITCH_PORT_VLAN || name == IPN_SWITCH_TRUNK_ADD ||
	    name == IPN_SWITCH_TRUNK_DEL) {
		sv.port = PICK(w, ports);
		sv.vlan = PICK(w, vlans);
		sv.reserved = pct(w, 90) ? 0 : 1;
		memcpy(w->sbuf, &sv, sizeof(sv));
		len = hostile_len(w, sizeof(sv));
	} else {
		v = pct(w, 80) ? PICK(w, vals) : int_val(w);
		memcpy(w->sbuf, &v, sizeof(v));
		len = hostile_len(w, sizeof(v));
	}
	ptr = pct(w, 5) ? bad_ptr(w, len) : w->sbuf;
	SYS(w, setsockopt(fd, level, name, ptr, len),
	    "setsockopt(%d, %d, %d, %s [%d %d], %u)", fd, level, name,
	    pd(w, ptr), *(int *)w->sbuf, *(int *)(w->sbuf + 4), len);
}

static int send_flags(struct worker *w)
{
	static const int extra[] = { MSG_OOB, MSG_MORE, MSG_CONFIRM,
				     MSG_ZEROCOPY, MSG_FASTOPEN, MSG_PEEK,
				     MSG_TRUNC, MSG_WAITALL, MSG_ERRQUEUE };
	int f = pct(w, 97) ? MSG_DONTWAIT : 0;

	if (pct(w, 50))
		f |= MSG_NOSIGNAL;
	if (pct(w, 10))
		f |= MSG_EOR;
	if (pct(w, 8))
		f |= PICK(w, extra);
	if (pct(w, 2))
		f |= 1 << rn(w, 32);
	return f;
}

static int recv_flags(struct worker *w)
{
	static const int extra[] = { MSG_OOB, MSG_WAITALL, MSG_ERRQUEUE,
				     MSG_CMSG_CLOEXEC, MSG_NOSIGNAL, MSG_EOR };
	int f = pct(w, 97) ? MSG_DONTWAIT : 0;

	if (pct(w, 20))
		f |= MSG_PEEK;
	if (pct(w, 20))
		f |= MSG_TRUNC;
	if (pct(w, 8))
		f |= PICK(w, extra);
	if (pct(w, 2))
		f |= 1 << rn(w, 32);
	return f;
}

/* Cut [0, size) of buf into n iovecs of random lengths; maybe one bad. */
static int gen_iov(struct worker *w, struct iovec *iov, int max,
		   unsigned char *buf, size_t size)
{
	int n = pct(w, 60) ? 1 : 1 + (int)rn(w, max), i;
	size_t off = 0, l;

	for (i = 0; i < n; i++) {
		l = i == n - 1 ? size - off : rn(w, size - off + 1);
		iov[i].iov_base = buf + off;
		iov[i].iov_len = l;
		off += l;
	}
	if (pct(w, 5))
		iov[rn(w, n)].iov_base = bad_ptr(w, 64);
	return n;
}

/*
 * Variants 2 and 3 are read/write(v), which have no MSG_DONTWAIT: use them
 * only when the socket is non-blocking or the call may block anyway.
 */
static int plain_io(int fd, int variant, int flags)
{
	int fl;

	if ((variant != 2 && variant != 3) || !(flags & MSG_DONTWAIT))
		return variant;
	fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK) ? variant : 0;
}

static void op_send(struct worker *w)
{
	static __thread struct iovec big[1025];	/* IOV_MAX and one more */
	struct iovec iov[4][8];
	struct mmsghdr mm[4];
	struct msghdr *m = &mm[0].msg_hdr;
	int fd = pool_get(w), flags = send_flags(w), i, n;
	size_t size = pick_size(w);
	unsigned char *buf = w->sbuf;
	void *ptr = buf;
	char ctl[CMSG_SPACE(sizeof(int) * 2)];
	struct cmsghdr *c;
	socklen_t alen;
	const void *a;

	if (size > 12 && pct(w, 25)) {
		size_t hl = pct(w, 50) ? 10 : 12;

		fill_frame(w, buf + hl, size - hl);
		fill_vnet_hdr(w, buf, hl);
	} else {
		fill_frame(w, buf, size);
	}
	if (pct(w, 5))
		ptr = bad_ptr(w, size);
	memset(mm, 0, sizeof(mm));
	switch (plain_io(fd, rn(w, 7), flags)) {
	case 0:
		SYS(w, send(fd, ptr, size, flags), "send(%d, %s, %zu, %#x)",
		    fd, pd(w, ptr), size, flags);
		break;
	case 1:
		a = gen_addr(w, &alen);
		if (pct(w, 70)) {
			a = NULL;
			alen = 0;
		}
		SYS(w, sendto(fd, ptr, size, flags, a, alen),
		    "sendto(%d, %s, %zu, %#x, %s, %u)", fd, pd(w, ptr), size, flags,
		    a ? w->adesc : "NULL", alen);
		break;
	case 2:
		SYS(w, write(fd, ptr, size), "write(%d, %s, %zu)", fd,
		    pd(w, ptr), size);
		break;
	case 3:
		n = gen_iov(w, iov[0], ARRAY_SIZE(iov[0]), buf, size);
		SYS(w, writev(fd, iov[0], n), "writev(%d, %d iovs, %zu)", fd, n,
		    size);
		break;
	case 4:
		/* Many iovecs: the iov_iter paths; 1025 is one too many. */
		n = pct(w, 50) ? 1024 : 1025;
		for (i = 0; i < n; i++) {
			big[i].iov_base = buf + i;
			big[i].iov_len = i < 64 ? 1 : 0;
		}
		m->msg_iov = big;
		m->msg_iovlen = n;
		SYS(w, sendmsg(fd, m, flags), "sendmsg(%d, %d iovs, %#x)", fd,
		    n, flags);
		break;
	default:
		n = pct(w, 70) ? 1 : 1 + (int)rn(w, ARRAY_SIZE(mm));
		for (i = 0; i < n; i++) {
			m = &mm[i].msg_hdr;
			m->msg_iov = iov[i];
			m->msg_iovlen = gen_iov(w, iov[i], ARRAY_SIZE(iov[i]),
						buf, size);
			if (pct(w, 15)) {
				m->msg_name = (void *)gen_addr(w, &alen);
				m->msg_namelen = alen;
			}
			if (pct(w, 10)) {
				/* Rights and credentials: IPN must ignore or refuse them. */
				m->msg_control = ctl;
				m->msg_controllen = sizeof(ctl);
				c = CMSG_FIRSTHDR(m);
				c->cmsg_level = SOL_SOCKET;
				c->cmsg_type = pct(w, 50) ? SCM_RIGHTS : SCM_CREDENTIALS;
				c->cmsg_len = CMSG_LEN(sizeof(int) * 2);
				((int *)CMSG_DATA(c))[0] = fd;
				((int *)CMSG_DATA(c))[1] = 1;
			}
		}
		if (n == 1)
			SYS(w, sendmsg(fd, &mm[0].msg_hdr, flags),
			    "sendmsg(%d, %zu bytes, %d iovs, name %d, ctl %d, %#x)",
			    fd, size, (int)mm[0].msg_hdr.msg_iovlen,
			    mm[0].msg_hdr.msg_namelen,
			    (int)mm[0].msg_hdr.msg_controllen, flags);
		else
			SYS(w, sendmmsg(fd, mm, n, flags),
			    "sendmmsg(%d, %d msgs, %#x)", fd, n, flags);
	}
}

static void op_recv(struct worker *w)
{
	static const size_t sizes[] = { 0, 1, 13, 14, 64, 1513, 1514, 2000,
					65535, 65536, BUF_LEN };
	struct iovec iov[4][8];
	struct mmsghdr mm[4];
	struct msghdr *m = &mm[0].msg_hdr;
	struct timespec ts = { 0, 0 };
	int fd = pool_get(w), flags = recv_flags(w), n, i;
	size_t size = PICK(w, sizes);
	unsigned char *buf = w->rbuf;
	void *ptr = buf;
	char name[sizeof(struct sockaddr_storage)];
	char ctl[256];
	socklen_t alen = rn(w, 3) ? sizeof(struct sockaddr_un) : rn(w, 130);
	long r = -1;

	canary_set(buf, size);
	if (pct(w, 5))
		ptr = bad_ptr(w, size);
	memset(mm, 0, sizeof(mm));
	switch (plain_io(fd, rn(w, 6), flags)) {
	case 0:
		r = SYS(w, recv(fd, ptr, size, flags), "recv(%d, %s, %zu, %#x)",
			fd, pd(w, ptr), size, flags);
		break;
	case 1:
		r = SYS(w, recvfrom(fd, ptr, size, flags, (void *)name, &alen),
			"recvfrom(%d, %s, %zu, %#x, name, %u)", fd, pd(w, ptr), size,
			flags, alen);
		break;
	case 2:
		r = SYS(w, read(fd, ptr, size), "read(%d, %s, %zu)", fd,
			pd(w, ptr), size);
		flags = 0;
		break;
	case 3:
		n = gen_iov(w, iov[0], ARRAY_SIZE(iov[0]), buf, size);
		r = SYS(w, readv(fd, iov[0], n), "readv(%d, %d iovs, %zu)", fd,
			n, size);
		flags = 0;
		break;
	default:
		n = pct(w, 70) ? 1 : 1 + (int)rn(w, ARRAY_SIZE(mm));
		for (i = 0; i < n; i++) {
			m = &mm[i].msg_hdr;
			/* All into the same buffer: the canary still holds. */
			m->msg_iov = iov[i];
			m->msg_iovlen = gen_iov(w, iov[i], ARRAY_SIZE(iov[i]),
						buf, size);
			if (pct(w, 30)) {
				m->msg_name = name;
				m->msg_namelen = alen;
			}
			if (pct(w, 20)) {
				m->msg_control = ctl;
				m->msg_controllen = rn(w, sizeof(ctl));
			}
		}
		if (n == 1)
			r = SYS(w, recvmsg(fd, &mm[0].msg_hdr, flags),
				"recvmsg(%d, %zu, name %d, ctl %d, %#x)", fd, size,
				mm[0].msg_hdr.msg_namelen,
				(int)mm[0].msg_hdr.msg_controllen, flags);
		else
			SYS(w, recvmmsg(fd, mm, n, flags, pct(w, 50) ? &ts : NULL),
			    "recvmmsg(%d, %d msgs, %#x)", fd, n, flags);
		break;
	}
	if (ptr != buf)
		return;
	canary_check(w, buf, size, "recv");
	if (r > (long)size && !(flags & MSG_TRUNC))
		failure(w, "recv returned %ld for a %zu-byte buffer", r, size);
}

static void fill_ifname(struct worker *w, char *name)
{
	static const char *const odd[] = { "ipnfz%d", "ipnfz%d", "lo", "",
					   "ipnfz%d%d", "ipnfz/0", "." };
	int r = rn(w, 100), i;

	memset(name, 0, IFNAMSIZ);
	if (r < 60) {
		strcpy(name, PICK(w, fz_ifs));
	} else if (r < 90) {
		strcpy(name, PICK(w, odd));
	} else if (r < 95) {
		memcpy(name, "ipnfzXXXXXXXXXXX", IFNAMSIZ);	/* no NUL */
	} else {
		for (i = 0; i < IFNAMSIZ; i++)
			name[i] = rnd(w);
	}
}

/* An interface the fuzzer may grab without closing a loop (see fz_ifs). */
static void grab_name(char *name)
{
	if (!strcmp(name, "ipnfzv1") || !strcmp(name, "ipnfzbr0"))
		strcpy(name, "ipnfzv0");
	else if (!strcmp(name, "ipnfzv3"))
		strcpy(name, "ipnfzv2");
}

static void op_ioctl(struct worker *w)
{
	static const int flags[] = { IPN_NODEFLAG_TAP, IPN_NODEFLAG_TAP,
				     IPN_NODEFLAG_GRAB,
				     IPN_NODEFLAG_TAP | IPN_NODEFLAG_GRAB, 0,
				     0x40, -1 };
	static const unsigned long other[] = {
		SIOCINQ, SIOCOUTQ, SIOCGSTAMP, SIOCGSTAMPNS, FIONBIO,
		SIOCATMARK, SIOCGIFINDEX, SIOCGIFFLAGS, SIOCGIFNAME,
		SIOCGIFMTU, SIOCGIFHWADDR, FIOSETOWN, SIOCGPGRP,
		_IO('I', 199), _IOR('I', 199, int), _IOWR('I', 202, int),
		_IOW('I', 202, struct ifreq),
	};
	int fd = pool_get(w), r = rn(w, 100), v;
	unsigned long cmd;
	struct ifreq ifr;
	void *arg = &ifr;
	long ret;

	memset(&ifr, 0, sizeof(ifr));
	fill_ifname(w, ifr.ifr_name);
	if (r < 8) {
		ret = SYS(w, ioctl(fd, IPN_CHECK, 0), "ioctl(%d, IPN_CHECK)",
			  fd);
		if (ret >= 0 && ret != IPN_CHECK_MAGIC)
			failure(w, "IPN_CHECK returned %#lx", ret);
		return;
	}
	if (r < 40) {
		cmd = IPN_CONN_NETDEV;
		ifr.ifr_flags = PICK(w, flags);
		if (ifr.ifr_flags & IPN_NODEFLAG_GRAB)
			grab_name(ifr.ifr_name);
	} else if (r < 50) {
		cmd = IPN_JOIN_NETDEV;
	} else if (r < 60) {
		cmd = IPN_SETPERSIST_NETDEV;
	} else if (r < 70) {
		cmd = IPN_CLRPERSIST_NETDEV;
	} else if (r < 78) {
		/* An int by value, not a pointer. */
		v = pct(w, 80) ? (int)rn(w, 2) : int_val(w);
		SYS(w, ioctl(fd, IPN_SETPERSIST, (long)v),
		    "ioctl(%d, IPN_SETPERSIST, %d)", fd, v);
		return;
	} else if (r < 92) {
		cmd = PICK(w, other);
		/* Our own process only: SIGIO must not hit others. */
		v = cmd == FIOSETOWN ? getpid() : (int)rn(w, 2);
		memcpy(&ifr, &v, sizeof(v));
	} else {
		cmd = pct(w, 50) ? _IOW('I', 190 + rn(w, 20), int)
				 : (uint32_t)rnd(w);
		if (cmd == FIOSETOWN || cmd == SIOCSPGRP || cmd == FIOASYNC)
			cmd = IPN_CHECK;
	}
	if ((cmd == IPN_SETPERSIST_NETDEV || cmd == IPN_CLRPERSIST_NETDEV ||
	     cmd == IPN_JOIN_NETDEV) && pct(w, 25)) {
		/* By index: empty name. */
		ifr.ifr_ifindex = pct(w, 70) ? ifindex_of(w, PICK(w, fz_ifs))
					     : int_val(w);
		ifr.ifr_name[0] = 0;
	}
	if (pct(w, 5))
		arg = bad_ptr(w, sizeof(ifr));
	SYS(w, ioctl(fd, cmd, arg), "ioctl(%d, %#lx, %s {%s, %#x})", fd, cmd,
	    pd(w, arg), ifn(ifr.ifr_name), ifr.ifr_flags);
}

static void op_poll(struct worker *w)
{
	static const short evs[] = { POLLIN, POLLOUT, POLLPRI, POLLRDHUP,
				     POLLERR, POLLHUP, POLLRDNORM,
				     POLLWRNORM, POLLRDBAND, POLLWRBAND };
	struct epoll_event ev[8];
	struct pollfd pfd[4];
	int n = 1 + rn(w, 4), i, j, fd;
	struct timeval tv = { 0, 0 };
	fd_set rs, ws;

	switch (rn(w, 4)) {
	case 0:
	case 1:
		for (i = 0; i < n; i++) {
			pfd[i].fd = pool_get(w);
			pfd[i].events = 0;
			for (j = rn(w, 4); j >= 0; j--)
				pfd[i].events |= PICK(w, evs);
			if (pct(w, 3))
				pfd[i].events = rnd(w);
		}
		SYS(w, poll(pfd, n, 0), "poll(%d fds [%d %#x], 0)", n,
		    pfd[0].fd, pfd[0].events);
		break;
	case 2:
		/* Registered sockets get closed by others: ep_remove paths. */
		fd = pool_get(w);
		ev[0].events = EPOLLIN | EPOLLOUT;
		if (pct(w, 30))
			ev[0].events |= EPOLLET;
		if (pct(w, 10))
			ev[0].events |= EPOLLONESHOT;
		if (pct(w, 10))
			ev[0].events = EPOLLIN | EPOLLEXCLUSIVE;
		ev[0].data.fd = fd;
		i = rn(w, 3) + 1;	/* EPOLL_CTL_ADD, DEL or MOD */
		SYS(w, epoll_ctl(w->ep_fd, i, fd, ev),
		    "epoll_ctl(%d, %d, %d, %#x)", w->ep_fd, i, fd, ev[0].events);
		SYS(w, epoll_wait(w->ep_fd, ev, ARRAY_SIZE(ev), 0),
		    "epoll_wait(%d, 0)", w->ep_fd);
		break;
	default:
		fd = pool_get(w);
		if (fd < 0 || fd >= FD_SETSIZE)
			return;
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_SET(fd, &rs);
		FD_SET(fd, &ws);
		SYS(w, select(fd + 1, &rs, &ws, NULL, &tv), "select(%d, 0)",
		    fd);
	}
}

static void op_shutdown(struct worker *w)
{
	int fd = pool_get(w), how = pct(w, 90) ? (int)rn(w, 3) : int_val(w);

	SYS(w, shutdown(fd, how), "shutdown(%d, %d)", fd, how);
}

static void op_close(struct worker *w)
{
	int fd = pool_take(w);

	if (fd >= 0)
		SYS(w, close(fd), "close(%d)", fd);
}

static void op_dup(struct worker *w)
{
	int fd = pool_get(w), nfd;

	if (pct(w, 60))
		nfd = SYS(w, dup(fd), "dup(%d)", fd);
	else
		nfd = SYS(w, fcntl(fd, F_DUPFD_CLOEXEC, 3), "fcntl(%d, F_DUPFD)",
			  fd);
	if (nfd >= 0)
		pool_put(w, nfd);
}

static void op_name(struct worker *w)
{
	static const socklen_t lens[] = { 0, 1, 2, 3, 16, 108, 109, 110, 111,
					  128, (socklen_t)-1 };
	unsigned char *buf = w->rbuf;
	int fd = pool_get(w);
	socklen_t len = PICK(w, lens), l = len;
	bool peer = pct(w, 50);

	canary_set(buf, len > 128 ? 0 : len);
	if (peer)
		SYS(w, getpeername(fd, (void *)buf, &l), "getpeername(%d, %u)",
		    fd, len);
	else
		SYS(w, getsockname(fd, (void *)buf, &l), "getsockname(%d, %u)",
		    fd, len);
	if (len <= 128)
		canary_check(w, buf, len, peer ? "getpeername" : "getsockname");
}

/* Calls that AF_IPN does not support, and the splice and mmap paths. */
static void op_misc(struct worker *w)
{
	int fd = pool_get(w), sv[2], nfd, fl;
	size_t size = pick_size(w) % 70000;
	off_t off = 0;
	void *m;

	switch (rn(w, 9)) {
	case 0:
		SYS(w, listen(fd, rn(w, 10)), "listen(%d)", fd);
		break;
	case 1:
		nfd = SYS(w, accept4(fd, NULL, NULL, SOCK_NONBLOCK),
			  "accept4(%d)", fd);
		if (nfd >= 0)
			pool_put(w, nfd);
		break;
	case 2:
		if (SYS(w, socketpair(ipn_family(), SOCK_RAW, pick_proto(w), sv),
			"socketpair(AF_IPN)") == 0) {
			pool_put(w, sv[0]);
			pool_put(w, sv[1]);
		}
		break;
	case 3:
		m = MAP_FAILED;
		SYS(w, (m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0)) ==
			       MAP_FAILED ? -1 : 0, "mmap(%d)", fd);
		if (m != MAP_FAILED)
			munmap(m, 4096);
		break;
	case 4:
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			SYS(w, fcntl(fd, F_SETFL, fl ^ O_NONBLOCK),
			    "fcntl(%d, F_SETFL, %#x)", fd, fl ^ O_NONBLOCK);
		break;
	case 5:
		/* splice into the socket: sendmsg with MSG_SPLICE_PAGES. */
		fill_frame(w, w->sbuf, size);
		if (write(w->pipe_fd[1], w->sbuf, size) < 0)
			break;
		SYS(w, splice(w->pipe_fd[0], NULL, fd, NULL, size,
			      SPLICE_F_NONBLOCK), "splice(pipe, %d, %zu)", fd, size);
		break;
	case 6:
		SYS(w, splice(fd, NULL, w->pipe_fd[1], NULL, size,
			      SPLICE_F_NONBLOCK), "splice(%d, pipe, %zu)", fd, size);
		break;
	case 7:
		SYS(w, sendfile(fd, w->memfd, &off, size % 8192),
		    "sendfile(%d, memfd, %zu)", fd, size % 8192);
		break;
	default:
		SYS(w, fstat(fd, (void *)w->rbuf), "fstat(%d)", fd);
	}
	/* Empty the pipe for the next splice. */
	while (read(w->pipe_fd[0], w->rbuf, BUF_LEN) > 0)
		;
}

/* The filesystem nodes that name networks: IPN must follow them. */
static void op_fsnode(struct worker *w)
{
	static const mode_t modes[] = { 0, 0777, 0700, 0600, 0500, 0400,
					0300, 0200, 0100, 0666, 0111 };
	const char *p = paths[rn(w, 5)], *q = paths[rn(w, 5)];
	mode_t mode = pct(w, 85) ? PICK(w, modes) : rn(w, 07777);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd;

	switch (rn(w, 10)) {
	case 0:
	case 1:
	case 2:
		SYS(w, chmod(p, mode), "chmod(%s, %#o)", p, mode);
		break;
	case 3:
		fd = pct(w, 50) ? 0 : 65534;
		SYS(w, chown(p, fd, fd), "chown(%s, %d)", p, fd);
		break;
	case 4:
	case 5:
		SYS(w, unlink(p), "unlink(%s)", p);
		break;
	case 6:
		SYS(w, rename(p, q), "rename(%s, %s)", p, q);
		break;
	case 7:
		SYS(w, symlink(q, p), "symlink(%s, %s)", q, p);
		break;
	case 8:
		switch (rn(w, 4)) {
		case 0:
			SYS(w, mkdir(p, 0777), "mkdir(%s)", p);
			break;
		case 1:
			SYS(w, rmdir(p), "rmdir(%s)", p);
			break;
		case 2:
			SYS(w, mknod(p, S_IFSOCK | 0777, 0),
			    "mknod(%s, S_IFSOCK)", p);
			break;
		default:
			fd = SYS(w, open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0666),
				 "creat(%s)", p);
			if (fd >= 0)
				close(fd);
		}
		break;
	default:
		/* An AF_UNIX socket node where a network may be looked up. */
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memcpy(un.sun_path, p, strnlen(p, sizeof(un.sun_path)));
		SYS(w, bind(fd, (void *)&un, sizeof(un)), "bind(AF_UNIX, %s)", p);
		close(fd);
	}
}

static void link_flags(struct worker *w, const char *name, bool up)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(w->inet_fd, SIOCGIFFLAGS, &ifr) < 0)
		return;
	ifr.ifr_flags = up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP;
	if (pct(w, 10))
		ifr.ifr_flags ^= IFF_PROMISC;
	SYS(w, ioctl(w->inet_fd, SIOCSIFFLAGS, &ifr), "SIOCSIFFLAGS(%s, %#x)",
	    name, ifr.ifr_flags);
}

/*
 * Makes @ifindex the only port of the bridge (see fz_ifs), under a lock
 * that all workers share; a holder that died loses it.
 */
static void br_addif(struct worker *w, int ifindex, const char *name)
{
	int me = gettid(), owner = 0, tries;
	struct ifreq ifr;
	size_t i;

	for (tries = 0; !__atomic_compare_exchange_n(&sh->br_lock, &owner, me,
						      false, __ATOMIC_SEQ_CST,
						      __ATOMIC_SEQ_CST);
	     tries++) {
		if (tries == 2000)
			return;
		if (kill(owner, 0) < 0 && errno == ESRCH)
			__atomic_compare_exchange_n(&sh->br_lock, &owner, 0,
						    false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
		owner = 0;
		usleep(1000);
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "ipnfzbr0");
	for (i = 0; i < ARRAY_SIZE(fz_ifs); i++) {
		ifr.ifr_ifindex = ifindex_of(w, fz_ifs[i]);
		if (ifr.ifr_ifindex && ifr.ifr_ifindex != ifindex)
			ioctl(w->inet_fd, SIOCBRDELIF, &ifr);
	}
	ifr.ifr_ifindex = ifindex;
	SYS(w, ioctl(w->inet_fd, SIOCBRADDIF, &ifr), "SIOCBRADDIF(ipnfzbr0, %s)",
	    name);
	__atomic_store_n(&sh->br_lock, 0, __ATOMIC_SEQ_CST);
}

/* The fuzzer's own interfaces: up, down, MTU, address, delete, veth... */
static void op_link(struct worker *w)
{
	static const int mtus[] = { 0, 68, 576, 1500, 1514, 9000, 65535, 65536,
				    -1 };
	const char *name = PICK(w, fz_ifs), *other = PICK(w, fz_ifs);
	struct rtattr *li, *data, *peer;
	struct ifinfomsg pifi;
	struct ifreq ifr;
	struct nlreq r;
	int i;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	switch (rn(w, 12)) {
	case 0:
	case 1:
	case 2:
		link_flags(w, name, pct(w, 70));
		break;
	case 3:
		ifr.ifr_mtu = PICK(w, mtus);
		SYS(w, ioctl(w->inet_fd, SIOCSIFMTU, &ifr), "SIOCSIFMTU(%s, %d)",
		    name, ifr.ifr_mtu);
		break;
	case 4:
		ifr.ifr_hwaddr.sa_family = pct(w, 90) ? 1 /* ARPHRD_ETHER */ : 0;
		memcpy(ifr.ifr_hwaddr.sa_data, PICK(w, macs), 6);
		ifr.ifr_hwaddr.sa_data[5] ^= rn(w, 4);
		SYS(w, ioctl(w->inet_fd, SIOCSIFHWADDR, &ifr),
		    "SIOCSIFHWADDR(%s)", name);
		break;
	case 5:
		nl_dellink(w, w->nl_fd, name);
		break;
	case 6:
	case 7:
		/* A veth pair: one end to grab, the other to send into it. */
		i = 2 * rn(w, 2);
		nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, fz_ifs[4 + i]);
		li = nla_put(&r, IFLA_LINKINFO, NULL, 0);
		nla_put(&r, IFLA_INFO_KIND, "veth", 5);
		data = nla_put(&r, IFLA_INFO_DATA, NULL, 0);
		peer = nla_put(&r, VETH_INFO_PEER, NULL, 0);
		memset(&pifi, 0, sizeof(pifi));
		nla_raw(&r, &pifi, sizeof(pifi));
		nla_put(&r, IFLA_IFNAME, fz_ifs[5 + i], strlen(fz_ifs[5 + i]) + 1);
		nla_end(&r, peer);
		nla_end(&r, data);
		nla_end(&r, li);
		nl_talk(w, w->nl_fd, &r, "RTM_NEWLINK veth");
		break;
	case 8:
		/* Taps refuse to be made by rtnetlink. */
		nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "ipnfz9");
		li = nla_put(&r, IFLA_LINKINFO, NULL, 0);
		nla_put(&r, IFLA_INFO_KIND, "ipn", 4);
		nla_end(&r, li);
		nl_talk(w, w->nl_fd, &r, "RTM_NEWLINK ipn");
		break;
	case 9:
		if (pct(w, 50))
			SYS(w, ioctl(w->inet_fd, SIOCBRADDBR, "ipnfzbr0"),
			    "SIOCBRADDBR(ipnfzbr0)");
		else
			SYS(w, ioctl(w->inet_fd, SIOCBRDELBR, "ipnfzbr0"),
			    "SIOCBRDELBR(ipnfzbr0)");
		break;
	case 10:
		/* One port on the bridge: a tap, a veth end. */
		if (pct(w, 70)) {
			br_addif(w, ifindex_of(w, other), other);
			break;
		}
		strcpy(ifr.ifr_name, "ipnfzbr0");
		ifr.ifr_ifindex = ifindex_of(w, other);
		SYS(w, ioctl(w->inet_fd, SIOCBRDELIF, &ifr),
		    "SIOCBRDELIF(ipnfzbr0, %s)", other);
		break;
	default:
		/* Only taps are renamed, to taps' names (see fz_ifs). */
		name = fz_ifs[rn(w, 4)];
		other = fz_ifs[rn(w, 4)];
		strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
		link_flags(w, name, false);
		strncpy(ifr.ifr_newname, other, IFNAMSIZ - 1);
		SYS(w, ioctl(w->inet_fd, SIOCSIFNAME, &ifr),
		    "SIOCSIFNAME(%s, %s)", name, other);
	}
}

/* Frames into the networks from the host side: tap xmit, grabbed rx. */
static void op_packet(struct worker *w)
{
	struct sockaddr_ll sll;
	size_t size = pct(w, 90) ? 14 + rn(w, 1501) : pick_size(w);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex_of(w, PICK(w, fz_ifs));
	sll.sll_halen = 6;
	fill_frame(w, w->sbuf, size);
	memcpy(sll.sll_addr, w->sbuf, 6);
	SYS(w, sendto(w->pkt_fd, w->sbuf, size, MSG_DONTWAIT, (void *)&sll,
		      sizeof(sll)), "packet sendto(ifindex %d, %zu)",
	    sll.sll_ifindex, size);
}

static void op_rmmod(struct worker *w)
{
	const char *mod = pct(w, 75) ? "kvde_switch" : "ipn";

	if (SYS(w, syscall(SYS_delete_module, mod, O_NONBLOCK),
		"delete_module(%s)", mod) == 0)
		say("# note: %s unloaded %s\n", w->tag, mod);
}

static void run_ops(struct worker *w, int n);
static void wait_child(struct worker *w, pid_t pid);
static void child_init(struct worker *w);

/*
 * fork() under SYS(): post_call() also runs in the child, where fi_fd is
 * still the parent thread's fail-nth, which it must not touch.
 */
static pid_t do_fork(struct worker *w)
{
	pid_t pid = fork();

	if (pid == 0)
		w->fi_n = 0;
	return pid;
}

/* A child does a few calls on the inherited sockets and exits. */
static void op_fork(struct worker *w)
{
	uint64_t seed = rnd(w);
	bool drop = pct(w, 20);
	pid_t pid;

	pid = SYS(w, do_fork(w), "fork()");
	if (pid < 0)
		return;
	if (pid) {
		wait_child(w, pid);
		return;
	}
	w->rng = mix(seed);
	child_init(w);
	if (drop) {
		/* No CAP_NET_ADMIN, no DAC override: the permission paths. */
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(0);
	}
	run_ops(w, 1 + rn(w, 8));
	_exit(0);
}

/*
 * A child in a new network namespace (sometimes a new user namespace too):
 * taps there, interfaces moved there, and all of it torn down when it exits.
 */
static void op_unshare(struct worker *w)
{
	uint64_t seed = rnd(w);
	bool userns = pct(w, 30);
	const char *name;
	struct ifreq ifr;
	struct nlreq r;
	int fd, flags = CLONE_NEWNET | (userns ? CLONE_NEWUSER : 0);
	pid_t pid;

	pid = SYS(w, do_fork(w), "fork() for unshare");
	if (pid < 0)
		return;
	if (pid) {
		wait_child(w, pid);
		return;
	}
	w->rng = mix(seed);
	child_init(w);
	if (SYS(w, unshare(flags), "unshare(%#x)", flags) < 0)
		_exit(0);
	if (pct(w, 50)) {
		/* w->nl_fd still talks to the old namespace. */
		name = PICK(w, fz_ifs);
		nl_init(&r, RTM_NEWLINK, 0, name);
		pid = getpid();
		nla_put(&r, IFLA_NET_NS_PID, &pid, sizeof(pid));
		nl_talk(w, w->nl_fd, &r, "RTM_NEWLINK netns");
	}
	close(w->inet_fd);
	close(w->nl_fd);
	close(w->pkt_fd);
	w->inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	w->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	w->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	link_flags(w, "lo", true);
	op_netup(w);
	fd = pool_get(w);
	memset(&ifr, 0, sizeof(ifr));
	fill_ifname(w, ifr.ifr_name);
	ifr.ifr_flags = pct(w, 70) ? IPN_NODEFLAG_TAP : IPN_NODEFLAG_GRAB;
	SYS(w, ioctl(fd, IPN_CONN_NETDEV, &ifr),
	    "ioctl(%d, IPN_CONN_NETDEV, {%s, %#x}) in netns", fd,
	    ifn(ifr.ifr_name), ifr.ifr_flags);
	if (pct(w, 50))
		SYS(w, ioctl(fd, IPN_SETPERSIST, 1L), "ioctl(%d, IPN_SETPERSIST, 1)",
		    fd);
	run_ops(w, 2 + rn(w, 8));
	_exit(0);
}

/*
 * Weights are relative; keep_pct thins out the expensive ops further
 * (a module unload, a network namespace, a process): on the emulated
 * debug kernel one namespace costs as much as a thousand socket calls.
 */
static const struct op {
	const char *name;
	unsigned int weight, keep_pct;
	void (*fn)(struct worker *w);
	bool no_child;		/* not in forked children */
} ops[] = {
	{ "socket", 5, 100, op_socket, false },
	{ "netup", 5, 100, op_netup, false },
	{ "bind", 5, 100, op_bind, false },
	{ "connect", 6, 100, op_connect, false },
	{ "setsockopt-ipn", 6, 100, op_setsockopt_ipn, false },
	{ "getsockopt-ipn", 4, 100, op_getsockopt_ipn, false },
	{ "sockopt-socket", 5, 100, op_sockopt_sol, false },
	{ "sockopt-switch", 5, 100, op_sockopt_switch, false },
	{ "send", 19, 100, op_send, false },
	{ "recv", 15, 100, op_recv, false },
	{ "ioctl", 7, 100, op_ioctl, false },
	{ "poll", 3, 100, op_poll, false },
	{ "shutdown", 2, 100, op_shutdown, false },
	{ "close", 4, 100, op_close, false },
	{ "dup", 2, 100, op_dup, false },
	{ "name", 2, 100, op_name, false },
	{ "misc", 3, 100, op_misc, false },
	{ "fsnode", 3, 100, op_fsnode, false },
	{ "link", 3, 100, op_link, false },
	{ "packet", 3, 100, op_packet, false },
	{ "rmmod", 1, 5, op_rmmod, false },
	{ "fork", 1, 10, op_fork, true },
	{ "unshare", 1, 3, op_unshare, true },
};

_Static_assert(ARRAY_SIZE(ops) <= MAX_OPS, "raise MAX_OPS");

static unsigned int ops_total;	/* sum of the weights */

/* The worker running on this thread, for the crash report. */
static __thread struct worker *cur_worker;

/*
 * A fault in the fuzzer is reported with the call it was making (or had
 * just made): the kernel may have written where it should not have.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct worker *w = cur_worker;
	char msg[DESC_LEN + 128];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "# FAIL %s: signal %d at %p (ip %#llx), in or after: %s\n",
		     w ? w->tag : "?", sig, si->si_addr,
		     (unsigned long long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP],
		     w ? w->desc : "?");
	if (n > 0)
		n = (int)write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg));
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run_ops(struct worker *w, int n)
{
	unsigned int r, i;

	cur_worker = w;
	while (n-- > 0) {
		r = rn(w, ops_total);
		for (i = 0; r >= ops[i].weight; i++)
			r -= ops[i].weight;
		if ((ops[i].no_child && w->child) ||
		    !pct(w, ops[i].keep_pct))
			continue;
		w->op = i;
		ops[i].fn(w);
	}
}

/* --- workers ------------------------------------------------------------ */

static void on_tick(int sig)
{
	(void)sig;
}

/* SIGALRM to this thread every 0.5 s: no interruptible wait outlives it. */
static timer_t start_ticker(void)
{
	struct itimerspec its = { { 0, 500000000 }, { 0, 500000000 } };
	struct sigevent sev;
	timer_t t = 0;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &t) == 0)
		timer_settime(t, 0, &its, NULL);
	else
		say("# timer_create: %s\n", strerror(errno));
	return t;
}

static void open_fi(struct worker *w)
{
	w->fi_fd = fi_ok ? open("/proc/thread-self/fail-nth",
				O_RDWR | O_CLOEXEC) : -1;
}

/* In a forked child: its own fail-nth (the fd refers to a task) and timer. */
static void child_init(struct worker *w)
{
	w->child = true;
	strcat(w->tag, "c");
	if (w->fi_fd >= 0)
		close(w->fi_fd);
	open_fi(w);
	start_ticker();
	__atomic_store_n(&w->slot->tid, getpid(), __ATOMIC_RELAXED);
}

static void wait_child(struct worker *w, pid_t pid)
{
	int st = 0;
	pid_t r;

	/* The watchdog reports a child that never ends, with its stack. */
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	__atomic_store_n(&w->slot->tid, gettid(), __ATOMIC_RELAXED);
	/* The child may have died armed. */
	__atomic_store_n(&w->slot->fi_state, FI_IDLE, __ATOMIC_SEQ_CST);
	if (r == pid && WIFSIGNALED(st))
		failure(w, "child %d killed by signal %d (%s)", pid,
			WTERMSIG(st), strsignal(WTERMSIG(st)));
}

static pthread_barrier_t barrier;

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	timer_t ticker;
	uint64_t quota = cfg.nops / (cfg.procs * cfg.threads) +
			 ((uint64_t)w->idx < cfg.nops % (cfg.procs * cfg.threads));

	w->slot = &sh->slot[w->idx];
	w->rng = mix(cfg.seed ^ mix(w->idx + 1));
	w->sbuf = malloc(BUF_LEN + CANARY_LEN);
	w->rbuf = malloc(BUF_LEN + CANARY_LEN);
	if (!w->sbuf || !w->rbuf)
		abort();
	memset(w->sbuf, 0x5a, BUF_LEN + CANARY_LEN);
	/* All helper fds exist before any op closes anything. */
	open_fi(w);
	w->inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	w->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	w->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	w->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	w->memfd = memfd_create("ipnfz", MFD_CLOEXEC);
	if (w->memfd >= 0 && write(w->memfd, w->sbuf, 8192) < 0)
		say("# memfd: %s\n", strerror(errno));
	if (pipe2(w->pipe_fd, O_NONBLOCK | O_CLOEXEC) < 0)
		w->pipe_fd[0] = w->pipe_fd[1] = -1;
	ticker = start_ticker();
	__atomic_store_n(&w->slot->tid, gettid(), __ATOMIC_RELAXED);
	pthread_barrier_wait(&barrier);
	while (__atomic_load_n(&w->slot->nops, __ATOMIC_RELAXED) < quota)
		run_ops(w, 1);
	timer_delete(ticker);
	__atomic_store_n(&w->slot->active, 0, __ATOMIC_RELAXED);
	return NULL;
}

static void worker_proc(int proc)
{
	struct worker *ws = calloc(cfg.threads, sizeof(*ws));
	pthread_t *th = calloc(cfg.threads, sizeof(*th));
	struct sigaction sa;
	int i;

	if (!ws || !th)
		_exit(1);
	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;	/* no SA_RESTART: waits end in EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* the watchdog's kick */
	sigemptyset(&tick_set);
	sigaddset(&tick_set, SIGALRM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < POOL_SIZE; i++)
		pool[i] = -1;
	pthread_barrier_init(&barrier, NULL, cfg.threads);
	for (i = 0; i < cfg.threads; i++) {
		ws[i].idx = proc * cfg.threads + i;
		snprintf(ws[i].tag, sizeof(ws[i].tag), "p%d.t%d", proc, i);
		if (i && pthread_create(&th[i], NULL, worker_thread, &ws[i])) {
			say("# pthread_create failed\n");
			_exit(1);
		}
	}
	worker_thread(&ws[0]);
	for (i = 1; i < cfg.threads; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/* --- the parent: setup, watchdog, cleanup, summary ---------------------- */

static bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

/*
 * fail-nth fails the Nth fault site of the task whatever the debugfs
 * attributes say (probability and task-filter only gate random faults),
 * but each capability still prints per its "verbose" (default 2: a stack
 * dump, which the console check would take for a bug) and skips sleeping
 * allocations unless told otherwise.  Without debugfs, no fail-nth.
 */
static void setup_fault_injection(void)
{
	static const char *const caps[] = { "failslab", "fail_page_alloc",
					    "fail_usercopy" };
	char path[PATH_MAX];
	struct dirent *de;
	bool quiet = true;
	DIR *d;
	size_t i;

	if (!cfg.fail_pct || access("/proc/thread-self/fail-nth", W_OK) ||
	    access("/sys/kernel/debug/failslab", F_OK)) {
		say("# fault injection unavailable%s\n",
		    cfg.fail_pct ? "" : " (-f 0)");
		return;
	}
	d = opendir("/sys/kernel/debug");
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "fail", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose",
			 de->d_name);
		if (access(path, F_OK) == 0 && !write_file(path, "0"))
			quiet = false;
	}
	if (d)
		closedir(d);
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/", caps[i]);
		if (access(path, F_OK))
			continue;
		strcat(path, "probability");
		write_file(path, "0");
		strcpy(strrchr(path, '/') + 1, "task-filter");
		write_file(path, "Y");
		strcpy(strrchr(path, '/') + 1, "ignore-gfp-wait");
		write_file(path, "N");
		strcpy(strrchr(path, '/') + 1, "ignore-gfp-highmem");
		write_file(path, "N");
		strcpy(strrchr(path, '/') + 1, "min-order");
		write_file(path, "0");
	}
	if (!quiet) {
		say("# fault injection unavailable (cannot set verbose=0)\n");
		return;
	}
	fi_ok = true;
	say("# fault injection: fail-nth 1..20 on %d%% of calls\n",
	    cfg.fail_pct);
}

static int rm_one(const char *p, const struct stat *st, int type,
		  struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(p);
	return 0;
}

static void cleanup_dir(void)
{
	char p[PATH_MAX];
	int i;

	for (i = 0; i < NPATHS; i++)
		if (i != 5)	/* the directory itself */
			nftw(paths[i], rm_one, 8, FTW_DEPTH | FTW_PHYS);
	snprintf(p, sizeof(p), "%s/nodir", cfg.dir);
	rmdir(p);
}

/*
 * Interfaces left over: persistent IPN ones (which pin the modules) are
 * released through IPN_CLRPERSIST_NETDEV, the fuzzer's veths and bridges
 * deleted.
 */
static void cleanup_ifaces(struct worker *w)
{
	char names[64][IFNAMSIZ];
	struct dirent *de;
	struct ifreq ifr;
	int n = 0, i, fd;
	DIR *d;

	d = opendir("/sys/class/net");
	while (d && (de = readdir(d)) && n < 64)
		if (de->d_name[0] != '.' && strlen(de->d_name) < IFNAMSIZ)
			strcpy(names[n++], de->d_name);
	if (d)
		closedir(d);
	fd = socket(ipn_family(), SOCK_RAW | SOCK_CLOEXEC, 0);
	for (i = 0; i < n && fd >= 0; i++) {
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, names[i]);
		ioctl(fd, IPN_CLRPERSIST_NETDEV, &ifr);
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < n; i++)
		if (!strncmp(names[i], "ipnfz", 5))
			nl_dellink(w, w->nl_fd, names[i]);
}

static void print_file(const char *path)
{
	char buf[4096], *line, *save;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		say("#   (%s: %s)\n", path, strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		say("#   %s\n", line);
}

/*
 * An armed call runs without the tick, so a blocking one (a recv on an
 * empty queue) would wait for ever.  Once it has blocked KICK_SECS, the
 * watchdog disarms its fail-nth and only then signals it (SIGUSR1, never
 * blocked): the frame of that signal cannot meet an injected fault.  The
 * worker does not arm again before FI_KICKED, when the signal is queued.
 */
static void kick_armed(int i)
{
	struct slot *s = &sh->slot[i];
	int st = FI_ARMED, tid = __atomic_load_n(&s->tid, __ATOMIC_RELAXED);
	char path[64];
	int fd;

	if (!__atomic_compare_exchange_n(&s->fi_state, &st, FI_KICKING, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/fail-nth", tid, tid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) == 1)
			syscall(SYS_tkill, tid, SIGUSR1);
		close(fd);
	}
	__atomic_add_fetch(&sh->fi_kicked, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->fi_state, FI_KICKED, __ATOMIC_SEQ_CST);
}

static void report_stuck(int i)
{
	struct slot *s = &sh->slot[i];
	char path[64];

	say("# FAIL worker p%d.t%d stuck for %d s (task %d) in: %.*s\n",
	    i / cfg.threads, i % cfg.threads, STUCK_SECS, s->tid, DESC_LEN,
	    s->last);
	snprintf(path, sizeof(path), "/proc/%d/stack", s->tid);
	say("# %s:\n", path);
	print_file(path);
	snprintf(path, sizeof(path), "/proc/%d/wchan", s->tid);
	print_file(path);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ipn_fuzz [-n OPS] [-s SEED] [-p PROCS] [-t THREADS]\n"
		"                [-f FAILNTH_PERCENT] [-d DIR] [-v]\n"
		"  -n OPS    system calls in all (default 20000)\n"
		"  -s SEED   RNG seed (default: from the clock)\n"
		"  -p PROCS  worker processes (default 2)\n"
		"  -t THREADS  threads per process (default 3)\n"
		"  -f PCT    calls run with fail-nth (default 20)\n"
		"  -d DIR    directory of the networks (default /tmp/ipnfuzz)\n"
		"  -v        log every call\n");
	exit(2);
}

static uint64_t num_arg(const char *s, uint64_t max)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || v > max || *s == '-')
		usage();
	return v;
}

static void print_summary(void)
{
	char line[4096];
	size_t n = 0;
	int e, i;

	for (e = 0; e < NERRNO; e++)
		if (sh->err[e] && n < sizeof(line) - 64)
			n += snprintf(line + n, sizeof(line) - n, " %s=%llu",
				      errname(e), (unsigned long long)sh->err[e]);
	say("# ops=%llu errors-by-errno:%s\n", (unsigned long long)sh->total,
	    line);
	n = 0;
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
		n += snprintf(line + n, sizeof(line) - n, " %s=%llu/%llu",
			      ops[i].name, (unsigned long long)sh->ok[i],
			      (unsigned long long)sh->calls[i]);
	say("# ok/calls by op:%s\n", line);
	if (fi_ok)
		say("# fail-nth: armed=%llu injected=%llu kicked=%llu\n",
		    (unsigned long long)sh->fi_armed,
		    (unsigned long long)sh->fi_hit,
		    (unsigned long long)sh->fi_kicked);
}

int main(int argc, char **argv)
{
	struct worker pw = { .tag = "main", .fi_fd = -1 };
	uint64_t last[MAX_WORKERS], since[MAX_WORKERS], killed[64] = { 0 }, now;
	pid_t pids[64], r;
	bool unkillable = false;
	int c, i, p, fd, st, left, nw;
	char *g;

	cfg.seed = mix(now_ms() ^ ((uint64_t)getpid() << 32));
	while ((c = getopt(argc, argv, "n:s:p:t:f:d:vh")) != -1) {
		switch (c) {
		case 'n':
			cfg.nops = num_arg(optarg, UINT64_MAX / 2);
			break;
		case 's':
			cfg.seed = num_arg(optarg, UINT64_MAX);
			break;
		case 'p':
			cfg.procs = num_arg(optarg, 64);
			break;
		case 't':
			cfg.threads = num_arg(optarg, 64);
			break;
		case 'f':
			cfg.fail_pct = num_arg(optarg, 100);
			break;
		case 'd':
			cfg.dir = optarg;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !cfg.procs || !cfg.threads ||
	    cfg.procs * cfg.threads > MAX_WORKERS || cfg.dir[0] != '/' ||
	    strlen(cfg.dir) > 90)
		usage();
	say("# ipn_fuzz seed=%llu ops=%llu procs=%d threads=%d fail-nth=%d%% dir=%s\n",
	    (unsigned long long)cfg.seed, (unsigned long long)cfg.nops,
	    cfg.procs, cfg.threads, cfg.fail_pct, cfg.dir);

	/* Nothing else may happen on a kernel without AF_IPN (a host). */
	for (i = 0; i < 5; i++) {
		fd = socket(ipn_family(), SOCK_RAW | SOCK_CLOEXEC, 0);
		/* The module may be loading for someone else: retry. */
		if (fd >= 0 || errno != EAFNOSUPPORT)
			break;
		usleep(200000);
	}
	if (fd < 0) {
		say("# SKIP: socket(AF_IPN=%d) failed: %s; is ipn.ko loaded?\n",
		    ipn_family(), strerror(errno));
		return 77;
	}
	if (ioctl(fd, IPN_CHECK, 0) != IPN_CHECK_MAGIC) {
		say("# SKIP: family %d is not IPN (IPN_CHECK: %s)\n", ipn_family(),
		    strerror(errno));
		return 77;
	}
	close(fd);

	/* Sends to shut sockets, FIOSETOWN, a console with tostop. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	g = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || g == MAP_FAILED ||
	    mprotect(g + 4096, 4096, PROT_NONE)) {
		say("# mmap: %s\n", strerror(errno));
		return 1;
	}
	g_edge = g + 4096;

	snprintf(paths[0], sizeof(paths[0]), "%s/n0", cfg.dir);
	snprintf(paths[1], sizeof(paths[1]), "%s/n1", cfg.dir);
	snprintf(paths[2], sizeof(paths[2]), "%s/n2", cfg.dir);
	snprintf(paths[3], sizeof(paths[3]), "%s/n3", cfg.dir);
	/* 108 bytes, all of sun_path: no room for a NUL. */
	i = snprintf(paths[4], sizeof(paths[4]), "%s/", cfg.dir);
	memset(paths[4] + i, 'L', sizeof(paths[4]) - 1 - i);
	snprintf(paths[5], sizeof(paths[5]), "%s", cfg.dir);
	snprintf(paths[6], sizeof(paths[6]), "%s/file", cfg.dir);
	snprintf(paths[7], sizeof(paths[7]), "%s/nodir/n", cfg.dir);
	mkdir(cfg.dir, 0777);
	pw.inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pw.nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	pw.slot = &sh->slot[0];
	cleanup_ifaces(&pw);
	cleanup_dir();
	fd = open(paths[6], O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	if (fd >= 0)
		close(fd);
	setup_fault_injection();
	memset(sh, 0, sizeof(*sh));	/* forget the cleanup's calls */

	for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
		ops_total += ops[i].weight;
	nw = cfg.procs * cfg.threads;
	for (i = 0; i < nw; i++) {
		sh->slot[i].active = 1;
		last[i] = 0;
		since[i] = now_ms();
	}
	for (i = 0; i < cfg.procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			say("# fork: %s\n", strerror(errno));
			return 1;
		}
		if (!pids[i])
			worker_proc(i);
		setpgid(pids[i], pids[i]);
	}

	/*
	 * Watchdog: every worker thread must keep making calls.  A worker it
	 * kills that is still there 10 s later is in an unkillable wait.
	 */
	for (left = cfg.procs; left > 0;) {
		usleep(200000);
		now = now_ms();
		for (i = 0; i < nw; i++) {
			uint64_t n = __atomic_load_n(&sh->slot[i].nops,
						     __ATOMIC_RELAXED);

			p = i / cfg.threads;
			if (n != last[i] || !sh->slot[i].active || !pids[p] ||
			    killed[p]) {
				last[i] = n;
				since[i] = now;
			} else if (now - since[i] > KICK_SECS * 1000 &&
				   now - since[i] < STUCK_SECS * 1000) {
				kick_armed(i);
			} else if (now - since[i] > STUCK_SECS * 1000) {
				report_stuck(i);
				__atomic_add_fetch(&sh->failures, 1,
						   __ATOMIC_RELAXED);
				killed[p] = now;
				kill(-pids[p], SIGKILL);
			}
		}
		for (p = 0; p < cfg.procs; p++) {
			if (!pids[p])
				continue;
			r = waitpid(pids[p], &st, WNOHANG);
			if (r == 0 && killed[p] && now - killed[p] > 10000) {
				say("# FAIL worker p%d does not die: unkillable task\n",
				    p);
				unkillable = true;
			} else if (r == 0) {
				continue;
			} else if (r > 0 && !killed[p] && WIFSIGNALED(st)) {
				/* SIGKILL too: only the watchdog may send it (or OOM). */
				say("# FAIL worker p%d killed by signal %d (%s)\n",
				    p, WTERMSIG(st), strsignal(WTERMSIG(st)));
				__atomic_add_fetch(&sh->failures, 1,
						   __ATOMIC_RELAXED);
			} else if (r > 0 && WIFEXITED(st) && WEXITSTATUS(st)) {
				say("# FAIL worker p%d exited with %d\n", p,
				    WEXITSTATUS(st));
				__atomic_add_fetch(&sh->failures, 1,
						   __ATOMIC_RELAXED);
			}
			kill(-pids[p], SIGKILL);	/* its leftover children */
			pids[p] = 0;
			left--;
		}
	}

	print_summary();
	if (!unkillable) {
		alarm(120);	/* a hung cleanup kills us: the harness sees it */
		cleanup_ifaces(&pw);
		cleanup_dir();
		rmdir(cfg.dir);
	}
	if (sh->failures)
		say("# %d failure(s); seed=%llu\n", sh->failures,
		    (unsigned long long)cfg.seed);
	return sh->failures ? 1 : 0;
}
