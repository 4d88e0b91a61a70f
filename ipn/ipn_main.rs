// SPDX-License-Identifier: GPL-2.0

//! AF_IPN: Inter Process Networking.
//!
//! Processes join a network named by a filesystem path and exchange
//! messages as if on one bus; the network's delivery policy decides who
//! receives what. The built-in policy is a hub.

// The abstraction layer: all unsafe code, shared with policy modules.
#[path = "../rust/layer.rs"]
pub(crate) mod layer;

mod af_ipn;
mod hub;
mod iface;
mod network;
mod uapi;

use layer::{
    ipn::{policy, registry},
    net::{net_device, socket},
};

use core::sync::atomic::{AtomicI32, Ordering};
use kernel::{prelude::*, sync::rcu};

module! {
    type: IpnModule,
    name: "ipn",
    authors: ["IPN developers"],
    description: "AF_IPN: Inter Process Networking",
    license: "GPL",
    alias: ["net-pf-46"],
    params: {
        family: i32 {
            default: 46,
            description: "Address family number to register (46 is AF_IPN; on a kernel without the AF_IPN patch give an unused one below AF_MAX)",
        },
    },
}

/// The address family number in use (the `family` parameter).
static FAMILY: AtomicI32 = AtomicI32::new(uapi::AF_IPN);

/// The address family number in use.
pub(crate) fn family() -> i32 {
    FAMILY.load(Ordering::Relaxed)
}

struct IpnModule {
    // Dropped in declaration order: no new sockets, then no hub.
    reg: Option<socket::Registration<af_ipn::Ipn>>,
    hub: Option<policy::Registration<hub::Hub>>,
}

impl kernel::Module for IpnModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        network::init();
        iface::init();
        registry::init()?;
        net_device::init().inspect_err(|_| registry::exit())?;
        let family = module_parameters::family.value();
        FAMILY.store(family, Ordering::Relaxed);
        let regs = policy::Registration::<hub::Hub>::new(module)
            .and_then(|hub| Ok((hub, socket::Registration::new(family, c"IPN", module)?)));
        let (hub, reg) = regs.inspect_err(|_| {
            net_device::exit();
            registry::exit();
        })?;
        pr_info!("AF_IPN registered as address family {}\n", family);
        Ok(Self {
            reg: Some(reg),
            hub: Some(hub),
        })
    }
}

impl Drop for IpnModule {
    fn drop(&mut self) {
        // Runs before the fields are dropped: unregister first.
        let reg = self.reg.take();
        drop(reg);
        drop(self.hub.take());
        // No interface is left (each holds the module); this waits for the
        // last taps being freed.
        net_device::exit();
        iface::exit();
        network::exit();
        registry::exit();
        // Port tables retired by `call_rcu()` must be freed before the code
        // that frees them goes away.
        rcu::rcu_barrier();
    }
}
