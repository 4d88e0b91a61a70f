// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_IPN selftests' plain helpers: those that do not take the test's
 * metadata (see ipn_lib.h).  Linked into every program.
 */
#define IPN_LIB_NO_HARNESS
#include "ipn_lib.h"

#include <ftw.h>
#include <stdarg.h>
#include <time.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* ------------------------------------------------------------------ */
/* Diagnostics and time                                                 */
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
 * One write() per line, so that the lines of concurrent processes do not
 * mix and nothing sits in a stdio buffer that fork() would duplicate.
 */
void diag(const char *fmt, ...)
{
	int e = errno;
	char buf[1024];
	va_list ap;
	int n;

	buf[0] = '#';
	buf[1] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 3, fmt, ap);
	va_end(ap);
	if (n >= 0) {
		n += 2;
		if (n > (int)sizeof(buf) - 2)
			n = sizeof(buf) - 2;
		buf[n++] = '\n';
		write_all(STDERR_FILENO, buf, n);
	}
	errno = e;
}

const char *errname(int e)
{
	const char *name;

	if (!e)
		return "no error";
	name = strerrorname_np(e);
	return name ? name : "E?";
}

const char *errstr(int e)
{
	static char bufs[4][96];
	static unsigned int next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];

	snprintf(b, sizeof(bufs[0]), "%s (%s)", errname(e), strerror(e));
	return b;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* The test's directory and processes                                   */
/* ------------------------------------------------------------------ */

static char run_dir[64];

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int ipn_run_dir(const char *path)
{
	if (!path) {
		if (run_dir[0])
			nftw(run_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		run_dir[0] = 0;
		return 0;
	}
	snprintf(run_dir, sizeof(run_dir), "%s", path);
	return chmod(run_dir, 0777);
}

/*
 * Field @field (3 or more) of /proc/@pid/stat, as a string in @buf, or
 * NULL.
 */
static const char *proc_stat(pid_t pid, int field, char *buf, size_t size)
{
	char path[64], *p;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	/* After the command, which may hold spaces: fields 3 and on. */
	p = strrchr(buf, ')');
	for (i = 2; p && i < field; i++)
		p = strchr(p + 1, ' ');
	return p ? p + 1 : NULL;
}

char proc_state(pid_t pid)
{
	char buf[512];
	const char *p = proc_stat(pid, 3, buf, sizeof(buf));

	return p ? *p : 0;
}

/*
 * The start time of the process @pid (field 22), or 0: with the process
 * group, it names a test's directory, which a process group of a later
 * test, with the same number, does not share.
 */
static unsigned long long start_time(pid_t pid)
{
	char buf[512];
	const char *p = proc_stat(pid, 22, buf, sizeof(buf));

	return p ? strtoull(p, NULL, 10) : 0;
}

const char *tdir(void)
{
	static char dir[128];
	static pid_t made_for;
	pid_t pgid = getpgrp();

	if (made_for != pgid) {
		snprintf(dir, sizeof(dir), "%s/%d-%llu", run_dir, (int)pgid,
			 start_time(pgid));
		if ((mkdir(dir, 0777) && errno != EEXIST) || chmod(dir, 0777))
			diag("the test's directory %s: %s", dir, errstr(errno));
		made_for = pgid;
	}
	return dir;
}

const char *tpath(const char *name)
{
	static char bufs[16][256];
	static unsigned int next;
	char *b = bufs[next++ % ARRAY_SIZE(bufs)];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tdir(), name);
	return b;
}

void die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

pid_t fork_helper(bool timed)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		die_with_parent();
		/* The parent may have gone before the line above. */
		if (getppid() != parent)
			_exit(1);
		if (timed)
			alarm(CHILD_TIMEOUT);
	}
	if (pid < 0)
		diag("fork: %s", errstr(errno));
	return pid;
}

int reap(pid_t pid, const char *what)
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
		     WTERMSIG(st) == SIGALRM ? ": timed out" :
		     WTERMSIG(st) == SIGABRT ? ": a check failed" : "");
	return -1;
}

int read_byte_timeout(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, ms) <= 0)
		return -1;
	return read(fd, &c, 1);
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int sh(const char *fmt, ...)
{
	char cmd[256], full[300];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >/dev/null 2>&1", cmd);
	fflush(stdout);
	fflush(stderr);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool kernel_log_has(const char *needle)
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

bool module_loaded(const char *name)
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

long unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/* ------------------------------------------------------------------ */
/* Interfaces                                                           */
/* ------------------------------------------------------------------ */

bool iface_exists(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	return access(path, F_OK) == 0;
}

bool iface_gone(const char *name)
{
	return wait_until(!iface_exists(name), IFACE_WAIT);
}

long iface_attr(const char *name, const char *attr)
{
	char path[128], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	f = fopen(path, "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 0);
		fclose(f);
	}
	return v;
}

long iface_stat(const char *name, const char *stat)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "statistics/%s", stat);
	return iface_attr(name, attr);
}

int iface_up(const char *name)
{
	struct ifreq ifr;
	int s, ret, e;

	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (!ret) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	e = errno;
	close(s);
	errno = e;
	return ret;
}

int netdev_ioctl(int s, unsigned long cmd, const char *name, int ifindex)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (name)
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	else
		ifr.ifr_ifindex = ifindex;
	return ioctl(s, cmd, &ifr);
}

int conn_tap(int s, const char *want, short flags, char *name)
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
/* AF_IPN                                                               */
/* ------------------------------------------------------------------ */

int ipn_socket(void)
{
	return socket(ipn_family(), SOCK_RAW, IPN_BROADCAST);
}

socklen_t ipn_addr(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	if (n >= sizeof(sa->sun_path))
		n = sizeof(sa->sun_path) - 1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = ipn_family();
	memcpy(sa->sun_path, path, n);
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

int ipn_bind(int s, const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = ipn_addr(&sa, path);

	return bind(s, (struct sockaddr *)&sa, len);
}

int ipn_connect(int s, const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = ipn_addr(&sa, path);

	return connect(s, (struct sockaddr *)&sa, len);
}

int set_opt(int s, int name, int val)
{
	return setsockopt(s, SOL_IPN, name, &val, sizeof(val));
}

int get_opt(int s, int name, int *val)
{
	socklen_t len = sizeof(*val);

	*val = 0x5a5a5a5a;
	return getsockopt(s, SOL_IPN, name, val, &len);
}

long long opt_value(int s, int name)
{
	int v;

	if (get_opt(s, name, &v)) {
		diag("getsockopt(%#x): %s", name, errstr(errno));
		return -2;
	}
	return v;
}

int set_descr(int s, const char *str)
{
	return setsockopt(s, SOL_IPN, IPN_SO_DESCR, str, strlen(str) + 1);
}

int net_create_proto(const char *path, int proto, const struct netopts *o)
{
	static const struct netopts defaults;
	int s, e;

	if (!o)
		o = &defaults;
	s = socket(ipn_family(), SOCK_RAW, proto);
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

int net_create(const char *path, const struct netopts *o)
{
	return net_create_proto(path, IPN_BROADCAST, o);
}

int net_join_proto(const char *path, int proto)
{
	int s, e;

	s = socket(ipn_family(), SOCK_RAW, proto);
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

int net_join(const char *path)
{
	return net_join_proto(path, IPN_BROADCAST);
}

ssize_t recv_timeout(int s, void *buf, size_t len, int flags, int ms)
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

unsigned char rxbuf[IPN_MTU_MAX + 64];

long sock_drops(int s)
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

void fill_pattern(void *buf, size_t len, unsigned int seed)
{
	unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

int sw_socket(void)
{
	int s = socket(ipn_family(), SOCK_RAW, IPN_VDESWITCH);

	if (s < 0)
		diag("socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH): %s",
		     errstr(errno));
	return s;
}

int sw_create(const char *path, int numnodes)
{
	return net_create_proto(path, IPN_VDESWITCH, &(struct netopts){
		.numnodes = numnodes, .pool = SW_POOL, .bind_only = true });
}

int sw_join(const char *path, int port)
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

int sw_port(int s)
{
	long long p = opt_value(s, IPN_SO_PORT);

	if (p < 0) {
		diag("a connected socket holds no port (%lld)", p);
		return -1;
	}
	return p;
}

int sw_set(int s, int name, int val)
{
	return setsockopt(s, IPN_VDESWITCH, name, &val, sizeof(val));
}

long long sw_get(int s, int name)
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
