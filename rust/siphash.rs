// SPDX-License-Identifier: GPL-2.0

//! Keyed hashing with SipHash, for tables whose keys an attacker chooses.
//!
//! C header: [`include/linux/siphash.h`](srctree/include/linux/siphash.h).
//!
//! Used by the policy modules (each includes this file).

use kernel::{bindings, ffi::c_void};

/// A secret SipHash key.
///
/// # Invariants
///
/// The key is random, drawn from the kernel's CRNG when created.
pub(crate) struct SipKey(bindings::siphash_key_t);

impl SipKey {
    /// A new random key.
    pub(crate) fn random() -> Self {
        let mut key = bindings::siphash_key_t { key: [0; 2] };
        // SAFETY: `key` is a valid, writable buffer of the given size.
        unsafe {
            bindings::get_random_bytes(
                (&raw mut key).cast::<c_void>(),
                core::mem::size_of::<bindings::siphash_key_t>(),
            )
        };
        Self(key)
    }

    /// SipHash-2-4 of `v` under this key.
    pub(crate) fn hash_u64(&self, v: u64) -> u64 {
        // SAFETY: `self.0` is a valid key for the duration of the call.
        unsafe { bindings::siphash_1u64(v, &self.0) }
    }
}
