// SPDX-License-Identifier: GPL-2.0

//! Networking: sockets of an address family, their buffers and messages,
//! network devices and namespaces.

pub mod bh;
pub mod msg;
pub mod namespace;
pub mod net_device;
pub mod skbuff;
pub mod sock;
pub mod socket;
pub mod sockopt;
