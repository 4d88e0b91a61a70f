// SPDX-License-Identifier: GPL-2.0
/*
 * tcpxfer: a minimal, reliable TCP copy for the guest tests (busybox nc
 * exits before the stream is through).
 *
 *   tcpxfer -l PORT        accept one connection, copy it to stdout
 *   tcpxfer ADDR PORT      copy stdin to ADDR:PORT, half-close, wait for
 *                          the peer to close
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 16];

static int copy(int from, int to)
{
	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf)), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		while (off < n) {
			ssize_t w = write(to, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			off += w;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int s, c, one = 1;

	if (argc == 3 && !strcmp(argv[1], "-l")) {
		sin.sin_port = htons(atoi(argv[2]));
		s = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(s, 1)) {
			perror("tcpxfer: listen");
			return 1;
		}
		c = accept(s, NULL, NULL);
		if (c < 0 || copy(c, 1)) {
			perror("tcpxfer: receive");
			return 1;
		}
		return 0;
	}
	if (argc != 3 || inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: tcpxfer -l PORT | tcpxfer ADDR PORT\n");
		return 2;
	}
	sin.sin_port = htons(atoi(argv[2]));
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("tcpxfer: connect");
		return 1;
	}
	if (copy(0, s) || shutdown(s, SHUT_WR)) {
		perror("tcpxfer: send");
		return 1;
	}
	/* Until the receiver has read everything and closed. */
	while (read(s, buf, sizeof(buf)) > 0)
		;
	return 0;
}
