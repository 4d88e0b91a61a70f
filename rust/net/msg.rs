// SPDX-License-Identifier: GPL-2.0

//! Messages and addresses of socket calls (`struct msghdr`, `struct
//! sockaddr`).
//!
//! C headers: [`include/linux/socket.h`](srctree/include/linux/socket.h),
//! [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).

use super::skbuff::SkBuff;
use crate::net_bindings as bindings;
use core::marker::PhantomData;
use kernel::{
    error::to_result,
    ffi::{c_int, c_void},
    prelude::*,
};

// Functions of the module's C glue (`ipn/glue/ipn_glue.c`,
// `ipn/glue/ipn_sock.c`); see `ipn_glue.h`.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_sigpipe();
    fn ipn_glue_memcpy_from_msg(data: *mut c_void, msg: *mut bindings::msghdr, len: c_int)
        -> c_int;
    fn ipn_glue_skb_copy_datagram_msg(
        from: *const bindings::sk_buff,
        msg: *mut bindings::msghdr,
        len: c_int,
    ) -> c_int;
}

/// Message flags used by datagram families.
pub(crate) mod msg_flags {
    use kernel::bindings;
    /// `MSG_DONTWAIT`.
    pub(crate) const DONTWAIT: u32 = bindings::MSG_DONTWAIT;
    /// `MSG_PEEK`.
    pub(crate) const PEEK: u32 = bindings::MSG_PEEK;
    /// `MSG_TRUNC`.
    pub(crate) const TRUNC: u32 = bindings::MSG_TRUNC;
    /// `MSG_NOSIGNAL`.
    pub(crate) const NOSIGNAL: u32 = bindings::MSG_NOSIGNAL;
    /// `MSG_CMSG_COMPAT`: set by the compat syscall layer, not by users.
    pub(crate) const CMSG_COMPAT: u32 = bindings::MSG_CMSG_COMPAT;
    /// `MSG_EOR`.
    pub(crate) const EOR: u32 = bindings::MSG_EOR;
    /// `MSG_BATCH`: set by `sendmmsg()` on all but the last message.
    pub(crate) const BATCH: u32 = bindings::MSG_BATCH;
    /// `MSG_SPLICE_PAGES`: set by `splice()` and `sendfile()`; the data is
    /// in pages, which are copied like any other source.
    pub(crate) const SPLICE_PAGES: u32 = bindings::MSG_SPLICE_PAGES;
    /// `MSG_CMSG_CLOEXEC`: for received file descriptors, which IPN never
    /// passes.
    pub(crate) const CMSG_CLOEXEC: u32 = bindings::MSG_CMSG_CLOEXEC;
    /// `MSG_OOB`.
    pub(crate) const OOB: u32 = bindings::MSG_OOB;
}

/// The message of a `sendmsg()` or `recvmsg()` call (`struct msghdr`).
///
/// # Invariants
///
/// `self.0` is the valid msghdr of the ongoing call.
pub(crate) struct MsgHdr<'a>(*mut bindings::msghdr, PhantomData<&'a mut bindings::msghdr>);

impl MsgHdr<'_> {
    /// # Safety
    ///
    /// `msg` must be the valid msghdr of the ongoing socket call, for as
    /// long as the result is used.
    pub(crate) unsafe fn from_raw(msg: *mut bindings::msghdr) -> Self {
        Self(msg, PhantomData)
    }

    /// The msghdr, for the glue of this layer.
    pub(super) fn as_raw(&self) -> *mut bindings::msghdr {
        self.0
    }

    /// Flags given to `sendmsg()`.
    pub(crate) fn flags(&self) -> u32 {
        // SAFETY: By the type invariant.
        unsafe { (*self.0).msg_flags }
    }

    /// Adds to the flags returned by `recvmsg()` (e.g. `MSG_TRUNC`).
    pub(crate) fn set_flag(&mut self, flag: u32) {
        // SAFETY: By the type invariant.
        unsafe { (*self.0).msg_flags |= flag };
    }

    /// Appends `len` bytes of the message to `skb`, which was allocated
    /// with room for them by [`Sock::alloc_send_skb`].
    pub(crate) fn copy_into(&mut self, skb: &mut SkBuff, len: usize) -> Result {
        let len32 = u32::try_from(len).map_err(|_| EMSGSIZE)?;
        let tailroom = skb_tailroom(skb);
        if len > tailroom {
            return Err(EINVAL);
        }
        // SAFETY: `skb` is owned and has `len` bytes of tail room; `self.0`
        // is the valid msghdr of the current call.
        unsafe {
            let dst = bindings::skb_put(skb.as_raw(), len32);
            to_result(ipn_glue_memcpy_from_msg(dst, self.0, len as c_int))
        }
    }

    /// Copies the first `len` bytes of `skb` into the user's buffers.
    pub(crate) fn copy_from(&mut self, skb: &SkBuff, len: usize) -> Result {
        let len = c_int::try_from(len.min(skb.len())).map_err(|_| EINVAL)?;
        // SAFETY: The skb is valid; `self.0` is the valid msghdr of the call.
        to_result(unsafe { ipn_glue_skb_copy_datagram_msg(skb.as_raw(), self.0, len) })
    }

    /// Whether the caller gave an address (`sendto()`, `msg_name`).
    pub(crate) fn has_name(&self) -> bool {
        // SAFETY: By the type invariant.
        unsafe { (*self.0).msg_namelen != 0 }
    }

    /// Fails a send with `EPIPE`, raising `SIGPIPE` in the caller unless
    /// it passed `MSG_NOSIGNAL`, as every socket's send does.
    pub(crate) fn epipe(&self) -> Error {
        if self.flags() & msg_flags::NOSIGNAL == 0 {
            // SAFETY: Called in the sending task's context.
            unsafe { ipn_glue_sigpipe() };
        }
        EPIPE
    }
}

fn skb_tailroom(skb: &SkBuff) -> usize {
    let p = skb.as_raw();
    // SAFETY: `p` is valid; a non-paged skb's tail room is `end - tail`.
    unsafe { ((*p).end as usize).saturating_sub((*p).tail as usize) }
}

/// A socket address passed to `bind()` or `connect()`.
pub(crate) struct SockAddr<'a> {
    bytes: &'a [u8],
}

impl<'a> SockAddr<'a> {
    /// The address family, or `None` when the address is too short.
    pub(crate) fn family(&self) -> Option<u16> {
        let b = self.bytes.get(..2)?;
        Some(u16::from_ne_bytes([b[0], b[1]]))
    }

    /// The bytes after the family field.
    pub(crate) fn data(&self) -> &'a [u8] {
        self.bytes.get(2..).unwrap_or(&[])
    }

    /// The whole address as given by the user.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the user gave no address at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl SockAddr<'_> {
    /// Builds a [`SockAddr`] from what the socket layer passed.
    ///
    /// # Safety
    ///
    /// `addr` must point to `len` readable bytes when `len > 0`, for `'a`.
    pub(crate) unsafe fn from_raw<'a>(addr: *const u8, len: c_int) -> Result<SockAddr<'a>> {
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        if len > core::mem::size_of::<bindings::__kernel_sockaddr_storage>() {
            return Err(EINVAL);
        }
        if len == 0 || addr.is_null() {
            return Ok(SockAddr { bytes: &[] });
        }
        // SAFETY: The caller guarantees `len` readable bytes.
        let bytes = unsafe { core::slice::from_raw_parts(addr, len) };
        Ok(SockAddr { bytes })
    }
}
