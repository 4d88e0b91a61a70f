// SPDX-License-Identifier: GPL-2.0

//! Network devices that are ports of a network: the tap-like interface
//! IPN creates, and existing interfaces it grabs.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//! The `net_device_ops`, the `rx_handler` and the netdevice notifier live in
//! `ipn/glue/ipn_netdev.c`; this file owns the devices and routes the frames they
//! hand to the network to a [`DevOwner`].

use super::{skbuff::SkBuff, sock::Sock};
use crate::layer::sync::InUse;
use crate::net_bindings as bindings;
use core::{marker::PhantomData, mem::ManuallyDrop, ops::Deref, ptr::NonNull};
use kernel::{
    ffi::{c_char, c_int, c_uint, c_void},
    prelude::*,
    sync::aref::AlwaysRefCounted,
    sync::Arc,
    types::Opaque,
};

/// `IFNAMSIZ`: interface names, with their NUL.
pub(crate) const IFNAMSIZ: usize = 16;

// The pointee types are bindgen's C layouts, whose zero-sized markers the
// FFI lint rejects.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_tap_create(
        net: *mut bindings::net,
        name: *const c_char,
        frame_len: c_uint,
        owner: *mut c_void,
        err: *mut c_int,
    ) -> *mut bindings::net_device;
    fn ipn_glue_tap_destroy(dev: *mut bindings::net_device);
    fn ipn_glue_netdev_name(dev: *mut bindings::net_device, name: *mut c_char);
    fn ipn_glue_netdev_in_net(dev: *const bindings::net_device, net: *const bindings::net) -> bool;
    fn ipn_glue_netdev_ifindex(dev: *const bindings::net_device) -> c_int;
    fn ipn_glue_netdev_lookup(
        net: *mut bindings::net,
        name: *const c_char,
        ifindex: c_int,
    ) -> *mut bindings::net_device;
    fn ipn_glue_netdev_out(dev: *mut bindings::net_device, skb: *mut bindings::sk_buff);
    fn ipn_glue_grab(
        net: *mut bindings::net,
        name: *const c_char,
        owner: *mut c_void,
        err: *mut c_int,
    ) -> *mut bindings::net_device;
    fn ipn_glue_grab_release(dev: *mut bindings::net_device);
    fn ipn_glue_netdev_init() -> c_int;
    fn ipn_glue_netdev_exit();
    fn ipn_glue_rtnl_lock();
    fn ipn_glue_rtnl_unlock();
    fn ipn_glue_module_get();
    fn ipn_glue_module_put();
    fn ipn_glue_dev_hold(dev: *mut bindings::net_device);
    fn ipn_glue_dev_put(dev: *mut bindings::net_device);
}

/// Proof that the caller holds RTNL, the lock of the networking core's
/// device configuration.
///
/// # Invariants
///
/// RTNL is held by the current task while a value exists.
pub(crate) struct Rtnl {
    /// RTNL is a mutex: it belongs to the task that took it.
    _not_send: PhantomData<*mut ()>,
}

impl Rtnl {
    /// # Safety
    ///
    /// The caller holds RTNL for as long as the returned value exists.
    unsafe fn assume_held() -> Self {
        Self {
            _not_send: PhantomData,
        }
    }
}

/// RTNL, held until dropped. Releasing it runs the device unregistrations
/// queued meanwhile, which wait for the devices' last references.
pub(crate) struct RtnlGuard(Rtnl);

impl RtnlGuard {
    /// Takes RTNL; may sleep.
    pub(crate) fn lock() -> Self {
        // SAFETY: Plain mutex acquisition in process context.
        unsafe { ipn_glue_rtnl_lock() };
        // SAFETY: Just taken; released in `drop`.
        Self(unsafe { Rtnl::assume_held() })
    }
}

impl Deref for RtnlGuard {
    type Target = Rtnl;

    fn deref(&self) -> &Rtnl {
        &self.0
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: Taken in `lock`.
        unsafe { ipn_glue_rtnl_unlock() };
    }
}

/// What a device's frames for the network go to.
pub(crate) trait DevOwner: Send + Sync {
    /// A frame the device hands to the network: one the host sent through
    /// a tap, or one a grabbed interface received. Called in BH context
    /// (softirq for a grabbed interface): must not sleep. Returns false
    /// when the frame was dropped.
    fn xmit(&self, skb: SkBuff) -> bool;

    /// The kernel takes the device away (it is deleted, or its namespace
    /// goes). RTNL is held: the owner lets a [`Grab`] go with
    /// [`Grab::release`], and forgets a [`Tap`] with [`Tap::forget`], as
    /// the kernel unregisters it.
    fn gone(&self, rtnl: &Rtnl);
}

/// The owner as stored in the device: a thin pointer.
type OwnerBox = KBox<Arc<dyn DevOwner>>;

/// Called by a tap's `ndo_start_xmit` and a grabbed device's `rx_handler`.
///
/// # Safety
///
/// `owner` is a pointer given to `ipn_glue_tap_create()` or
/// `ipn_glue_grab()`, not yet released; `skb` is owned by the caller, who
/// gives it up.
#[no_mangle]
pub(crate) unsafe extern "C" fn ipn_netdev_xmit(
    owner: *mut c_void,
    skb: *mut bindings::sk_buff,
) -> bool {
    // SAFETY: As promised by the caller.
    let (owner, skb) = unsafe { (&*owner.cast::<Arc<dyn DevOwner>>(), SkBuff::from_raw(skb)) };
    skb.is_some_and(|skb| owner.xmit(skb))
}

/// Called under RTNL by a tap's `dellink` and by the netdevice notifier
/// for a grabbed device being unregistered.
///
/// # Safety
///
/// RTNL is held; `owner` is as for [`ipn_netdev_xmit`].
#[no_mangle]
pub(crate) unsafe extern "C" fn ipn_netdev_gone(owner: *mut c_void) {
    // SAFETY: As promised by the caller. The clone keeps the owner alive
    // while `gone` frees the box it was stored in (a grab's).
    let owner = unsafe { (*owner.cast::<Arc<dyn DevOwner>>()).clone() };
    // SAFETY: The caller holds RTNL throughout.
    let rtnl = unsafe { Rtnl::assume_held() };
    owner.gone(&rtnl);
}

/// Called by a tap's destructor, once.
///
/// # Safety
///
/// `owner` is the pointer given to `ipn_glue_tap_create()`, not used again.
#[no_mangle]
pub(crate) unsafe extern "C" fn ipn_netdev_release(owner: *mut c_void) {
    // SAFETY: It came from `KBox::into_raw` in `Tap::create`.
    drop(unsafe { OwnerBox::from_raw(owner.cast()) });
}

/// The tap link type and the netdevice notifier, registered while this
/// lives (once per module).
pub(crate) struct Registration(());

impl Registration {
    /// Registers the tap link type and the netdevice notifier.
    pub(crate) fn new() -> Result<Self> {
        static DONE: InUse = InUse::new();
        DONE.claim()?;
        // SAFETY: Called once (above), from module init.
        kernel::error::to_result(unsafe { ipn_glue_netdev_init() })
            .inspect_err(|_| DONE.release())?;
        Ok(Self(()))
    }
}

impl Drop for Registration {
    /// Unregisters, waiting until every tap being unregistered is freed.
    fn drop(&mut self) {
        // SAFETY: `new` succeeded.
        unsafe { ipn_glue_netdev_exit() };
    }
}

/// A reference on this module, so that it is not unloaded while something
/// outlives every socket (a persistent interface).
///
/// # Invariants
///
/// Each value owns one reference on the module, taken in [`ModuleRef::get`]
/// and dropped with it.
pub(crate) struct ModuleRef(());

impl ModuleRef {
    /// Takes a reference. The caller already holds one (through a socket),
    /// so the module is live.
    pub(crate) fn get() -> Self {
        // SAFETY: The module is live: the caller runs its code on behalf
        // of a socket, which holds the module.
        unsafe { ipn_glue_module_get() };
        Self(())
    }
}

impl Drop for ModuleRef {
    fn drop(&mut self) {
        // SAFETY: Taken in `get`. Unloading waits, in `exit`, for the code
        // that is still running devices down.
        unsafe { ipn_glue_module_put() };
    }
}

/// A network device (`struct net_device`).
///
/// # Invariants
///
/// Instances are reference counted with `dev_hold()`/`dev_put()`.
#[repr(transparent)]
pub(crate) struct NetDev(Opaque<bindings::net_device>);

// SAFETY: `struct net_device` is used from any context with its own locking.
unsafe impl Send for NetDev {}
// SAFETY: As above.
unsafe impl Sync for NetDev {}

// SAFETY: `dev_hold()`/`dev_put()` are the reference counting of a device.
unsafe impl AlwaysRefCounted for NetDev {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the refcount is non-zero.
        unsafe { ipn_glue_dev_hold(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference it owns.
        unsafe { ipn_glue_dev_put(obj.cast().as_ptr()) };
    }
}

impl NetDev {
    /// The device named `name` (NUL-terminated), or numbered `ifindex` when
    /// the name is empty, in the namespace of `sk`. Registered while RTNL
    /// is held.
    pub(crate) fn lookup<'a>(
        sk: &Sock,
        name: &[u8; IFNAMSIZ],
        ifindex: i32,
        _rtnl: &'a Rtnl,
    ) -> Option<&'a NetDev> {
        if !name.contains(&0) {
            return None;
        }
        // SAFETY: RTNL is held (by the type invariant of `Rtnl`) and the
        // name is NUL-terminated; the namespace is the sock's.
        let dev = unsafe { ipn_glue_netdev_lookup(sk.net_raw(), name.as_ptr(), ifindex) };
        // SAFETY: A registered device stays so while RTNL is held, which
        // `'a` does not outlive.
        NonNull::new(dev).map(|d| unsafe { d.cast::<NetDev>().as_ref() })
    }

    /// Hands a frame from the network to the device: up the host stack of
    /// a tap, out of a grabbed interface. Never sleeps.
    pub(crate) fn out(&self, skb: SkBuff) {
        // SAFETY: The device is referenced; the glue takes the skb.
        unsafe { ipn_glue_netdev_out(self.0.get(), skb.into_raw()) };
    }

    /// Whether the interface is in the namespace `ns` now (it may move).
    pub(crate) fn in_net(&self, ns: &super::namespace::Namespace) -> bool {
        // SAFETY: The device is referenced; the namespace pointer is only
        // compared.
        unsafe { ipn_glue_netdev_in_net(self.0.get(), ns.raw()) }
    }

    /// The interface's index in its namespace.
    pub(crate) fn ifindex(&self) -> i32 {
        // SAFETY: The device is referenced.
        unsafe { ipn_glue_netdev_ifindex(self.0.get()) }
    }

    /// The interface's name.
    pub(crate) fn name(&self) -> [u8; IFNAMSIZ] {
        let mut name = [0u8; IFNAMSIZ];
        // SAFETY: `name` has room for `IFNAMSIZ` bytes.
        unsafe { ipn_glue_netdev_name(self.0.get(), name.as_mut_ptr()) };
        name
    }
}

/// A tap-like interface, registered until destroyed, forgotten, or dropped.
///
/// # Invariants
///
/// `dev` is a device created by `ipn_glue_tap_create()` and registered.
/// `self` holds no reference on it: the registration keeps it alive, and
/// unregistering waits for every other reference to go.
pub(crate) struct Tap {
    dev: NonNull<NetDev>,
}

// SAFETY: The device may be used and unregistered from any task.
unsafe impl Send for Tap {}
// SAFETY: Only shared access to the device is handed out.
unsafe impl Sync for Tap {}

impl Tap {
    /// Creates an interface in the namespace of `sk` named `name` (a
    /// NUL-terminated pattern; empty for `ipn%d`), for frames of up to
    /// `frame_len` bytes, whose frames go to `owner`.
    pub(crate) fn create(
        sk: &Sock,
        name: &[u8; IFNAMSIZ],
        frame_len: usize,
        owner: Arc<dyn DevOwner>,
        _rtnl: &Rtnl,
    ) -> Result<Tap> {
        if !name.contains(&0) {
            return Err(EINVAL);
        }
        let frame_len = c_uint::try_from(frame_len).map_err(|_| EINVAL)?;
        let make = |owner, err| {
            // SAFETY: RTNL is held; `name` is NUL-terminated; the namespace
            // is the sock's, alive while the sock is; on success the device
            // owns `owner`.
            unsafe { ipn_glue_tap_create(sk.net_raw(), name.as_ptr(), frame_len, owner, err) }
        };
        // SAFETY: On failure the glue gives `owner` back.
        let (dev, _) = unsafe { with_owner(owner, make) }?;
        Ok(Tap { dev })
    }

    /// The device.
    pub(crate) fn dev(&self) -> &NetDev {
        // SAFETY: By the type invariant the device is registered, so alive.
        unsafe { self.dev.as_ref() }
    }

    /// Unregisters the device. It is freed, and its owner released, when
    /// RTNL is dropped and its last reference goes; callers first take it
    /// out of every port table.
    pub(crate) fn destroy(self, _rtnl: &Rtnl) {
        let this = ManuallyDrop::new(self);
        // SAFETY: Registered (type invariant), RTNL held; `this` is not
        // used again.
        unsafe { ipn_glue_tap_destroy(this.dev().0.get()) };
    }

    /// Lets go of a device that the kernel is unregistering itself.
    pub(crate) fn forget(self, _rtnl: &Rtnl) {
        let _ = ManuallyDrop::new(self);
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        let rtnl = RtnlGuard::lock();
        // SAFETY: Registered (type invariant), RTNL held.
        unsafe { ipn_glue_tap_destroy(self.dev().0.get()) };
        drop(rtnl);
    }
}

/// An existing interface grabbed as a port of a network: its received
/// frames go to the owner instead of the host stack, and it is
/// promiscuous.
///
/// # Invariants
///
/// `dev` was grabbed by `ipn_glue_grab()` with `owner` (an `OwnerBox`),
/// and the grab holds a reference on it until released.
pub(crate) struct Grab {
    dev: NonNull<NetDev>,
    owner: *mut c_void,
}

// SAFETY: The device may be used and released from any task; `owner` is
// an `OwnerBox`, which is `Send`.
unsafe impl Send for Grab {}
// SAFETY: Only shared access to the device is handed out.
unsafe impl Sync for Grab {}

impl Grab {
    /// Grabs the interface `name` (NUL-terminated, not empty) of the
    /// namespace of `sk`, sending its frames to `owner`.
    pub(crate) fn attach(
        sk: &Sock,
        name: &[u8; IFNAMSIZ],
        owner: Arc<dyn DevOwner>,
        _rtnl: &Rtnl,
    ) -> Result<Grab> {
        if !name.contains(&0) || name[0] == 0 {
            return Err(EINVAL);
        }
        let make = |owner, err| {
            // SAFETY: RTNL is held, the name is NUL-terminated, the namespace
            // is the sock's. On success the device is held for us.
            unsafe { ipn_glue_grab(sk.net_raw(), name.as_ptr(), owner, err) }
        };
        // SAFETY: On failure the glue registered nothing with `owner`.
        let (dev, owner) = unsafe { with_owner(owner, make) }?;
        Ok(Grab { dev, owner })
    }

    /// The device.
    pub(crate) fn dev(&self) -> &NetDev {
        // SAFETY: Held by the grab (type invariant).
        unsafe { self.dev.as_ref() }
    }

    /// Gives the interface back to the host stack, RTNL held.
    pub(crate) fn release(self, _rtnl: &Rtnl) {
        let this = ManuallyDrop::new(self);
        // SAFETY: RTNL is held; `this` is not used again.
        unsafe { this.release_locked() };
    }

    /// # Safety
    ///
    /// RTNL is held, and `self` is not used afterwards.
    unsafe fn release_locked(&self) {
        // SAFETY: Grabbed (type invariant), RTNL held. The glue drops the
        // grab's reference; no rx_handler call runs after it returns, so
        // the owner can go.
        unsafe {
            ipn_glue_grab_release(self.dev.cast().as_ptr());
            drop(OwnerBox::from_raw(self.owner.cast()));
        }
    }
}

impl Drop for Grab {
    fn drop(&mut self) {
        let rtnl = RtnlGuard::lock();
        // SAFETY: RTNL is held; `self` is being dropped.
        unsafe { self.release_locked() };
        drop(rtnl);
    }
}

/// Boxes `owner` into the thin pointer the C side keeps, and calls `make`
/// with it and an errno slot to make or grab a device. On failure the box
/// is freed and the errno returned; on success the caller gets the device
/// and the pointer, now stored in it.
///
/// # Safety
///
/// When `make` returns NULL, nothing may keep the pointer it was given.
unsafe fn with_owner(
    owner: Arc<dyn DevOwner>,
    make: impl FnOnce(*mut c_void, *mut c_int) -> *mut bindings::net_device,
) -> Result<(NonNull<NetDev>, *mut c_void)> {
    let owner = KBox::into_raw(KBox::new(owner, GFP_KERNEL)?).cast::<c_void>();
    let mut err: c_int = 0;
    match NonNull::new(make(owner, &mut err)) {
        Some(dev) => Ok((dev.cast(), owner)),
        None => {
            // SAFETY: It came from `KBox::into_raw` above, and the caller
            // promises that nothing kept it.
            drop(unsafe { OwnerBox::from_raw(owner.cast()) });
            Err(errno_or_nomem(err))
        }
    }
}

/// A negative errno from the glue as an error, defaulting to `ENOMEM`.
fn errno_or_nomem(err: c_int) -> Error {
    if err < 0 {
        Error::from_errno(err)
    } else {
        ENOMEM
    }
}
