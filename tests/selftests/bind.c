// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses, bind() and connect() of AF_IPN sockets: what an address
 * may be, the socket node, attaching to a network, getsockname().
 */
#include "ipn_lib.h"

#include <dirent.h>

TEST(bind_bad_addrlen)
{
	union {
		struct sockaddr_un sa;
		char raw[256];
	} a;
	const char *p = tpath("net");
	struct stat st;
	int s;

	s = TRY(ipn_socket());
	memset(&a, 0, sizeof(a));
	ipn_addr(&a.sa, p);
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&a, 0),
		     "bind with addrlen 0");
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&a, 1),
		     "bind with addrlen 1");
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&a,
				  sizeof(struct sockaddr_un) + 1),
		     "bind with addrlen sizeof(sockaddr_un) + 1");
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&a, 200),
		     "bind with addrlen 200");
	ASSERT_ERRNO(ENOENT, stat(p, &st), "node after failed binds");
	/* The failures left the socket unbound. */
	TRY(bind(s, (struct sockaddr *)&a, sizeof(a.sa)));
	expect_node(_metadata, p, DEFAULT_MODE);
}

TEST(bind_bad_family)
{
	const char *p = tpath("net");
	struct sockaddr_un sa;
	socklen_t len;
	struct stat st;
	int s;

	s = TRY(ipn_socket());
	len = ipn_addr(&sa, p);
	sa.sun_family = AF_UNIX;
	ASSERT_ERRNO(EAFNOSUPPORT, bind(s, (struct sockaddr *)&sa, len),
		     "bind with sun_family AF_UNIX");
	ASSERT_ERRNO(ENOENT, stat(p, &st), "node after a failed bind");
}

TEST(bind_empty_path)
{
	struct sockaddr_un sa;
	int s;

	s = TRY(ipn_socket());
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = ipn_family();
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&sa, 2),
		     "bind of \"\" with addrlen 2");
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&sa, 3),
		     "bind of \"\" with addrlen 3");
}

TEST(bind_abstract)
{
	const socklen_t off = offsetof(struct sockaddr_un, sun_path);
	struct sockaddr_un sa;
	int s;

	s = TRY(ipn_socket());
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = ipn_family();
	sa.sun_path[1] = 'x';
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&sa, off + 2),
		     "bind of abstract name \"\\0x\"");
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&sa, off + 3),
		     "bind of abstract name \"\\0x\\0\"");
	ASSERT_ERRNO(EINVAL, bind(s, (struct sockaddr *)&sa, sizeof(sa)),
		     "bind of abstract name, full length");
}

TEST(connect_bad_address)
{
	union {
		struct sockaddr_un sa;
		char raw[256];
	} a;
	const socklen_t off = offsetof(struct sockaddr_un, sun_path);
	const char *p = tpath("net");
	socklen_t len;
	int keep, s;

	keep = TRY(net_create(p, NULL));
	s = TRY(ipn_socket());
	memset(&a, 0, sizeof(a));
	len = ipn_addr(&a.sa, p);
	ASSERT_ERRNO(EINVAL, connect(s, (struct sockaddr *)&a, 1),
		     "connect with addrlen 1");
	ASSERT_ERRNO(EINVAL, connect(s, (struct sockaddr *)&a, 200),
		     "connect with addrlen 200");
	a.sa.sun_family = AF_UNIX;
	ASSERT_ERRNO(EAFNOSUPPORT, connect(s, (struct sockaddr *)&a, len),
		     "connect with sun_family AF_UNIX");
	memset(&a, 0, sizeof(a));
	a.sa.sun_family = ipn_family();
	ASSERT_ERRNO(EINVAL, connect(s, (struct sockaddr *)&a, off + 1),
		     "connect to \"\"");
	a.sa.sun_path[1] = 'x';
	ASSERT_ERRNO(EINVAL, connect(s, (struct sockaddr *)&a, off + 3),
		     "connect to abstract name \"\\0x\"");
	/* Still unconnected: a good address works. */
	TRY(ipn_connect(s, p));
	send_str(_metadata, keep, "after bad connects");
	expect_str(_metadata, s, "after bad connects", "joiner");
}

TEST(bind_unterminated_path)
{
	const char *p = tpath("noterm");
	const char *px = tpath("notermXY");
	struct sockaddr_un sa;
	socklen_t len;
	struct stat st;
	int a, b;

	/* The path ends at addrlen: the "XY" after it is not part of it. */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = ipn_family();
	memcpy(sa.sun_path, px, strlen(px));
	len = offsetof(struct sockaddr_un, sun_path) + strlen(p);

	a = TRY(ipn_socket());
	TRY(bind(a, (struct sockaddr *)&sa, len));
	expect_node(_metadata, p, DEFAULT_MODE);
	ASSERT_ERRNO(ENOENT, stat(px, &st), "path with the bytes past addrlen");
	TRY(connect(a, NULL, 0));

	b = TRY(ipn_socket());
	TRY(connect(b, (struct sockaddr *)&sa, len));
	send_str(_metadata, a, "unterminated");
	expect_str(_metadata, b, "unterminated", "joiner");
}

TEST(bind_full_length_path)
{
	char full[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	struct sockaddr_un sa;
	size_t n;
	int a, b;

	/* A 108-byte path filling sun_path, with no NUL, addrlen 110. */
	n = snprintf(full, sizeof(full), "%s/", tdir());
	memset(full + n, 'n', sizeof(full) - 1 - n);
	full[sizeof(full) - 1] = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = ipn_family();
	memcpy(sa.sun_path, full, sizeof(sa.sun_path));
	a = TRY(ipn_socket());
	TRY(bind(a, (struct sockaddr *)&sa, sizeof(sa)));
	expect_node(_metadata, full, DEFAULT_MODE);
	TRY(connect(a, NULL, 0));
	b = TRY(ipn_socket());
	TRY(connect(b, (struct sockaddr *)&sa, sizeof(sa)));
	send_str(_metadata, b, "long path");
	expect_str(_metadata, a, "long path", "creator");
}

TEST(bind_node_mode)
{
	int s;

	umask(022);
	s = TRY(net_create(tpath("default"), NULL));
	expect_node(_metadata, tpath("default"), 0755);
	close(s);

	umask(027);
	s = TRY(net_create(tpath("m0666"),
			   &(struct netopts){ .set_mode = true, .mode = 0666 }));
	expect_node(_metadata, tpath("m0666"), 0640);
	close(s);

	umask(0);
	s = TRY(net_create(tpath("m0751"),
			   &(struct netopts){ .set_mode = true, .mode = 0751 }));
	expect_node(_metadata, tpath("m0751"), 0751);
	close(s);
	s = TRY(net_create(tpath("m0"),
			   &(struct netopts){ .set_mode = true, .mode = 0 }));
	expect_node(_metadata, tpath("m0"), 0);
	close(s);
}

TEST(bind_attach_existing)
{
	const char *p = tpath("net");
	int a, b;

	a = TRY(net_create(p, NULL));
	b = TRY(ipn_socket());
	TRY(ipn_bind(b, p));
	TRY(connect(b, NULL, 0));
	send_str(_metadata, a, "from creator");
	expect_str(_metadata, b, "from creator", "second binder");
	send_str(_metadata, b, "from second");
	expect_str(_metadata, a, "from second", "creator");
	expect_none(_metadata, a, "creator");
	expect_none(_metadata, b, "second binder");
}

TEST(bind_excl)
{
	const char *p = tpath("net");
	int a, b, c;

	a = TRY(net_create(p, &(struct netopts){ .flags = IPN_FLAG_EXCL }));
	b = TRY(ipn_socket());
	TRY(set_opt(b, IPN_SO_FLAGS, IPN_FLAG_EXCL));
	ASSERT_ERRNO(EEXIST, ipn_bind(b, p),
		     "bind with IPN_FLAG_EXCL to an existing network");
	c = TRY(ipn_socket());
	TRY(ipn_bind(c, p));
	TRY(connect(c, NULL, 0));
	send_str(_metadata, c, "attached");
	expect_str(_metadata, a, "attached", "creator");
}

TEST(bind_regular_file)
{
	const char *p = tpath("file");
	struct stat st;
	int fd, s;

	fd = TRY(open(p, O_CREAT | O_WRONLY, 0644));
	close(fd);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(EADDRINUSE, ipn_bind(s, p), "bind over a regular file");
	TRY(stat(p, &st));
	ASSERT_TRUE(S_ISREG(st.st_mode))
		TH_LOG("the file was replaced (mode %#o)",
		       (unsigned int)st.st_mode);
}

static int unix_bind(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = ipn_addr(&sa, path);
	int u;

	sa.sun_family = AF_UNIX;
	u = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (u < 0 || bind(u, (struct sockaddr *)&sa, len)) {
		diag("AF_UNIX bind of %s: %s", path, errstr(errno));
		return -1;
	}
	return u;
}

TEST(bind_stale_node)
{
	const char *live = tpath("unix-live");
	const char *stale = tpath("unix-stale");
	const char *dead = tpath("ipn-dead");
	int u, s, d;

	u = TRY(unix_bind(live));
	d = TRY(unix_bind(stale));
	close(d);
	d = TRY(net_create(dead, NULL));
	close(d);

	s = TRY(ipn_socket());
	ASSERT_ERRNO(EADDRINUSE, ipn_bind(s, live),
		     "bind to a live AF_UNIX socket's node");
	ASSERT_ERRNO(EADDRINUSE, ipn_bind(s, stale),
		     "bind to a stale AF_UNIX node");
	ASSERT_ERRNO(EADDRINUSE, ipn_bind(s, dead),
		     "bind to the node of a closed IPN network");
	expect_node(_metadata, dead, DEFAULT_MODE);
	TRY(ipn_bind(s, tpath("fresh")));
	close(u);
}

TEST(bind_twice)
{
	struct stat st;
	int s;

	s = TRY(ipn_socket());
	TRY(ipn_bind(s, tpath("one")));
	ASSERT_ERRNO(EINVAL, ipn_bind(s, tpath("one")),
		     "second bind to the same path");
	ASSERT_ERRNO(EINVAL, ipn_bind(s, tpath("two")),
		     "second bind to another path");
	ASSERT_ERRNO(ENOENT, stat(tpath("two"), &st),
		     "node of the refused second bind");
}

TEST(connect_refused)
{
	const char *file = tpath("file");
	const char *dir = tpath("dir");
	int fd, s, u, d, keep;

	fd = TRY(open(file, O_CREAT | O_WRONLY, 0644));
	close(fd);
	TRY(mkdir(dir, 0755));
	u = TRY(unix_bind(tpath("unix-live")));
	d = TRY(unix_bind(tpath("unix-stale")));
	close(d);
	d = TRY(net_create(tpath("ipn-dead"), NULL));
	close(d);

	s = TRY(ipn_socket());
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, tpath("nothing")),
		     "connect to a nonexistent path");
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, tpath("nodir/net")),
		     "connect under a nonexistent directory");
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, file),
		     "connect to a regular file");
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, dir),
		     "connect to a directory");
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, tpath("unix-live")),
		     "connect to a live AF_UNIX socket's node");
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, tpath("unix-stale")),
		     "connect to a stale AF_UNIX node");
	ASSERT_ERRNO(ECONNREFUSED, ipn_connect(s, tpath("ipn-dead")),
		     "connect to the node of a closed IPN network");
	/* The socket is still usable. */
	keep = TRY(net_create(tpath("live"), NULL));
	TRY(ipn_connect(s, tpath("live")));
	send_str(_metadata, keep, "finally");
	expect_str(_metadata, s, "finally", "joiner");
	close(u);
}

TEST(connect_after_bind)
{
	const char *p = tpath("net");
	const char *q = tpath("other");
	int a, b, c, other;

	other = TRY(net_create(q, NULL));
	a = TRY(ipn_socket());
	TRY(ipn_bind(a, p));
	TRY(connect(a, NULL, 0));
	b = TRY(ipn_socket());
	TRY(ipn_bind(b, p));
	TRY(ipn_connect(b, p));
	c = TRY(ipn_socket());
	TRY(ipn_bind(c, p));
	ASSERT_ERRNO(EISCONN, ipn_connect(c, q),
		     "connect to another network after bind");
	ASSERT_ERRNO(EISCONN, ipn_connect(c, tpath("nowhere")),
		     "connect to another path after bind");
	TRY(connect(c, NULL, 0));
	send_str(_metadata, a, "to b and c");
	expect_str(_metadata, b, "to b and c", "b");
	expect_str(_metadata, c, "to b and c", "c");
	expect_none(_metadata, other, "other network");
}

TEST(connect_twice)
{
	const char *p = tpath("net");
	const char *q = tpath("other");
	int a, b;

	TRY(net_create(q, NULL));
	a = TRY(net_create(p, NULL));
	ASSERT_ERRNO(EISCONN, connect(a, NULL, 0),
		     "connect(NULL) of a bound and connected socket");
	ASSERT_ERRNO(EISCONN, ipn_connect(a, p),
		     "connect of a bound and connected socket");
	b = TRY(net_join(p));
	ASSERT_ERRNO(EISCONN, ipn_connect(b, p), "second connect");
	ASSERT_ERRNO(EISCONN, ipn_connect(b, q),
		     "second connect to another network");
	send_str(_metadata, a, "still one");
	expect_str(_metadata, b, "still one", "b");
}

/* getsockname() of @s must give @path. */
static void expect_sockname(struct __test_metadata *_metadata, int s,
			    const char *path, const char *who)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	socklen_t min = offsetof(struct sockaddr_un, sun_path) + strlen(path);

	memset(&sa, 0, sizeof(sa));
	TRY(getsockname(s, (struct sockaddr *)&sa, &len));
	ASSERT_VAL(ipn_family(), sa.sun_family, who);
	ASSERT_TRUE(len >= min && len <= sizeof(sa))
		TH_LOG("%s: length %u", who, (unsigned int)len);
	ASSERT_TRUE(!strncmp(sa.sun_path, path, sizeof(sa.sun_path)))
		TH_LOG("%s: path \"%.108s\", expected \"%s\"", who, sa.sun_path,
		       path);
}

TEST_NAMED(test_getsockname, "getsockname")
{
	const char *p = tpath("net");
	int a, b, c;

	a = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	expect_sockname(_metadata, a, p, "bound socket");
	b = TRY(net_create(p, NULL));
	expect_sockname(_metadata, b, p, "bound and connected socket");
	c = TRY(net_join(p));
	expect_sockname(_metadata, c, p, "connected socket");
}

/* A path that fills all 108 bytes of sun_path comes back whole. */
TEST(getsockname_full_path)
{
	struct sockaddr_un sun = { .sun_family = ipn_family() }, got;
	socklen_t len = sizeof(got);
	size_t n = strlen(tdir()) + 1;
	int s;

	ASSERT_LT(n + 1, sizeof(sun.sun_path))
		TH_LOG("the test's directory %s is too long", tdir());
	memcpy(sun.sun_path, tdir(), n - 1);
	sun.sun_path[n - 1] = '/';
	memset(sun.sun_path + n, 'x', sizeof(sun.sun_path) - n);
	s = TRY(socket(ipn_family(), SOCK_RAW, IPN_BROADCAST));
	TRY(bind(s, (struct sockaddr *)&sun, sizeof(sun)));
	memset(&got, 0, sizeof(got));
	TRY(getsockname(s, (struct sockaddr *)&got, &len));
	ASSERT_VAL(sizeof(struct sockaddr_un), len, "length of a full path");
	ASSERT_TRUE(!memcmp(got.sun_path, sun.sun_path, sizeof(sun.sun_path)))
		TH_LOG("the path came back as \"%.108s\"", got.sun_path);
}

/* Whether a process runs with @needle in its command line. */
static bool process_running(const char *needle)
{
	char path[300], buf[512];
	bool found = false;
	struct dirent *d;
	ssize_t n, i;
	DIR *dir;
	int fd;

	dir = opendir("/proc");
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", d->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		for (i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[n > 0 ? n : 0] = 0;
		found = strstr(buf, needle) != NULL;
	}
	closedir(dir);
	return found;
}

static int slow_bind_child(struct __test_metadata *_metadata, void *arg)
{
	int s = *(int *)arg;

	TRY(ipn_bind(s, tpath("slow")));
	return 0;
}

/*
 * No lock is held across a bind's module loading and filesystem calls:
 * while one bind waits for a slow modprobe (or a filesystem that does not
 * answer), binds elsewhere go on.
 */
TEST(bind_not_serialised)
{
	static const char script[] = "/tmp/ipn-slow-modprobe";
	char old[PATH_MAX] = "/sbin/modprobe";
	long long t0, el;
	bool waiting;
	int s, fd, rc;
	pid_t pid;
	ssize_t n;

	fd = TRY(open("/proc/sys/kernel/modprobe", O_RDONLY));
	n = read(fd, old, sizeof(old) - 1);
	close(fd);
	if (n > 0)
		old[n - (old[n - 1] == '\n')] = 0;
	fd = TRY(open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755));
	dprintf(fd, "#!/bin/sh\ncase \"$*\" in *net-pf-%d-proto-%d*) sleep 3 ;; esac\nexec %s \"$@\"\n",
		AF_IPN, IPN_VDESWITCH, old);
	close(fd);
	/* A switch socket whose bind must load kvde_switch again. */
	s = TRY(sw_socket());
	unload_module_wait(_metadata, "kvde_switch");
	TRY(write_file("/proc/sys/kernel/modprobe", script));
	pid = spawn(_metadata, slow_bind_child, &s);
	/* Until the bind waits: the kernel runs the script. */
	waiting = pid > 0 && wait_until(process_running(script), 2000);
	t0 = now_ms();
	fd = net_create(tpath("fast"), &(struct netopts){ .bind_only = true });
	el = now_ms() - t0;
	write_file("/proc/sys/kernel/modprobe", old);
	rc = pid > 0 ? reap(pid, "bind that loads kvde_switch") : -1;
	ASSERT_TRUE(waiting)
		TH_LOG("the bind of a switch socket did not run %s", script);
	TRY(fd);
	ASSERT_TRUE(el < 1500)
		TH_LOG("a bind took %lld ms while another waited for modprobe",
		       el);
	ASSERT_TRUE(module_loaded("kvde_switch"))
		TH_LOG("the slow bind did not load kvde_switch");
	ASSERT_EQ(0, rc);
}

IPN_HARNESS_MAIN
