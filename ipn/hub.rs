// SPDX-License-Identifier: GPL-2.0

//! The built-in hub policy (`IPN_BROADCAST`): every message goes to every
//! connected node but its sender.

use crate::{network::Ports, socket::SkBuff, socket::RCV_SHUTDOWN};

/// Delivers `skb` from port `from` to all other readable ports, dropping
/// (and counting) where a queue holds `limit` messages (0: no limit).
/// Runs under RCU: never sleeps.
pub(crate) fn deliver(ports: &Ports, from: usize, skb: SkBuff, limit: u32) {
    for (i, slot) in ports.slots.iter().enumerate() {
        let Some(sk) = slot else { continue };
        if i == from || sk.shutdown_mask() & RCV_SHUTDOWN != 0 {
            continue;
        }
        match skb.clone_atomic() {
            // A full queue counts the drop itself; the clone is freed here.
            Ok(c) => drop(sk.queue_rcv(c, limit)),
            Err(_) => sk.count_drop(),
        }
    }
    drop(skb);
}

/// Whether every readable port but `from` has fewer than `limit` messages.
pub(crate) fn has_room(ports: &Ports, from: usize, limit: u32) -> bool {
    ports.slots.iter().enumerate().all(|(i, slot)| match slot {
        Some(sk) if i != from && sk.shutdown_mask() & RCV_SHUTDOWN == 0 => sk.rcv_qlen() < limit,
        _ => true,
    })
}
