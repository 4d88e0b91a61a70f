// SPDX-License-Identifier: GPL-2.0

//! The forwarding database: (MAC address, VLAN) to port, with aging.
//!
//! A hash table of buckets of [`WAYS`] entries, as in hardware switches'
//! address tables: lookups and learning touch one bucket and never
//! allocate, so they run in atomic context. When a new address finds its
//! bucket full, the bucket's least recently seen entry gives way. Aging is
//! lazy: an entry not seen for `aging_ms` counts as free. So is forgetting
//! a port: each port has an epoch, and an entry is live only while its
//! port is in the epoch it was learnt in, so that a port leaving (or being
//! reconfigured) costs one store rather than a scan of the whole table
//! with interrupts off.

use crate::layer::siphash::SipKey;
use kernel::prelude::kunit_tests;
use kernel::prelude::*;

/// Entries per bucket.
pub(crate) const WAYS: usize = 8;

/// An Ethernet address.
pub(crate) type Mac = [u8; 6];

/// Whether `mac` is a group (multicast or broadcast) address.
pub(crate) fn is_multicast(mac: &Mac) -> bool {
    mac[0] & 1 != 0
}

/// The current epoch of each port; `None` for a port that does not exist.
/// Epochs are never reused within a table's life, so an entry cannot come
/// back to life when its port gets a new epoch.
pub(crate) trait Epochs {
    fn epoch(&self, port: u32) -> Option<u64>;
}

/// One learnt address.
#[derive(Clone, Copy, Default)]
pub(crate) struct Entry {
    pub(crate) mac: Mac,
    pub(crate) vlan: u16,
    pub(crate) port: u32,
    pub(crate) seen_ms: u64,
    epoch: u64,
    used: bool,
}

/// What [`Fdb::learn`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Learnt {
    /// Already known on this port; refreshed.
    Refreshed,
    /// Known on another port; moved.
    Moved,
    /// A new entry in a free slot.
    New,
    /// A new entry replacing the bucket's least recently seen one.
    Replaced,
    /// Not learnt: a group address, or a port that does not exist.
    Ignored,
}

/// The forwarding database.
pub(crate) struct Fdb {
    slots: KVec<Entry>,
    /// Buckets minus one (a power of two minus one).
    mask: usize,
    /// Secret per table: senders choose the addresses, and with a known
    /// hash could fill a victim's bucket and have its unicast flooded.
    key: SipKey,
    pub(crate) aging_ms: u64,
    /// Entries last seen before this are dead for good: aged out while a
    /// spanning-tree topology change shortened the aging (after which
    /// addresses may sit behind other ports).
    dead_before: u64,
}

impl Fdb {
    /// A table of at least `max_entries` entries.
    pub(crate) fn new(max_entries: usize, aging_ms: u64) -> Result<Self> {
        let buckets = max_entries.div_ceil(WAYS).max(1).next_power_of_two();
        let n = buckets.checked_mul(WAYS).ok_or(EINVAL)?;
        let mut slots = KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?;
        slots.resize(n, Entry::default(), GFP_KERNEL_ACCOUNT)?;
        Ok(Self {
            slots,
            mask: buckets - 1,
            key: SipKey::random(),
            aging_ms,
            dead_before: 0,
        })
    }

    /// Ages out, for good, every entry not seen since `t`.
    pub(crate) fn age_out_before(&mut self, t: u64) {
        self.dead_before = self.dead_before.max(t);
    }

    /// Number of entries the table holds at most.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn bucket(&self, mac: &Mac, vlan: u16) -> core::ops::Range<usize> {
        let mut k = [0u8; 8];
        k[..6].copy_from_slice(mac);
        k[6..].copy_from_slice(&vlan.to_be_bytes());
        let h = self.key.hash_u64(u64::from_be_bytes(k));
        // `mask` is below the table's length, a `usize`: the cast is exact.
        let start = (h & self.mask as u64) as usize * WAYS;
        start..start + WAYS
    }

    fn alive(
        e: &Entry,
        aging_ms: u64,
        dead_before: u64,
        now: u64,
        ports: &(impl Epochs + ?Sized),
    ) -> bool {
        e.used
            && now.saturating_sub(e.seen_ms) < aging_ms
            && e.seen_ms >= dead_before
            && ports.epoch(e.port) == Some(e.epoch)
    }

    fn live(&self, e: &Entry, now: u64, ports: &(impl Epochs + ?Sized)) -> bool {
        Self::alive(e, self.aging_ms, self.dead_before, now, ports)
    }

    /// The port `mac` was last seen on in `vlan`, unless aged out or
    /// forgotten.
    pub(crate) fn lookup(
        &self,
        mac: &Mac,
        vlan: u16,
        now: u64,
        ports: &(impl Epochs + ?Sized),
    ) -> Option<u32> {
        self.slots[self.bucket(mac, vlan)]
            .iter()
            .find(|e| self.live(e, now, ports) && e.mac == *mac && e.vlan == vlan)
            .map(|e| e.port)
    }

    /// Records that `mac` was seen on `port` in `vlan`.
    pub(crate) fn learn(
        &mut self,
        mac: &Mac,
        vlan: u16,
        port: u32,
        now: u64,
        ports: &(impl Epochs + ?Sized),
    ) -> Learnt {
        if is_multicast(mac) {
            return Learnt::Ignored;
        }
        let Some(epoch) = ports.epoch(port) else {
            return Learnt::Ignored;
        };
        let range = self.bucket(mac, vlan);
        let (aging, dead_before) = (self.aging_ms, self.dead_before);
        let bucket = &mut self.slots[range];
        let live = |e: &Entry| Self::alive(e, aging, dead_before, now, ports);
        if let Some(e) = bucket
            .iter_mut()
            .find(|e| live(e) && e.mac == *mac && e.vlan == vlan)
        {
            let moved = e.port != port;
            e.port = port;
            e.epoch = epoch;
            e.seen_ms = now;
            return if moved {
                Learnt::Moved
            } else {
                Learnt::Refreshed
            };
        }
        let new = Entry {
            mac: *mac,
            vlan,
            port,
            seen_ms: now,
            epoch,
            used: true,
        };
        if let Some(e) = bucket.iter_mut().find(|e| !live(e)) {
            *e = new;
            return Learnt::New;
        }
        // Full: the least recently seen entry of the bucket gives way.
        if let Some(e) = bucket.iter_mut().min_by_key(|e| e.seen_ms) {
            *e = new;
        }
        Learnt::Replaced
    }

    /// The live entries and their ages.
    pub(crate) fn entries<'a>(
        &'a self,
        now: u64,
        ports: &'a (impl Epochs + ?Sized),
    ) -> impl Iterator<Item = (&'a Entry, u64)> + 'a {
        self.slots
            .iter()
            .filter(move |e| self.live(e, now, ports))
            .map(move |e| (e, now.saturating_sub(e.seen_ms)))
    }

    /// Moves the live entries into `other` (for a resize).
    pub(crate) fn move_into(&self, other: &mut Fdb, now: u64, ports: &(impl Epochs + ?Sized)) {
        for (e, _) in self.entries(now, ports) {
            other.learn(&e.mac, e.vlan, e.port, e.seen_ms, ports);
        }
    }
}

#[kunit_tests(kvde_switch_fdb)]
mod tests {
    use super::*;

    const A: Mac = [0x02, 0, 0, 0, 0, 0xa];
    const B: Mac = [0x02, 0, 0, 0, 0, 0xb];

    impl Epochs for [u64] {
        fn epoch(&self, port: u32) -> Option<u64> {
            self.get(port as usize).copied()
        }
    }

    /// Ten ports in their first epochs.
    const P: [u64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    #[test]
    fn learn_then_lookup() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        assert_eq!(f.lookup(&A, 1, 0, &P[..]), None);
        assert_eq!(f.learn(&A, 1, 3, 0, &P[..]), Learnt::New);
        assert_eq!(f.lookup(&A, 1, 10, &P[..]), Some(3));
        // The VLAN is part of the key.
        assert_eq!(f.lookup(&A, 2, 10, &P[..]), None);
        assert_eq!(f.learn(&A, 1, 3, 20, &P[..]), Learnt::Refreshed);
        assert_eq!(f.learn(&A, 1, 4, 30, &P[..]), Learnt::Moved);
        assert_eq!(f.lookup(&A, 1, 40, &P[..]), Some(4));
        // No such port.
        assert_eq!(f.learn(&B, 1, 10, 40, &P[..]), Learnt::Ignored);
        Ok(())
    }

    #[test]
    fn never_learns_group_addresses() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        let bcast = [0xff; 6];
        let mcast = [0x01, 0x00, 0x5e, 0, 0, 1];
        assert_eq!(f.learn(&bcast, 1, 1, 0, &P[..]), Learnt::Ignored);
        assert_eq!(f.learn(&mcast, 1, 1, 0, &P[..]), Learnt::Ignored);
        assert_eq!(f.entries(0, &P[..]).count(), 0);
        Ok(())
    }

    #[test]
    fn aging() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        f.learn(&A, 1, 1, 0, &P[..]);
        assert_eq!(f.lookup(&A, 1, 999, &P[..]), Some(1));
        assert_eq!(f.lookup(&A, 1, 1000, &P[..]), None);
        assert_eq!(f.entries(1000, &P[..]).count(), 0);
        // An aged-out slot is reused.
        assert_eq!(f.learn(&A, 1, 2, 1000, &P[..]), Learnt::New);
        Ok(())
    }

    #[test]
    fn new_epoch_forgets_port() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        let mut p = P;
        f.learn(&A, 1, 1, 0, &p[..]);
        f.learn(&B, 1, 2, 0, &p[..]);
        p[1] = 11;
        assert_eq!(f.lookup(&A, 1, 0, &p[..]), None);
        assert_eq!(f.lookup(&B, 1, 0, &p[..]), Some(2));
        assert_eq!(f.entries(0, &p[..]).count(), 1);
        // A port cut off by a shrink is gone too.
        assert_eq!(f.lookup(&B, 1, 0, &p[..2]), None);
        // Its slot is free again.
        assert_eq!(f.learn(&A, 1, 1, 0, &p[..]), Learnt::New);
        Ok(())
    }

    #[test]
    fn full_bucket_replaces_least_recent() -> Result {
        // One bucket: every address collides.
        let mut f = Fdb::new(WAYS, 1_000_000)?;
        assert_eq!(f.capacity(), WAYS);
        for i in 0..WAYS as u8 {
            let m = [0x02, 0, 0, 0, 1, i];
            assert_eq!(
                f.learn(&m, 1, u32::from(i), u64::from(i) + 10, &P[..]),
                Learnt::New
            );
        }
        // Refresh the oldest so that the second oldest (i = 1) goes.
        f.learn(&[0x02, 0, 0, 0, 1, 0], 1, 0, 100, &P[..]);
        assert_eq!(f.learn(&A, 1, 9, 200, &P[..]), Learnt::Replaced);
        assert_eq!(f.lookup(&[0x02, 0, 0, 0, 1, 1], 1, 200, &P[..]), None);
        assert_eq!(f.lookup(&[0x02, 0, 0, 0, 1, 0], 1, 200, &P[..]), Some(0));
        assert_eq!(f.lookup(&A, 1, 200, &P[..]), Some(9));
        assert_eq!(f.entries(200, &P[..]).count(), WAYS);
        Ok(())
    }

    #[test]
    fn resize_keeps_entries() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        f.learn(&A, 1, 1, 5, &P[..]);
        f.learn(&B, 7, 2, 6, &P[..]);
        let mut g = Fdb::new(1024, 1000)?;
        f.move_into(&mut g, 10, &P[..]);
        assert_eq!(g.lookup(&A, 1, 10, &P[..]), Some(1));
        assert_eq!(g.lookup(&B, 7, 10, &P[..]), Some(2));
        Ok(())
    }

    #[test]
    fn keys_differ_per_table() -> Result {
        // 64 addresses in a table of 64 buckets: with one fixed hash they
        // would land alike in both tables; with a key each, the chance of
        // that is nil.
        let f = Fdb::new(64 * WAYS, 1000)?;
        let g = Fdb::new(64 * WAYS, 1000)?;
        let same = (0..64u8)
            .filter(|i| {
                let m = [0x02, 0, 0, 0, 2, *i];
                f.bucket(&m, 1) == g.bucket(&m, 1)
            })
            .count();
        assert!(same < 64);
        Ok(())
    }
}
