// SPDX-License-Identifier: GPL-2.0

//! The policy registry of `ipn.ko`, and the policy API it exports
//! (`include/net/ipn.h`; the symbols are exported by `ipn/glue/ipn_export.c`).
//!
//! This is where the core calls policies through their C vtable
//! ([`PolicyRef`]) and where policies call back into the core: the core's
//! network type implements [`PolicyHost`] and is named once to
//! [`export_policy_api!`], which defines the exported functions. The layer
//! itself knows no type of the core.

use super::policy::{IpnNetwork, IpnProtocol};
use crate::layer::net::{
    skbuff::SkBuff,
    sockopt::{OptOut, OptVal},
};
use crate::layer::{
    net::bh::BhGuard,
    sync::{
        module_global,
        timer::{Timer, TimerHandler},
    },
};
use core::{
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicBool, AtomicPtr, Ordering},
};
use kernel::{
    bindings,
    error::to_result,
    ffi::{c_char, c_int, c_void},
    prelude::*,
    sync::rcu,
};

extern "C" {
    fn ipn_glue_request_policy(protocol: c_int) -> c_int;
}

/// The highest protocol number a policy may register.
const MAX_PROTOCOL: i32 = 255;

/// A registered vtable.
///
/// # Invariants
///
/// Points to an `IpnProtocol` that stays valid while registered.
struct Slot {
    protocol: i32,
    proto: *const IpnProtocol,
}

// SAFETY: The vtable is immutable and usable from any thread.
unsafe impl Send for Slot {}

module_global! {
    /// The registered policies.
    static POLICIES: Mutex<KVec<Slot>> = KVec::new();
    /// The registry of policies, usable while this lives (once per module):
    /// made in module init, before any policy registers, and dropped after
    /// the hub unregistered.
    pub(crate) struct Registry;
}

/// Registers a policy vtable for `protocol`.
///
/// # Safety
///
/// `proto` must stay valid until `ipn_proto_unregister(protocol)`.
#[no_mangle]
pub(crate) unsafe extern "C" fn ipn_proto_register(
    protocol: c_int,
    proto: *const IpnProtocol,
) -> c_int {
    if !(1..=MAX_PROTOCOL).contains(&protocol) || proto.is_null() {
        return -(bindings::EINVAL as c_int);
    }
    let mut slots = POLICIES.lock();
    if slots.iter().any(|s| s.protocol == protocol) {
        return -(bindings::EEXIST as c_int);
    }
    match slots.push(Slot { protocol, proto }, GFP_KERNEL) {
        Ok(()) => 0,
        Err(_) => -(bindings::ENOMEM as c_int),
    }
}

/// Unregisters `protocol`.
#[no_mangle]
pub(crate) extern "C" fn ipn_proto_unregister(protocol: c_int) {
    let mut slots = POLICIES.lock();
    if let Some(i) = slots.iter().position(|s| s.protocol == protocol) {
        let _ = slots.remove(i);
    }
}

// As `include/net/ipn.h` declares them (see `export_policy_api!`).
const _: () = {
    use crate::ipn_bindings as c;
    let _ = [ipn_proto_register, c::ipn_proto_register];
    let _ = [ipn_proto_unregister, c::ipn_proto_unregister];
};

/// What the core's networks offer to policies through the C API that
/// `ipn.ko` exports (`ipn_net_private()`, `ipn_deliver()`, ...).
pub(crate) trait PolicyHost: Sync + Sized {
    /// The policy's private pointer.
    fn private(&self) -> &AtomicPtr<c_void>;
    /// The number of ports.
    fn num_ports(&self) -> usize;
    /// Queues `skb` to `port`; whether it was queued.
    fn deliver_to(&self, port: usize, skb: SkBuff) -> bool;
    /// Queues a copy of `skb` to every reading port but `except`.
    fn deliver_all_but(&self, except: Option<usize>, skb: SkBuff);
    /// Queues `skb` as an out-of-band message to `port`; whether it was
    /// queued.
    fn deliver_oob(&self, port: usize, skb: SkBuff) -> bool;
    /// The network's policy, whose `new_net` and `del_net` the core calls
    /// with this network, each once.
    fn policy(&self) -> &PolicyRef<Self>
    where
        Self: Exported;
}

/// The one [`PolicyHost`] type whose `&Self` the core hands to policies as
/// `struct ipn_network *`.
///
/// # Safety
///
/// Implemented only by [`export_policy_api!`], which defines the exported C
/// functions that turn such a pointer back into a `&Self`: there must be no
/// other implementation in the module.
pub(crate) unsafe trait Exported: PolicyHost {}

/// Turns a network handed to a policy back into the core's type.
///
/// # Safety
///
/// `net` must be a network handed to a policy callback that is running, by
/// a [`PolicyRef`] method called with a `&N`.
#[doc(hidden)]
pub(crate) unsafe fn network<'a, N: Exported>(net: *mut IpnNetwork) -> &'a N {
    // SAFETY: `PolicyRef` hands policies `&N` as `*mut IpnNetwork`, and the
    // core keeps it alive for the duration of every callback.
    unsafe { &*net.cast::<N>() }
}

/// `ipn_deliver()` and `ipn_deliver_oob()`: `deliver` of the network's
/// `port`, for a valid port and skb; the skb is freed otherwise.
///
/// # Safety
///
/// As for [`network`]; `skb` is owned by the caller, who gives it up.
#[doc(hidden)]
pub(crate) unsafe fn deliver_port<N: Exported>(
    net: *mut IpnNetwork,
    port: c_int,
    skb: *mut bindings::sk_buff,
    deliver: fn(&N, usize, SkBuff) -> bool,
) -> bool {
    // SAFETY: As promised by the caller.
    let (net, skb) = unsafe { (network::<N>(net), SkBuff::from_raw(skb)) };
    match (skb, usize::try_from(port)) {
        (Some(skb), Ok(port)) => deliver(net, port, skb),
        _ => false,
    }
}

/// Defines the C API `ipn.ko` exports to policies (`include/net/ipn.h`;
/// `ipn_export.c` exports the symbols) for the core's network type `$t`,
/// which implements [`PolicyHost`].
macro_rules! export_policy_api {
    ($t:ty) => {
        // SAFETY: This macro is the only place that implements `Exported`,
        // and it is used once in the module.
        unsafe impl $crate::layer::ipn::registry::Exported for $t {}

        /// The policy's private data of `net`.
        ///
        /// # Safety
        ///
        /// `net` must be a network handed to a policy callback that is
        /// running.
        #[no_mangle]
        unsafe extern "C" fn ipn_net_private(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
        ) -> *mut ::kernel::ffi::c_void {
            use $crate::layer::ipn::registry::{network, PolicyHost};
            // SAFETY: As promised by the caller.
            PolicyHost::private(unsafe { network::<$t>(net) })
                .load(::core::sync::atomic::Ordering::Acquire)
        }

        /// Sets the policy's private data of `net`.
        ///
        /// # Safety
        ///
        /// As for [`ipn_net_private`].
        #[no_mangle]
        unsafe extern "C" fn ipn_net_set_private(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
            private: *mut ::kernel::ffi::c_void,
        ) {
            use $crate::layer::ipn::registry::{network, PolicyHost};
            // SAFETY: As promised by the caller.
            PolicyHost::private(unsafe { network::<$t>(net) })
                .store(private, ::core::sync::atomic::Ordering::Release);
        }

        /// The number of ports of `net`.
        ///
        /// # Safety
        ///
        /// As for [`ipn_net_private`].
        #[no_mangle]
        unsafe extern "C" fn ipn_net_numnodes(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
        ) -> ::kernel::ffi::c_int {
            use $crate::layer::ipn::registry::{network, PolicyHost};
            // SAFETY: As promised by the caller.
            let n = PolicyHost::num_ports(unsafe { network::<$t>(net) });
            ::kernel::ffi::c_int::try_from(n).unwrap_or(::kernel::ffi::c_int::MAX)
        }

        /// Calls the policy's `timer` of `net` `ms` milliseconds from now.
        ///
        /// # Safety
        ///
        /// As for [`ipn_net_private`].
        #[no_mangle]
        unsafe extern "C" fn ipn_net_timer(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
            ms: ::kernel::ffi::c_uint,
        ) {
            use $crate::layer::ipn::registry::{network, PolicyHost};
            // SAFETY: As promised by the caller.
            PolicyHost::policy(unsafe { network::<$t>(net) }).arm_timer(ms);
        }

        /// Queues `skb` to `port`; consumes it.
        ///
        /// # Safety
        ///
        /// From a `handlemsg` or `timer` callback of `net`, owning `skb`.
        #[no_mangle]
        unsafe extern "C" fn ipn_deliver(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
            port: ::kernel::ffi::c_int,
            skb: *mut ::kernel::bindings::sk_buff,
        ) -> bool {
            use $crate::layer::ipn::registry::{deliver_port, PolicyHost};
            // SAFETY: As promised by the caller.
            unsafe { deliver_port::<$t>(net, port, skb, PolicyHost::deliver_to) }
        }

        /// Queues a clone of `skb` to every reading port but `except`;
        /// consumes it.
        ///
        /// # Safety
        ///
        /// From a `handlemsg` or `timer` callback of `net`, owning `skb`.
        #[no_mangle]
        unsafe extern "C" fn ipn_deliver_all_but(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
            except: ::kernel::ffi::c_int,
            skb: *mut ::kernel::bindings::sk_buff,
        ) {
            use $crate::layer::{
                ipn::registry::{network, PolicyHost},
                net::skbuff::SkBuff,
            };
            // SAFETY: As promised by the caller.
            let (net, skb) = unsafe { (network::<$t>(net), SkBuff::from_raw(skb)) };
            if let Some(skb) = skb {
                PolicyHost::deliver_all_but(net, usize::try_from(except).ok(), skb);
            }
        }

        /// Queues `skb` as an out-of-band message to `port`; consumes it.
        ///
        /// # Safety
        ///
        /// From any callback of `net`'s policy, or while the policy holds
        /// a reference of its own on `net`'s module and `net` exists (not in
        /// hard interrupts), owning `skb`.
        #[no_mangle]
        unsafe extern "C" fn ipn_deliver_oob(
            net: *mut $crate::layer::ipn::policy::IpnNetwork,
            port: ::kernel::ffi::c_int,
            skb: *mut ::kernel::bindings::sk_buff,
        ) -> bool {
            use $crate::layer::ipn::registry::{deliver_port, PolicyHost};
            // SAFETY: As promised by the caller.
            unsafe { deliver_port::<$t>(net, port, skb, PolicyHost::deliver_oob) }
        }

        // The definitions have the signatures that `include/net/ipn.h`
        // declares (bindgen's declarations; an array needs one type).
        const _: () = {
            use $crate::ipn_bindings as c;
            let _ = [ipn_net_private, c::ipn_net_private];
            let _ = [ipn_net_set_private, c::ipn_net_set_private];
            let _ = [ipn_net_numnodes, c::ipn_net_numnodes];
            let _ = [ipn_net_timer, c::ipn_net_timer];
            let _ = [ipn_deliver, c::ipn_deliver];
            let _ = [ipn_deliver_all_but, c::ipn_deliver_all_but];
            let _ = [ipn_deliver_oob, c::ipn_deliver_oob];
        };
    };
}
pub(crate) use export_policy_api;

/// A policy in use: holds a reference on the module that provides it, and
/// the network's policy timer (`ipn_net_timer()`).
///
/// # Invariants
///
/// `proto` is a registered vtable whose module `self` holds a reference
/// on, so the vtable and its code stay valid while `self` lives.
///
/// `timer` is stopped whenever `live` is false after [`PolicyRef::new_net`]
/// was called, and it is bound to the network `new_net` was called with:
/// the network is valid until its policy's `del_net`, which stops the
/// timer first (the core calls `new_net` and `del_net` of a network's own
/// `PolicyRef`, each once).
pub(crate) struct PolicyRef<N: Exported> {
    proto: *const IpnProtocol,
    timer: Timer<N>,
    /// Between a successful `newnet` and `delnet`.
    live: AtomicBool,
    _net: PhantomData<fn(&N)>,
}

impl<N: Exported> TimerHandler for N {
    fn fire(&self) {
        let policy = self.policy();
        // Acquire: `newnet` has set the policy's data.
        if !policy.live.load(Ordering::Acquire) {
            // `newnet` armed the timer and is still running.
            policy.timer.arm(10);
            return;
        }
        let _bh = BhGuard::new();
        let _rcu = rcu::read_lock();
        policy.timer(self);
    }
}

// SAFETY: The vtable is immutable; its callbacks are called from any thread
// as `include/net/ipn.h` documents.
unsafe impl<N: Exported> Send for PolicyRef<N> {}
// SAFETY: As above.
unsafe impl<N: Exported> Sync for PolicyRef<N> {}

impl<N: Exported> PolicyRef<N> {
    /// Takes a reference on policy `protocol`, if registered and not
    /// being unloaded, and returns its vtable.
    fn get(protocol: i32) -> Option<*const IpnProtocol> {
        let slots = POLICIES.lock();
        let slot = slots.iter().find(|s| s.protocol == protocol)?;
        // SAFETY: By `Slot`'s invariant the vtable is valid while registered,
        // and unregistering needs the registry lock we hold.
        let owner = unsafe { (*slot.proto).owner };
        // SAFETY: `owner` is the live module that registered the vtable.
        if !unsafe { bindings::try_module_get(owner) } {
            return None;
        }
        Some(slot.proto)
    }

    /// Like [`PolicyRef::get`], first loading `net-pf-46-proto-N` if the
    /// policy is not registered. Policy modules carry aliases with AF_IPN's
    /// number whatever family slot `ipn.ko` was given.
    pub(crate) fn get_or_load(protocol: i32) -> Result<Self> {
        if !(1..=MAX_PROTOCOL).contains(&protocol) {
            return Err(EPROTONOSUPPORT);
        }
        let timer = Timer::new()?;
        let proto = match Self::get(protocol) {
            Some(p) => p,
            None => {
                // SAFETY: Plain call; may sleep, as the callers may.
                unsafe { ipn_glue_request_policy(protocol) };
                Self::get(protocol).ok_or(EPROTONOSUPPORT)?
            }
        };
        // The reference taken by `get` is now `self`'s.
        Ok(Self {
            proto,
            timer,
            live: AtomicBool::new(false),
            _net: PhantomData,
        })
    }

    fn vt(&self) -> &IpnProtocol {
        // SAFETY: By the type invariant.
        unsafe { &*self.proto }
    }

    fn raw(net: &N) -> *mut IpnNetwork {
        ptr::from_ref(net).cast_mut().cast()
    }

    /// `newnet`, for the network whose policy `self` is. The policy may
    /// set its timer from now on.
    pub(crate) fn new_net(&self, net: &N) -> Result {
        // SAFETY: `net` owns `self` (the caller's contract), so it lives
        // until its `del_net`, which stops the timer, or, if `newnet` fails,
        // until the stop below.
        unsafe { self.timer.bind(net) };
        let r = match self.vt().newnet {
            // SAFETY: `net` is alive during the call; the callback contract of
            // include/net/ipn.h is followed (process context).
            Some(f) => to_result(unsafe { f(Self::raw(net)) }),
            None => Ok(()),
        };
        match r {
            Ok(()) => self.live.store(true, Ordering::Release),
            Err(_) => self.timer.stop(),
        }
        r
    }

    /// `delnet`, after stopping the policy's timer, waiting for a running
    /// `timer` callback. May sleep.
    pub(crate) fn del_net(&self, net: &N) {
        self.live.store(false, Ordering::Release);
        self.timer.stop();
        if let Some(f) = self.vt().delnet {
            // SAFETY: As in `new_net`; nothing is called after it.
            unsafe { f(Self::raw(net)) };
        }
    }

    /// Sets the policy's timer: `timer` is called `ms` milliseconds from
    /// now, replacing an earlier setting. Any context.
    pub(crate) fn arm_timer(&self, ms: u32) {
        self.timer.arm(ms);
    }

    /// `resizenet`.
    pub(crate) fn resize(&self, net: &N, old: usize, new: usize) -> Result {
        let old = c_int::try_from(old).map_err(|_| EINVAL)?;
        let new = c_int::try_from(new).map_err(|_| EINVAL)?;
        match self.vt().resizenet {
            // SAFETY: As in `new_net`.
            Some(f) => to_result(unsafe { f(Self::raw(net), old, new) }),
            None => Ok(()),
        }
    }

    /// `newport`.
    pub(crate) fn new_port(&self, net: &N, port: usize) -> Result {
        let port = c_int::try_from(port).map_err(|_| EINVAL)?;
        match self.vt().newport {
            // SAFETY: As in `new_net`.
            Some(f) => to_result(unsafe { f(Self::raw(net), port) }),
            None => Ok(()),
        }
    }

    /// `predelport`.
    pub(crate) fn pre_del_port(&self, net: &N, port: usize) {
        if let (Some(f), Ok(port)) = (self.vt().predelport, c_int::try_from(port)) {
            // SAFETY: As in `new_net`.
            unsafe { f(Self::raw(net), port) };
        }
    }

    /// `delport`.
    pub(crate) fn del_port(&self, net: &N, port: usize) {
        if let (Some(f), Ok(port)) = (self.vt().delport, c_int::try_from(port)) {
            // SAFETY: As in `new_net`.
            unsafe { f(Self::raw(net), port) };
        }
    }

    /// `handlemsg`; `None` when the policy has none (a hub).
    ///
    /// The caller holds the RCU read lock.
    pub(crate) fn handle_msg(&self, net: &N, port: Option<usize>, skb: SkBuff) -> Option<SkBuff> {
        let f = match self.vt().handlemsg {
            Some(f) => f,
            None => return Some(skb),
        };
        let port = port.and_then(|p| c_int::try_from(p).ok()).unwrap_or(-1);
        // SAFETY: `net` is alive and the caller holds the RCU read lock, as
        // the contract of `handlemsg` requires; the skb moves to the policy.
        unsafe { f(Self::raw(net), port, skb.into_raw()) };
        None
    }

    /// `timer`.
    ///
    /// The caller holds the RCU read lock with bottom halves disabled, and
    /// calls it between `newnet` and `delnet`, never twice at once.
    pub(crate) fn timer(&self, net: &N) {
        if let Some(f) = self.vt().timer {
            // SAFETY: `net` is alive; the caller follows the contract of
            // `timer` in include/net/ipn.h.
            unsafe { f(Self::raw(net)) };
        }
    }

    /// `setsockopt` at the policy's level.
    pub(crate) fn setsockopt(
        &self,
        net: &N,
        port: Option<usize>,
        manage: bool,
        name: i32,
        val: &OptVal,
    ) -> Result {
        let f = self.vt().setsockopt.ok_or(ENOPROTOOPT)?;
        let port = port.and_then(|p| c_int::try_from(p).ok()).unwrap_or(-1);
        let (src, len) = val.raw();
        // SAFETY: As in `new_net`; `src` is valid for `len` bytes.
        to_result(unsafe { f(Self::raw(net), port, manage, name, src, len) })
    }

    /// `getsockopt` at the policy's level; the policy writes the length.
    pub(crate) fn getsockopt(
        &self,
        net: &N,
        port: Option<usize>,
        name: i32,
        out: &mut OptOut,
    ) -> Result {
        let f = self.vt().getsockopt.ok_or(ENOPROTOOPT)?;
        let port = port.and_then(|p| c_int::try_from(p).ok()).unwrap_or(-1);
        let (val, lenp) = out.delegate();
        // SAFETY: As in `new_net`; `val` and `lenp` are the user pointers of
        // the ongoing getsockopt call.
        to_result(unsafe {
            f(
                Self::raw(net),
                port,
                name,
                val.cast::<c_char>(),
                lenp.cast(),
            )
        })
    }
}

impl<N: Exported> PolicyRef<N> {
    /// `ioctl`; `ENOIOCTLCMD` when the policy has none.
    pub(crate) fn ioctl(&self, net: &N, port: Option<usize>, cmd: u32, arg: usize) -> Result<i32> {
        let f = self.vt().ioctl.ok_or(ENOIOCTLCMD)?;
        let port = port.and_then(|p| c_int::try_from(p).ok()).unwrap_or(-1);
        // SAFETY: As in `new_net`; `arg` is passed through as the caller gave it.
        let ret = unsafe { f(Self::raw(net), port, cmd, arg) };
        if ret < 0 {
            Err(Error::from_errno(ret))
        } else {
            Ok(ret)
        }
    }
}

impl<N: Exported> Drop for PolicyRef<N> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we hold one reference on the owner.
        unsafe { bindings::module_put(self.vt().owner) };
    }
}
