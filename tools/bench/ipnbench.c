// SPDX-License-Identifier: GPL-2.0
/*
 * ipnbench: the message benchmarks of tools/bench, one run each.
 *
 *   ipnbench fanout   -t TRANSPORT [-n RECEIVERS] [-s SIZE] [-d SECONDS]
 *   ipnbench pingpong -t TRANSPORT [-s SIZE] [-d SECONDS]
 *   (both: [-p PATH] where the network or switch lives, [-q POOL] the IPN
 *   network's IPN_SO_MSGPOOLSIZE, default the kernel's 8)
 *
 * fanout: one sender sends SIZE-byte messages for SECONDS; each of the
 * RECEIVERS (forked processes) counts what reaches it.  It prints the
 * deliveries per second (messages received, summed over receivers).
 * pingpong: two processes bounce one message; it prints the mean round
 * trip in microseconds.
 *
 * TRANSPORT is how the message gets to every receiver:
 *   ipn        an IPN hub, lossless (IPN_FLAG_LOSSLESS): senders wait
 *   ipn-lossy  an IPN hub, default flags: full queues drop
 *   unix       AF_UNIX datagram socketpairs, one send per receiver
 *   udp        UDP multicast on loopback (needs "ip link set lo multicast on")
 *   vde        vde_switch in hub mode, through libvdeplug (the switch runs
 *              at PATH, started by the caller)
 *
 * The lossless transports (ipn, unix, vde's AF_UNIX sockets) block the
 * sender; the lossy ones drop, and only deliveries count.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libvdeplug.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ipn.h>
#include <ipn_family.h>

#define MAX_RECEIVERS 256
#define MCAST_GROUP "239.255.42.1"
#define MCAST_PORT 42424

enum transport { T_IPN, T_IPN_LOSSY, T_UNIX, T_UDP, T_VDE };

static const char *const transport_names[] = {
	[T_IPN] = "ipn", [T_IPN_LOSSY] = "ipn-lossy", [T_UNIX] = "unix",
	[T_UDP] = "udp", [T_VDE] = "vde",
};

/* Shared between the sender and its forked receivers. */
struct shared {
	int ready;	/* receivers that have joined */
	int stop;	/* set by the sender when its time is up */
	long long delivered[MAX_RECEIVERS];
};

/* One end: a socket, or a libvdeplug connection and its data socket. */
struct end {
	int fd;
	VDECONN *vde;
};

static enum transport transport;
static const char *path = "/tmp/ipnbench";
static int receivers = 1;
static int pool;
static size_t size = 64;
static double seconds = 2.0;
static struct shared *shared;
static int unix_pairs[MAX_RECEIVERS][2];

static void die(const char *what)
{
	fprintf(stderr, "ipnbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_rcvtimeo(int fd)
{
	/* Receivers wake at least this often to see the stop flag. */
	struct timeval tv = { .tv_usec = 100000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die("SO_RCVTIMEO");
}

static void ipn_opt(int fd, int name, int val)
{
	if (setsockopt(fd, SOL_IPN, name, &val, sizeof(val)) < 0)
		die("setsockopt(SOL_IPN)");
}

/*
 * The IPN network: the first end (the sender, or the ping side) creates
 * it as a hub with room for every receiver, the others join.
 */
static int ipn_join(int create)
{
	struct sockaddr_un sun = { .sun_family = ipn_family() };
	int fd = socket(ipn_family(), SOCK_RAW, IPN_BROADCAST);

	if (fd < 0)
		die("socket(AF_IPN)");
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (create) {
		unlink(path);
		ipn_opt(fd, IPN_SO_NUMNODES, receivers + 2);
		if (pool)
			ipn_opt(fd, IPN_SO_MSGPOOLSIZE, pool);
		if (transport == T_IPN)
			ipn_opt(fd, IPN_SO_FLAGS, IPN_FLAG_LOSSLESS);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			die("bind");
		if (connect(fd, NULL, 0) < 0)
			die("connect");
	} else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		die("connect");
	}
	return fd;
}

static int udp_socket(int receiver)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(MCAST_PORT) };
	struct in_addr lo = { .s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	if (fd < 0)
		die("socket(AF_INET)");
	if (receiver) {
		struct ip_mreq mreq = { .imr_interface = lo };

		inet_pton(AF_INET, MCAST_GROUP, &mreq.imr_multiaddr);
		sin.sin_addr = mreq.imr_multiaddr;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die("bind (udp)");
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0)
			die("IP_ADD_MEMBERSHIP (is lo multicast?)");
	} else {
		inet_pton(AF_INET, MCAST_GROUP, &sin.sin_addr);
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one)) < 0)
			die("IP_MULTICAST_IF");
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			die("connect (udp)");
	}
	return fd;
}

static struct end vde_join(void)
{
	char url[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	struct end e = { -1, NULL };

	snprintf(url, sizeof(url), "vde://%s", path);
	e.vde = vde_open(url, "ipnbench", NULL);
	if (!e.vde)
		die(url);
	e.fd = vde_datafd(e.vde);
	return e;
}

/*
 * Open end number @i: -1 is the sending side (fanout's sender, or
 * pingpong's first end), 0.. are receivers.  Sockets made before the fork
 * (socketpairs) are picked here.
 */
static struct end open_end(int i)
{
	struct end e = { -1, NULL };

	switch (transport) {
	case T_IPN:
	case T_IPN_LOSSY:
		e.fd = ipn_join(i < 0);
		break;
	case T_UNIX:
		e.fd = unix_pairs[i < 0 ? 0 : i][i < 0 ? 0 : 1];
		break;
	case T_UDP:
		e.fd = udp_socket(i >= 0);
		break;
	case T_VDE:
		e = vde_join();
		break;
	}
	return e;
}

static ssize_t end_send(struct end *e, const void *buf, size_t len)
{
	if (e->vde)
		return vde_send(e->vde, buf, len, 0);
	return send(e->fd, buf, len, 0);
}

static ssize_t end_recv(struct end *e, void *buf, size_t len)
{
	if (e->vde)
		return vde_recv(e->vde, buf, len, 0);
	return recv(e->fd, buf, len, 0);
}

/* A frame the switches forward: broadcast destination, some source. */
static void fill_frame(unsigned char *buf, size_t len)
{
	memset(buf, 0, len);
	memset(buf, 0xff, 6);
	memcpy(buf + 6, "\x02\x00\x00\x00\x00\x01", 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;	/* local experimental ethertype */
}

static void receiver(int i)
{
	static unsigned char buf[65536];
	struct end e = open_end(i);
	long long n = 0;

	set_rcvtimeo(e.fd);
	__atomic_add_fetch(&shared->ready, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		ssize_t r = end_recv(&e, buf, sizeof(buf));

		if (r >= 0) {
			n++;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			die("recv");
		/* A timeout with nothing queued: done once the sender is. */
		if (__atomic_load_n(&shared->stop, __ATOMIC_SEQ_CST))
			break;
	}
	shared->delivered[i] = n;
	_exit(0);
}

static pid_t *spawn_receivers(void)
{
	pid_t *pids = calloc(receivers, sizeof(*pids));
	int i;

	if (!pids)
		die("calloc");
	for (i = 0; i < receivers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0)
			receiver(i);
	}
	return pids;
}

/*
 * Waits until @n receivers have joined; fails if one dies first (it could
 * not join: a switch with too few ports, a missing network) or after 30 s.
 */
static void wait_ready(pid_t *pids, int n)
{
	double deadline = now() + 30;
	int i, status;

	while (__atomic_load_n(&shared->ready, __ATOMIC_SEQ_CST) < n) {
		if (waitpid(-1, &status, WNOHANG) > 0 || now() > deadline) {
			fprintf(stderr, "ipnbench: a receiver did not join\n");
			for (i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			exit(1);
		}
		usleep(1000);
	}
}

static void wait_all(pid_t *pids, int n)
{
	int i, status;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "ipnbench: a receiver failed\n");
			exit(1);
		}
	}
}

static void fanout(void)
{
	static unsigned char buf[65536];
	struct end tx;
	long long sent = 0, delivered = 0;
	double t0, t1, deadline;
	pid_t *pids;
	int i;

	if (transport == T_UNIX) {
		for (i = 0; i < receivers; i++)
			if (socketpair(AF_UNIX, SOCK_DGRAM, 0, unix_pairs[i]) < 0)
				die("socketpair");
	}
	/* The sending end first: it creates the IPN network. */
	if (transport != T_UNIX)
		tx = open_end(-1);
	pids = spawn_receivers();
	wait_ready(pids, receivers);
	/* Joins of UDP groups and switch ports settle. */
	usleep(100000);
	fill_frame(buf, size);
	t0 = now();
	deadline = t0 + seconds;
	for (;;) {
		if (transport == T_UNIX) {
			for (i = 0; i < receivers; i++)
				if (send(unix_pairs[i][0], buf, size, 0) < 0)
					die("send");
		} else if (end_send(&tx, buf, size) < 0 && errno != ENOBUFS &&
			   errno != EAGAIN) {
			die("send");
		}
		sent++;
		if ((sent & 15) == 0 && now() >= deadline)
			break;
	}
	t1 = now();
	__atomic_store_n(&shared->stop, 1, __ATOMIC_SEQ_CST);
	wait_all(pids, receivers);
	for (i = 0; i < receivers; i++)
		delivered += shared->delivered[i];
	printf("%.0f deliveries/s (sent %lld, delivered %lld of %lld, %.2f s)\n",
	       delivered / (t1 - t0), sent, delivered, sent * receivers, t1 - t0);
	if (transport == T_IPN || transport == T_IPN_LOSSY)
		unlink(path);
}

static void pingpong(void)
{
	static unsigned char buf[65536];
	struct end a, b;
	long long trips = 0;
	double t0, t1, deadline;
	pid_t pid;

	receivers = 1;
	if (transport == T_UNIX && socketpair(AF_UNIX, SOCK_DGRAM, 0, unix_pairs[0]) < 0)
		die("socketpair");
	if (transport == T_UDP) {
		fprintf(stderr, "ipnbench: pingpong has no udp transport\n");
		exit(2);
	}
	a = open_end(-1);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* The echo side: returns every message until the first fails. */
		b = open_end(0);
		__atomic_add_fetch(&shared->ready, 1, __ATOMIC_SEQ_CST);
		for (;;) {
			ssize_t r = end_recv(&b, buf, sizeof(buf));

			if (r <= 0 || __atomic_load_n(&shared->stop, __ATOMIC_SEQ_CST))
				_exit(0);
			if (end_send(&b, buf, r) < 0)
				die("send (echo)");
		}
	}
	wait_ready(&pid, 1);
	usleep(100000);
	fill_frame(buf, size);
	set_rcvtimeo(a.fd);
	t0 = now();
	deadline = t0 + seconds;
	do {
		if (end_send(&a, buf, size) < 0)
			die("send");
		if (end_recv(&a, buf, sizeof(buf)) < 0)
			die("recv (no echo)");
		trips++;
	} while (now() < deadline);
	t1 = now();
	__atomic_store_n(&shared->stop, 1, __ATOMIC_SEQ_CST);
	end_send(&a, buf, size);
	wait_all(&pid, 1);
	printf("%.2f us per round trip (%lld trips, %.2f s)\n",
	       (t1 - t0) * 1e6 / trips, trips, t1 - t0);
	if (transport == T_IPN || transport == T_IPN_LOSSY)
		unlink(path);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ipnbench fanout|pingpong -t ipn|ipn-lossy|unix|udp|vde\n"
		"                [-n receivers] [-s size] [-d seconds] [-p path] [-q pool]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode;
	int opt, t = -1;
	size_t i;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "t:n:s:d:p:q:")) != -1) {
		switch (opt) {
		case 't':
			for (i = 0; i < sizeof(transport_names) / sizeof(*transport_names); i++)
				if (!strcmp(optarg, transport_names[i]))
					t = i;
			break;
		case 'n': receivers = atoi(optarg); break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'd': seconds = atof(optarg); break;
		case 'p': path = optarg; break;
		case 'q': pool = atoi(optarg); break;
		default: usage();
		}
	}
	if (t < 0 || receivers < 1 || receivers > MAX_RECEIVERS || size < 14 ||
	    size > 65535 || seconds <= 0)
		usage();
	transport = t;
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
	/* A receiver that dies must not leave the sender blocked forever. */
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "fanout"))
		fanout();
	else if (!strcmp(mode, "pingpong"))
		pingpong();
	else
		usage();
	return 0;
}
