// SPDX-License-Identifier: GPL-2.0

//! The network-layer half of a socket (`struct sock`).
//!
//! C header: [`include/net/sock.h`](srctree/include/net/sock.h).

use super::skbuff::SkBuff;
use crate::net_bindings as bindings;
use core::ptr::{self, NonNull};
use kernel::{
    ffi::{c_int, c_uint, c_ulong},
    prelude::*,
    sync::aref::AlwaysRefCounted,
    types::Opaque,
};

// Functions of the module's C glue (`ipn/glue/ipn_glue.c`); see `ipn_glue.h`.
// The pointee types are bindgen's C layouts, as in the `bindings` crate,
// whose zero-sized markers the FFI-safety lint does not understand.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_queue_rcv(
        sk: *mut bindings::sock,
        skb: *mut bindings::sk_buff,
        limit: c_uint,
    ) -> c_int;
    fn ipn_glue_rcv_room(sk: *const bindings::sock, limit: c_uint) -> bool;
    fn ipn_glue_sk_drops_inc(sk: *mut bindings::sock);
    fn ipn_glue_state_change(sk: *mut bindings::sock);
    fn ipn_glue_sndtimeo(sk: *const bindings::sock, noblock: bool) -> c_long;
    fn ipn_glue_sock_id(sk: *mut bindings::sock, ino: *mut u32, cookie: *mut u32, uid: *mut u32);
    fn ipn_glue_sock_rqueue(sk: *const bindings::sock, msgs: *mut u32, bytes: *mut u32);
    fn ipn_glue_sock_hold(sk: *mut bindings::sock);
    fn ipn_glue_sock_put(sk: *mut bindings::sock);
    fn ipn_glue_sock_net(sk: *const bindings::sock) -> *mut bindings::net;
    fn ipn_glue_sock_alloc_send_skb(
        sk: *mut bindings::sock,
        size: c_ulong,
        noblock: bool,
        err: *mut c_int,
    ) -> *mut bindings::sk_buff;
}

/// Who a socket is, as socket diagnostics report it.
pub(crate) struct SockId {
    /// The socket's inode number; 0 once it is released.
    pub(crate) ino: u32,
    /// Its cookie (`SO_COOKIE`), as two halves.
    pub(crate) cookie: [u32; 2],
    /// Its owner (a kernel uid).
    pub(crate) kuid: u32,
}

/// `shutdown()` directions, as in `sk_shutdown`.
pub(crate) const RCV_SHUTDOWN: u8 = bindings::RCV_SHUTDOWN as u8;
/// See [`RCV_SHUTDOWN`].
pub(crate) const SEND_SHUTDOWN: u8 = bindings::SEND_SHUTDOWN as u8;

/// A socket's network-layer half (`struct sock`).
///
/// # Invariants
///
/// Instances are always reference counted with `sock_hold()`/`sock_put()`,
/// so a shared reference is valid while a count is held.
#[repr(transparent)]
pub(crate) struct Sock(Opaque<bindings::sock>);

// SAFETY: `struct sock` is designed to be used from any thread; its state is
// protected by its own locks and atomics.
unsafe impl Send for Sock {}
// SAFETY: As above.
unsafe impl Sync for Sock {}

// SAFETY: `sock_hold()`/`sock_put()` are the reference counting of a sock.
unsafe impl AlwaysRefCounted for Sock {
    fn inc_ref(&self) {
        // SAFETY: The existence of `&self` means the refcount is non-zero.
        unsafe { ipn_glue_sock_hold(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference it owns.
        unsafe { ipn_glue_sock_put(obj.cast().as_ptr()) };
    }
}

impl Sock {
    pub(crate) fn raw(&self) -> *mut bindings::sock {
        self.0.get()
    }

    /// Queues `skb` on the receive queue unless it has no room (see
    /// [`Sock::rcv_room`]; `limit` 0: unbounded), then wakes readers. Never
    /// sleeps.
    ///
    /// On failure the skb is handed back (counted in the sock's drops when
    /// the queue was full, not when the socket's filter refused it).
    pub(crate) fn queue_rcv(&self, skb: SkBuff, limit: u32) -> core::result::Result<(), SkBuff> {
        // SAFETY: `self` is a valid sock and `skb` an owned skb; on success the
        // queue takes ownership of it.
        let ret = unsafe { ipn_glue_queue_rcv(self.raw(), skb.as_raw(), limit) };
        if ret == 0 {
            // The queue owns it now.
            let _ = skb.into_raw();
            Ok(())
        } else {
            Err(skb)
        }
    }

    /// Whether the receive queue has room for one more message: fewer than
    /// `limit` messages and receive memory below `SO_RCVBUF`.
    pub(crate) fn rcv_room(&self, limit: u32) -> bool {
        // SAFETY: `self` is a valid sock.
        unsafe { ipn_glue_rcv_room(self.raw(), limit) }
    }

    /// Counts one message dropped before it reached this socket.
    pub(crate) fn count_drop(&self) {
        // SAFETY: `self` is a valid sock.
        unsafe { ipn_glue_sk_drops_inc(self.raw()) };
    }

    /// The directions shut down so far ([`RCV_SHUTDOWN`], [`SEND_SHUTDOWN`]).
    pub(crate) fn shutdown_mask(&self) -> u8 {
        // SAFETY: `sk_shutdown` is a byte that is read locklessly by the core
        // datagram code as well.
        unsafe { ptr::read_volatile(ptr::addr_of!((*self.raw()).sk_shutdown)) }
    }

    /// Shuts down the given directions and wakes up everybody waiting.
    pub(crate) fn shutdown(&self, mask: u8) {
        let sk = self.raw();
        // SAFETY: `sk` is valid; `sk_shutdown` is written under the socket
        // lock by convention, which `lock_sock()` provides here.
        unsafe {
            bindings::lock_sock_nested(sk, 0);
            (*sk).sk_shutdown |= mask;
            bindings::release_sock(sk);
            ipn_glue_state_change(sk);
        }
    }

    /// Undoes [`Sock::shutdown`] of a socket whose connection failed: it
    /// never was connected, so nothing else shut it down.
    pub(crate) fn clear_shutdown(&self) {
        let sk = self.raw();
        // SAFETY: As in `shutdown`.
        unsafe {
            bindings::lock_sock_nested(sk, 0);
            (*sk).sk_shutdown = 0;
            bindings::release_sock(sk);
        }
    }

    /// How long a blocking send may wait, in jiffies: 0 when `nonblock`,
    /// `SO_SNDTIMEO` when set, else `MAX_SCHEDULE_TIMEOUT` (forever).
    pub(crate) fn send_timeout(&self, nonblock: bool) -> c_long {
        // SAFETY: `self` is valid; the field is read with READ_ONCE.
        unsafe { ipn_glue_sndtimeo(self.raw(), nonblock) }
    }

    /// Allocates an skb of `len` bytes charged to this socket's send buffer,
    /// waiting for buffer space unless `nonblock`.
    pub(crate) fn alloc_send_skb(&self, len: usize, nonblock: bool) -> Result<SkBuff> {
        let mut err: c_int = 0;
        // SAFETY: `self` is valid; `err` is a valid out-pointer.
        let skb =
            unsafe { ipn_glue_sock_alloc_send_skb(self.raw(), len as c_ulong, nonblock, &mut err) };
        match NonNull::new(skb) {
            // SAFETY: A new skb owned by us.
            Some(p) => Ok(unsafe { SkBuff::from_raw(p.as_ptr()) }.ok_or(ENOMEM)?),
            None => Err(Error::from_errno(if err != 0 {
                err
            } else {
                -(bindings::ENOMEM as i32)
            })),
        }
    }

    /// Receives one datagram, honouring `MSG_DONTWAIT`, `MSG_PEEK`, the
    /// receive timeout and signals. `Ok(None)` means end of file (shut down
    /// for reading and nothing queued).
    pub(crate) fn recv_datagram(&self, flags: u32) -> Result<Option<SkBuff>> {
        let mut err: c_int = 0;
        // SAFETY: `self` is valid; `err` is a valid out-pointer.
        let skb = unsafe { bindings::skb_recv_datagram(self.raw(), flags, &mut err) };
        match NonNull::new(skb) {
            // SAFETY: A dequeued skb is owned by us.
            Some(p) => Ok(unsafe { SkBuff::from_raw(p.as_ptr()) }),
            None if err == 0 => Ok(None),
            None => Err(Error::from_errno(err)),
        }
    }

    /// The sock's network namespace, for creating devices in it.
    pub(crate) fn net_raw(&self) -> *mut bindings::net {
        // SAFETY: `self` is valid; its namespace lives at least as long.
        unsafe { ipn_glue_sock_net(self.raw()) }
    }

    /// The sock's network namespace.
    pub(crate) fn net(&self) -> &super::namespace::Namespace {
        // SAFETY: The namespace outlives the sock.
        unsafe { super::namespace::Namespace::from_raw(self.net_raw()) }
    }

    /// Its inode, cookie and owner.
    pub(crate) fn id(&self) -> SockId {
        let mut id = SockId {
            ino: 0,
            cookie: [0; 2],
            kuid: 0,
        };
        // SAFETY: `self` is valid; the out-pointers are valid, `cookie`
        // for two `u32`s.
        unsafe {
            ipn_glue_sock_id(
                self.raw(),
                &mut id.ino,
                id.cookie.as_mut_ptr(),
                &mut id.kuid,
            )
        };
        id
    }

    /// The messages and bytes in its receive queue.
    pub(crate) fn rqueue(&self) -> (u32, u32) {
        let (mut msgs, mut bytes) = (0, 0);
        // SAFETY: `self` is valid; the out-pointers are valid.
        unsafe { ipn_glue_sock_rqueue(self.raw(), &mut msgs, &mut bytes) };
        (msgs, bytes)
    }

    /// Whether the credentials of the socket's opener have `cap` in the
    /// user namespace that owns the socket's network namespace.
    pub(crate) fn net_capable(&self, cap: u32) -> bool {
        // SAFETY: `self` is valid.
        unsafe { bindings::sk_net_capable(self.raw(), cap as c_int) }
    }
}
