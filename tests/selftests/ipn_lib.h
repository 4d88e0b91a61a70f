/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the AF_IPN selftests share: the programs (one per area, abi.c,
 * bind.c, ...) run as root in the test guest with ipn.ko loaded, on the
 * kernel's own tools/testing/selftests/kselftest_harness.h.
 *
 * Two kinds of helpers, by one rule:
 *
 *  - Helpers whose failure some test expects, or that return a value, do
 *    not take the test's metadata.  They return what a system call would
 *    (the result, or -1 with errno), or a value no valid answer has (-1,
 *    -2), after a "# " diagnostic line (diag()).  They live in ipn_lib.c.
 *    The test asserts on what they return, with TRY(), ASSERT_ERRNO() or
 *    ASSERT_VAL() (below) or the harness's own ASSERT_*().
 *
 *  - Helpers that check what a test expects (expect_msg(), expect_none(),
 *    ...), or do a step that must succeed wherever it is used
 *    (send_str(), become_nobody()), take struct __test_metadata *_metadata
 *    and ASSERT_*() themselves: they fail the test and stop it.  They are
 *    in this header, after the harness.
 *
 * ASSERT_*() stops the test (the harness's abort()); EXPECT_*() records a
 * failure and goes on, where the checks are independent of each other
 * (a table of constants, the rows of the errno table).
 *
 * Each test runs in a process of its own (the harness's fork), in a
 * process group of its own, with a directory of its own: tdir(), tpath().
 * Helper processes (spawn(), fork_helper()) die with the test.
 *
 * ipn_lib.c, which defines the plain helpers, includes this file with
 * IPN_LIB_NO_HARNESS: kselftest_harness.h defines its data and functions
 * in whichever file includes it, so one file per program may.
 */
#ifndef IPN_LIB_H
#define IPN_LIB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/ipn.h>
#include <ipn_family.h>
#include <linux/sock_diag.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO		55
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#define DEFAULT_MTU		1514
#define DEFAULT_NUMNODES	32
#define DEFAULT_MSGPOOLSIZE	8
#define DEFAULT_MODE		0777

/* uid and gid of the unprivileged tests */
#define NOBODY			65534

/* Seconds: per test unless IPN_TIMEOUT(), per helper process. */
#define IPN_TEST_TIMEOUT	20
#define CHILD_TIMEOUT		15
/*
 * Milliseconds: to wait for an expected message; between two looks of
 * wait_until(); for an interface to go; to retry delete_module() of a
 * module no network uses.
 */
#define RECV_TIMEOUT		3000
#define WAIT_STEP		10
#define IFACE_WAIT		3000
#define UNLOAD_WAIT		1500

/* IPN_SO_MSGPOOLSIZE of the switch networks of sw_create() */
#define SW_POOL			64

/* ------------------------------------------------------------------ */
/* Diagnostics and time (ipn_lib.c)                                     */
/* ------------------------------------------------------------------ */

/* A "# " line on stderr, where TH_LOG() writes, in one write(). */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "EINVAL", or "no error" for 0. */
const char *errname(int e);
/* "EINVAL (Invalid argument)", in one of a few rotating buffers. */
const char *errstr(int e);

long long now_ms(void);
void msleep(int ms);

/*
 * Evaluate @cond until it holds or @ms milliseconds have passed, looking
 * every WAIT_STEP ms; the value of its last evaluation.  For what a test
 * must see happen: an interface going, a counter moving.
 */
#define wait_until(cond, ms) ({						\
	long long __end = now_ms() + (ms);				\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && now_ms() < __end)			\
		msleep(WAIT_STEP);					\
	__ok;								\
})

/* ------------------------------------------------------------------ */
/* The test's directory and processes (ipn_lib.c)                       */
/* ------------------------------------------------------------------ */

/*
 * The directory of the running test (0777, on tmpfs): one per process
 * group, that is per test, under the directory of the program's run,
 * which ipn_harness_main() makes and removes.  Made on first use by any
 * process of the test.
 */
const char *tdir(void);
/* @name inside the test's directory, in one of a few rotating buffers. */
const char *tpath(const char *name);
/* Make (@path a directory of mode 0777) or remove (NULL) the run's. */
int ipn_run_dir(const char *path);

/*
 * fork() for a helper process of a test: in the child, it dies with the
 * test's process (PR_SET_PDEATHSIG) and, when @timed, by SIGALRM after
 * CHILD_TIMEOUT s.  Returns what fork() does.
 */
pid_t fork_helper(bool timed);
/* Make a fork_helper() child die with its parent again (after setuid()). */
void die_with_parent(void);
/*
 * Wait for the helper @pid: 0 if it exited 0, -1 (with a diagnostic
 * naming @what and how it ended) otherwise.
 */
int reap(pid_t pid, const char *what);

/* The state of process @pid (R, S, D, ...: /proc/@pid/stat), or 0. */
char proc_state(pid_t pid);
/* Read one byte from @fd within @ms: 1, 0 at end of file, -1 otherwise. */
int read_byte_timeout(int fd, int ms);
/* Write @text to the file @path: 0, or -1 with errno. */
int write_file(const char *path, const char *text);
/* Run a shell command with its output discarded: its exit status. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether the kernel log holds @needle (klogctl: root only). */
bool kernel_log_has(const char *needle);
bool module_loaded(const char *name);
/* delete_module(@name, O_NONBLOCK): 0, or -1 with errno. */
long unload_module(const char *name);

/* ------------------------------------------------------------------ */
/* Interfaces (ipn_lib.c)                                               */
/* ------------------------------------------------------------------ */

bool iface_exists(const char *name);
/* Whether the interface @name is gone within IFACE_WAIT ms. */
bool iface_gone(const char *name);
/* The number in /sys/class/net/@name/@attr (decimal or 0x hex), or -1. */
long iface_attr(const char *name, const char *attr);
/* /sys/class/net/@name/statistics/@stat, or -1. */
long iface_stat(const char *name, const char *stat);
/* Set @name up: 0, or -1 with errno. */
int iface_up(const char *name);
/* An interface ioctl naming @name, or @ifindex when @name is NULL. */
int netdev_ioctl(int s, unsigned long cmd, const char *name, int ifindex);
/* IPN_CONN_NETDEV: an interface on the network of @s; fills @name. */
int conn_tap(int s, const char *want, short flags, char *name);

/* ------------------------------------------------------------------ */
/* AF_IPN (ipn_lib.c)                                                   */
/* ------------------------------------------------------------------ */

int ipn_socket(void);
/* Fill @sa with @path; returns the address length, NUL included. */
socklen_t ipn_addr(struct sockaddr_un *sa, const char *path);
int ipn_bind(int s, const char *path);
int ipn_connect(int s, const char *path);
int set_opt(int s, int name, int val);
int get_opt(int s, int name, int *val);
/* getsockopt of an int option, as a value; -2 (never valid) on error. */
long long opt_value(int s, int name);
int set_descr(int s, const char *str);

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
int net_create_proto(const char *path, int proto, const struct netopts *o);
int net_create(const char *path, const struct netopts *o);
/*
 * Join the network at @path without bind, with a socket of protocol
 * @proto.  Returns the socket or -1.
 */
int net_join_proto(const char *path, int proto);
int net_join(const char *path);

/* recv() of one message, waiting at most @ms for it (ETIMEDOUT). */
ssize_t recv_timeout(int s, void *buf, size_t len, int flags, int ms);
/* What expect_msg() and friends received last. */
extern unsigned char rxbuf[IPN_MTU_MAX + 64];
/* SO_MEMINFO's SK_MEMINFO_DROPS of @s, or -1. */
long sock_drops(int s);
void fill_pattern(void *buf, size_t len, unsigned int seed);

/* A socket of the switch policy; it loads kvde_switch.ko if need be. */
int sw_socket(void);
/*
 * Create the switch network at @path with @numnodes ports (0: the
 * default) and a pool of SW_POOL messages.  Returns the bound socket, the
 * manager, which is not connected, or -1.
 */
int sw_create(const char *path, int numnodes);
/* Connect a switch socket to @path on @port (IPN_PORTNO_ANY: any one). */
int sw_join(const char *path, int port);
/* The port a connected socket holds; -1 (with a diagnostic) on error. */
int sw_port(int s);
int sw_set(int s, int name, int val);
/* An int option at level IPN_VDESWITCH, as a value; -2 on error. */
long long sw_get(int s, int name);

#ifndef IPN_LIB_NO_HARNESS

/* ------------------------------------------------------------------ */
/* The harness                                                          */
/* ------------------------------------------------------------------ */

#include <grp.h>

#include "kselftest_harness.h"

/*
 * The time limit of every test is IPN_TEST_TIMEOUT s, not the harness's
 * 30: TEST() and TEST_F() read TEST_TIMEOUT_DEFAULT where they are used,
 * in the programs, after this.  IPN_TIMEOUT() sets another.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	IPN_TEST_TIMEOUT

/*
 * The time limit of TEST(@test_name), in seconds, when it is not
 * IPN_TEST_TIMEOUT; after the TEST().  @seconds is evaluated once, at
 * start-up (so it may depend on the environment), before the harness
 * reads it: it does when it starts the test, and a test cannot change
 * its own (the harness's process waits with the limit it read).
 */
#define IPN_TIMEOUT(test_name, seconds)					\
	static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 1))) \
	_ipn_timeout_##test_name(void)					\
	{								\
		_##test_name##_object.timeout = (seconds);		\
	}

/*
 * TEST() for a test whose name the program cannot take for a function
 * (getsockname is libc's): the harness's __TEST_IMPL() with the
 * functions named after @id and the test @test_name.
 */
#define TEST_NAMED(id, test_name)					\
	static void id(struct __test_metadata *_metadata);		\
	static void wrapper_##id(struct __test_metadata *_metadata,	\
		struct __fixture_variant_metadata *variant __maybe_unused) \
	{								\
		id(_metadata);						\
	}								\
	static struct __test_metadata _##id##_object =			\
		{ .name = test_name,					\
		  .fn = &wrapper_##id,					\
		  .fixture = &_fixture_global,				\
		  .termsig = -1,					\
		  .timeout = TEST_TIMEOUT_DEFAULT, };			\
	static void __attribute__((constructor(KSELFTEST_PRIO_TEST)))	\
	_register_##id(void)						\
	{								\
		__register_test(&_##id##_object);			\
	}								\
	static void id(struct __test_metadata *_metadata __maybe_unused)

/* ------------------------------------------------------------------ */
/* Assertions                                                           */
/* ------------------------------------------------------------------ */

/*
 * @call must succeed, as a system call does (a result >= 0); evaluates
 * to its result.  Stops the test otherwise, with errno.
 */
#define TRY(call) ({							\
	long __ret = (long)(call);					\
	int __err = errno;						\
									\
	__EXPECT(0L, "0", __ret, #call, <=, 1)				\
		TH_LOG("errno %s", errstr(__err));			\
	__ret;								\
})

#define __IPN_ERRNO(err, err_str, call, call_str, what, is_assert) do {	\
	long __ret;							\
	int __err;							\
									\
	errno = 0;							\
	__ret = (long)(call);						\
	__err = errno;							\
	__EXPECT(-1L, "-1", __ret, call_str, ==, is_assert)		\
		TH_LOG("%s: expected %s, but it succeeded", (what),	\
		       errname(err));					\
	if (__ret == -1) {						\
		__EXPECT(err, err_str, __err, "errno", ==, is_assert)	\
			TH_LOG("%s: expected %s, got %s", (what),	\
			       errname(err), errstr(__err));		\
	}								\
} while (0)

/* @call must fail: return -1 with errno @err.  @what says what it is. */
#define ASSERT_ERRNO(err, call, what)					\
	__IPN_ERRNO(err, #err, call, #call, what, 1)
#define EXPECT_ERRNO(err, call, what)					\
	__IPN_ERRNO(err, #err, call, #call, what, 0)

#define __IPN_VAL(want, want_str, got, got_str, what, is_assert) do {	\
	long long __got, __want;					\
	int __err;							\
									\
	errno = 0;							\
	__got = (long long)(got);					\
	__err = errno;							\
	__want = (long long)(want);					\
	__EXPECT(__want, want_str, __got, got_str, ==, is_assert)	\
		TH_LOG("%s%s%s", (what),				\
		       __got == -1 && __err ? ": " : "",		\
		       __got == -1 && __err ? errstr(__err) : "");	\
} while (0)

/*
 * @got must be @want, compared as long long (so that a size_t and an
 * ssize_t compare as numbers); a -1 is shown with errno.  @what says what
 * the value is.
 */
#define ASSERT_VAL(want, got, what)					\
	__IPN_VAL(want, #want, got, #got, what, 1)
#define EXPECT_VAL(want, got, what)					\
	__IPN_VAL(want, #want, got, #got, what, 0)

/* ------------------------------------------------------------------ */
/* Checks                                                               */
/* ------------------------------------------------------------------ */

/* A value of the ABI: the header's, and what the ABI says it is. */
struct constant {
	const char *name;
	long long got, want;
};

/*
 * Every constant of @c must be what the ABI says: all are checked.  Kept
 * apart from its callers (noipa): with a table whose values all match
 * known to it, GCC's -Wformat-overflow sees a NULL name past its end.
 */
static void __maybe_unused __attribute__((noipa))
check_constants(struct __test_metadata *_metadata, const struct constant *c,
		size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		EXPECT_EQ(c[i].want, c[i].got)
			TH_LOG("%s is %#llx, the ABI says %#llx", c[i].name,
			       c[i].got, c[i].want);
}

typedef int (*child_fn)(struct __test_metadata *_metadata, void *arg);

/*
 * Run @fn(@arg) in a helper process (fork_helper(true)); it exits 0 iff
 * @fn returned 0 and none of its EXPECT_*() failed (an ASSERT_*() kills
 * it with SIGABRT).  Returns its pid, or -1.
 */
static pid_t __maybe_unused spawn(struct __test_metadata *_metadata,
				  child_fn fn, void *arg)
{
	pid_t pid = fork_helper(true);

	if (pid == 0)
		_exit(fn(_metadata, arg) || _metadata->exit_code == KSFT_FAIL);
	return pid;
}

/*
 * Become uid/gid 65534, without supplementary groups, still dying with
 * the parent.
 */
static void __maybe_unused become_nobody(struct __test_metadata *_metadata)
{
	int e;

	errno = 0;
	e = setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? errno : 0;
	ASSERT_EQ(0, e)
		TH_LOG("dropping privileges to %d: %s", NOBODY, errstr(e));
	ASSERT_TRUE(geteuid() == NOBODY && getegid() == NOBODY)
		TH_LOG("still euid %d egid %d", (int)geteuid(),
		       (int)getegid());
	die_with_parent();
}

/* @path must be a socket node, with permission bits @mode. */
static void __maybe_unused expect_node(struct __test_metadata *_metadata,
				       const char *path, mode_t mode)
{
	struct stat st;

	ASSERT_EQ(0, stat(path, &st))
		TH_LOG("stat %s: %s", path, errstr(errno));
	ASSERT_TRUE(S_ISSOCK(st.st_mode))
		TH_LOG("%s is not a socket node (st_mode %#o)", path,
		       (unsigned int)st.st_mode);
	ASSERT_EQ(mode, st.st_mode & 07777)
		TH_LOG("%s has mode %04o, expected %04o", path,
		       (unsigned int)(st.st_mode & 07777), (unsigned int)mode);
}

/* Send @str (without its NUL) on @s, whole. */
static void __maybe_unused send_str(struct __test_metadata *_metadata, int s,
				    const char *str)
{
	ssize_t n = send(s, str, strlen(str), 0);
	int e = errno;

	ASSERT_EQ((ssize_t)strlen(str), n)
		TH_LOG("send \"%s\": %s", str, n < 0 ? errstr(e) : "short");
}

/* Receive one message within RECV_TIMEOUT into rxbuf; it must be @want. */
static void __maybe_unused expect_msg(struct __test_metadata *_metadata,
				      int s, const void *want, size_t len,
				      const char *who)
{
	ssize_t n;
	size_t i;
	int e;

	n = recv_timeout(s, rxbuf, sizeof(rxbuf), 0, RECV_TIMEOUT);
	e = errno;
	ASSERT_LE(0, n)
		TH_LOG("%s: expected a %zu-byte message: %s", who, len,
		       errstr(e));
	ASSERT_EQ(len, (size_t)n)
		TH_LOG("%s: got a %zd-byte message, expected %zu bytes", who,
		       n, len);
	for (i = 0; i < len; i++)
		ASSERT_EQ(((const unsigned char *)want)[i], rxbuf[i])
			TH_LOG("%s: message differs at byte %zu: %#x, expected %#x",
			       who, i, rxbuf[i],
			       ((const unsigned char *)want)[i]);
}

static void __maybe_unused expect_str(struct __test_metadata *_metadata,
				      int s, const char *str, const char *who)
{
	expect_msg(_metadata, s, str, strlen(str), who);
}

/* Nothing may be queued on @s. */
static void __maybe_unused expect_none(struct __test_metadata *_metadata,
				       int s, const char *who)
{
	ssize_t n = recv(s, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
	int e = errno;

	ASSERT_GT(0, n)
		TH_LOG("%s: unexpected %zd-byte message", who, n);
	ASSERT_EQ(EAGAIN, e)
		TH_LOG("%s: recv(MSG_DONTWAIT) of an empty queue: expected EAGAIN, got %s",
		       who, errstr(e));
}

/*
 * Unload @name, which no network uses any more: retry for UNLOAD_WAIT ms
 * while it is still busy, in case the last reference goes a moment after
 * the last close.
 */
static void __maybe_unused unload_module_wait(struct __test_metadata *_metadata,
					      const char *name)
{
	long r = -1;
	int e = 0;

	(void)wait_until(!(r = unload_module(name)) ||
			 ((e = errno) != EAGAIN && e != EBUSY), UNLOAD_WAIT);
	ASSERT_EQ(0, r)
		TH_LOG("delete_module(%s): %s", name, errstr(e));
	ASSERT_FALSE(module_loaded(name))
		TH_LOG("%s is still in /proc/modules after delete_module",
		       name);
}

/* delete_module(@name) must be refused: the module is in use. */
static void __maybe_unused
expect_unload_refused(struct __test_metadata *_metadata, const char *name,
		      const char *what)
{
	long r;
	int e;

	errno = 0;
	r = unload_module(name);
	e = errno;
	ASSERT_NE(0, r)
		TH_LOG("%s: delete_module(%s) succeeded", what, name);
	ASSERT_TRUE(e == EAGAIN || e == EBUSY)
		TH_LOG("%s: delete_module(%s): expected EWOULDBLOCK or EBUSY, got %s",
		       what, name, errstr(e));
	ASSERT_TRUE(module_loaded(name))
		TH_LOG("%s: %s left /proc/modules", what, name);
}

/* ------------------------------------------------------------------ */
/* main()                                                               */
/* ------------------------------------------------------------------ */

/* A test's name in TAP: the harness's, without "global." for TEST()s. */
static void __maybe_unused
ipn_test_name(char *buf, size_t size, const struct __fixture_metadata *f,
	      const struct __fixture_variant_metadata *v,
	      const struct __test_metadata *t)
{
	if (f == &_fixture_global)
		snprintf(buf, size, "%s", t->name);
	else
		snprintf(buf, size, "%s.%s%s%s", f->name, v->name,
			 v->name[0] ? "." : "", t->name);
}

/* Whether @name contains one of the comma-separated words of @filter. */
static bool __maybe_unused ipn_selected(const char *name, const char *filter)
{
	char *words = strdup(filter), *w, *save;
	bool found = false;

	for (w = words ? strtok_r(words, ",", &save) : NULL; w && !found;
	     w = strtok_r(NULL, ",", &save))
		found = strstr(name, w) != NULL;
	free(words);
	return found;
}

static pid_t ipn_main_pid __maybe_unused;
static char ipn_run_path[64] __maybe_unused;

static void __maybe_unused ipn_run_dir_remove(void)
{
	if (getpid() == ipn_main_pid)
		ipn_run_dir(NULL);
}

/*
 * main() of a program: the harness's, with a directory for the run (in
 * which each test makes its own) and one more way to choose tests: with
 * a single argument that is not an option, FILTER, the program runs the
 * tests whose name contains one of FILTER's comma-separated words, as
 * "-r" options to the harness; none: "1..0 # SKIP" and exit status 4.
 * Other arguments go to the harness as they are (-l, -t, -r, ...).
 */
static int __maybe_unused ipn_harness_main(int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant = { .name = "" };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	char **args, name[256];
	int n = 1, i;

	signal(SIGPIPE, SIG_IGN);
	umask(0);
	ipn_main_pid = getpid();
	snprintf(ipn_run_path, sizeof(ipn_run_path), "/tmp/%s.XXXXXX",
		 basename(argv[0]));
	if (!mkdtemp(ipn_run_path) || ipn_run_dir(ipn_run_path)) {
		printf("Bail out! the run's directory: %s\n", errstr(errno));
		return KSFT_FAIL;
	}
	atexit(ipn_run_dir_remove);

	if (argc != 2 || argv[1][0] == '-')
		return test_harness_run(argc, argv);

	for (f = __fixture_list, i = 0; f; f = f->next)
		for (v = f->variant ?: &no_variant; v; v = v->next)
			for (t = f->tests; t; t = t->next)
				i++;
	args = calloc(2 * i + 2, sizeof(*args));
	if (!args)
		return KSFT_FAIL;
	args[0] = argv[0];
	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ?: &no_variant; v; v = v->next) {
			for (t = f->tests; t; t = t->next) {
				ipn_test_name(name, sizeof(name), f, v, t);
				if (!ipn_selected(name, argv[1]))
					continue;
				args[n++] = (char *)"-r";
				if (asprintf(&args[n++], "%s.%s%s%s", f->name,
					     v->name, v->name[0] ? "." : "",
					     t->name) < 0)
					return KSFT_FAIL;
			}
		}
	}
	if (n == 1) {
		printf("TAP version 13\n1..0 # SKIP no test matches %s\n",
		       argv[1]);
		return KSFT_SKIP;
	}
	return test_harness_run(n, args);
}

#define IPN_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		return ipn_harness_main(argc, argv);			\
	}

#endif /* IPN_LIB_NO_HARNESS */
#endif /* IPN_LIB_H */
