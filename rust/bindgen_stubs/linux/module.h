/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen needs of <linux/module.h>, <linux/skbuff.h> and
 * <linux/sockptr.h> to read include/net/ipn.h (rust/bindings.mk): the
 * names.  The Rust code uses the kernel crate's definitions of these
 * types, so their contents here do not matter.
 */
#ifndef _IPN_BINDGEN_STUBS_H
#define _IPN_BINDGEN_STUBS_H

#define __user
typedef _Bool bool;
typedef __SIZE_TYPE__ size_t;

struct module;
struct sk_buff;
typedef struct {
	void *ptr;
} sockptr_t;

#endif
