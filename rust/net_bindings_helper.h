/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen reads for ipn.ko's socket bindings (rust/net_bindings.mk):
 * struct sock and the functions on it that an address family calls.
 */
#include <linux/net.h>
#include <linux/skbuff.h>
#include <net/sock.h>
