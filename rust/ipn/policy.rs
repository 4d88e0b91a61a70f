// SPDX-License-Identifier: GPL-2.0

//! Delivery policies in Rust: a safe interface over `include/net/ipn.h`.
//!
//! A policy module implements [`Policy`] and keeps a [`Registration`] for
//! as long as it is loaded. `ipn.ko` builds this file for its built-in hub,
//! and policy modules build it through `rust/policy_layer.rs`.

use crate::layer::net::skbuff::SkBuff;
pub(crate) use crate::layer::net::sockopt::{OptOut, OptVal};
use core::{marker::PhantomData, ptr};
use kernel::{
    bindings,
    error::{from_result, to_result},
    ffi::{c_char, c_int, c_uint, c_ulong},
    prelude::*,
    types::Opaque,
    ThisModule,
};

use crate::ipn_bindings::{
    ipn_deliver, ipn_deliver_all_but, ipn_deliver_oob, ipn_net_numnodes, ipn_net_private,
    ipn_net_set_private, ipn_net_timer, ipn_proto_register, ipn_proto_unregister,
};
/// `struct ipn_protocol` and `struct ipn_network` (opaque) of
/// `include/net/ipn.h`, and the functions ipn.ko exports, from bindgen
/// (`rust/bindings.mk`).
pub(crate) use crate::ipn_bindings::{ipn_network as IpnNetwork, ipn_protocol as IpnProtocol};

/// A network, as seen by its policy during a callback.
///
/// # Invariants
///
/// Wraps a `struct ipn_network` that the core keeps alive for the duration
/// of the callback that received it.
#[repr(transparent)]
pub(crate) struct Net(Opaque<IpnNetwork>);

impl Net {
    /// # Safety
    ///
    /// `ptr` must be a network passed to a policy callback, used only during
    /// that callback.
    unsafe fn from_raw<'a>(ptr: *mut IpnNetwork) -> &'a Self {
        // SAFETY: Transparent wrapper; validity from the caller.
        unsafe { &*ptr.cast() }
    }

    fn raw(&self) -> *mut IpnNetwork {
        self.0.get()
    }

    /// Number of ports.
    pub(crate) fn numnodes(&self) -> usize {
        // SAFETY: By the type invariant.
        let n = unsafe { ipn_net_numnodes(self.raw()) };
        usize::try_from(n).unwrap_or(0)
    }

    /// Calls [`Policy::timer`] `ms` milliseconds from now, replacing an
    /// earlier setting not yet run. Any context.
    #[allow(dead_code)]
    pub(crate) fn set_timer(&self, ms: u32) {
        // SAFETY: By the type invariant.
        unsafe { ipn_net_timer(self.raw(), ms) }
    }

    /// Queues `skb` to `port` if it is connected and reading; consumes it.
    pub(crate) fn deliver(&self, port: usize, skb: SkBuff) -> bool {
        let Ok(port) = c_int::try_from(port) else {
            return false;
        };
        // SAFETY: By the type invariant; the core takes the skb.
        unsafe { ipn_deliver(self.raw(), port, skb.into_raw()) }
    }

    /// Queues a clone of `skb` to every reading port but `except`.
    pub(crate) fn deliver_all_but(&self, except: Option<usize>, skb: SkBuff) {
        let except = except.and_then(|p| c_int::try_from(p).ok()).unwrap_or(-1);
        // SAFETY: By the type invariant; the core takes the skb.
        unsafe { ipn_deliver_all_but(self.raw(), except, skb.into_raw()) }
    }

    /// Queues `skb` as an out-of-band message to the socket on `port`, if
    /// it takes them; consumes it. Start it with the policy's protocol
    /// number and a tag, as `struct ipn_numnode_oob` does.
    #[allow(dead_code)]
    pub(crate) fn deliver_oob(&self, port: usize, skb: SkBuff) -> bool {
        let Ok(port) = c_int::try_from(port) else {
            return false;
        };
        // SAFETY: By the type invariant; the core takes the skb.
        unsafe { ipn_deliver_oob(self.raw(), port, skb.into_raw()) }
    }
}

/// A port, or none for a socket that is bound but not connected.
fn port_of(port: c_int) -> Option<usize> {
    usize::try_from(port).ok()
}

/// A delivery policy.
///
/// Callbacks other than [`Policy::handle_msg`] run in process context and
/// may sleep; `handle_msg` runs under RCU with bottom halves disabled, on
/// several CPUs at once, and must not sleep.
pub(crate) trait Policy: Sized + Send + Sync + 'static {
    /// The protocol number (`socket(AF_IPN, SOCK_RAW, PROTOCOL)`).
    const PROTOCOL: i32;
    /// Per-network state, created with the network.
    type NetData: Send + Sync;

    /// A network is created.
    fn new_net(net: &Net) -> Result<KBox<Self::NetData>>;
    /// The port table is resized from `old` to `new` ports.
    fn resize(_data: &Self::NetData, _old: usize, _new: usize) -> Result {
        Ok(())
    }
    /// `port` connects.
    fn new_port(_data: &Self::NetData, _port: usize) -> Result {
        Ok(())
    }
    /// `port` is about to leave; it still receives.
    fn pre_del_port(_data: &Self::NetData, _port: usize) {}
    /// `port` has left.
    fn del_port(_data: &Self::NetData, _port: usize) {}
    /// Delivers `skb` from `port` (`None`: not from a socket).
    fn handle_msg(net: &Net, data: &Self::NetData, port: Option<usize>, skb: SkBuff);
    /// The time set with [`Net::set_timer`] has come. Runs as
    /// [`Policy::handle_msg`] does (it may deliver), but never twice at
    /// once.
    fn timer(_net: &Net, _data: &Self::NetData) {}
    /// `setsockopt()` at level [`Policy::PROTOCOL`].
    fn setsockopt(
        _net: &Net,
        _data: &Self::NetData,
        _port: Option<usize>,
        _manage: bool,
        _name: i32,
        _val: &OptVal,
    ) -> Result {
        Err(ENOPROTOOPT)
    }
    /// `getsockopt()` at level [`Policy::PROTOCOL`].
    fn getsockopt(
        _data: &Self::NetData,
        _port: Option<usize>,
        _name: i32,
        _out: &mut OptOut,
    ) -> Result {
        Err(ENOPROTOOPT)
    }
    /// An `ioctl()` the core does not know; `arg` is the caller's argument
    /// (often a user pointer: read it with `UserSlice`).
    fn ioctl(_data: &Self::NetData, _port: Option<usize>, _cmd: u32, _arg: usize) -> Result<i32> {
        Err(ENOIOCTLCMD)
    }
}

struct Adapter<P: Policy>(PhantomData<P>);

impl<P: Policy> Adapter<P> {
    /// # Safety
    ///
    /// `net` must be a network passed to a callback of this policy, whose
    /// private data was set by [`Self::newnet`] and not yet freed.
    unsafe fn data<'a>(net: *mut IpnNetwork) -> &'a P::NetData {
        // SAFETY: `newnet` stored a `KBox<P::NetData>` there; `delnet` frees
        // it after the last other callback.
        unsafe { &*ipn_net_private(net).cast::<P::NetData>() }
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::newnet`.
    unsafe extern "C" fn newnet(net: *mut IpnNetwork) -> c_int {
        from_result(|| {
            // SAFETY: Valid during the callback.
            let n = unsafe { Net::from_raw(net) };
            let data = P::new_net(n)?;
            // SAFETY: Valid during the callback; ownership moves to the network
            // until `delnet`.
            unsafe { ipn_net_set_private(net, KBox::into_raw(data).cast()) };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::delnet`, once, last.
    unsafe extern "C" fn delnet(net: *mut IpnNetwork) {
        // SAFETY: Valid during the callback.
        let p = unsafe { ipn_net_private(net) };
        if !p.is_null() {
            // SAFETY: Set by `newnet` from `KBox::into_raw`; no callback
            // follows `delnet`.
            unsafe {
                ipn_net_set_private(net, ptr::null_mut());
                drop(KBox::from_raw(p.cast::<P::NetData>()));
            }
        }
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::resizenet`.
    unsafe extern "C" fn resizenet(net: *mut IpnNetwork, old: c_int, new: c_int) -> c_int {
        // SAFETY: As promised by ipn.ko.
        let data = unsafe { Self::data(net) };
        from_result(|| {
            let old = usize::try_from(old).map_err(|_| EINVAL)?;
            let new = usize::try_from(new).map_err(|_| EINVAL)?;
            P::resize(data, old, new).map(|()| 0)
        })
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::newport`.
    unsafe extern "C" fn newport(net: *mut IpnNetwork, port: c_int) -> c_int {
        // SAFETY: As promised by ipn.ko.
        let data = unsafe { Self::data(net) };
        from_result(|| P::new_port(data, port_of(port).ok_or(EINVAL)?).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::predelport`.
    unsafe extern "C" fn predelport(net: *mut IpnNetwork, port: c_int) {
        // SAFETY: As promised by ipn.ko.
        let data = unsafe { Self::data(net) };
        if let Some(p) = port_of(port) {
            P::pre_del_port(data, p);
        }
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::ioctl`.
    unsafe extern "C" fn ioctl(
        net: *mut IpnNetwork,
        port: c_int,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_int {
        // SAFETY: As promised by ipn.ko.
        let data = unsafe { Self::data(net) };
        from_result(|| P::ioctl(data, port_of(port), cmd, arg))
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::delport`.
    unsafe extern "C" fn delport(net: *mut IpnNetwork, port: c_int) {
        // SAFETY: As promised by ipn.ko.
        let data = unsafe { Self::data(net) };
        if let Some(p) = port_of(port) {
            P::del_port(data, p);
        }
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::handlemsg`, owning `skb`.
    unsafe extern "C" fn handlemsg(net: *mut IpnNetwork, port: c_int, skb: *mut bindings::sk_buff) {
        // SAFETY: As promised by ipn.ko.
        let (n, data, skb) =
            unsafe { (Net::from_raw(net), Self::data(net), SkBuff::from_raw(skb)) };
        if let Some(skb) = skb {
            P::handle_msg(n, data, port_of(port), skb);
        }
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::timer`.
    unsafe extern "C" fn timer(net: *mut IpnNetwork) {
        // SAFETY: As promised by ipn.ko.
        let (n, data) = unsafe { (Net::from_raw(net), Self::data(net)) };
        P::timer(n, data);
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::setsockopt`.
    unsafe extern "C" fn setsockopt(
        net: *mut IpnNetwork,
        port: c_int,
        manage: bool,
        name: c_int,
        val: bindings::sockptr_t,
        len: c_uint,
    ) -> c_int {
        // SAFETY: As promised by ipn.ko.
        let (n, data) = unsafe { (Net::from_raw(net), Self::data(net)) };
        // SAFETY: ipn.ko passes the caller's value, valid for `len` bytes
        // during the call.
        let val = unsafe { OptVal::from_raw(val, len) };
        from_result(|| P::setsockopt(n, data, port_of(port), manage, name, &val).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by ipn.ko as `ipn_protocol::getsockopt`, with user pointers.
    unsafe extern "C" fn getsockopt(
        net: *mut IpnNetwork,
        port: c_int,
        name: c_int,
        val: *mut c_char,
        lenp: *mut c_int,
    ) -> c_int {
        // SAFETY: As promised by ipn.ko.
        let data = unsafe { Self::data(net) };
        from_result(|| {
            let mut out = OptOut::from_user(val.cast(), lenp.cast())?;
            P::getsockopt(data, port_of(port), name, &mut out)?;
            out.finish().map(|()| 0)
        })
    }
}

/// A registered policy; unregistered on drop.
///
/// # Invariants
///
/// `proto` is registered with ipn.ko as `P::PROTOCOL` until drop.
pub(crate) struct Registration<P: Policy> {
    proto: Pin<KBox<IpnProtocol>>,
    _p: PhantomData<P>,
}

// SAFETY: The vtable is immutable after registration.
unsafe impl<P: Policy> Send for Registration<P> {}
// SAFETY: As above.
unsafe impl<P: Policy> Sync for Registration<P> {}

impl<P: Policy> Registration<P> {
    /// Registers `P` on behalf of `module`.
    pub(crate) fn new(module: &'static ThisModule) -> Result<Self> {
        let proto = KBox::pin(
            IpnProtocol {
                owner: module.as_ptr(),
                newnet: Some(Adapter::<P>::newnet),
                delnet: Some(Adapter::<P>::delnet),
                resizenet: Some(Adapter::<P>::resizenet),
                newport: Some(Adapter::<P>::newport),
                predelport: Some(Adapter::<P>::predelport),
                delport: Some(Adapter::<P>::delport),
                handlemsg: Some(Adapter::<P>::handlemsg),
                setsockopt: Some(Adapter::<P>::setsockopt),
                getsockopt: Some(Adapter::<P>::getsockopt),
                ioctl: Some(Adapter::<P>::ioctl),
                timer: Some(Adapter::<P>::timer),
            },
            GFP_KERNEL,
        )?;
        // SAFETY: The vtable lives, pinned, until `drop` unregisters it.
        to_result(unsafe { ipn_proto_register(P::PROTOCOL, &*proto) })?;
        Ok(Self {
            proto,
            _p: PhantomData,
        })
    }
}

impl<P: Policy> Drop for Registration<P> {
    fn drop(&mut self) {
        let _ = &self.proto;
        // SAFETY: Registered in `new`. Networks hold a reference on the
        // module, so none uses the policy any more.
        unsafe { ipn_proto_unregister(P::PROTOCOL) };
    }
}
