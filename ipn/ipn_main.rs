// SPDX-License-Identifier: GPL-2.0

//! AF_IPN: Inter Process Networking.
//!
//! Processes join a network named by a filesystem path and exchange
//! messages as if on one bus; the network's delivery policy decides who
//! receives what. The built-in policy is a hub.

// The abstraction layer: all unsafe code, shared with policy modules.
#[path = "../rust/layer.rs"]
pub(crate) mod layer;

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

/// Bindings of the kernel's socket API that a stock kernel's `bindings`
/// lack, generated at build time (`rust/net_bindings.mk`).
#[allow(
    dead_code,
    unreachable_pub,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::as_underscore,
    clippy::cast_lossless,
    clippy::ptr_as_ptr,
    clippy::ref_as_ptr,
    clippy::undocumented_unsafe_blocks
)]
#[path = "net_bindings_generated.rs"]
mod net_bindings;

mod af_ipn;
mod diag;
mod hub;
mod iface;
mod network;
mod uapi;

use layer::{
    ipn::{policy, registry},
    net::{net_device, proc, sock_diag, socket},
    sync::RcuBarrier,
};

use kernel::{prelude::*, InPlaceModule};

module! {
    type: IpnModule,
    name: "ipn",
    authors: ["IPN developers"],
    description: "AF_IPN: Inter Process Networking",
    license: "GPL",
    // The family, and its socket diagnostics (sock_diag asks for
    // net-pf-16-proto-4-type-46: PF_NETLINK, NETLINK_SOCK_DIAG, AF_IPN).
    // The `family` parameter is declared in C (`glue/ipn_sock.c`), to be
    // visible in sysfs: 46 where the kernel has AF_IPN, else a borrowed
    // slot. These aliases serve the former; on a kernel without AF_IPN the
    // module is loaded by hand.
    alias: ["net-pf-46", "net-pf-16-proto-4-type-46"],
}

/// The address family number in use (the `family` parameter).
pub(crate) fn family() -> i32 {
    socket::family_param()
}

/// The module: its parts are set up in `init` from the last field to the
/// first, and torn down in declaration order when it is dropped (or when a
/// later part fails to come up): no new dumps (the diag handler, set up
/// last: nothing may fail after a dump could start), no new sockets, no hub, no new taps (and
/// the last ones freed), the registries, and last the wait for the RCU
/// callbacks that free what they held.
#[pin_data]
struct IpnModule {
    _diag: Option<sock_diag::Registration<diag::Diag>>,
    _proc: proc::Registration<diag::ProcNet>,
    _family: socket::Registration<af_ipn::Ipn>,
    _hub: policy::Registration<hub::Hub>,
    _netdev: net_device::Registration,
    _ifaces: iface::Ifaces,
    _networks: network::Networks,
    _policies: registry::Registry,
    _rcu: RcuBarrier,
}

impl InPlaceModule for IpnModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let family = family();
        try_pin_init!(Self {
            _rcu: RcuBarrier::new(),
            _policies: registry::Registry::new()?,
            _networks: network::Networks::new()?,
            _ifaces: iface::Ifaces::new()?,
            _netdev: net_device::Registration::new()?,
            _hub: policy::Registration::new(module)?,
            _family: {
                let reg = socket::Registration::new(family, c"IPN", module)?;
                pr_info!("AF_IPN registered as address family {}\n", family);
                reg
            },
            _proc: proc::Registration::new()?,
            // Without it IPN works, unseen by `ipnctl` (a borrowed family
            // number may have another family's handler).
            _diag: sock_diag::Registration::new(family)
                .inspect_err(|e| pr_warn!("no socket diagnostics: error {}\n", e.to_errno()))
                .ok(),
        })
    }
}
