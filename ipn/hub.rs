// SPDX-License-Identifier: GPL-2.0

//! The built-in hub policy (`IPN_BROADCAST`): every message goes to every
//! connected node but its sender. Registered through the same policy API
//! as the modules that provide other policies.

use crate::{
    layer::{
        ipn::policy::{Net, Policy},
        net::skbuff::SkBuff,
    },
    uapi::IPN_BROADCAST,
};
use kernel::prelude::*;

pub(crate) struct Hub;

impl Policy for Hub {
    const PROTOCOL: i32 = IPN_BROADCAST;
    type NetData = ();

    fn new_net(_net: &Net) -> Result<KBox<()>> {
        Ok(KBox::new((), GFP_KERNEL)?)
    }

    fn handle_msg(net: &Net, _data: &(), port: Option<usize>, skb: SkBuff) {
        net.deliver_all_but(port, skb);
    }
}
