//! The raw ABI of `include/uapi/linux/ipn.h` and
//! `include/uapi/linux/ipn_diag.h`: constants and structures,
//! written by hand and checked against the C header by the crate's
//! `header` test (a generated C file of `_Static_assert`s on every value,
//! size and offset, compiled against the header), so that building the
//! crate needs neither the header nor libclang.
//!
//! Most programs want the safe API of the crate root instead.

#![allow(missing_docs)]

use libc::c_int;

/// Declares the header's integer constants, and [`CONSTANTS`], the list
/// the header test checks.
macro_rules! constants {
    ($($(#[$m:meta])* $name:ident: $ty:ty = $value:expr;)*) => {
        $($(#[$m])* pub const $name: $ty = $value;)*
        /// Every constant of this module, by its C name, for the header test.
        #[doc(hidden)]
        pub const CONSTANTS: &[(&str, i64)] = &[$((stringify!($name), $name as i64)),*];
    };
}

/// `_IOW('I', nr, int)`, as the header encodes its ioctls (libc knows
/// each architecture's encoding).
const fn iow_int(nr: u32) -> libc::Ioctl {
    libc::_IOW::<c_int>(b'I' as u32, nr)
}

/// `SO_MEMINFO`, whose number differs on SPARC.
const fn so_meminfo() -> c_int {
    if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        0x0039
    } else {
        55
    }
}

constants! {
    /// The address family (and protocol family) number.
    AF_IPN: c_int = 46;
    PF_IPN: c_int = 46;

    /// Delivery policies: the protocol argument of `socket()`.
    IPN_ANY: c_int = 0;
    IPN_BROADCAST: c_int = 1;
    IPN_HUB: c_int = 1;
    IPN_VDESWITCH: c_int = 2;
    IPN_VDESWITCH_L3: c_int = 3;

    /// Socket option level of the IPN core.
    SOL_IPN: c_int = 0;
    IPN_SO_PORT: c_int = 0;
    IPN_SO_DESCR: c_int = 1;
    IPN_SO_CHANGE_NUMNODES: c_int = 2;
    IPN_SO_HANDLE_OOB: c_int = 3;
    IPN_SO_WANT_OOB_NUMNODES: c_int = 4;
    IPN_SO_VNET_HDR: c_int = 5;
    IPN_SO_PREBIND: c_int = 0x80;
    IPN_SO_MTU: c_int = 0x80;
    IPN_SO_NUMNODES: c_int = 0x81;
    IPN_SO_MSGPOOLSIZE: c_int = 0x82;
    IPN_SO_FLAGS: c_int = 0x83;
    IPN_SO_MODE: c_int = 0x84;

    IPN_DESCRLEN: usize = 128;
    IPN_PORTNO_ANY: c_int = -1;
    IPN_MTU_MIN: c_int = 1;
    IPN_MTU_MAX: c_int = 65535;
    IPN_NUMNODES_MAX: c_int = 4096;
    IPN_MSGPOOLSIZE_MAX: c_int = 4096;

    IPN_FLAG_LOSSLESS: c_int = 1;
    IPN_FLAG_EXCL: c_int = 2;
    IPN_FLAG_FLEXMTU: c_int = 4;
    IPN_FLAG_MASK: c_int = 7;

    IPN_NODEFLAG_TAP: libc::c_short = 0x10;
    IPN_NODEFLAG_GRAB: libc::c_short = 0x20;

    IPN_CHECK: libc::Ioctl = iow_int(199);
    IPN_SETPERSIST_NETDEV: libc::Ioctl = iow_int(200);
    IPN_CLRPERSIST_NETDEV: libc::Ioctl = iow_int(201);
    IPN_CONN_NETDEV: libc::Ioctl = iow_int(202);
    IPN_JOIN_NETDEV: libc::Ioctl = iow_int(203);
    IPN_SETPERSIST: libc::Ioctl = iow_int(204);
    IPN_CHECK_MAGIC: c_int = 0x49504e;

    /// Options of the Ethernet switch, at level [`IPN_VDESWITCH`].
    IPN_SWITCH_PORT_VLAN: c_int = 1;
    IPN_SWITCH_TRUNK_ADD: c_int = 2;
    IPN_SWITCH_TRUNK_DEL: c_int = 3;
    IPN_SWITCH_PORT_TRUNKS: c_int = 4;
    IPN_SWITCH_AGING: c_int = 5;
    IPN_SWITCH_FLUSH: c_int = 6;
    IPN_SWITCH_MAXENTRIES: c_int = 7;
    IPN_SWITCH_MACTABLE: c_int = 8;
    IPN_SWITCH_PORT_STATS: c_int = 9;
    IPN_SWITCH_STP: c_int = 10;
    IPN_SWITCH_STP_BRIDGE: c_int = 11;
    IPN_SWITCH_STP_PORT: c_int = 12;
    IPN_SWITCH_STP_STATUS: c_int = 13;
    IPN_SWITCH_STP_PORTS: c_int = 14;
    IPN_SWITCH_AGING_DEFAULT: c_int = 300;

    /// A port's spanning-tree state ([`ipn_switch_stp_port_state`]).
    IPN_STP_DISABLED: u8 = 0;
    IPN_STP_LISTENING: u8 = 1;
    IPN_STP_LEARNING: u8 = 2;
    IPN_STP_FORWARDING: u8 = 3;
    IPN_STP_BLOCKING: u8 = 4;
    /// Its role.
    IPN_STP_ROLE_DISABLED: u8 = 0;
    IPN_STP_ROLE_ROOT: u8 = 1;
    IPN_STP_ROLE_DESIGNATED: u8 = 2;
    IPN_STP_ROLE_ALTERNATE: u8 = 3;
    IPN_SWITCH_MAXENTRIES_DEFAULT: c_int = 4096;

    /// The tag of the out-of-band reader/writer notice,
    /// [`ipn_numnode_oob`].
    IPN_OOB_NUMNODE_TAG: c_int = 0;

    /// From `<asm/socket.h>` and `<linux/sock_diag.h>`: the socket's
    /// memory counters, whose entry `SK_MEMINFO_DROPS` counts drops.
    SO_MEMINFO: c_int = so_meminfo();
    SK_MEMINFO_VARS: usize = 9;

    /// Socket diagnostics (`<linux/ipn_diag.h>`): record types.
    IPN_DIAG_REC_NETWORK: u32 = 1;
    IPN_DIAG_REC_SOCKET: u32 = 2;
    IPN_DIAG_REC_IFACE: u32 = 4;
    IPN_DIAG_REC_ALL: u32 = 7;
    IPN_DIAG_ST_BOUND: u8 = 1;
    IPN_DIAG_ST_CONNECTED: u8 = 2;
    /// Attributes of a record.
    IPN_DIAG_UNSPEC: u16 = 0;
    IPN_DIAG_PATH: u16 = 1;
    IPN_DIAG_PARAMS: u16 = 2;
    IPN_DIAG_USERS: u16 = 3;
    IPN_DIAG_UID: u16 = 4;
    IPN_DIAG_DESCR: u16 = 5;
    IPN_DIAG_SHUTDOWN: u16 = 6;
    IPN_DIAG_RQLEN: u16 = 7;
    IPN_DIAG_MEMINFO: u16 = 8;
    IPN_DIAG_IFNAME: u16 = 9;
    IPN_DIAG_IFFLAGS: u16 = 10;
    IPN_DIAG_STATS: u16 = 11;
    IPN_DIAG_MAX: u16 = 11;
    IPN_DIAG_IF_TAP: u32 = 1;
    IPN_DIAG_IF_GRAB: u32 = 2;
    IPN_DIAG_IF_PERSIST: u32 = 4;
    IPN_DIAG_IF_CONTROLLED: u32 = 8;

    /// From `<linux/sock_diag.h>`.
    SOCK_DIAG_BY_FAMILY: u16 = 20;
}

/// `struct ipn_switch_vlan`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_vlan {
    pub port: i32,
    pub vlan: u16,
    pub reserved: u16,
}

/// `struct ipn_switch_fdb_entry`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_fdb_entry {
    pub mac: [u8; 6],
    pub vlan: u16,
    pub port: i32,
    pub age_ms: u32,
}

/// `struct ipn_switch_stp_bridge`: times in seconds.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_stp_bridge {
    pub priority: u16,
    pub hello_time: u16,
    pub max_age: u16,
    pub forward_delay: u16,
}

/// `struct ipn_switch_stp_port`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_stp_port {
    pub port: i32,
    pub path_cost: u32,
    pub priority: u8,
    pub reserved: [u8; 3],
}

/// `struct ipn_switch_stp_status`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_stp_status {
    pub bridge_id: [u8; 8],
    pub root_id: [u8; 8],
    pub root_path_cost: u32,
    pub root_port: i32,
    pub hello_time: u16,
    pub max_age: u16,
    pub forward_delay: u16,
    pub enabled: u8,
    pub topology_change: u8,
    pub topology_changes: u32,
}

/// `struct ipn_switch_stp_port_state`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_stp_port_state {
    pub port: i32,
    pub state: u8,
    pub role: u8,
    pub port_id: u16,
    pub path_cost: u32,
    pub designated_cost: u32,
    pub designated_root: [u8; 8],
    pub designated_bridge: [u8; 8],
    pub designated_port: u16,
    pub reserved: u16,
}

/// `struct ipn_switch_port_stats`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_switch_port_stats {
    pub port: i32,
    pub pvid: u16,
    pub ntrunks: u16,
    pub rx_frames: u64,
    pub rx_bytes: u64,
    pub rx_drops: u64,
    pub tx_frames: u64,
    pub tx_bytes: u64,
    pub tx_drops: u64,
}

/// `struct ipn_diag_req`: what a socket-diagnostics dump asks for.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_diag_req {
    pub sdiag_family: u8,
    pub sdiag_protocol: u8,
    pub pad: u16,
    pub idiag_show: u32,
    pub idiag_ino: u32,
    pub idiag_net_ino: [u32; 2],
    pub idiag_net_dev: u32,
}

/// `struct ipn_diag_msg`: the header of each record of a dump.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_diag_msg {
    pub idiag_family: u8,
    pub idiag_type: u8,
    pub idiag_protocol: u8,
    pub idiag_state: u8,
    pub idiag_port: i32,
    pub idiag_net_ino: [u32; 2],
    pub idiag_net_dev: u32,
    pub idiag_ino: u32,
    pub idiag_cookie: [u32; 2],
}

/// `struct ipn_diag_params`: a network's settings.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_diag_params {
    pub mtu: u32,
    pub numnodes: u32,
    pub msgpoolsize: u32,
    pub flags: u32,
    pub mode: u32,
    pub ports: u32,
}

/// `struct ipn_diag_rqlen`: a socket's receive queue.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_diag_rqlen {
    pub messages: u32,
    pub bytes: u32,
}

/// `struct ipn_diag_stats`: what a socket sent and read.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_diag_stats {
    pub rx_messages: u64,
    pub rx_bytes: u64,
    pub tx_messages: u64,
    pub tx_bytes: u64,
}

/// `struct ipn_numnode_oob`: the out-of-band notice of
/// [`IPN_SO_WANT_OOB_NUMNODES`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipn_numnode_oob {
    pub level: i32,
    pub tag: i32,
    pub numreaders: i32,
    pub numwriters: i32,
}

/// `struct numnode_oob`: [`ipn_numnode_oob`] under the original IPN's
/// name.
#[allow(non_camel_case_types)]
pub type numnode_oob = ipn_numnode_oob;

/// `struct sockaddr_ipn`: where a received message came from.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct sockaddr_ipn {
    pub sipn_family: u16,
    pub sipn_reserved: u16,
    pub sipn_port: i32,
}

/// A structure of the header, for the header test: its C name, its size
/// and the offset of each field.
#[doc(hidden)]
pub struct Layout {
    pub name: &'static str,
    pub size: usize,
    pub fields: &'static [(&'static str, usize)],
}

macro_rules! layouts {
    ($($ty:ident { $($field:ident),* })*) => {
        /// Every structure of this module, for the header test.
        #[doc(hidden)]
        pub const LAYOUTS: &[Layout] = &[$(Layout {
            name: stringify!($ty),
            size: core::mem::size_of::<$ty>(),
            fields: &[$((stringify!($field), core::mem::offset_of!($ty, $field))),*],
        }),*];
    };
}

layouts! {
    ipn_switch_vlan { port, vlan, reserved }
    ipn_switch_fdb_entry { mac, vlan, port, age_ms }
    ipn_switch_port_stats { port, pvid, ntrunks, rx_frames, rx_bytes, rx_drops, tx_frames, tx_bytes, tx_drops }
    ipn_switch_stp_bridge { priority, hello_time, max_age, forward_delay }
    ipn_switch_stp_port { port, path_cost, priority, reserved }
    ipn_switch_stp_status { bridge_id, root_id, root_path_cost, root_port, hello_time, max_age, forward_delay, enabled, topology_change, topology_changes }
    ipn_switch_stp_port_state { port, state, role, port_id, path_cost, designated_cost, designated_root, designated_bridge, designated_port, reserved }
    ipn_diag_req { sdiag_family, sdiag_protocol, pad, idiag_show, idiag_ino, idiag_net_ino, idiag_net_dev }
    ipn_diag_msg { idiag_family, idiag_type, idiag_protocol, idiag_state, idiag_port, idiag_net_ino, idiag_net_dev, idiag_ino, idiag_cookie }
    ipn_diag_params { mtu, numnodes, msgpoolsize, flags, mode, ports }
    ipn_diag_rqlen { messages, bytes }
    ipn_diag_stats { rx_messages, rx_bytes, tx_messages, tx_bytes }
    ipn_numnode_oob { level, tag, numreaders, numwriters }
    numnode_oob { level, tag, numreaders, numwriters }
    sockaddr_ipn { sipn_family, sipn_reserved, sipn_port }
}
