// SPDX-License-Identifier: GPL-2.0

//! What a message carries besides its bytes: who sent it and whether it
//! is out of band.
//!
//! C headers: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h),
//! [`include/net/scm.h`](srctree/include/net/scm.h).
//!
//! Both live in the skb's control block, whose layout only the module's
//! glue (`ipn/glue/ipn_meta.c`) knows. The core stamps a message with its
//! sender ([`SkBuff::stamp`]); every copy the sending task queues to a
//! reader keeps the stamp, and takes a reference on the sender's pid for
//! `SCM_CREDENTIALS`. Out-of-band messages are queued ahead of the data
//! ([`Sock::queue_oob`]).

use super::{msg::MsgHdr, skbuff::SkBuff, sock::Sock};
use crate::net_bindings as bindings;
use core::ptr::NonNull;
use kernel::{error::to_result, ffi::c_int, prelude::*};

// Functions of the module's C glue (`ipn/glue/ipn_meta.c`); see `ipn_glue.h`.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_stamp(skb: *mut bindings::sk_buff, port: c_int, task: bool);
    fn ipn_glue_skb_kind(skb: *const bindings::sk_buff) -> c_int;
    fn ipn_glue_skb_stamped(skb: *const bindings::sk_buff) -> bool;
    fn ipn_glue_queue_oob(
        sk: *mut bindings::sock,
        skb: *mut bindings::sk_buff,
        limit: u32,
        numnodes: bool,
    ) -> c_int;
    fn ipn_glue_queue_numnodes(sk: *mut bindings::sock) -> c_int;
    fn ipn_glue_oob_first(sk: *mut bindings::sock) -> bool;
    fn ipn_glue_recv_oob(sk: *mut bindings::sock, peek: bool) -> *mut bindings::sk_buff;
    fn ipn_glue_recv_meta(
        sk: *mut bindings::sock,
        msg: *mut bindings::msghdr,
        skb: *const bindings::sk_buff,
    );
    fn ipn_glue_copy_to_msg(msg: *mut bindings::msghdr, data: *const u8, len: c_int) -> c_int;
}

/// Who sends a message into a network.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sender {
    /// The current task, whose pid, uid and gid readers may ask for.
    Task,
    /// An interface of the host: no credentials.
    Device,
}

/// What a received message is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MsgKind {
    /// A message of the network.
    Data,
    /// An out-of-band message of a policy.
    Oob,
    /// An out-of-band reader/writer notice, which the reader fills in.
    Numnodes,
}

impl SkBuff {
    /// Stamps the message as sent from `port` by `sender`, before it is
    /// delivered: every copy queued to a reader by the sending task keeps
    /// the stamp, and takes a reference on the sender's pid.
    pub(crate) fn stamp(&mut self, port: Option<usize>, sender: Sender) {
        let port = port.and_then(|p| c_int::try_from(p).ok()).unwrap_or(-1);
        // SAFETY: The skb is owned.
        unsafe { ipn_glue_stamp(self.as_raw(), port, sender == Sender::Task) };
    }

    /// Whether the message (or the one it copies) was sent by a socket or
    /// an interface, rather than built by the policy.
    pub(crate) fn stamped(&self) -> bool {
        // SAFETY: The skb is valid.
        unsafe { ipn_glue_skb_stamped(self.as_raw()) }
    }

    /// What the message is, for a reader.
    pub(crate) fn kind(&self) -> MsgKind {
        // SAFETY: The skb is valid.
        match unsafe { ipn_glue_skb_kind(self.as_raw()) } {
            2 => MsgKind::Numnodes,
            1 => MsgKind::Oob,
            _ => MsgKind::Data,
        }
    }
}

impl Sock {
    /// Queues the out-of-band message `skb` ahead of the data, behind at
    /// most `limit` others (0: no bound). Never sleeps. On failure the skb
    /// is handed back.
    pub(crate) fn queue_oob(&self, skb: SkBuff, limit: u32) -> core::result::Result<(), SkBuff> {
        // SAFETY: `self` is a valid sock and `skb` an owned skb; on success
        // the queue takes it.
        let ret = unsafe { ipn_glue_queue_oob(self.raw(), skb.as_raw(), limit, false) };
        if ret == 0 {
            let _ = skb.into_raw();
            Ok(())
        } else {
            Err(skb)
        }
    }

    /// Queues a reader/writer notice ahead of the data. Never sleeps.
    pub(crate) fn queue_numnodes(&self) -> Result {
        // SAFETY: `self` is a valid sock.
        to_result(unsafe { ipn_glue_queue_numnodes(self.raw()) })
    }

    /// Whether the next message is out of band.
    pub(crate) fn oob_first(&self) -> bool {
        // SAFETY: `self` is a valid sock.
        unsafe { ipn_glue_oob_first(self.raw()) }
    }

    /// Takes the next message if it is out of band (a reference to it,
    /// left queued, when `peek`). Never waits.
    pub(crate) fn recv_oob(&self, peek: bool) -> Option<SkBuff> {
        // SAFETY: `self` is a valid sock.
        let skb = unsafe { ipn_glue_recv_oob(self.raw(), peek) };
        // SAFETY: The skb, if any, is ours: unlinked, or with a reference
        // of our own.
        NonNull::new(skb).and_then(|p| unsafe { SkBuff::from_raw(p.as_ptr()) })
    }
}

impl MsgHdr<'_> {
    /// Reports the sender of `skb`, read from `sk`: its port as the source
    /// address, `MSG_OOB`, and with `SO_PASSCRED` its credentials as the
    /// current task sees them.
    pub(crate) fn put_meta(&mut self, sk: &Sock, skb: &SkBuff) {
        // SAFETY: `sk` and `skb` are valid; the msghdr is that of the call.
        unsafe { ipn_glue_recv_meta(sk.raw(), self.as_raw(), skb.as_raw()) };
    }

    /// Copies `data` into the reader's buffers.
    pub(crate) fn copy_bytes(&mut self, data: &[u8]) -> Result {
        let len = c_int::try_from(data.len()).map_err(|_| EINVAL)?;
        // SAFETY: `data` is readable for `len` bytes; the msghdr is that of
        // the call.
        to_result(unsafe { ipn_glue_copy_to_msg(self.as_raw(), data.as_ptr(), len) })
    }
}
