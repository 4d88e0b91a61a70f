// SPDX-License-Identifier: GPL-2.0

//! kvde_switch: the Ethernet switch policy of AF_IPN (`IPN_VDESWITCH`).
//!
//! MAC learning per VLAN with aging, forwarding of known unicast to one
//! port, flooding of the rest within the VLAN, and 802.1Q access and trunk
//! ports. Loaded on demand by `socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH)`.

mod fdb;
// The policy API and what it needs of the abstraction layer, the same
// files ipn.ko builds.
#[path = "../rust/policy_layer.rs"]
pub(crate) mod layer;
mod switch;
mod vlan;

use kernel::prelude::*;

/// The part of the user ABI (`include/uapi/linux/ipn.h`) the switch uses.
mod uapi {
    pub(crate) const IPN_VDESWITCH: i32 = 2;
    pub(crate) const IPN_SWITCH_PORT_VLAN: i32 = 1;
    pub(crate) const IPN_SWITCH_TRUNK_ADD: i32 = 2;
    pub(crate) const IPN_SWITCH_TRUNK_DEL: i32 = 3;
    pub(crate) const IPN_SWITCH_PORT_TRUNKS: i32 = 4;
    pub(crate) const IPN_SWITCH_AGING: i32 = 5;
    pub(crate) const IPN_SWITCH_FLUSH: i32 = 6;
    pub(crate) const IPN_SWITCH_MAXENTRIES: i32 = 7;
    pub(crate) const IPN_SWITCH_MACTABLE: i32 = 8;
    pub(crate) const IPN_SWITCH_PORT_STATS: i32 = 9;
    pub(crate) const IPN_SWITCH_AGING_DEFAULT: u64 = 300;
    pub(crate) const IPN_SWITCH_MAXENTRIES_DEFAULT: usize = 4096;
}

module! {
    type: KvdeSwitch,
    name: "kvde_switch",
    authors: ["IPN developers"],
    description: "AF_IPN Ethernet switch policy (IPN_VDESWITCH)",
    license: "GPL",
    alias: ["net-pf-46-proto-2"],
}

struct KvdeSwitch {
    _reg: layer::ipn::policy::Registration<switch::Switch>,
}

impl kernel::Module for KvdeSwitch {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let reg = layer::ipn::policy::Registration::new(module)?;
        pr_info!("IPN_VDESWITCH policy registered\n");
        Ok(Self { _reg: reg })
    }
}
