// SPDX-License-Identifier: GPL-2.0

//! The user ABI, from its one source, `include/uapi/linux/ipn.h`, through
//! the bindings bindgen generates at build time (`rust/bindings.mk`). Those
//! constants the code uses with another type than the header's `int` are
//! given it here.

use crate::ipn_bindings as generated;

#[allow(unused_imports)]
pub(crate) use generated::*;

pub(crate) const IPN_DESCRLEN: usize = generated::IPN_DESCRLEN as usize;
pub(crate) const IPN_FLAG_LOSSLESS: u32 = generated::IPN_FLAG_LOSSLESS as u32;
pub(crate) const IPN_FLAG_EXCL: u32 = generated::IPN_FLAG_EXCL as u32;
pub(crate) const IPN_FLAG_MASK: u32 = generated::IPN_FLAG_MASK as u32;
pub(crate) const IPN_NODEFLAG_TAP: u16 = generated::IPN_NODEFLAG_TAP as u16;
pub(crate) const IPN_NODEFLAG_GRAB: u16 = generated::IPN_NODEFLAG_GRAB as u16;

/// Defaults of a new network (`Documentation/ipn.rst`).
pub(crate) const DEFAULT_MTU: usize = 1514;
pub(crate) const DEFAULT_NUMNODES: usize = 32;
pub(crate) const DEFAULT_MSGPOOLSIZE: u32 = 8;
pub(crate) const DEFAULT_MODE: u16 = 0o777;

/// `sizeof(struct sockaddr_un)`: family plus 108 bytes of path.
pub(crate) const SOCKADDR_UN_LEN: usize = 110;
pub(crate) const SOCK_RAW: i32 = 3;
