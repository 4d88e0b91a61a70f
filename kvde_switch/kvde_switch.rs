// SPDX-License-Identifier: GPL-2.0

//! kvde_switch: the Ethernet switch policy of AF_IPN (`IPN_VDESWITCH`).
//!
//! MAC learning per VLAN with aging, forwarding of known unicast to one
//! port, flooding of the rest within the VLAN, and 802.1Q access and trunk
//! ports. Loaded on demand by `socket(AF_IPN, SOCK_RAW, IPN_VDESWITCH)`.

mod fdb;
mod stp;
// The policy API and what it needs of the abstraction layer, the same
// files ipn.ko builds.
#[path = "../rust/policy_layer.rs"]
pub(crate) mod layer;
mod switch;
mod vlan;

use kernel::prelude::*;

/// Bindings of `include/uapi/linux/ipn.h` and `include/net/ipn.h`,
/// generated at build time (`rust/bindings.mk`).
#[allow(
    dead_code,
    unreachable_pub,
    non_camel_case_types,
    non_upper_case_globals,
    improper_ctypes,
    clippy::all
)]
#[path = "ipn_bindings_generated.rs"]
mod ipn_bindings;

/// The user ABI; the defaults in the types the switch uses.
mod uapi {
    use crate::ipn_bindings as generated;

    #[allow(unused_imports)]
    pub(crate) use generated::*;

    pub(crate) const IPN_SWITCH_AGING_DEFAULT: u64 = generated::IPN_SWITCH_AGING_DEFAULT as u64;
    pub(crate) const IPN_SWITCH_MAXENTRIES_DEFAULT: usize =
        generated::IPN_SWITCH_MAXENTRIES_DEFAULT as usize;
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
