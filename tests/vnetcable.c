// SPDX-License-Identifier: GPL-2.0
/*
 * vnetcable: joins two IPN networks with a socket each and copies every
 * message from one to the other, as a VM backend would pass them: with
 * virtio-net headers (IPN_SO_VNET_HDR), so GSO super-frames and partial
 * checksums cross whole.  For the guest tests (tests/selftests/netns.sh).
 *
 *   vnetcable [-H HDRLEN] NET_A NET_B
 *
 * HDRLEN is 10 (the default), 12 or 0 (no headers: frames cut to wire
 * size).  On SIGTERM it prints what it copied and exits:
 *   "frames N gso G max M" (G of the N frames were GSO super-frames, the
 *   longest M bytes without the header).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/ipn.h>
#include <ipn_family.h>
#include <linux/virtio_net.h>

static volatile sig_atomic_t stop;
static unsigned char buf[65536 + 64];

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int join(const char *path, int hdr)
{
	struct sockaddr_un sun = { .sun_family = ipn_family() };
	int s = socket(ipn_family(), SOCK_RAW, IPN_ANY);

	if (s < 0 || setsockopt(s, SOL_IPN, IPN_SO_VNET_HDR, &hdr, sizeof(hdr))) {
		perror("vnetcable: socket");
		exit(1);
	}
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "vnetcable: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return s;
}

int main(int argc, char **argv)
{
	unsigned long frames = 0, gso = 0, max = 0;
	struct sigaction sa = { .sa_handler = on_term };
	struct pollfd p[2];
	int hdr = sizeof(struct virtio_net_hdr), opt, i;

	while ((opt = getopt(argc, argv, "H:")) != -1) {
		if (opt != 'H')
			goto usage;
		hdr = atoi(optarg);
	}
	if (argc - optind != 2)
		goto usage;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	p[0] = (struct pollfd){ .fd = join(argv[optind], hdr), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = join(argv[optind + 1], hdr), .events = POLLIN };
	while (!stop) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("vnetcable: poll");
			return 1;
		}
		for (i = 0; i < 2; i++) {
			struct virtio_net_hdr *h = (void *)buf;
			ssize_t n;

			if (!(p[i].revents & POLLIN))
				continue;
			n = recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= hdr) {
				fprintf(stderr, "vnetcable: recv: %zd: %s\n", n,
					strerror(errno));
				return 1;
			}
			frames++;
			if (hdr && h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
				gso++;
			if ((unsigned long)(n - hdr) > max)
				max = n - hdr;
			if (send(p[!i].fd, buf, n, 0) < 0) {
				perror("vnetcable: send");
				return 1;
			}
		}
	}
	printf("frames %lu gso %lu max %lu\n", frames, gso, max);
	return 0;
usage:
	fprintf(stderr, "usage: vnetcable [-H HDRLEN] NET_A NET_B\n");
	return 2;
}
