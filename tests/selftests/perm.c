// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions of AF_IPN networks, as uid 65534: the node's r, w and x
 * rights decide who receives, sends, and binds.
 */
#include "ipn_lib.h"

struct perm_ctx {
	const char *path[3];
	int ready_w;
};

/* A network at @path, with a node of mode @mode: its creator's socket. */
static int perm_net(struct __test_metadata *_metadata, const char *path,
		    int mode, bool bind_only)
{
	int s;

	s = TRY(net_create(path, &(struct netopts){
		.set_mode = true, .mode = mode, .bind_only = bind_only }));
	expect_node(_metadata, path, mode);
	return s;
}

static int perm_read_only_child(struct __test_metadata *_metadata, void *arg)
{
	struct perm_ctx *c = arg;
	int s;

	become_nobody(_metadata);
	s = TRY(ipn_socket());
	TRY(ipn_connect(s, c->path[0]));
	ASSERT_ERRNO(EPIPE, send(s, "x", 1, 0),
		     "send on a read-only (0444) network");
	TRY(write(c->ready_w, "r", 1));
	expect_str(_metadata, s, "to the reader", "read-only node");
	return 0;
}

TEST(perm_read_only)
{
	struct perm_ctx c = { .path = { tpath("ro") } };
	int root, fds[2];
	bool ready;
	pid_t pid;

	root = perm_net(_metadata, c.path[0], 0444, false);
	TRY(pipe(fds));
	c.ready_w = fds[1];
	pid = TRY(spawn(_metadata, perm_read_only_child, &c));
	close(fds[1]);
	ready = read_byte_timeout(fds[0], 10000) == 1;
	if (!ready)
		reap(pid, "unprivileged reader");
	ASSERT_TRUE(ready)
		TH_LOG("the reader failed before it was ready");
	send_str(_metadata, root, "to the reader");
	ASSERT_EQ(0, reap(pid, "unprivileged reader"));
	expect_none(_metadata, root, "root");
}

static int perm_write_only_child(struct __test_metadata *_metadata, void *arg)
{
	struct perm_ctx *c = arg;
	char buf[16];
	int s;

	become_nobody(_metadata);
	s = TRY(ipn_socket());
	TRY(ipn_connect(s, c->path[0]));
	ASSERT_VAL(0, recv(s, buf, sizeof(buf), MSG_DONTWAIT),
		   "recv(MSG_DONTWAIT) on a write-only (0222) network");
	send_str(_metadata, s, "from the writer");
	return 0;
}

TEST(perm_write_only)
{
	struct perm_ctx c = { .path = { tpath("wo") } };
	int root;
	pid_t pid;

	root = perm_net(_metadata, c.path[0], 0222, false);
	pid = TRY(spawn(_metadata, perm_write_only_child, &c));
	ASSERT_EQ(0, reap(pid, "unprivileged writer"));
	expect_str(_metadata, root, "from the writer", "root");
}

static int perm_write_only_race_child(struct __test_metadata *_metadata,
				      void *arg)
{
	struct perm_ctx *c = arg;
	char buf[16];
	int i, s;

	become_nobody(_metadata);
	for (i = 0; i < 400; i++) {
		s = TRY(ipn_socket());
		TRY(ipn_connect(s, c->path[0]));
		ASSERT_VAL(0, recv(s, buf, sizeof(buf), MSG_DONTWAIT),
			   "recv(MSG_DONTWAIT) right after connecting write-only");
		close(s);
	}
	return 0;
}

/*
 * A write-only socket is shut for reading before its port is published:
 * a message sent while it connects never reaches it.
 */
TEST(perm_write_only_race)
{
	struct perm_ctx c = { .path = { tpath("wo") } };
	int root, rc;
	pid_t flood, pid;

	root = perm_net(_metadata, c.path[0], 0222, false);
	flood = TRY(fork_helper(false));
	if (flood == 0) {
		for (;;)
			send(root, "x", 1, MSG_DONTWAIT);
	}
	pid = TRY(spawn(_metadata, perm_write_only_race_child, &c));
	rc = reap(pid, "write-only connector");
	kill(flood, SIGKILL);
	waitpid(flood, NULL, 0);
	ASSERT_EQ(0, rc);
}

static int perm_none_child(struct __test_metadata *_metadata, void *arg)
{
	struct perm_ctx *c = arg;
	int s;

	become_nobody(_metadata);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(EACCES, ipn_connect(s, c->path[0]),
		     "connect to a mode 0 network");
	ASSERT_ERRNO(EACCES, ipn_connect(s, c->path[1]),
		     "connect to a mode 0111 network");
	ASSERT_ERRNO(EACCES, ipn_bind(s, c->path[0]),
		     "bind to a mode 0 network");
	return 0;
}

TEST(perm_none)
{
	struct perm_ctx c = { .path = { tpath("m0"), tpath("m111") } };
	pid_t pid;

	perm_net(_metadata, c.path[0], 0, false);
	perm_net(_metadata, c.path[1], 0111, true);
	pid = TRY(spawn(_metadata, perm_none_child, &c));
	ASSERT_EQ(0, reap(pid, "unprivileged process"));
}

static int perm_bind_child(struct __test_metadata *_metadata, void *arg)
{
	struct perm_ctx *c = arg;
	int s;

	become_nobody(_metadata);
	s = TRY(ipn_socket());
	ASSERT_ERRNO(EACCES, ipn_bind(s, c->path[0]),
		     "bind to a mode 0666 network");
	/* r and w without x: connecting is fine. */
	TRY(ipn_connect(s, c->path[0]));
	send_str(_metadata, s, "rw without x");

	s = TRY(ipn_socket());
	TRY(ipn_bind(s, c->path[1]));
	ASSERT_ERRNO(EACCES, connect(s, NULL, 0),
		     "connect after bind to a mode 0111 network");

	s = TRY(ipn_socket());
	TRY(ipn_bind(s, c->path[2]));
	TRY(connect(s, NULL, 0));
	send_str(_metadata, s, "managed");
	return 0;
}

TEST(perm_bind_needs_x)
{
	struct perm_ctx c = {
		.path = { tpath("m666"), tpath("m111"), tpath("m777") },
	};
	int r0, r2;
	pid_t pid;

	r0 = perm_net(_metadata, c.path[0], 0666, false);
	perm_net(_metadata, c.path[1], 0111, true);
	r2 = perm_net(_metadata, c.path[2], 0777, false);
	pid = TRY(spawn(_metadata, perm_bind_child, &c));
	ASSERT_EQ(0, reap(pid, "unprivileged process"));
	expect_str(_metadata, r0, "rw without x", "root on 0666");
	expect_str(_metadata, r2, "managed", "root on 0777");
}

IPN_HARNESS_MAIN
