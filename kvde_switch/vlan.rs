// SPDX-License-Identifier: GPL-2.0

//! 802.1Q VLANs: a port's configuration, the ingress and egress decisions,
//! and parsing of frames' headers.

use crate::fdb::Mac;
use kernel::prelude::kunit_tests;

/// The highest usable VLAN id (4095 is reserved).
pub(crate) const VLAN_MAX: u16 = 4094;
/// The 802.1Q tag protocol identifier.
const TPID: u16 = 0x8100;
const ETH_HLEN: usize = 14;
/// Bytes an 802.1Q tag adds.
pub(crate) const TAG_LEN: usize = 4;

/// A port's VLAN membership.
pub(crate) struct PortVlan {
    /// The untagged VLAN; 0 for none.
    pub(crate) pvid: u16,
    /// The tagged (trunk) VLANs, a bit per VLAN id.
    trunk: [u64; 64],
}

/// How a frame leaves a port.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum Egress {
    /// Not a member of the frame's VLAN.
    No,
    Untagged,
    Tagged,
}

impl PortVlan {
    /// An access port of VLAN 1, as every port starts.
    pub(crate) fn new() -> Self {
        Self {
            pvid: 1,
            trunk: [0; 64],
        }
    }

    fn valid(vlan: u16) -> bool {
        (1..=VLAN_MAX).contains(&vlan)
    }

    /// Whether `vlan` is one of the tagged VLANs.
    pub(crate) fn has_trunk(&self, vlan: u16) -> bool {
        Self::valid(vlan) && self.trunk[usize::from(vlan / 64)] & (1 << (vlan % 64)) != 0
    }

    /// Adds a tagged VLAN; false if `vlan` is not a usable id.
    pub(crate) fn add_trunk(&mut self, vlan: u16) -> bool {
        if !Self::valid(vlan) {
            return false;
        }
        self.trunk[usize::from(vlan / 64)] |= 1 << (vlan % 64);
        true
    }

    /// Removes a tagged VLAN; false if `vlan` is not a usable id.
    pub(crate) fn del_trunk(&mut self, vlan: u16) -> bool {
        if !Self::valid(vlan) {
            return false;
        }
        self.trunk[usize::from(vlan / 64)] &= !(1 << (vlan % 64));
        true
    }

    /// The tagged VLANs, in order.
    pub(crate) fn trunks(&self) -> impl Iterator<Item = u16> + '_ {
        (1..=VLAN_MAX).filter(|v| self.has_trunk(*v))
    }

    /// The VLAN a frame arriving here belongs to, given the VID of its tag
    /// (`None`: untagged); `None` when the port does not accept it.
    pub(crate) fn ingress(&self, vid: Option<u16>) -> Option<u16> {
        match vid {
            // Untagged and priority-tagged frames: the port's own VLAN.
            None | Some(0) => (self.pvid != 0).then_some(self.pvid),
            Some(v) if self.has_trunk(v) => Some(v),
            // Tagged for a VLAN the port does not trunk, including its
            // access VLAN: dropped.
            Some(_) => None,
        }
    }

    /// How a frame of `vlan` leaves this port.
    pub(crate) fn egress(&self, vlan: u16) -> Egress {
        if vlan == self.pvid && vlan != 0 {
            Egress::Untagged
        } else if self.has_trunk(vlan) {
            Egress::Tagged
        } else {
            Egress::No
        }
    }
}

/// The addresses and tag of an Ethernet frame.
pub(crate) struct Frame {
    pub(crate) dst: Mac,
    pub(crate) src: Mac,
    /// The tag control information, if the frame carries an 802.1Q tag.
    pub(crate) tci: Option<u16>,
}

impl Frame {
    /// The VLAN id of the tag, if any.
    pub(crate) fn vid(&self) -> Option<u16> {
        self.tci.map(|t| t & 0x0fff)
    }
}

/// Parses an Ethernet frame; `None` if it is too short.
pub(crate) fn parse(data: &[u8]) -> Option<Frame> {
    if data.len() < ETH_HLEN {
        return None;
    }
    let mut dst = [0; 6];
    let mut src = [0; 6];
    dst.copy_from_slice(&data[0..6]);
    src.copy_from_slice(&data[6..12]);
    let tci = if u16::from_be_bytes([data[12], data[13]]) == TPID {
        if data.len() < ETH_HLEN + TAG_LEN {
            return None;
        }
        Some(u16::from_be_bytes([data[14], data[15]]))
    } else {
        None
    };
    Some(Frame { dst, src, tci })
}

#[kunit_tests(kvde_switch_vlan)]
mod tests {
    use super::*;

    #[test]
    fn access_port() {
        let p = PortVlan::new();
        assert_eq!(p.ingress(None), Some(1));
        // Priority tags belong to the port's VLAN.
        assert_eq!(p.ingress(Some(0)), Some(1));
        // Tagged frames on an access port are dropped, even for its VLAN.
        assert_eq!(p.ingress(Some(1)), None);
        assert_eq!(p.ingress(Some(5)), None);
        assert_eq!(p.egress(1), Egress::Untagged);
        assert_eq!(p.egress(2), Egress::No);
    }

    #[test]
    fn trunk_port() {
        let mut p = PortVlan::new();
        p.pvid = 0;
        assert!(p.add_trunk(10));
        assert!(p.add_trunk(4094));
        assert!(!p.add_trunk(0));
        assert!(!p.add_trunk(4095));
        assert_eq!(p.ingress(None), None);
        assert_eq!(p.ingress(Some(10)), Some(10));
        assert_eq!(p.ingress(Some(4094)), Some(4094));
        assert_eq!(p.ingress(Some(11)), None);
        assert_eq!(p.egress(10), Egress::Tagged);
        assert_eq!(p.egress(1), Egress::No);
        assert!(p.del_trunk(10));
        assert_eq!(p.ingress(Some(10)), None);
        let mut n = 0;
        for v in p.trunks() {
            assert_eq!(v, 4094);
            n += 1;
        }
        assert_eq!(n, 1);
    }

    #[test]
    fn hybrid_port() {
        let mut p = PortVlan::new();
        p.pvid = 3;
        p.add_trunk(7);
        assert_eq!(p.ingress(None), Some(3));
        assert_eq!(p.ingress(Some(7)), Some(7));
        assert_eq!(p.egress(3), Egress::Untagged);
        assert_eq!(p.egress(7), Egress::Tagged);
    }

    #[test]
    fn parse_frames() {
        let untagged: [u8; 16] = [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0xaa, 0xbb,
        ];
        let f = parse(&untagged).unwrap_or(Frame {
            dst: [0; 6],
            src: [0; 6],
            tci: Some(0xffff),
        });
        assert_eq!(f.dst, [1, 2, 3, 4, 5, 6]);
        assert_eq!(f.src, [7, 8, 9, 10, 11, 12]);
        assert_eq!(f.vid(), None);

        // Tagging is the core's (`ipn_vlan_retag()`), tested end to end.
        let tagged: [u8; 20] = [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x20, 0x05, 0x08, 0x00, 0xaa, 0xbb,
        ];
        let t = parse(&tagged).map(|f| (f.vid(), f.tci));
        assert_eq!(t, Some((Some(5), Some(0x2005))));

        assert!(parse(&untagged[..13]).is_none());
        // A tag header cut short.
        assert!(parse(&tagged[..17]).is_none());
    }
}
