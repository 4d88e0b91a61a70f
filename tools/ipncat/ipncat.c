// SPDX-License-Identifier: GPL-2.0
/*
 * ipncat: join an IPN network and relay messages between it and stdio.
 *
 *   ipncat [-b] [-r|-w] [-q] [-d descr] [-p proto] [-m mtu] [-n numnodes]
 *          [-s msgpoolsize] [-M mode] [-L] [-T ifname | -G ifname [-P]] PATH
 *
 * Each read from standard input (a line, on a terminal or a pipe fed line
 * by line) is sent as one message; each message received is written to
 * standard output.  -b binds first, creating the network if needed (the
 * proposal's peer-to-peer idiom: bind + connect).  -r only receives, -w
 * only sends.  -d describes the socket (IPN_SO_DESCR), which
 * "ipnctl port ls" shows.  -L makes a network created here lossless.  -T binds and
 * creates a tap interface IFNAME ("" for ipn%d) on the network, prints its
 * name and keeps it until killed (needs CAP_NET_ADMIN).  -G grabs the
 * existing interface IFNAME instead, as a port of the network.  -P makes
 * that interface persistent and exits at once: it stays on the network
 * until "ip link del" or IPN_CLRPERSIST_NETDEV.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/ipn.h>
#include <ipn_family.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: ipncat [-b] [-r|-w] [-q] [-d descr] [-p proto] [-m mtu] [-n numnodes]\n"
		"              [-s msgpoolsize] [-M mode] [-L]\n"
		"              [-T ifname | -G ifname [-P]] PATH\n");
	exit(2);
}

static void setopt(int s, int name, int val, const char *what)
{
	if (setsockopt(s, SOL_IPN, name, &val, sizeof(val)) < 0) {
		fprintf(stderr, "ipncat: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int do_bind = 0, rx = 1, tx = 1, quiet = 0, proto = IPN_ANY;
	int mtu = 0, numnodes = 0, pool = 0, mode = -1, flags = 0;
	int ifflags = 0, persist = 0;
	const char *tap = NULL, *descr = NULL;
	struct sockaddr_un sun = { .sun_family = ipn_family() };
	static char buf[65536];
	int opt, s;

	while ((opt = getopt(argc, argv, "brwqd:p:m:n:s:M:LT:G:P")) != -1) {
		switch (opt) {
		case 'b': do_bind = 1; break;
		case 'r': tx = 0; break;
		case 'w': rx = 0; break;
		case 'q': quiet = 1; break;
		case 'd': descr = optarg; break;
		case 'p': proto = atoi(optarg); break;
		case 'm': mtu = atoi(optarg); break;
		case 'n': numnodes = atoi(optarg); break;
		case 's': pool = atoi(optarg); break;
		case 'M': mode = (int)strtol(optarg, NULL, 8); break;
		case 'L': flags |= IPN_FLAG_LOSSLESS; break;
		case 'T':
			tap = optarg;
			ifflags = IPN_NODEFLAG_TAP;
			do_bind = 1;
			break;
		case 'G':
			tap = optarg;
			ifflags = IPN_NODEFLAG_GRAB;
			do_bind = 1;
			break;
		case 'P': persist = 1; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || strlen(argv[optind]) >= sizeof(sun.sun_path) ||
	    (persist && !tap))
		usage();
	strcpy(sun.sun_path, argv[optind]);

	s = socket(ipn_family(), SOCK_RAW, proto);
	if (s < 0) {
		perror("ipncat: socket(AF_IPN)");
		return 1;
	}
	if (mtu)
		setopt(s, IPN_SO_MTU, mtu, "IPN_SO_MTU");
	if (numnodes)
		setopt(s, IPN_SO_NUMNODES, numnodes, "IPN_SO_NUMNODES");
	if (pool)
		setopt(s, IPN_SO_MSGPOOLSIZE, pool, "IPN_SO_MSGPOOLSIZE");
	if (mode >= 0)
		setopt(s, IPN_SO_MODE, mode, "IPN_SO_MODE");
	if (flags)
		setopt(s, IPN_SO_FLAGS, flags, "IPN_SO_FLAGS");
	if (do_bind && bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("ipncat: bind");
		return 1;
	}
	if (tap) {
		struct ifreq ifr = { .ifr_flags = ifflags };

		if (strlen(tap) >= IFNAMSIZ)
			usage();
		strcpy(ifr.ifr_name, tap);
		if (ioctl(s, IPN_CONN_NETDEV, &ifr) < 0) {
			perror("ipncat: IPN_CONN_NETDEV");
			return 1;
		}
		if (persist && ioctl(s, IPN_SETPERSIST, 1) < 0) {
			perror("ipncat: IPN_SETPERSIST");
			return 1;
		}
		printf("%s\n", ifr.ifr_name);
		fflush(stdout);
		if (persist)
			return 0;
		for (;;)
			pause();
	}
	if (connect(s, do_bind ? NULL : (struct sockaddr *)&sun,
		    do_bind ? 0 : sizeof(sun)) < 0) {
		perror("ipncat: connect");
		return 1;
	}
	/* Once connected: a description belongs to a node. */
	if (descr &&
	    setsockopt(s, SOL_IPN, IPN_SO_DESCR, descr, strlen(descr)) < 0) {
		perror("ipncat: IPN_SO_DESCR");
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "ipncat: joined %s\n", sun.sun_path);

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = s, .events = rx ? POLLIN : 0 },
			{ .fd = 0, .events = tx ? POLLIN : 0 },
		};
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("ipncat: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			n = recv(s, buf, sizeof(buf), 0);
			if (n < 0) {
				perror("ipncat: recv");
				return 1;
			}
			if (n == 0 && !tx)
				break;
			if (write(1, buf, n) != n)
				return 1;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				break;
			if (send(s, buf, n, 0) < 0) {
				perror("ipncat: send");
				return 1;
			}
		}
	}
	close(s);
	return 0;
}
