// SPDX-License-Identifier: GPL-2.0

//! Owned socket buffers (`struct sk_buff`).
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).
//!
//! Shared by `ipn.ko` and the policy modules (each includes this file).

use core::ptr::NonNull;
use kernel::{bindings, prelude::*};

/// An owned socket buffer.
///
/// # Invariants
///
/// The pointer is a valid skb owned by this object.
pub(crate) struct SkBuff(NonNull<bindings::sk_buff>);

// SAFETY: An owned skb may be passed between threads.
unsafe impl Send for SkBuff {}

impl SkBuff {
    /// Takes ownership of `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must be null or an skb owned by the caller, who gives it up.
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::sk_buff) -> Option<Self> {
        NonNull::new(ptr).map(Self)
    }

    /// Gives up ownership, returning the skb.
    pub(crate) fn into_raw(self) -> *mut bindings::sk_buff {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }

    /// The skb, still owned by `self`.
    pub(crate) fn as_raw(&self) -> *mut bindings::sk_buff {
        self.0.as_ptr()
    }

    /// Length of the message.
    pub(crate) fn len(&self) -> usize {
        // SAFETY: By the type invariant the skb is valid.
        unsafe { (*self.0.as_ptr()).len as usize }
    }

    /// A clone sharing the data (`skb_clone()`). Never sleeps.
    pub(crate) fn clone_atomic(&self) -> Result<SkBuff> {
        // SAFETY: The skb is valid.
        let p = unsafe { bindings::skb_clone(self.0.as_ptr(), bindings::GFP_ATOMIC) };
        NonNull::new(p).map(SkBuff).ok_or(ENOMEM)
    }
}

/// What policies use to look into and build frames; the core only moves
/// skbs around.
#[allow(dead_code)]
impl SkBuff {
    /// Allocates a linear skb holding `len` zero bytes. Never sleeps.
    pub(crate) fn alloc_atomic(len: usize) -> Result<Self> {
        let len32 = u32::try_from(len).map_err(|_| EMSGSIZE)?;
        // SAFETY: Plain allocation; `NUMA_NO_NODE` is -1.
        let skb = unsafe { bindings::__alloc_skb(len32, bindings::GFP_ATOMIC, 0, -1) };
        let skb = NonNull::new(skb).ok_or(ENOMEM)?;
        // SAFETY: The new skb has room for `len` bytes; `skb_put` makes them
        // part of the data, and they are zeroed before anybody reads them.
        unsafe {
            let p = bindings::skb_put(skb.as_ptr(), len32);
            core::ptr::write_bytes(p.cast::<u8>(), 0, len);
        }
        Ok(Self(skb))
    }

    /// The message's bytes, when it is linear (every skb that IPN builds
    /// is); `None` otherwise.
    pub(crate) fn data(&self) -> Option<&[u8]> {
        let skb = self.0.as_ptr();
        // SAFETY: The skb is valid and owned; when `data_len` is 0 its `len`
        // bytes are all at `data`, unchanged while we hold `&self`.
        unsafe {
            if (*skb).data_len != 0 {
                return None;
            }
            Some(core::slice::from_raw_parts(
                (*skb).data,
                (*skb).len as usize,
            ))
        }
    }

    /// The frame's first bytes, those in its linear head. Every frame a
    /// policy's `handlemsg` gets has its first `VLAN_ETH_HLEN` (18) bytes
    /// there, or all of them when it is shorter: its Ethernet header and
    /// any 802.1Q tag.
    pub(crate) fn head(&self) -> &[u8] {
        let skb = self.0.as_ptr();
        // SAFETY: The skb is valid and owned; its first `len - data_len`
        // bytes are at `data`, unchanged while we hold `&self`.
        unsafe { core::slice::from_raw_parts((*skb).data, ((*skb).len - (*skb).data_len) as usize) }
    }

    /// A copy of the frame for a port of another VLAN: with an 802.1Q tag
    /// of `tci` (added, or replacing the frame's), or without its tag for
    /// `None`. Only the head is copied; the payload stays shared and a GSO
    /// super-frame stays one. `None` when memory is short. Never sleeps.
    pub(crate) fn vlan_retag(&self, tci: Option<u16>) -> Option<SkBuff> {
        let tci = tci.map_or(-1, i32::from);
        // SAFETY: The skb is valid; the copy returned is ours.
        unsafe { SkBuff::from_raw(crate::ipn_bindings::ipn_vlan_retag(self.0.as_ptr(), tci)) }
    }

    /// The bytes of an skb made by [`SkBuff::alloc_atomic`], for writing.
    /// `None` when the data may be shared (a clone) or is not linear.
    pub(crate) fn data_mut(&mut self) -> Option<&mut [u8]> {
        let skb = self.0.as_ptr();
        // SAFETY: As in `data`; a buffer that is not cloned is ours alone,
        // and `&mut self` excludes other borrows.
        unsafe {
            if (*skb).data_len != 0 || (*skb).cloned() != 0 {
                return None;
            }
            Some(core::slice::from_raw_parts_mut(
                (*skb).data,
                (*skb).len as usize,
            ))
        }
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // `consume_skb()` frees without counting a drop (drops are counted
        // explicitly where they happen). It is a function only with
        // tracepoints, to tell drops from consumption; without, it is an
        // inline that frees as `kfree_skb()` does, done here the same way.
        #[cfg(CONFIG_TRACEPOINTS)]
        // SAFETY: The skb is owned.
        unsafe {
            bindings::consume_skb(self.0.as_ptr())
        };
        #[cfg(not(CONFIG_TRACEPOINTS))]
        // SAFETY: The skb is owned.
        unsafe {
            bindings::sk_skb_reason_drop(
                core::ptr::null(),
                self.0.as_ptr(),
                bindings::skb_drop_reason_SKB_DROP_REASON_NOT_SPECIFIED,
            )
        };
    }
}
