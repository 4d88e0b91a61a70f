// SPDX-License-Identifier: GPL-2.0

//! Network namespaces.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h).

use kernel::{bindings, types::Opaque};

/// A network namespace (`struct net`).
///
/// # Invariants
///
/// The pointer given to [`Namespace::from_raw`] is a valid `struct net` for the
/// lifetime of the reference.
#[repr(transparent)]
pub(crate) struct Namespace(Opaque<bindings::net>);

/// Namespaces are equal when they are the same namespace.
impl PartialEq for Namespace {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self, other)
    }
}

impl Eq for Namespace {}

impl Namespace {
    /// The `struct net`.
    pub(crate) fn raw(&self) -> *const bindings::net {
        self.0.get()
    }

    /// # Safety
    ///
    /// `ptr` must be valid for `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net) -> &'a Self {
        // SAFETY: `Namespace` is a transparent wrapper; the caller guarantees validity.
        unsafe { &*ptr.cast() }
    }
}
