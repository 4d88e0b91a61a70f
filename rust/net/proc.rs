// SPDX-License-Identifier: GPL-2.0

//! A family's text file in `/proc/net`, in every network namespace, as
//! `/proc/net/unix` and `/proc/net/packet` are: written whole on each read
//! (`proc_create_net_single()`).
//!
//! C header: [`include/linux/proc_fs.h`](srctree/include/linux/proc_fs.h).

use super::namespace::Namespace;
use core::marker::PhantomData;
use kernel::{bindings, error::to_result, ffi::c_int, fmt, prelude::*, seq_file::SeqFile};

// The C glue (`ipn/glue/ipn_diag.c`).
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_proc_register(
        show: unsafe extern "C" fn(*mut bindings::seq_file, *mut bindings::net) -> c_int,
    ) -> c_int;
    fn ipn_glue_proc_unregister();
    fn ipn_glue_seq_uid(m: *mut bindings::seq_file, kuid: u32) -> u32;
}

/// A read of the file.
///
/// # Invariants
///
/// `m` is the read's `seq_file`, used by this read only, valid for `'a`.
pub(crate) struct Reader<'a> {
    m: *mut bindings::seq_file,
    net: &'a Namespace,
}

impl Reader<'_> {
    /// The namespace whose file is read.
    pub(crate) fn net(&self) -> &Namespace {
        self.net
    }

    /// A kernel user id as the reader's user namespace sees it.
    pub(crate) fn uid(&self, kuid: u32) -> u32 {
        // SAFETY: `m` is valid (type invariant).
        unsafe { ipn_glue_seq_uid(self.m, kuid) }
    }

    /// Adds formatted text (with [`kernel::prelude::fmt!`]).
    pub(crate) fn print(&self, args: fmt::Arguments<'_>) {
        // SAFETY: `m` is valid and used by this read only (type invariant).
        unsafe { SeqFile::from_raw(self.m) }.call_printf(args);
    }
}

/// What a file shows.
pub(crate) trait Show: 'static {
    /// Writes the file's text.
    fn show(r: &Reader<'_>) -> Result;
}

/// The file `/proc/net/ipn`, in every namespace until dropped. A module
/// has one at most (the glue keeps the function): a second one fails with
/// `EBUSY`.
///
/// # Invariants
///
/// `S`'s trampoline is registered until drop.
pub(crate) struct Registration<S: Show> {
    _p: PhantomData<S>,
}

impl<S: Show> Registration<S> {
    /// Creates the file in every namespace, and in those to come.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: The trampoline is valid while the module is loaded; the
        // file goes in `drop`, after reads under way have finished.
        to_result(unsafe { ipn_glue_proc_register(Self::show_raw) })?;
        Ok(Self { _p: PhantomData })
    }

    /// # Safety
    ///
    /// Called by the glue for a read of the file: `m` is its `seq_file`,
    /// `net` the namespace it belongs to.
    unsafe extern "C" fn show_raw(m: *mut bindings::seq_file, net: *mut bindings::net) -> c_int {
        // SAFETY: As promised by the caller, the namespace lives through
        // the read.
        let net = unsafe { Namespace::from_raw(net) };
        // INVARIANT: `m` is the read's, as promised by the caller.
        match S::show(&Reader { m, net }) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

impl<S: Show> Drop for Registration<S> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new` (type invariant).
        unsafe { ipn_glue_proc_unregister() };
    }
}
