// SPDX-License-Identifier: GPL-2.0

//! Random bytes from the kernel's CRNG, for policies (a switch's bridge
//! address).
//!
//! C header: [`include/linux/random.h`](srctree/include/linux/random.h).

use kernel::{bindings, ffi::c_void};

/// Fills `buf` with random bytes.
pub(crate) fn fill(buf: &mut [u8]) {
    // SAFETY: `buf` is valid and writable for its length.
    unsafe { bindings::get_random_bytes(buf.as_mut_ptr().cast::<c_void>(), buf.len()) };
}
