// SPDX-License-Identifier: GPL-2.0

//! Frames larger than the wire: GSO super-frames, and frames whose
//! checksum is left to complete, as taps and grabbed interfaces pass them.
//!
//! C header: [`include/net/gso.h`](srctree/include/net/gso.h).

use super::skbuff::SkBuff;
use core::ptr::NonNull;
use kernel::{bindings, ffi::c_uint};

// `struct sk_buff` holds a `netdevice_tracker`, empty without
// `CONFIG_NET_DEV_REFCNT_TRACKER`; the C side only sees pointers.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_skb_fits(skb: *const bindings::sk_buff, max: c_uint) -> bool;
    fn ipn_glue_skb_flatten(skb: *mut bindings::sk_buff) -> *mut bindings::sk_buff;
    fn ipn_glue_skb_unlink(skb: *mut bindings::sk_buff) -> *mut bindings::sk_buff;
}

impl SkBuff {
    /// Whether the frame is at most `max` bytes long or, as a GSO frame, is
    /// cut into frames that are.
    pub(crate) fn fits(&self, max: usize) -> bool {
        let max = c_uint::try_from(max).unwrap_or(c_uint::MAX);
        // SAFETY: The skb is valid and owned.
        unsafe { ipn_glue_skb_fits(self.as_raw(), max) }
    }

    /// The frame as a socket reads frames: a GSO frame cut into frames of
    /// wire size, each linear and with its checksum complete; any other
    /// frame as it is. Empty when memory is short. Never sleeps.
    pub(crate) fn flatten(self) -> Frames {
        // SAFETY: The glue takes the skb and returns a list of skbs that
        // the caller owns, or null.
        // INVARIANT: So the list is ours.
        Frames(NonNull::new(unsafe {
            ipn_glue_skb_flatten(self.into_raw())
        }))
    }
}

/// Frames in a list, each owned.
///
/// # Invariants
///
/// The pointer, when set, is the first of a list of valid skbs linked by
/// `next` and owned by this object.
pub(crate) struct Frames(Option<NonNull<bindings::sk_buff>>);

impl Iterator for Frames {
    type Item = SkBuff;

    fn next(&mut self) -> Option<SkBuff> {
        let skb = self.0?.as_ptr();
        // SAFETY: By the type invariant `skb` heads a list that we own;
        // unlinked, it is one owned skb and the rest stays a list.
        unsafe {
            self.0 = NonNull::new(ipn_glue_skb_unlink(skb));
            SkBuff::from_raw(skb)
        }
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        for skb in self.by_ref() {
            drop(skb);
        }
    }
}
