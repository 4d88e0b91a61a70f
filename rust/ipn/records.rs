// SPDX-License-Identifier: GPL-2.0

//! The records of the user ABI (`include/uapi/linux/ipn.h`, through
//! bindgen) as values that may be copied to and from user memory.

use crate::ipn_bindings::{
    ipn_diag_msg, ipn_diag_params, ipn_diag_req, ipn_diag_rqlen, ipn_diag_stats, ipn_numnode_oob,
    ipn_switch_fdb_entry, ipn_switch_port_stats, ipn_switch_stp_bridge, ipn_switch_stp_port,
    ipn_switch_stp_port_state, ipn_switch_stp_status, ipn_switch_vlan,
};
use core::mem::size_of;
use kernel::transmute::{AsBytes, FromBytes};

/// Fails the build if a record has padding, which [`AsBytes`] forbids (it
/// would copy uninitialised kernel memory to user space): the record's size
/// must be the sum of its fields'.
macro_rules! no_padding {
    ($t:ty { $($f:ident: $ft:ty),* $(,)? }) => {
        const _: () = assert!(size_of::<$t>() == 0 $(+ size_of::<$ft>())*);
        const _: fn(&$t) = |r| { $(let _: &$ft = &r.$f;)* };
    };
}

no_padding!(ipn_switch_vlan {
    port: i32,
    vlan: u16,
    reserved: u16
});
no_padding!(ipn_switch_fdb_entry {
    mac: [u8; 6],
    vlan: u16,
    port: i32,
    age_ms: u32
});
no_padding!(ipn_switch_port_stats {
    port: i32,
    pvid: u16,
    ntrunks: u16,
    rx_frames: u64,
    rx_bytes: u64,
    rx_drops: u64,
    tx_frames: u64,
    tx_bytes: u64,
    tx_drops: u64,
});
no_padding!(ipn_switch_stp_bridge {
    priority: u16,
    hello_time: u16,
    max_age: u16,
    forward_delay: u16,
});
no_padding!(ipn_switch_stp_port {
    port: i32,
    path_cost: u32,
    priority: u8,
    reserved: [u8; 3],
});
no_padding!(ipn_switch_stp_status {
    bridge_id: [u8; 8],
    root_id: [u8; 8],
    root_path_cost: u32,
    root_port: i32,
    hello_time: u16,
    max_age: u16,
    forward_delay: u16,
    enabled: u8,
    topology_change: u8,
    topology_changes: u32,
});
no_padding!(ipn_switch_stp_port_state {
    port: i32,
    state: u8,
    role: u8,
    port_id: u16,
    path_cost: u32,
    designated_cost: u32,
    designated_root: [u8; 8],
    designated_bridge: [u8; 8],
    designated_port: u16,
    reserved: u16,
});

no_padding!(ipn_diag_req {
    sdiag_family: u8,
    sdiag_protocol: u8,
    pad: u16,
    idiag_show: u32,
    idiag_ino: u32,
    idiag_net_ino: [u32; 2],
    idiag_net_dev: u32,
});
no_padding!(ipn_diag_msg {
    idiag_family: u8,
    idiag_type: u8,
    idiag_protocol: u8,
    idiag_state: u8,
    idiag_port: i32,
    idiag_net_ino: [u32; 2],
    idiag_net_dev: u32,
    idiag_ino: u32,
    idiag_cookie: [u32; 2],
});
no_padding!(ipn_diag_params {
    mtu: u32,
    numnodes: u32,
    msgpoolsize: u32,
    flags: u32,
    mode: u32,
    ports: u32,
});
no_padding!(ipn_diag_stats {
    rx_messages: u64,
    rx_bytes: u64,
    tx_messages: u64,
    tx_bytes: u64,
});
no_padding!(ipn_diag_rqlen {
    messages: u32,
    bytes: u32
});
no_padding!(ipn_numnode_oob {
    level: i32,
    tag: i32,
    numreaders: i32,
    numwriters: i32
});

// SAFETY: Integers and arrays of integers, for which any bit pattern is
// valid; no padding (`no_padding!` above), no interior mutability.
unsafe impl FromBytes for ipn_switch_vlan {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_vlan {}
// SAFETY: As above.
unsafe impl FromBytes for ipn_switch_fdb_entry {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_fdb_entry {}
// SAFETY: As above.
unsafe impl FromBytes for ipn_switch_port_stats {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_port_stats {}
// SAFETY: As above.
unsafe impl FromBytes for ipn_switch_stp_bridge {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_stp_bridge {}
// SAFETY: As above.
unsafe impl FromBytes for ipn_switch_stp_port {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_stp_port {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_stp_status {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_switch_stp_port_state {}
// SAFETY: As above.
unsafe impl FromBytes for ipn_diag_req {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_diag_msg {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_diag_params {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_diag_rqlen {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_diag_stats {}
// SAFETY: As above.
unsafe impl AsBytes for ipn_numnode_oob {}
