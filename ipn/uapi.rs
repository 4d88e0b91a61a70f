// SPDX-License-Identifier: GPL-2.0

//! The user ABI, mirrored from `include/uapi/linux/ipn.h`. The test suite
//! checks that both agree.

#![allow(dead_code)]

pub(crate) const AF_IPN: i32 = 46;

pub(crate) const IPN_ANY: i32 = 0;
pub(crate) const IPN_BROADCAST: i32 = 1;
pub(crate) const IPN_VDESWITCH: i32 = 2;
pub(crate) const IPN_VDESWITCH_L3: i32 = 3;

pub(crate) const SOL_IPN: i32 = 0;

pub(crate) const IPN_SO_PORT: i32 = 0;
pub(crate) const IPN_SO_DESCR: i32 = 1;
pub(crate) const IPN_SO_CHANGE_NUMNODES: i32 = 2;
pub(crate) const IPN_SO_HANDLE_OOB: i32 = 3;
pub(crate) const IPN_SO_WANT_OOB_NUMNODES: i32 = 4;
pub(crate) const IPN_SO_PREBIND: i32 = 0x80;
pub(crate) const IPN_SO_MTU: i32 = 0x80;
pub(crate) const IPN_SO_NUMNODES: i32 = 0x81;
pub(crate) const IPN_SO_MSGPOOLSIZE: i32 = 0x82;
pub(crate) const IPN_SO_FLAGS: i32 = 0x83;
pub(crate) const IPN_SO_MODE: i32 = 0x84;

pub(crate) const IPN_DESCRLEN: usize = 128;
pub(crate) const IPN_PORTNO_ANY: i32 = -1;
pub(crate) const IPN_MTU_MIN: i32 = 1;
pub(crate) const IPN_MTU_MAX: i32 = 65535;
pub(crate) const IPN_NUMNODES_MAX: i32 = 4096;
pub(crate) const IPN_MSGPOOLSIZE_MAX: i32 = 4096;

pub(crate) const IPN_FLAG_LOSSLESS: u32 = 1;
pub(crate) const IPN_FLAG_EXCL: u32 = 2;
pub(crate) const IPN_FLAG_FLEXMTU: u32 = 4;
pub(crate) const IPN_FLAG_MASK: u32 = 7;

pub(crate) const DEFAULT_MTU: usize = 1514;
pub(crate) const DEFAULT_NUMNODES: usize = 32;
pub(crate) const DEFAULT_MSGPOOLSIZE: u32 = 8;
pub(crate) const DEFAULT_MODE: u16 = 0o777;

/// `_IOW('I', nr, int)`, as the header encodes every IPN ioctl.
const fn iow(nr: u32) -> u32 {
    kernel::ioctl::_IOW::<kernel::ffi::c_int>(b'I' as u32, nr)
}
pub(crate) const IPN_CHECK: u32 = iow(199);
pub(crate) const IPN_SETPERSIST_NETDEV: u32 = iow(200);
pub(crate) const IPN_CLRPERSIST_NETDEV: u32 = iow(201);
pub(crate) const IPN_CONN_NETDEV: u32 = iow(202);
pub(crate) const IPN_JOIN_NETDEV: u32 = iow(203);
pub(crate) const IPN_SETPERSIST: u32 = iow(204);
pub(crate) const IPN_CHECK_MAGIC: i32 = 0x49504e;
pub(crate) const IPN_NODEFLAG_TAP: u16 = 0x10;
pub(crate) const IPN_NODEFLAG_GRAB: u16 = 0x20;

/// `sizeof(struct sockaddr_un)`: family plus 108 bytes of path.
pub(crate) const SOCKADDR_UN_LEN: usize = 110;
pub(crate) const SOCK_RAW: i32 = 3;
