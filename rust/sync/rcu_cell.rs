// SPDX-License-Identifier: GPL-2.0

//! A value read under RCU and replaced by copy-on-write.
//!
//! Readers get a shared reference for as long as they hold an RCU read
//! guard and never block or take a lock; a writer installs a new value and
//! the old one is freed by `call_rcu()` after every reader that could see it
//! is gone. This is the port table of a network: read for every message,
//! written when a node joins or leaves.

use core::{
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{alloc::Flags, bindings, prelude::*, sync::rcu};

#[repr(C)]
struct RcuNode<T> {
    head: bindings::callback_head,
    value: T,
}

/// An RCU-protected value of type `T`.
///
/// `T` is dropped from an RCU callback, in softirq context: its `Drop` must
/// not sleep. Modules using this must call `rcu_barrier()` before they are
/// unloaded, so that no callback outlives their code.
///
/// # Invariants
///
/// `ptr` always points to a valid `RcuNode<T>` allocated by `KBox`, owned by
/// this cell until it is replaced and handed to `call_rcu()`.
pub(crate) struct RcuCell<T: Send + Sync + 'static> {
    ptr: AtomicPtr<RcuNode<T>>,
}

// SAFETY: The cell only hands out shared references to `T`, which is `Sync`,
// and moves `T` to the RCU callback, which `Send` allows.
unsafe impl<T: Send + Sync + 'static> Send for RcuCell<T> {}
// SAFETY: As above.
unsafe impl<T: Send + Sync + 'static> Sync for RcuCell<T> {}

impl<T: Send + Sync + 'static> RcuCell<T> {
    fn boxed(value: T, flags: Flags) -> Result<*mut RcuNode<T>> {
        let node = KBox::new(
            RcuNode {
                head: bindings::callback_head::default(),
                value,
            },
            flags,
        )?;
        Ok(KBox::into_raw(node))
    }

    /// Creates a cell holding `value`.
    pub(crate) fn new(value: T) -> Result<Self> {
        Ok(Self {
            ptr: AtomicPtr::new(Self::boxed(value, GFP_KERNEL)?),
        })
    }

    /// The current value, valid while the read guard is held.
    pub(crate) fn read<'a>(&'a self, _guard: &'a rcu::Guard) -> &'a T {
        // SAFETY: By the type invariant the pointer is valid; a replaced node
        // is freed only after a grace period, so not before `_guard` drops.
        unsafe { &(*self.ptr.load(Ordering::Acquire)).value }
    }

    /// Installs `value`; the previous value is dropped after a grace period.
    ///
    /// Concurrent writers do not corrupt anything, but one may overwrite
    /// the other's update: callers serialise read-modify-write sequences.
    pub(crate) fn replace(&self, value: T) -> Result {
        let new = Self::boxed(value, GFP_KERNEL)?;
        let old = self.ptr.swap(new, Ordering::AcqRel);
        // SAFETY: `old` came from `KBox::into_raw` and is no longer reachable
        // from the cell; readers that still see it finish before the callback.
        unsafe { bindings::call_rcu(ptr::addr_of_mut!((*old).head), Some(Self::free)) };
        Ok(())
    }

    /// # Safety
    ///
    /// Called by RCU with the `head` of a node given to `call_rcu()`.
    unsafe extern "C" fn free(head: *mut bindings::callback_head) {
        // SAFETY: `head` is the first field of a `#[repr(C)]` `RcuNode<T>`
        // that was allocated by `KBox` and is owned by this callback.
        drop(unsafe { KBox::from_raw(head.cast::<RcuNode<T>>()) });
    }
}

impl<T: Send + Sync + 'static> Drop for RcuCell<T> {
    fn drop(&mut self) {
        // SAFETY: Readers reach the cell through a reference to its owner, so
        // with `&mut self` there is none left; the node is still owned.
        drop(unsafe { KBox::from_raw(self.ptr.load(Ordering::Acquire)) });
    }
}
