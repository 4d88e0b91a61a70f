// SPDX-License-Identifier: GPL-2.0

//! Bottom halves (softirqs).
//!
//! C header: [`include/linux/bottom_half.h`](srctree/include/linux/bottom_half.h).

use core::marker::PhantomData;

// Functions of the module's C glue (`ipn/glue/ipn_glue.c`); see `ipn_glue.h`.
extern "C" {
    fn ipn_glue_bh_disable();
    fn ipn_glue_bh_enable();
}

/// Bottom halves (softirqs) disabled on this CPU while it lives.
///
/// Delivery runs with BH off whether it starts in a socket's `sendmsg()`
/// or in a device's transmit path, as the kernel's own transmit paths do:
/// `netif_rx()` then queues without running softirqs on the spot, where
/// they could re-enter a policy that holds its lock.
pub(crate) struct BhGuard(PhantomData<*mut ()>);

impl BhGuard {
    /// Disables bottom halves until the guard is dropped. Nests.
    pub(crate) fn new() -> Self {
        // SAFETY: Paired with the enable in `drop`, on this CPU: the guard is
        // neither `Send` nor `Sync`.
        unsafe { ipn_glue_bh_disable() };
        Self(PhantomData)
    }
}

impl Default for BhGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for BhGuard {
    fn drop(&mut self) {
        // SAFETY: Paired with `new`.
        unsafe { ipn_glue_bh_enable() };
    }
}
