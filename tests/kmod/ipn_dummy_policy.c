// SPDX-License-Identifier: GPL-2.0
/*
 * ipn_dummy_policy: a test policy written in C against include/net/ipn.h.
 *
 * It echoes every message back to the port that sent it and nowhere else;
 * a message that starts with "oob" comes back out of band
 * (ipn_deliver_oob()), if the sender takes such messages; "tick" starts
 * the network's timer (ipn_net_timer()), which sends "tock" to the last
 * port that said "tick" every 10 ms until the network goes.  The test suite
 * loads it on a free protocol number, and on a taken one to check that
 * registration refuses duplicates.
 */

#include <linux/module.h>
#include <net/ipn.h>

static int protocol = 7;
module_param(protocol, int, 0444);
MODULE_PARM_DESC(protocol, "Protocol number to register (default 7)");

static void echo_handlemsg(struct ipn_network *net, int port,
			   struct sk_buff *skb)
{
	if (port < 0) {
		consume_skb(skb);
		return;
	}
	if (skb->len >= 3 && skb_headlen(skb) >= 3 &&
	    !memcmp(skb->data, "oob", 3)) {
		ipn_deliver_oob(net, port, skb);
		return;
	}
	if (skb->len == 4 && skb_headlen(skb) == 4 &&
	    !memcmp(skb->data, "tick", 4)) {
		/* The port to tell, as the private pointer: nothing to free. */
		ipn_net_set_private(net, (void *)(long)(port + 1));
		ipn_net_timer(net, 10);
		consume_skb(skb);
		return;
	}
	ipn_deliver(net, port, skb);
}

static void echo_timer(struct ipn_network *net)
{
	int port = (long)ipn_net_private(net) - 1;
	struct sk_buff *skb = alloc_skb(4, GFP_ATOMIC);

	if (skb) {
		skb_put_data(skb, "tock", 4);
		ipn_deliver(net, port, skb);
	}
	ipn_net_timer(net, 10);
}

/* A private ioctl, to test that the core passes unknown ones on. */
#define IPN_DUMMY_WHOAMI	_IO('I', 250)

static int echo_ioctl(struct ipn_network *net, int port, unsigned int cmd,
		      unsigned long arg)
{
	if (cmd != IPN_DUMMY_WHOAMI)
		return -ENOIOCTLCMD;
	return 1000 + port;
}

static const struct ipn_protocol echo_policy = {
	.owner = THIS_MODULE,
	.handlemsg = echo_handlemsg,
	.ioctl = echo_ioctl,
	.timer = echo_timer,
};

static int __init echo_init(void)
{
	int err = ipn_proto_register(protocol, &echo_policy);

	/*
	 * The test suite reads this: finit_module() reports a module init's
	 * -EEXIST as -EBUSY, since -EEXIST means "already loaded" there.
	 */
	if (err)
		pr_info("ipn_dummy_policy: protocol %d: error %d\n", protocol, err);
	return err;
}

static void __exit echo_exit(void)
{
	ipn_proto_unregister(protocol);
}

module_init(echo_init);
module_exit(echo_exit);
MODULE_DESCRIPTION("AF_IPN test policy: echo to the sender");
MODULE_LICENSE("GPL");
