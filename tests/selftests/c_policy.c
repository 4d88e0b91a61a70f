// SPDX-License-Identifier: GPL-2.0
/*
 * A policy written in C (tests/kmod/ipn_dummy_policy.ko, an echo): it
 * registers a protocol number of its own, refused when taken, gets the
 * ioctls the core does not know, and runs a timer (ipn_net_timer()).
 */
#include "ipn_lib.h"

#include <sys/syscall.h>

#define DUMMY_POLICY_KO	"/modules/ipn_dummy_policy.ko"
#define DUMMY_PROTOCOL	7	/* ipn_dummy_policy's default */

/* finit_module() of the module file @path with @params. */
static long load_module(const char *path, const char *params)
{
	long r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, params, 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/*
 * The policy's own out-of-band messages (ipn_deliver_oob()): the echo
 * sends back out of band what starts with "oob".  Only to a socket that
 * takes them, ahead of its data, at most the pool size of them.
 */
static void policy_oob(struct __test_metadata *_metadata, int x)
{
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int i;

	send_str(_metadata, x, "oob-lost");
	expect_none(_metadata, x, "x, which does not take them");
	TRY(set_opt(x, IPN_SO_HANDLE_OOB, 1));
	send_str(_metadata, x, "data");
	send_str(_metadata, x, "oob-1");
	ASSERT_VAL(5, recvmsg(x, &mh, MSG_DONTWAIT), "the first message");
	ASSERT_TRUE(mh.msg_flags & MSG_OOB)
		TH_LOG("msg_flags %#x: not out of band", mh.msg_flags);
	ASSERT_EQ(0, memcmp(buf, "oob-1", 5));
	expect_str(_metadata, x, "data", "x, data after");
	/* A full pool of them waits; more are dropped. */
	for (i = 0; i < DEFAULT_MSGPOOLSIZE + 3; i++)
		send_str(_metadata, x, "oob-n");
	for (i = 0; i < DEFAULT_MSGPOOLSIZE; i++)
		ASSERT_VAL(5, recv(x, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT),
			   "an out-of-band message of the pool");
	ASSERT_ERRNO(EAGAIN, recv(x, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT),
		     "recv(MSG_OOB) past the pool");
	expect_none(_metadata, x, "x, after the pool");
}

/*
 * The policy's timer: "tick" makes the echo send "tock" every 10 ms to
 * the port that said it last, from its timer callback, which sets itself
 * again each time.  The caller then closes the network with the timer
 * running: the core must stop it before the policy's delnet, and the
 * module must unload after.
 */
static void policy_timer(struct __test_metadata *_metadata, int x, int y)
{
	char buf[16];
	int i;

	send_str(_metadata, y, "tick");
	for (i = 0; i < 3; i++) {
		ASSERT_VAL(4, recv_timeout(y, buf, sizeof(buf), 0, 2000),
			   "a tock from the timer, to the ticker");
		ASSERT_EQ(0, memcmp(buf, "tock", 4));
	}
	expect_none(_metadata, x, "x, which did not tick");
	/* The last to tick gets them: y's stop coming. */
	send_str(_metadata, x, "tick");
	ASSERT_VAL(4, recv_timeout(x, buf, sizeof(buf), 0, 2000),
		   "a tock, to the new ticker");
	usleep(50000);
	while (recv(y, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	usleep(100000);
	expect_none(_metadata, y, "y, after x ticked");
}

TEST(policy_duplicate_register)
{
	const char *sp = tpath("switch"), *ep = tpath("echo");
	char params[32];
	int m, e, x, y;

	if (access(DUMMY_POLICY_KO, R_OK))
		SKIP(return, "%s: %s", DUMMY_POLICY_KO, errstr(errno));
	/* Its own name must be free, or finit_module() says EEXIST anyway. */
	if (module_loaded("ipn_dummy_policy")) {
		TH_LOG("ipn_dummy_policy is loaded already: unloading it first");
		unload_module_wait(_metadata, "ipn_dummy_policy");
	}
	m = TRY(sw_create(sp, 0));
	ASSERT_TRUE(module_loaded("kvde_switch"))
		TH_LOG("kvde_switch is not loaded");

	/*
	 * ipn_proto_register() refuses the taken number with -EEXIST, which
	 * the module logs; finit_module() reports a module init's -EEXIST as
	 * EBUSY, because EEXIST there means "this module is loaded already".
	 */
	snprintf(params, sizeof(params), "protocol=%d", IPN_VDESWITCH);
	ASSERT_ERRNO(EBUSY, load_module(DUMMY_POLICY_KO, params),
		     "ipn_dummy_policy on the switch's protocol number");
	snprintf(params, sizeof(params), "protocol %d: error %d",
		 IPN_VDESWITCH, -EEXIST);
	ASSERT_TRUE(kernel_log_has(params))
		TH_LOG("the kernel log does not say ipn_proto_register() gave -EEXIST");
	ASSERT_TRUE(!module_loaded("ipn_dummy_policy"))
		TH_LOG("ipn_dummy_policy stayed after its init failed");
	/* The switch is untouched. */
	ASSERT_VAL(IPN_SWITCH_AGING_DEFAULT, sw_get(m, IPN_SWITCH_AGING),
		   "IPN_SWITCH_AGING after the refused registration");

	snprintf(params, sizeof(params), "protocol=%d", DUMMY_PROTOCOL);
	TRY(load_module(DUMMY_POLICY_KO, params));
	ASSERT_TRUE(module_loaded("ipn_dummy_policy"))
		TH_LOG("ipn_dummy_policy is not in /proc/modules");

	e = TRY(net_create_proto(ep, DUMMY_PROTOCOL, NULL));
	x = TRY(net_join_proto(ep, DUMMY_PROTOCOL));
	y = TRY(net_join_proto(ep, IPN_ANY));
	send_str(_metadata, x, "echo");
	expect_str(_metadata, x, "echo", "x, the sender");
	expect_none(_metadata, y, "y");
	expect_none(_metadata, e, "the creator");
	send_str(_metadata, e, "echo e");
	expect_str(_metadata, e, "echo e", "the creator, the sender");
	expect_none(_metadata, x, "x");
	expect_none(_metadata, y, "y");
	expect_unload_refused(_metadata, "ipn_dummy_policy",
			      "with an echo network");

	/* ioctls the core does not know go to the policy. */
	ASSERT_VAL(1000 + opt_value(x, IPN_SO_PORT),
		   ioctl(x, _IO('I', 250), 0),
		   "the policy's ioctl answers with 1000 + the caller's port");
	ASSERT_TRUE(ioctl(x, _IO('I', 251), 0) < 0 && errno == ENOTTY)
		TH_LOG("an ioctl nobody knows gives ENOTTY");

	policy_oob(_metadata, x);
	policy_timer(_metadata, x, y);

	close(e);
	close(x);
	close(y);
	unload_module_wait(_metadata, "ipn_dummy_policy");
	ASSERT_ERRNO(EPROTONOSUPPORT, socket(ipn_family(), SOCK_RAW, DUMMY_PROTOCOL),
		     "socket of the unloaded policy's protocol");
}

IPN_HARNESS_MAIN
