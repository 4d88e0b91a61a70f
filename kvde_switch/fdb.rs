// SPDX-License-Identifier: GPL-2.0

//! The forwarding database: (MAC address, VLAN) to port, with aging.
//!
//! A hash table of buckets of [`WAYS`] entries, as in hardware switches'
//! address tables: lookups and learning touch one bucket and never
//! allocate, so they run in atomic context. When a new address finds its
//! bucket full, the bucket's least recently seen entry gives way. Aging is
//! lazy: an entry not seen for `aging_ms` counts as free.

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

/// One learnt address.
#[derive(Clone, Copy, Default)]
pub(crate) struct Entry {
    pub(crate) mac: Mac,
    pub(crate) vlan: u16,
    pub(crate) port: u32,
    pub(crate) seen_ms: u64,
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
    /// Not learnt: a group address.
    Ignored,
}

/// The forwarding database.
pub(crate) struct Fdb {
    slots: KVec<Entry>,
    /// Buckets minus one (a power of two minus one).
    mask: usize,
    pub(crate) aging_ms: u64,
}

impl Fdb {
    /// A table of at least `max_entries` entries.
    pub(crate) fn new(max_entries: usize, aging_ms: u64) -> Result<Self> {
        let buckets = max_entries.div_ceil(WAYS).max(1).next_power_of_two();
        let n = buckets.checked_mul(WAYS).ok_or(EINVAL)?;
        let mut slots = KVec::with_capacity(n, GFP_KERNEL)?;
        slots.resize(n, Entry::default(), GFP_KERNEL)?;
        Ok(Self {
            slots,
            mask: buckets - 1,
            aging_ms,
        })
    }

    /// Number of entries the table holds at most.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn bucket(&self, mac: &Mac, vlan: u16) -> core::ops::Range<usize> {
        // FNV-1a over the address and the VLAN.
        let mut h: u32 = 0x811c_9dc5;
        for b in Iterator::chain(mac.iter(), vlan.to_be_bytes().iter()) {
            h ^= u32::from(*b);
            h = h.wrapping_mul(0x0100_0193);
        }
        let start = (h as usize & self.mask) * WAYS;
        start..start + WAYS
    }

    fn live(&self, e: &Entry, now: u64) -> bool {
        e.used && now.saturating_sub(e.seen_ms) < self.aging_ms
    }

    /// The port `mac` was last seen on in `vlan`, unless aged out.
    pub(crate) fn lookup(&self, mac: &Mac, vlan: u16, now: u64) -> Option<u32> {
        self.slots[self.bucket(mac, vlan)]
            .iter()
            .find(|e| self.live(e, now) && e.mac == *mac && e.vlan == vlan)
            .map(|e| e.port)
    }

    /// Records that `mac` was seen on `port` in `vlan`.
    pub(crate) fn learn(&mut self, mac: &Mac, vlan: u16, port: u32, now: u64) -> Learnt {
        if is_multicast(mac) {
            return Learnt::Ignored;
        }
        let range = self.bucket(mac, vlan);
        let aging = self.aging_ms;
        let bucket = &mut self.slots[range];
        let live = |e: &Entry| e.used && now.saturating_sub(e.seen_ms) < aging;
        if let Some(e) = bucket
            .iter_mut()
            .find(|e| live(e) && e.mac == *mac && e.vlan == vlan)
        {
            let moved = e.port != port;
            e.port = port;
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

    /// Forgets what was learnt on `port`, or everything with `None`.
    pub(crate) fn flush(&mut self, port: Option<u32>) {
        for e in self.slots.iter_mut() {
            if port.is_none_or(|p| e.port == p) {
                e.used = false;
            }
        }
    }

    /// The live entries and their ages.
    pub(crate) fn entries(&self, now: u64) -> impl Iterator<Item = (&Entry, u64)> + '_ {
        self.slots
            .iter()
            .filter(move |e| self.live(e, now))
            .map(move |e| (e, now.saturating_sub(e.seen_ms)))
    }

    /// Moves the live entries into `other` (for a resize).
    pub(crate) fn move_into(&self, other: &mut Fdb, now: u64) {
        for (e, _) in self.entries(now) {
            other.learn(&e.mac, e.vlan, e.port, e.seen_ms);
        }
    }
}

#[kunit_tests(kvde_switch_fdb)]
mod tests {
    use super::*;

    const A: Mac = [0x02, 0, 0, 0, 0, 0xa];
    const B: Mac = [0x02, 0, 0, 0, 0, 0xb];

    #[test]
    fn learn_then_lookup() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        assert_eq!(f.lookup(&A, 1, 0), None);
        assert_eq!(f.learn(&A, 1, 3, 0), Learnt::New);
        assert_eq!(f.lookup(&A, 1, 10), Some(3));
        // The VLAN is part of the key.
        assert_eq!(f.lookup(&A, 2, 10), None);
        assert_eq!(f.learn(&A, 1, 3, 20), Learnt::Refreshed);
        assert_eq!(f.learn(&A, 1, 4, 30), Learnt::Moved);
        assert_eq!(f.lookup(&A, 1, 40), Some(4));
        Ok(())
    }

    #[test]
    fn never_learns_group_addresses() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        let bcast = [0xff; 6];
        let mcast = [0x01, 0x00, 0x5e, 0, 0, 1];
        assert_eq!(f.learn(&bcast, 1, 1, 0), Learnt::Ignored);
        assert_eq!(f.learn(&mcast, 1, 1, 0), Learnt::Ignored);
        assert_eq!(f.entries(0).count(), 0);
        Ok(())
    }

    #[test]
    fn aging() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        f.learn(&A, 1, 1, 0);
        assert_eq!(f.lookup(&A, 1, 999), Some(1));
        assert_eq!(f.lookup(&A, 1, 1000), None);
        assert_eq!(f.entries(1000).count(), 0);
        // An aged-out slot is reused.
        assert_eq!(f.learn(&A, 1, 2, 1000), Learnt::New);
        Ok(())
    }

    #[test]
    fn flush_by_port() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        f.learn(&A, 1, 1, 0);
        f.learn(&B, 1, 2, 0);
        f.flush(Some(1));
        assert_eq!(f.lookup(&A, 1, 0), None);
        assert_eq!(f.lookup(&B, 1, 0), Some(2));
        f.flush(None);
        assert_eq!(f.entries(0).count(), 0);
        Ok(())
    }

    #[test]
    fn full_bucket_replaces_least_recent() -> Result {
        // One bucket: every address collides.
        let mut f = Fdb::new(WAYS, 1_000_000)?;
        assert_eq!(f.capacity(), WAYS);
        for i in 0..WAYS as u8 {
            let m = [0x02, 0, 0, 0, 1, i];
            assert_eq!(f.learn(&m, 1, u32::from(i), u64::from(i) + 10), Learnt::New);
        }
        // Refresh the oldest so that the second oldest (i = 1) goes.
        f.learn(&[0x02, 0, 0, 0, 1, 0], 1, 0, 100);
        assert_eq!(f.learn(&A, 1, 9, 200), Learnt::Replaced);
        assert_eq!(f.lookup(&[0x02, 0, 0, 0, 1, 1], 1, 200), None);
        assert_eq!(f.lookup(&[0x02, 0, 0, 0, 1, 0], 1, 200), Some(0));
        assert_eq!(f.lookup(&A, 1, 200), Some(9));
        assert_eq!(f.entries(200).count(), WAYS);
        Ok(())
    }

    #[test]
    fn resize_keeps_entries() -> Result {
        let mut f = Fdb::new(64, 1000)?;
        f.learn(&A, 1, 1, 5);
        f.learn(&B, 7, 2, 6);
        let mut g = Fdb::new(1024, 1000)?;
        f.move_into(&mut g, 10);
        assert_eq!(g.lookup(&A, 1, 10), Some(1));
        assert_eq!(g.lookup(&B, 7, 10), Some(2));
        Ok(())
    }
}
