/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bindgen reads for the modules' Rust bindings (rust/bindings.mk):
 * the headers, and the user ABI's ioctl numbers, which are
 * function-like macros bindgen cannot expand, as constants (the kernel's
 * rust/bindings does the same).
 */
#include <linux/ipn.h>
#include <linux/ipn_diag.h>
#include <net/ipn.h>

const unsigned int RUST_CONST_HELPER_IPN_CHECK = IPN_CHECK;
const unsigned int RUST_CONST_HELPER_IPN_SETPERSIST_NETDEV = IPN_SETPERSIST_NETDEV;
const unsigned int RUST_CONST_HELPER_IPN_CLRPERSIST_NETDEV = IPN_CLRPERSIST_NETDEV;
const unsigned int RUST_CONST_HELPER_IPN_CONN_NETDEV = IPN_CONN_NETDEV;
const unsigned int RUST_CONST_HELPER_IPN_JOIN_NETDEV = IPN_JOIN_NETDEV;
const unsigned int RUST_CONST_HELPER_IPN_SETPERSIST = IPN_SETPERSIST;
