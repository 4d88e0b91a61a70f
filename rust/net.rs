// SPDX-License-Identifier: GPL-2.0

//! Networking: sockets of an address family, their buffers and messages,
//! network devices and namespaces.

pub(crate) mod bh;
pub(crate) mod gso;
pub(crate) mod meta;
pub(crate) mod msg;
pub(crate) mod namespace;
pub(crate) mod net_device;
pub(crate) mod proc;
pub(crate) mod skbuff;
pub(crate) mod sock;
pub(crate) mod sock_diag;
pub(crate) mod socket;
pub(crate) mod sockopt;
pub(crate) mod vnet;
