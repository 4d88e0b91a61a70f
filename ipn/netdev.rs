// SPDX-License-Identifier: GPL-2.0

//! Network devices that are ports of a network: the tap-like interface.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//! The `net_device_ops` live in `ipn_netdev.c`; this file owns the devices
//! and routes their transmitted frames to a [`DevOwner`].

use crate::skbuff::SkBuff;
use core::ptr::NonNull;
use kernel::{
    bindings,
    ffi::{c_char, c_int, c_uint, c_void},
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    sync::Arc,
    types::Opaque,
};

/// `IFNAMSIZ`: interface names, with their NUL.
pub const IFNAMSIZ: usize = 16;

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
    fn ipn_glue_netdev_rx(dev: *mut bindings::net_device, skb: *mut bindings::sk_buff);
}

/// What a device's transmitted frames go to.
pub trait DevOwner: Send + Sync {
    /// A frame the host sent through the device. Called in BH context:
    /// must not sleep. Returns false when the frame was dropped.
    fn xmit(&self, skb: SkBuff) -> bool;
}

/// The owner as stored in the device's private area: a thin pointer.
type OwnerBox = KBox<Arc<dyn DevOwner>>;

/// Called by `ipn_tap_start_xmit()`.
///
/// # Safety
///
/// `owner` is the pointer given to `ipn_glue_tap_create()`, not yet
/// released; `skb` is owned by the caller, who gives it up.
#[no_mangle]
pub unsafe extern "C" fn ipn_netdev_xmit(owner: *mut c_void, skb: *mut bindings::sk_buff) -> bool {
    // SAFETY: As promised by the caller.
    let (owner, skb) = unsafe { (&*owner.cast::<Arc<dyn DevOwner>>(), SkBuff::from_raw(skb)) };
    skb.is_some_and(|skb| owner.xmit(skb))
}

/// Called by the device's destructor, once.
///
/// # Safety
///
/// `owner` is the pointer given to `ipn_glue_tap_create()`, not used again.
#[no_mangle]
pub unsafe extern "C" fn ipn_netdev_release(owner: *mut c_void) {
    // SAFETY: It came from `KBox::into_raw` in `Tap::create`.
    drop(unsafe { OwnerBox::from_raw(owner.cast()) });
}

/// A network device (`struct net_device`).
///
/// # Invariants
///
/// Instances are reference counted with `dev_hold()`/`dev_put()`.
#[repr(transparent)]
pub struct NetDev(Opaque<bindings::net_device>);

// SAFETY: `struct net_device` is used from any context with its own locking.
unsafe impl Send for NetDev {}
// SAFETY: As above.
unsafe impl Sync for NetDev {}

// SAFETY: `dev_hold()`/`dev_put()` are the reference counting of a device.
unsafe impl AlwaysRefCounted for NetDev {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the refcount is non-zero.
        unsafe { bindings::dev_hold(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference it owns.
        unsafe { bindings::dev_put(obj.cast().as_ptr()) };
    }
}

impl NetDev {
    /// Passes a frame from the network up the device's stack. Never sleeps.
    pub fn rx(&self, skb: SkBuff) {
        // SAFETY: The device is referenced; the glue takes the skb.
        unsafe { ipn_glue_netdev_rx(self.0.get(), skb.into_raw()) };
    }

    /// The interface's name.
    pub fn name(&self) -> [u8; IFNAMSIZ] {
        let mut name = [0u8; IFNAMSIZ];
        // SAFETY: `name` has room for `IFNAMSIZ` bytes.
        unsafe { ipn_glue_netdev_name(self.0.get(), name.as_mut_ptr()) };
        name
    }
}

/// A tap-like interface, registered until dropped.
///
/// # Invariants
///
/// `dev` is a device created by `ipn_glue_tap_create()` and registered
/// until `drop`. `self` holds no reference on it: `unregister_netdev()`
/// waits for every other reference to go, and the registration alone
/// keeps it alive until then.
pub struct Tap {
    dev: NonNull<NetDev>,
}

// SAFETY: The device may be used and unregistered from any task.
unsafe impl Send for Tap {}
// SAFETY: Only shared access to the device is handed out.
unsafe impl Sync for Tap {}

impl Tap {
    /// Creates an interface in the namespace of `sk` named `name` (a
    /// NUL-terminated pattern; empty for `ipn%d`), for frames of up to
    /// `frame_len` bytes, whose transmitted frames go to `owner`.
    pub fn create(
        sk: &crate::socket::Sock,
        name: &[u8; IFNAMSIZ],
        frame_len: usize,
        owner: Arc<dyn DevOwner>,
    ) -> Result<Tap> {
        if !name.contains(&0) {
            return Err(EINVAL);
        }
        let frame_len = c_uint::try_from(frame_len).map_err(|_| EINVAL)?;
        let owner = KBox::into_raw(KBox::new(owner, GFP_KERNEL)?).cast::<c_void>();
        let mut err: c_int = 0;
        // SAFETY: `name` is NUL-terminated; the namespace is the sock's, alive
        // while the sock is; on success the device owns `owner`.
        let dev =
            unsafe { ipn_glue_tap_create(sk.net_raw(), name.as_ptr(), frame_len, owner, &mut err) };
        let Some(dev) = NonNull::new(dev) else {
            // SAFETY: On failure the glue gave `owner` back.
            drop(unsafe { OwnerBox::from_raw(owner.cast()) });
            return Err(Error::from_errno(if err != 0 {
                err
            } else {
                -(bindings::ENOMEM as i32)
            }));
        };
        Ok(Tap { dev: dev.cast() })
    }

    /// The device.
    pub fn dev(&self) -> &NetDev {
        // SAFETY: By the type invariant the device is registered, so alive.
        unsafe { self.dev.as_ref() }
    }

    /// A counted reference to the device, for the port table.
    pub fn dev_ref(&self) -> ARef<NetDev> {
        ARef::from(self.dev())
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        // SAFETY: Registered by `create` and not unregistered since. Takes
        // RTNL, may sleep, and returns when no reference is left: callers
        // first take the device out of every port table.
        unsafe { ipn_glue_tap_destroy(self.dev().0.get()) };
    }
}
