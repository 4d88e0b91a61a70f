// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvdeplug_ipn: a vdeplug4 plug-in that joins an AF_IPN network, so that
 * every program built on libvdeplug (QEMU's -nic vde, User-Mode Linux's
 * vde transport, vde_plug) uses IPN unchanged.
 *
 *   ipn://PATH[port=N/policy=hub|switch|N/create/mtu=N/numnodes=N/
 *              msgpool=N/lossless/mode=OCTAL/group=NAME]
 *
 * See ipn_vdeplug(1) in tools/vdeplug/ and the README for the options.
 * The plug-in is one AF_IPN socket: its descriptor is the data fd that
 * callers poll, one message is one Ethernet frame, and there is no control
 * fd (the kernel keeps the network; nothing has to be watched).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>
#include <libvdeplug.h>
#include <libvdeplug_mod.h>
#include <linux/ipn.h>
#include <ipn_family.h>

struct vde_ipn_conn {
	void *handle;			/* libvdeplug's: must come first */
	struct vdeplug_module *module;	/* libvdeplug's: must come second */
	int fd;
};

/*
 * One line on stderr, as vde_plug and QEMU show the errno only: the line
 * says which part of the URL or which right was the problem.  errno is
 * kept for the caller.
 */
static void __attribute__((format(printf, 1, 2))) ipn_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	fputs("ipn: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	errno = saved;
}

/*
 * An integer within [min, max] in @base (0: decimal, 0x hex or 0 octal)
 * into *@out when @s is given; -1 with a line on stderr when it is bad.
 */
static int parse_int(const char *key, const char *s, long min, long max, int base,
		     int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, base);
	if (errno || end == s || *end || v < min || v > max) {
		errno = EINVAL;
		ipn_warn("%s=%s: expected a number from %ld to %ld", key, s, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_policy(const char *s, int *out)
{
	if (strcmp(s, "hub") == 0 || strcmp(s, "broadcast") == 0)
		*out = IPN_BROADCAST;
	else if (strcmp(s, "switch") == 0 || strcmp(s, "vdeswitch") == 0)
		*out = IPN_VDESWITCH;
	else
		return parse_int("policy", s, 0, INT_MAX, 0, out);
	return 0;
}

static int setopt_int(int fd, int name, int val, const char *what)
{
	if (setsockopt(fd, SOL_IPN, name, &val, sizeof(val)) == 0)
		return 0;
	ipn_warn("%s=%d: %s", what, val, strerror(errno));
	return -1;
}

/* What the URL asks for, once parsed. */
struct ipn_url {
	struct sockaddr_un sun;
	int policy;
	int port;		/* IPN_PORTNO_ANY unless asked for */
	int create;
	int mtu, numnodes, msgpool, flags;
	int mode;		/* -1: the caller's, or the kernel's default */
	const char *group;
};

static int parse_url(char *url, struct vde_open_args *args, struct ipn_url *u)
{
	char *port = NULL, *policy = NULL, *create = NULL, *mtu = NULL;
	char *numnodes = NULL, *msgpool = NULL, *lossless = NULL;
	char *mode = NULL, *group = NULL;
	/*
	 * libvdeplug matches keys by prefix, in this order: "m" means "mtu".
	 * The empty key takes a bare value, as in vde:///path[3].
	 */
	struct vdeparms parms[] = {
		{ "", &port },
		{ "port", &port },
		{ "policy", &policy },
		{ "create", &create },
		{ "mtu", &mtu },
		{ "numnodes", &numnodes },
		{ "msgpool", &msgpool },
		{ "lossless", &lossless },
		{ "mode", &mode },
		{ "group", &group },
		{ NULL, NULL },
	};
	size_t len;

	if (vde_parsepathparms(url, parms) < 0) {
		ipn_warn("bad option in the URL; known: port policy create mtu numnodes msgpool lossless mode group");
		return -1;
	}
	memset(u, 0, sizeof(*u));
	u->sun.sun_family = ipn_family();
	len = strlen(url);
	if (len == 0 || url[0] != '/') {
		/* Abstract names have no node to check permissions on. */
		errno = EINVAL;
		ipn_warn("'%s': the network must be an absolute path, as in ipn:///tmp/net", url);
		return -1;
	}
	if (len >= sizeof(u->sun.sun_path)) {
		errno = ENAMETOOLONG;
		ipn_warn("%s: path longer than %zu bytes", url, sizeof(u->sun.sun_path) - 1);
		return -1;
	}
	memcpy(u->sun.sun_path, url, len + 1);

	u->policy = IPN_ANY;
	if (policy && parse_policy(policy, &u->policy) < 0)
		return -1;
	u->port = IPN_PORTNO_ANY;
	if (port && *port) {
		if (parse_int("port", port, 0, IPN_NUMNODES_MAX - 1, 10, &u->port) < 0)
			return -1;
	} else if (args && args->port > 0) {
		u->port = args->port;	/* QEMU's port=, vde_plug's --port */
	}
	u->create = create != NULL;
	if ((mtu && parse_int("mtu", mtu, IPN_MTU_MIN, IPN_MTU_MAX, 10, &u->mtu) < 0) ||
	    (numnodes && parse_int("numnodes", numnodes, 1, IPN_NUMNODES_MAX, 10,
				   &u->numnodes) < 0) ||
	    (msgpool && parse_int("msgpool", msgpool, 1, IPN_MSGPOOLSIZE_MAX, 10,
				  &u->msgpool) < 0))
		return -1;
	if (lossless)
		u->flags |= IPN_FLAG_LOSSLESS;
	u->mode = -1;
	if (mode) {
		if (parse_int("mode", mode, 0, 0777, 8, &u->mode) < 0)
			return -1;
	} else if (args && args->mode) {
		u->mode = args->mode & 0777;
	}
	u->group = group ? group : (args ? args->group : NULL);
	if (!u->create && (mtu || numnodes || msgpool || lossless || mode || group)) {
		errno = EINVAL;
		ipn_warn("mtu, numnodes, msgpool, lossless, mode and group shape a new network: add 'create'");
		return -1;
	}
	return 0;
}

static int new_socket(const struct ipn_url *u)
{
	int fd = socket(ipn_family(), SOCK_RAW | SOCK_CLOEXEC, u->policy);

	if (fd >= 0)
		return fd;
	if (errno == EAFNOSUPPORT)
		ipn_warn("AF_IPN is not available: load ipn.ko (modprobe ipn)");
	else if (errno == EPROTONOSUPPORT)
		ipn_warn("no IPN policy %d (for the switch: modprobe kvde_switch)", u->policy);
	else
		ipn_warn("socket: %s", strerror(errno));
	return -1;
}

/* The kernel's errno, explained for the path the user gave. */
static void explain(const char *what, const struct ipn_url *u)
{
	const char *path = u->sun.sun_path;
	int err = errno;
	struct stat st;

	switch (err) {
	case ECONNREFUSED:
		if (lstat(path, &st) < 0)
			ipn_warn("%s: no such network (add [create] to make one)", path);
		else
			ipn_warn("%s: not a live IPN network (its last socket closed; remove the node to create a new one)",
				 path);
		break;
	case EACCES:
		ipn_warn("%s: permission denied (r is needed to receive, w to send, x to create or manage)",
			 path);
		break;
	case EADDRINUSE:
		if (u->port != IPN_PORTNO_ANY && strcmp(what, "connect") == 0)
			ipn_warn("%s: port %d is taken", path, u->port);
		else
			ipn_warn("%s: in use by something that is not a live IPN network", path);
		break;
	case ENOSPC:
		ipn_warn("%s: every port of the network is taken", path);
		break;
	case EPROTO:
	case EPROTONOSUPPORT:
		ipn_warn("%s: the network has another policy than policy=%d", path, u->policy);
		break;
	default:
		ipn_warn("%s: %s: %s", path, what, strerror(err));
	}
	errno = err;
}

/*
 * create: make the network with the URL's shape unless one exists
 * (IPN_FLAG_EXCL tells the two apart atomically), and join it.  Joining an
 * existing one needs only r/w, not the x right that bind would.
 */
static int create_network(int fd, const struct ipn_url *u)
{
	if ((u->mtu && setopt_int(fd, IPN_SO_MTU, u->mtu, "mtu") < 0) ||
	    (u->numnodes && setopt_int(fd, IPN_SO_NUMNODES, u->numnodes, "numnodes") < 0) ||
	    (u->msgpool && setopt_int(fd, IPN_SO_MSGPOOLSIZE, u->msgpool, "msgpool") < 0) ||
	    setopt_int(fd, IPN_SO_FLAGS, u->flags | IPN_FLAG_EXCL, "flags") < 0 ||
	    (u->mode >= 0 && setopt_int(fd, IPN_SO_MODE, u->mode, "mode") < 0))
		return -1;
	if (bind(fd, (const struct sockaddr *)&u->sun, sizeof(u->sun)) < 0)
		return errno == EEXIST ? 1 : -1;
	if (u->group) {
		gid_t gid = vde_grnam2gid(u->group);

		if (gid == (gid_t)-1) {
			errno = EINVAL;
			ipn_warn("group=%s: no such group", u->group);
			return -1;
		}
		if (chown(u->sun.sun_path, (uid_t)-1, gid) < 0) {
			ipn_warn("%s: chown to group %s: %s", u->sun.sun_path, u->group,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int join(const struct ipn_url *u, const char *descr)
{
	int fd, bound = 0, rc;

	fd = new_socket(u);
	if (fd < 0)
		return -1;
	if (u->create) {
		rc = create_network(fd, u);
		if (rc < 0) {
			if (errno != EINVAL)
				explain("bind", u);
			goto fail;
		}
		if (rc > 0) {
			/* It exists: join it as any other node does. */
			close(fd);
			fd = new_socket(u);
			if (fd < 0)
				return -1;
		}
		bound = rc == 0;
	}
	if (u->port != IPN_PORTNO_ANY && setopt_int(fd, IPN_SO_PORT, u->port, "port") < 0)
		goto fail;
	if (bound)
		rc = connect(fd, NULL, 0);
	else
		rc = connect(fd, (const struct sockaddr *)&u->sun, sizeof(u->sun));
	if (rc < 0) {
		explain("connect", u);
		goto fail;
	}
	/* The description is only shown to managers: failing to set it is not fatal. */
	if (descr && *descr)
		setsockopt(fd, SOL_IPN, IPN_SO_DESCR, descr,
			   strnlen(descr, IPN_DESCRLEN - 1) + 1);
	return fd;
fail:
	rc = errno;
	close(fd);
	errno = rc;
	return -1;
}

static VDECONN *vde_ipn_open(char *vde_url, char *descr, int interface_version,
			     struct vde_open_args *open_args)
{
	struct vde_ipn_conn *conn;
	struct ipn_url u;
	int fd;

	(void)interface_version;
	if (parse_url(vde_url, open_args, &u) < 0)
		return NULL;
	fd = join(&u, descr);
	if (fd < 0)
		return NULL;
	conn = calloc(1, sizeof(*conn));
	if (!conn) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	conn->fd = fd;
	return (VDECONN *)conn;
}

static ssize_t vde_ipn_recv(VDECONN *c, void *buf, size_t len, int flags)
{
	struct vde_ipn_conn *conn = (struct vde_ipn_conn *)c;

	return recv(conn->fd, buf, len, flags);
}

/*
 * Never 0 for a frame: QEMU takes 0 as "queue it and stop sending until
 * told", and nothing would tell it.  A frame the network has no room for
 * right now (a full lossless reader, with MSG_DONTWAIT) counts as sent and
 * dropped, as on a real wire.
 */
static ssize_t vde_ipn_send(VDECONN *c, const void *buf, size_t len, int flags)
{
	struct vde_ipn_conn *conn = (struct vde_ipn_conn *)c;
	ssize_t n;

	do
		n = send(conn->fd, buf, len, flags | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return (ssize_t)len;
	return n;
}

static int vde_ipn_datafd(VDECONN *c)
{
	return ((struct vde_ipn_conn *)c)->fd;
}

static int vde_ipn_ctlfd(VDECONN *c)
{
	(void)c;
	return -1;
}

static int vde_ipn_close(VDECONN *c)
{
	struct vde_ipn_conn *conn = (struct vde_ipn_conn *)c;

	close(conn->fd);
	free(conn);
	return 0;
}

struct vdeplug_module vdeplug_ops = {
	.vde_open_real = vde_ipn_open,
	.vde_recv = vde_ipn_recv,
	.vde_send = vde_ipn_send,
	.vde_datafd = vde_ipn_datafd,
	.vde_ctlfd = vde_ipn_ctlfd,
	.vde_close = vde_ipn_close,
};
