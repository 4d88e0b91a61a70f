// SPDX-License-Identifier: GPL-2.0

//! Filesystem nodes that name sockets, as AF_UNIX's bound sockets do.

use core::ptr;
use kernel::ffi::{c_char, c_int, c_ulong, c_void};
use kernel::{bindings, error::to_result, prelude::*};

// The C glue (`ipn_glue.c`). `struct path` is passed as `void *`: its
// bindgen type trips the FFI-safety lint, and only C looks inside it.
extern "C" {
    fn ipn_glue_mknod(name: *const c_char, mode: u16, res: *mut c_void) -> c_int;
    fn ipn_glue_lookup(name: *const c_char, res: *mut c_void) -> c_int;
    fn ipn_glue_path_is_sock(path: *const c_void) -> bool;
    fn ipn_glue_path_key(path: *const c_void) -> c_ulong;
    fn ipn_glue_path_permission(path: *const c_void, mask: c_int) -> c_int;
    fn ipn_glue_path_owner(path: *const c_void) -> bool;
    fn ipn_glue_path_name(path: *const c_void, buf: *mut c_char, len: c_int) -> c_int;
    fn ipn_glue_path_stat(
        path: *const c_void,
        ino: *mut u64,
        dev: *mut u32,
        uid: *mut u32,
        mode: *mut u32,
    );
}

/// What [`FsNode::stat`] reports.
pub(crate) struct NodeStat {
    /// The inode number.
    pub(crate) ino: u64,
    /// The device (`st_dev`, in the new encoding).
    pub(crate) dev: u32,
    /// The owner, a kernel uid as the node's mount maps it.
    pub(crate) kuid: u32,
    /// The permission bits.
    pub(crate) mode: u32,
}

/// Access rights checked with [`FsNode::permission`].
pub(crate) mod may {
    use kernel::bindings;
    /// Read: may receive.
    pub(crate) const READ: i32 = bindings::MAY_READ as i32;
    /// Write: may send.
    pub(crate) const WRITE: i32 = bindings::MAY_WRITE as i32;
    /// Execute: may manage.
    pub(crate) const EXEC: i32 = bindings::MAY_EXEC as i32;
}

/// A reference to a filesystem node (`struct path`).
///
/// Dropping it may sleep: drop it in process context only.
///
/// # Invariants
///
/// `path` holds a reference to its mount and dentry, released on drop.
pub(crate) struct FsNode {
    path: bindings::path,
}

// SAFETY: A `struct path` reference may be used and released from any task.
unsafe impl Send for FsNode {}
// SAFETY: Only read through shared references.
unsafe impl Sync for FsNode {}

fn self_ptr(path: &mut bindings::path) -> *mut c_void {
    ptr::from_mut(path).cast()
}

impl FsNode {
    fn raw(&self) -> *const c_void {
        ptr::from_ref(&self.path).cast()
    }

    /// Creates a socket node at `name` with permission bits `mode` (masked
    /// by the caller's umask), failing with `EEXIST` if something is there.
    pub(crate) fn create(name: &CStr, mode: u16) -> Result<Self> {
        let mut path = bindings::path::default();
        // SAFETY: `name` is NUL-terminated; `path` is a valid out-parameter.
        to_result(unsafe { ipn_glue_mknod(name.as_char_ptr(), mode, self_ptr(&mut path)) })?;
        Ok(Self { path })
    }

    /// Looks `name` up, following symbolic links.
    pub(crate) fn lookup(name: &CStr) -> Result<Self> {
        let mut path = bindings::path::default();
        // SAFETY: As in `create`.
        to_result(unsafe { ipn_glue_lookup(name.as_char_ptr(), self_ptr(&mut path)) })?;
        Ok(Self { path })
    }

    /// Whether the node is a socket node.
    pub(crate) fn is_socket(&self) -> bool {
        // SAFETY: By the type invariant `path` is referenced.
        unsafe { ipn_glue_path_is_sock(self.raw()) }
    }

    /// An identity of the node's inode, stable while it is referenced.
    pub(crate) fn key(&self) -> usize {
        // SAFETY: By the type invariant `path` is referenced.
        unsafe { ipn_glue_path_key(self.raw()) as usize }
    }

    /// Checks the current task's `may::*` rights on the node.
    pub(crate) fn permission(&self, mask: i32) -> Result {
        // SAFETY: By the type invariant `path` is referenced.
        to_result(unsafe { ipn_glue_path_permission(self.raw(), mask) })
    }

    /// Whether the current task owns the node or has `CAP_FOWNER` over it
    /// (`inode_owner_or_capable()`), as `chmod` requires.
    pub(crate) fn owned(&self) -> bool {
        // SAFETY: By the type invariant `path` is referenced.
        unsafe { ipn_glue_path_owner(self.raw()) }
    }
}

impl FsNode {
    /// The node's path from the current task's root (`d_path()`).
    pub(crate) fn name(&self) -> Result<KVec<u8>> {
        const PATH_MAX: usize = bindings::PATH_MAX as usize;
        let mut buf = KVec::from_elem(0u8, PATH_MAX, GFP_KERNEL)?;
        // SAFETY: By the type invariant `path` is referenced; `buf` has
        // `PATH_MAX` writable bytes.
        let n =
            unsafe { ipn_glue_path_name(self.raw(), buf.as_mut_ptr().cast(), PATH_MAX as c_int) };
        let n = usize::try_from(n).map_err(|_| Error::from_errno(n))?;
        buf.truncate(n);
        Ok(buf)
    }

    /// The node's inode number, device, owner and mode.
    pub(crate) fn stat(&self) -> NodeStat {
        let mut s = NodeStat {
            ino: 0,
            dev: 0,
            kuid: 0,
            mode: 0,
        };
        // SAFETY: By the type invariant `path` is referenced; the
        // out-pointers are valid.
        unsafe { ipn_glue_path_stat(self.raw(), &mut s.ino, &mut s.dev, &mut s.kuid, &mut s.mode) };
        s
    }
}

impl Drop for FsNode {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the references.
        unsafe { bindings::path_put(&self.path) };
    }
}
