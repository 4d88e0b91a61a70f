// SPDX-License-Identifier: GPL-2.0
/*
 * The policy API of include/net/ipn.h, exported to policy modules.  The
 * functions are defined in Rust (policy.rs) except ipn_copy_optval().
 */

#include <linux/module.h>
#include <net/ipn.h>

int ipn_copy_optval(void *dst, sockptr_t src, size_t size)
{
	return copy_from_sockptr(dst, src, size) ? -EFAULT : 0;
}

EXPORT_SYMBOL_GPL(ipn_proto_register);
EXPORT_SYMBOL_GPL(ipn_proto_unregister);
EXPORT_SYMBOL_GPL(ipn_net_private);
EXPORT_SYMBOL_GPL(ipn_net_set_private);
EXPORT_SYMBOL_GPL(ipn_net_numnodes);
EXPORT_SYMBOL_GPL(ipn_deliver);
EXPORT_SYMBOL_GPL(ipn_deliver_all_but);
EXPORT_SYMBOL_GPL(ipn_copy_optval);

