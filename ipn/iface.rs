// SPDX-License-Identifier: GPL-2.0

//! Interfaces of the host on ports of a network: taps that IPN creates and
//! existing interfaces that it grabs.
//!
//! An interface is controlled by the socket that connected it
//! (`IPN_CONN_NETDEV`) or took it over (`IPN_JOIN_NETDEV`), and goes when
//! that socket closes, unless it is persistent: then it stays, with its
//! network, until persistence is cleared or the interface is deleted.
//!
//! Every change of attachment happens under RTNL, which also serialises
//! them against the kernel taking a device away (`ip link del`, namespace
//! exit). Lock order: a socket's state, RTNL, the registry, an interface's
//! state, a network's state.

use crate::{
    layer::{
        net::{
            net_device::{DevOwner, Grab, ModuleRef, NetDev, Rtnl, RtnlGuard, Tap, IFNAMSIZ},
            skbuff::SkBuff,
            sock::Sock,
        },
        sync::module_global,
    },
    network::{Network, Port},
};
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::{
    new_mutex,
    prelude::*,
    sync::aref::ARef,
    sync::{Arc, Mutex},
};

/// How an interface joins a network.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tap,
    Grab,
}

/// The device on the port.
enum Attached {
    Tap(Tap),
    Grab(Grab),
}

impl Attached {
    fn dev(&self) -> &NetDev {
        match self {
            Attached::Tap(t) => t.dev(),
            Attached::Grab(g) => g.dev(),
        }
    }

    /// Takes the device back from the network: a tap is unregistered (or,
    /// when the kernel is unregistering it, forgotten), a grabbed
    /// interface goes back to the host stack.
    fn detach(self, rtnl: &Rtnl, by_kernel: bool) {
        match self {
            Attached::Tap(t) if by_kernel => t.forget(rtnl),
            Attached::Tap(t) => t.destroy(rtnl),
            Attached::Grab(g) => g.release(rtnl),
        }
    }
}

struct IfaceState {
    /// `None` once the interface has left the network.
    dev: Option<Attached>,
    /// Stays when no socket controls it.
    persist: bool,
    /// A socket controls it.
    in_use: bool,
    /// An interface may outlive every socket: it holds the module.
    module: Option<ModuleRef>,
}

/// An interface on a port of a network.
#[pin_data]
pub(crate) struct Iface {
    net: Arc<Network>,
    /// Its port; `usize::MAX` when not (or no longer) on one.
    port: AtomicUsize,
    #[pin]
    state: Mutex<IfaceState>,
}

module_global! {
    static IFACES: Mutex<KVec<Arc<Iface>>> = KVec::new();
    /// The registry of interfaces, usable while this lives (module init to
    /// exit, when every interface is gone: each holds the module).
    pub(crate) struct Ifaces;
}

/// The `struct ifreq` of the interface ioctls: a name, then a union of
/// flags and index.
pub(crate) struct IfReq {
    pub(crate) name: [u8; IFNAMSIZ],
    pub(crate) flags: u16,
    pub(crate) ifindex: i32,
}

impl IfReq {
    /// Its size for a 64-bit process.
    pub(crate) const LEN: usize = 40;
    /// Its size for a 32-bit process (`struct compat_ifreq`): the union's
    /// `struct ifmap` holds `unsigned long`s. The name and flags, all that
    /// IPN uses, sit at the same offsets.
    pub(crate) const COMPAT_LEN: usize = 32;

    pub(crate) fn parse(raw: &[u8; Self::LEN]) -> Self {
        let mut name = [0u8; IFNAMSIZ];
        name.copy_from_slice(&raw[..IFNAMSIZ]);
        // As the original: a name is cut at IFNAMSIZ - 1 bytes.
        name[IFNAMSIZ - 1] = 0;
        let u = &raw[IFNAMSIZ..IFNAMSIZ + 4];
        Self {
            name,
            flags: u16::from_ne_bytes([u[0], u[1]]),
            ifindex: i32::from_ne_bytes([u[0], u[1], u[2], u[3]]),
        }
    }
}

impl Iface {
    /// Connects an interface of `kind` named by `name` to `net`, controlled
    /// by the socket `sk`. Returns it and the name it has.
    pub(crate) fn connect(
        sk: &Sock,
        net: &Arc<Network>,
        kind: Kind,
        name: &[u8; IFNAMSIZ],
    ) -> Result<(Arc<Iface>, [u8; IFNAMSIZ])> {
        let iface = Arc::pin_init(
            pin_init!(Iface {
                net: net.clone(),
                port: AtomicUsize::new(usize::MAX),
                state <- new_mutex!(IfaceState {
                    dev: None,
                    persist: false,
                    in_use: true,
                    module: None,
                }),
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        let rtnl = RtnlGuard::lock();
        let mut ifaces = IFACES.lock();
        ifaces.reserve(1, GFP_KERNEL)?;
        let owner: Arc<dyn DevOwner> = iface.clone();
        let dev = match kind {
            Kind::Tap => Attached::Tap(Tap::create(sk, name, net.params.mtu, owner, &rtnl)?),
            Kind::Grab => Attached::Grab(Grab::attach(sk, name, owner, &rtnl)?),
        };
        let port = match net.connect_port(Port::Dev(ARef::from(dev.dev())), None) {
            Ok(p) => p,
            Err(e) => {
                dev.detach(&rtnl, false);
                return Err(e);
            }
        };
        let name = dev.dev().name();
        net.add_user();
        {
            let mut st = iface.state.lock();
            st.dev = Some(dev);
            st.module = Some(ModuleRef::get());
        }
        // Frames flow from here on.
        iface.port.store(port, Ordering::Release);
        ifaces.push(iface.clone(), GFP_KERNEL)?;
        Ok((iface, name))
    }

    /// The interface that is a port of some network, named by `req` in the
    /// namespace of `sk`: `ENODEV` when there is no such interface,
    /// `EADDRNOTAVAIL` when it is not an IPN port.
    pub(crate) fn find(sk: &Sock, req: &IfReq, rtnl: &Rtnl) -> Result<Arc<Iface>> {
        let dev = NetDev::lookup(sk, &req.name, req.ifindex, rtnl).ok_or(ENODEV)?;
        let ifaces = IFACES.lock();
        ifaces
            .iter()
            .find(|i| {
                i.state
                    .lock()
                    .dev
                    .as_ref()
                    .is_some_and(|d| core::ptr::eq(d.dev(), dev))
            })
            .cloned()
            .ok_or(EADDRNOTAVAIL)
    }

    /// Puts a persistent interface of `net` that no socket controls under
    /// the control of the caller's socket (`IPN_JOIN_NETDEV`).
    pub(crate) fn join(&self, net: &Arc<Network>, _rtnl: &Rtnl) -> Result {
        if !Arc::ptr_eq(&self.net, net) {
            return Err(EADDRNOTAVAIL);
        }
        let mut st = self.state.lock();
        if st.dev.is_none() {
            return Err(ENODEV);
        }
        if st.in_use {
            return Err(EBUSY);
        }
        st.in_use = true;
        Ok(())
    }

    /// Sets or clears persistence. Cleared on an interface that no socket
    /// controls, it takes the interface off the network at once.
    pub(crate) fn set_persist(&self, on: bool, rtnl: &Rtnl) {
        let mut st = self.state.lock();
        st.persist = on;
        let orphan = !on && !st.in_use;
        drop(st);
        if orphan {
            self.detach(rtnl, false);
        }
    }

    /// Whether it is still on its network.
    pub(crate) fn attached(&self) -> bool {
        self.state.lock().dev.is_some()
    }

    /// Its controlling socket closes: it goes unless persistent.
    pub(crate) fn release(&self) {
        let rtnl = RtnlGuard::lock();
        let mut st = self.state.lock();
        st.in_use = false;
        let keep = st.persist;
        drop(st);
        if !keep {
            self.detach(&rtnl, false);
        }
    }

    /// Takes the interface off its network for good. Idempotent: RTNL
    /// orders it against the kernel's own removal.
    fn detach(&self, rtnl: &Rtnl, by_kernel: bool) {
        let (dev, module) = {
            let mut st = self.state.lock();
            let Some(dev) = st.dev.take() else { return };
            (dev, st.module.take())
        };
        // Its frames stop entering the network, then it leaves the port
        // table, then the device goes.
        let port = self.port.swap(usize::MAX, Ordering::AcqRel);
        if port != usize::MAX {
            self.net.disconnect_port(port);
        }
        dev.detach(rtnl, by_kernel);
        {
            let mut ifaces = IFACES.lock();
            if let Some(i) = ifaces
                .iter()
                .position(|i| core::ptr::eq(Arc::as_ptr(i), self))
            {
                drop(ifaces.remove(i));
            }
        }
        self.net.put_user();
        drop(module);
    }
}

/// How an interface on a port is attached, for diagnostics.
pub(crate) struct IfaceInfo {
    pub(crate) kind: Kind,
    /// Stays when no socket controls it.
    pub(crate) persist: bool,
    /// A socket controls it.
    pub(crate) controlled: bool,
}

impl Iface {
    /// How the interface `dev`, on a port, is attached; `None` once it is
    /// gone.
    pub(crate) fn info(dev: &NetDev) -> Option<IfaceInfo> {
        let ifaces = IFACES.lock();
        ifaces.iter().find_map(|i| {
            let st = i.state.lock();
            let kind = match st.dev.as_ref()? {
                d if !core::ptr::eq(d.dev(), dev) => return None,
                Attached::Tap(_) => Kind::Tap,
                Attached::Grab(_) => Kind::Grab,
            };
            Some(IfaceInfo {
                kind,
                persist: st.persist,
                controlled: st.in_use,
            })
        })
    }
}

impl DevOwner for Iface {
    fn xmit(&self, skb: SkBuff) -> bool {
        let port = self.port.load(Ordering::Acquire);
        port != usize::MAX && self.net.deliver_from_dev(port, skb)
    }

    fn gone(&self, rtnl: &Rtnl) {
        self.detach(rtnl, true);
    }
}
