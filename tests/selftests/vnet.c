// SPDX-License-Identifier: GPL-2.0
/*
 * Virtio-net headers (IPN_SO_VNET_HDR): the option, messages with and
 * without headers side by side on a hub, GSO super-frames and partial
 * checksums sent by a socket, cut and completed for a reader without
 * headers and passed whole to one with them, and headers the kernel must
 * refuse.
 */
#include "ipn_lib.h"

#include <endian.h>
#include <arpa/inet.h>
#include <linux/virtio_net.h>

/* Newer than some distributions' headers. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

#define VH		sizeof(struct virtio_net_hdr)
#define ETH		14
#define IP4		20
#define TCP		20
#define UDP		8
#define L4_OFF		(ETH + IP4)

/* A socket with an IPN_SO_VNET_HDR of @hdr that creates or joins @path. */
static int vnet_sock(const char *path, int hdr, bool create)
{
	int s = ipn_socket();

	if (s < 0 || set_opt(s, IPN_SO_VNET_HDR, hdr) ||
	    (create && ipn_bind(s, path)) || ipn_connect(s, path))
		return -1;
	return s;
}

/* The one's complement sum of @len bytes, as big-endian words, on @sum. */
static uint32_t sum16(const unsigned char *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The IPv4 pseudo-header's sum for a transport segment of @len bytes. */
static uint32_t pseudo4(const unsigned char *ip, int proto, size_t len)
{
	return sum16(ip + 12, 8, 0) + proto + len;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const unsigned char *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * An Ethernet + IPv4 frame at @f, @l4len bytes of protocol @proto after
 * the IP header, with a correct IP checksum; the transport header and
 * payload are the caller's.
 */
static void ip4_frame(unsigned char *f, int proto, size_t l4len)
{
	static const unsigned char macs[12] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1
	};
	unsigned char *ip = f + ETH;

	memcpy(f, macs, sizeof(macs));
	put16(f + 12, 0x0800);
	memset(ip, 0, IP4);
	ip[0] = 0x45;
	put16(ip + 2, IP4 + l4len);
	put16(ip + 4, 0x1234);
	ip[6] = 0x40;	/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, (unsigned char[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	put16(ip + 10, ~fold(sum16(ip, IP4, 0)));
}

/*
 * A TCP segment of @payload bytes in an IPv4 frame at @f (after a header
 * of VH bytes at @f - VH, which the caller fills), its checksum left to
 * complete: the field holds the pseudo-header's sum, as a VM's stack
 * leaves it for the device.  Returns the frame's length.
 */
static size_t tcp4_partial(unsigned char *f, size_t payload)
{
	unsigned char *tcp = f + L4_OFF;

	ip4_frame(f, IPPROTO_TCP, TCP + payload);
	memset(tcp, 0, TCP);
	put16(tcp, 40000);
	put16(tcp + 2, 5001);
	memcpy(tcp + 4, (unsigned char[]){ 0x10, 0x20, 0x30, 0x40 }, 4);
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;	/* PSH, ACK */
	put16(tcp + 14, 65535);
	fill_pattern(tcp + TCP, payload, 7);
	put16(tcp + 16, fold(pseudo4(f + ETH, IPPROTO_TCP, TCP + payload)));
	return L4_OFF + TCP + payload;
}

/*
 * Whether the transport checksum of the IPv4 frame @f of @len is right,
 * its IP header at @ip.
 */
static bool l4_csum_ok_at(const unsigned char *f, size_t ip, size_t len,
			  int proto)
{
	size_t l4 = len - ip - IP4;

	return fold(sum16(f + ip + IP4, l4, pseudo4(f + ip, proto, l4))) ==
	       0xffff;
}

static bool l4_csum_ok(const unsigned char *f, size_t len, int proto)
{
	return l4_csum_ok_at(f, ETH, len, proto);
}

/* Tags the frame of @len bytes at @f + 4 with 802.1Q VID @vid, at @f. */
static size_t vlan_tag(unsigned char *f, size_t len, uint16_t vid)
{
	memmove(f, f + 4, 12);
	put16(f + 12, 0x8100);
	put16(f + 14, vid);
	return len + 4;
}

static void vnet_hdr(unsigned char *h, uint8_t flags, uint8_t gso_type,
		     uint16_t gso_size, uint16_t csum_start,
		     uint16_t csum_offset)
{
	struct virtio_net_hdr v = {
		.flags = flags,
		.gso_type = gso_type,
		.gso_size = htole16(gso_size),
		.csum_start = htole16(csum_start),
		.csum_offset = htole16(csum_offset),
	};

	memcpy(h, &v, sizeof(v));
}

static struct virtio_net_hdr read_hdr(const unsigned char *h)
{
	struct virtio_net_hdr v;

	memcpy(&v, h, sizeof(v));
	return v;
}

TEST(vnet_option)
{
	const char *p = tpath("net");
	static const int bad[] = { 1, 9, 11, 13, 24, -1, 10 << 16 };
	int u, b;
	size_t i;

	u = TRY(ipn_socket());
	ASSERT_VAL(0, opt_value(u, IPN_SO_VNET_HDR), "default");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_ERRNO(EINVAL, set_opt(u, IPN_SO_VNET_HDR, bad[i]),
			     "a length that is no header's");
	TRY(set_opt(u, IPN_SO_VNET_HDR, 12));
	ASSERT_VAL(12, opt_value(u, IPN_SO_VNET_HDR), "set to 12");
	TRY(set_opt(u, IPN_SO_VNET_HDR, 0));
	ASSERT_VAL(0, opt_value(u, IPN_SO_VNET_HDR), "set back to 0");
	/* Bound, the socket may still choose; connected, it may not. */
	b = TRY(net_create(p, &(struct netopts){ .bind_only = true }));
	TRY(set_opt(b, IPN_SO_VNET_HDR, 10));
	TRY(ipn_connect(b, p));
	ASSERT_ERRNO(EISCONN, set_opt(b, IPN_SO_VNET_HDR, 0), "connected");
	ASSERT_VAL(10, opt_value(b, IPN_SO_VNET_HDR), "kept after EISCONN");
}

/*
 * Messages that ask for nothing: a header of zeros ahead of each, for the
 * sockets with the option only; a message need not be an Ethernet frame.
 */
TEST(vnet_plain_messages)
{
	const char *p = tpath("net");
	unsigned char msg[VH + 5] = { 0 }, buf[64], zeros[12] = { 0 };
	int a, b, c;

	a = TRY(vnet_sock(p, VH, true));
	b = TRY(net_join(p));
	c = TRY(vnet_sock(p, 12, false));
	memcpy(msg + VH, "hello", 5);
	ASSERT_VAL(sizeof(msg), send(a, msg, sizeof(msg), 0),
		   "a send returns the header's length too");
	expect_str(_metadata, b, "hello", "a reader without headers");
	ASSERT_VAL(17, recv_timeout(c, buf, sizeof(buf), 0, RECV_TIMEOUT),
		   "a reader with a 12-byte header");
	ASSERT_EQ(0, memcmp(buf, zeros, 12));
	ASSERT_EQ(0, memcmp(buf + 12, "hello", 5));

	send_str(_metadata, b, "world");
	ASSERT_VAL(VH + 5, recv_timeout(a, buf, sizeof(buf), 0, RECV_TIMEOUT),
		   "a message without header, read with one");
	ASSERT_EQ(0, memcmp(buf, zeros, VH));
	ASSERT_EQ(0, memcmp(buf + VH, "world", 5));
	/* MSG_TRUNC: the whole length, header included. */
	ASSERT_VAL(17, recv_timeout(c, buf, 14, MSG_TRUNC, RECV_TIMEOUT),
		   "MSG_TRUNC");
	ASSERT_EQ(0, memcmp(buf + 12, "wo", 2));
	expect_none(_metadata, a, "a");
	expect_none(_metadata, c, "c");
}

/* Buffers too short for the header: EINVAL, and nothing is lost. */
TEST(vnet_short)
{
	const char *p = tpath("net");
	unsigned char buf[64] = { 0 };
	int a, b;

	a = TRY(vnet_sock(p, VH, true));
	b = TRY(net_join(p));
	send_str(_metadata, b, "kept");
	ASSERT_ERRNO(EINVAL, recv(a, buf, VH - 1, MSG_DONTWAIT),
		     "recv into less than the header");
	ASSERT_VAL(VH + 4, recv_timeout(a, buf, sizeof(buf), 0, RECV_TIMEOUT),
		   "the message is still there");
	ASSERT_EQ(0, memcmp(buf + VH, "kept", 4));
	memset(buf, 0, sizeof(buf));
	ASSERT_ERRNO(EINVAL, send(a, buf, VH - 1, 0), "a short header");
	ASSERT_ERRNO(EINVAL, send(a, buf, VH, 0), "a header and no frame");
	expect_none(_metadata, b, "b");
}

/* Headers the kernel must refuse, none of which delivers anything. */
TEST(vnet_bad_headers)
{
	static unsigned char f[VH + 65536 + 32];
	const char *p = tpath("net");
	unsigned char *fr = f + VH;
	size_t n;
	int a, b, c;

	a = TRY(vnet_sock(p, VH, true));
	b = TRY(net_join(p));
	c = TRY(vnet_sock(p, VH, false));
	n = tcp4_partial(fr, 4000);

	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, 7, 1400, L4_OFF, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0), "an unknown GSO type");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 0,
		 L4_OFF, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0), "a GSO size of 0");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 60, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + 70, 0),
		     "a checksum field past the frame");
	vnet_hdr(f, 0, 0, 0, 0, 0);
	((struct virtio_net_hdr *)f)->hdr_len = htole16(200);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + 100, 0),
		     "a header length past the frame");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		 1400, L4_OFF, 6);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0),
		     "TCP GSO with the checksum elsewhere than TCP's");
	vnet_hdr(f, 0, VIRTIO_NET_HDR_GSO_UDP_L4, 1400, 0, 0);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0),
		     "UDP GSO without a checksum to complete");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP_L4,
		 1400, L4_OFF, 6);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0), "UDP GSO of a TCP frame");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 1400,
		 L4_OFF, 6);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0), "UFO (GSO_UDP)");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6,
		 1400, L4_OFF, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0), "TCPv6 GSO of IPv4");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 8,
		 L4_OFF, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0),
		     "TCP GSO into 500 frames of 8 bytes");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		 1400, L4_OFF + 4, 12);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0),
		     "TCP GSO, the checksum offsets off the TCP header");
	fr[L4_OFF + 12] = 4 << 4;
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		 1400, L4_OFF, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0),
		     "TCP GSO with a TCP header of 16 bytes");
	fr[L4_OFF + 12] = 5 << 4;
	/* An ARP frame with a TCP GSO header, with and without offsets. */
	put16(fr + 12, 0x0806);
	vnet_hdr(f, 0, VIRTIO_NET_HDR_GSO_TCPV4, 1400, 0, 0);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0), "TCP GSO of a non-IP frame");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		 1400, L4_OFF, 16);
	EXPECT_ERRNO(EINVAL, send(a, f, VH + n, 0),
		     "TCP GSO of a non-IP frame, with checksum offsets");
	n = tcp4_partial(fr, 4000);
	vnet_hdr(f, 0, 0, 0, 0, 0);
	EXPECT_ERRNO(EOVERFLOW, send(a, f, VH + DEFAULT_MTU + 1, 0),
		     "a frame that is not GSO, over the MTU");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		 1500, L4_OFF, 16);
	EXPECT_ERRNO(EOVERFLOW, send(a, f, VH + n, 0),
		     "GSO frames of 1554 bytes, over the MTU");
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		 1400, L4_OFF, 16);
	EXPECT_ERRNO(EOVERFLOW, send(a, f, VH + 65535 + 18 + 1, 0),
		     "a GSO frame over 64 KiB");
	EXPECT_ERRNO(EOVERFLOW, send(a, f, VH + 65536 + 32, 0),
		     "a GSO frame over 64 KiB");
	expect_none(_metadata, b, "a reader without headers");
	expect_none(_metadata, c, "a reader with headers");
	/* The same frame with a good header passes. */
	ASSERT_VAL(VH + n, send(a, f, VH + n, 0), "a good GSO frame");
	ASSERT_VAL(VH + n, recv_timeout(c, rxbuf, sizeof(rxbuf), 0,
					RECV_TIMEOUT), "received whole");
}

/*
 * A TCP super-frame of 10000 bytes in segments of 1448, its checksum
 * left to complete, as a VM sends it: a reader without headers gets seven
 * segments, each with its own IP length and checksum, its TCP sequence
 * number and a complete TCP checksum; a reader with headers gets the
 * super-frame as sent, its header describing it.
 */
TEST(vnet_gso_tcp4)
{
	static unsigned char f[VH + 12000], seg[2048];
	const size_t payload = 10000, mss = 1448;
	const char *p = tpath("net");
	unsigned char *fr = f + VH;
	size_t n, off = 0, i;
	struct virtio_net_hdr h;
	uint32_t seq0;
	ssize_t r;
	int a, b, c;

	a = TRY(vnet_sock(p, VH, true));
	b = TRY(net_join(p));
	c = TRY(vnet_sock(p, VH, false));
	n = tcp4_partial(fr, payload);
	seq0 = get32(fr + L4_OFF + 4);
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, mss,
		 L4_OFF, 16);
	((struct virtio_net_hdr *)f)->hdr_len = htole16(L4_OFF + TCP);
	ASSERT_VAL(VH + n, send(a, f, VH + n, 0), "send the super-frame");

	for (i = 0; off < payload; i++) {
		size_t want = payload - off < mss ? payload - off : mss;

		r = recv_timeout(b, seg, sizeof(seg), 0, RECV_TIMEOUT);
		ASSERT_VAL(L4_OFF + TCP + want, r, "a segment's length");
		ASSERT_EQ(IP4 + TCP + want, get16(seg + ETH + 2))
			TH_LOG("segment %zu: IP total length", i);
		ASSERT_EQ(0xffff, fold(sum16(seg + ETH, IP4, 0)))
			TH_LOG("segment %zu: IP checksum", i);
		ASSERT_EQ(seq0 + off, get32(seg + L4_OFF + 4))
			TH_LOG("segment %zu: TCP sequence", i);
		ASSERT_TRUE(l4_csum_ok(seg, r, IPPROTO_TCP))
			TH_LOG("segment %zu: TCP checksum", i);
		ASSERT_EQ(0, memcmp(seg + L4_OFF + TCP,
				    fr + L4_OFF + TCP + off, want))
			TH_LOG("segment %zu: payload", i);
		off += want;
	}
	ASSERT_EQ((size_t)7, i);
	expect_none(_metadata, b, "a reader without headers, after 7 segments");

	r = recv_timeout(c, rxbuf, sizeof(rxbuf), 0, RECV_TIMEOUT);
	ASSERT_VAL(VH + n, r, "the super-frame, whole");
	h = read_hdr(rxbuf);
	EXPECT_EQ(VIRTIO_NET_HDR_GSO_TCPV4, h.gso_type);
	EXPECT_EQ(mss, le16toh(h.gso_size));
	EXPECT_EQ(VIRTIO_NET_HDR_F_NEEDS_CSUM, h.flags);
	EXPECT_EQ(L4_OFF, le16toh(h.csum_start));
	EXPECT_EQ(16, le16toh(h.csum_offset));
	ASSERT_EQ(0, memcmp(rxbuf + VH, fr, n));
	expect_none(_metadata, c, "a reader with headers, after the frame");
}

/*
 * A TCP super-frame with an 802.1Q tag, sent with a 12-byte header, with
 * and without checksum offsets (a header without them is probed): the
 * tag stays on every segment, and the checksums are right.
 */
TEST(vnet_gso_tagged)
{
	static unsigned char f[12 + 8000];
	const size_t payload = 6000, mss = 1400, ip = ETH + 4;
	const char *p = tpath("net");
	unsigned char *fr = f + 12;
	struct virtio_net_hdr h;
	int a, b, c, pass;
	size_t n, off, i;
	ssize_t r;

	a = TRY(vnet_sock(p, 12, true));
	b = TRY(net_join(p));
	c = TRY(vnet_sock(p, VH, false));
	for (pass = 0; pass < 2; pass++) {
		memset(f, 0, 12);
		n = vlan_tag(fr, tcp4_partial(fr + 4, payload), 42);
		if (pass == 0) {
			vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM,
				 VIRTIO_NET_HDR_GSO_TCPV4, mss, ip + IP4, 16);
		} else {
			/* A complete checksum of the super-frame. */
			put16(fr + ip + IP4 + 16, 0);
			put16(fr + ip + IP4 + 16,
			      ~fold(sum16(fr + ip + IP4, n - ip - IP4,
					  pseudo4(fr + ip, IPPROTO_TCP,
						  n - ip - IP4))));
			vnet_hdr(f, 0, VIRTIO_NET_HDR_GSO_TCPV4, mss, 0, 0);
		}
		ASSERT_VAL(12 + n, send(a, f, 12 + n, 0), "send");
		for (i = 0, off = 0; off < payload; i++) {
			size_t want = payload - off < mss ? payload - off : mss;

			r = recv_timeout(b, rxbuf, sizeof(rxbuf), 0,
					 RECV_TIMEOUT);
			ASSERT_VAL(ip + IP4 + TCP + want, r, "a segment");
			ASSERT_EQ(0x8100, get16(rxbuf + 12));
			ASSERT_EQ(42, get16(rxbuf + 14));
			ASSERT_TRUE(l4_csum_ok_at(rxbuf, ip, r, IPPROTO_TCP))
				TH_LOG("pass %d, segment %zu: TCP checksum",
				       pass, i);
			off += want;
		}
		ASSERT_EQ((size_t)5, i);
		ASSERT_VAL(VH + n, recv_timeout(c, rxbuf, sizeof(rxbuf), 0,
						RECV_TIMEOUT), "whole");
		h = read_hdr(rxbuf);
		EXPECT_EQ(VIRTIO_NET_HDR_GSO_TCPV4, h.gso_type);
		EXPECT_EQ(mss, le16toh(h.gso_size));
		ASSERT_EQ(0, memcmp(rxbuf + VH, fr, n));
	}
}

/*
 * A UDP datagram whose checksum is left to complete: completed for a
 * reader without headers, passed on with its offsets to one with them.
 */
TEST(vnet_csum_partial)
{
	static unsigned char f[VH + 1000];
	const char *p = tpath("net");
	unsigned char *fr = f + VH, *udp = fr + L4_OFF;
	const size_t payload = 900, n = L4_OFF + UDP + payload;
	struct virtio_net_hdr h;
	int a, b, c;

	a = TRY(vnet_sock(p, VH, true));
	b = TRY(net_join(p));
	c = TRY(vnet_sock(p, 12, false));
	ip4_frame(fr, IPPROTO_UDP, UDP + payload);
	put16(udp, 5353);
	put16(udp + 2, 5354);
	put16(udp + 4, UDP + payload);
	fill_pattern(udp + UDP, payload, 3);
	put16(udp + 6, fold(pseudo4(fr + ETH, IPPROTO_UDP, UDP + payload)));
	vnet_hdr(f, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, L4_OFF, 6);
	ASSERT_VAL(VH + n, send(a, f, VH + n, 0), "send");

	ASSERT_VAL(n, recv_timeout(b, rxbuf, sizeof(rxbuf), 0, RECV_TIMEOUT),
		   "a reader without headers");
	ASSERT_TRUE(l4_csum_ok(rxbuf, n, IPPROTO_UDP))
		TH_LOG("the UDP checksum is not complete");
	ASSERT_EQ(0, memcmp(rxbuf + L4_OFF + UDP, udp + UDP, payload));

	ASSERT_VAL(12 + n, recv_timeout(c, rxbuf, sizeof(rxbuf), 0,
					RECV_TIMEOUT), "a reader with headers");
	h = read_hdr(rxbuf);
	EXPECT_EQ(VIRTIO_NET_HDR_F_NEEDS_CSUM, h.flags);
	EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, h.gso_type);
	EXPECT_EQ(L4_OFF, le16toh(h.csum_start));
	EXPECT_EQ(6, le16toh(h.csum_offset));
	EXPECT_EQ(0, rxbuf[10] | rxbuf[11]);
	ASSERT_EQ(0, memcmp(rxbuf + 12, fr, n));
}

IPN_HARNESS_MAIN
