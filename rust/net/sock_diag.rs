// SPDX-License-Identifier: GPL-2.0

//! Socket diagnostics (`sock_diag`): answering `SOCK_DIAG_BY_FAMILY` dumps
//! of a family over `NETLINK_SOCK_DIAG`, as `unix_diag` and `packet_diag`
//! do.
//!
//! C header: [`include/linux/sock_diag.h`](srctree/include/linux/sock_diag.h).
//!
//! A [`Handler`] checks requests and fills dumps; [`Registration`] puts it
//! in place. A dump is answered in rounds, each filling one buffer
//! ([`Dump`]) with messages ([`Msg`]); the handler keeps its place between
//! rounds in [`Dump::args`].

use super::{namespace::Namespace, sock::Sock};
use crate::net_bindings as bindings;
use core::{marker::PhantomData, mem::size_of, ptr::NonNull};
use kernel::{
    error::to_result,
    ffi::{c_int, c_long, c_void},
    prelude::*,
    transmute::{AsBytes, FromBytes},
};

// The C glue (`ipn/glue/ipn_diag.c`); see `ipn_glue.h`. `struct
// netlink_callback` and `struct nlmsghdr` are only passed through.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_diag_register(
        family: c_int,
        check: unsafe extern "C" fn(*const c_void, c_int) -> c_int,
        dump: unsafe extern "C" fn(*mut bindings::sk_buff, *mut c_void) -> c_int,
    ) -> c_int;
    fn ipn_glue_diag_unregister();
    fn ipn_glue_diag_request(cb: *mut c_void, len: *mut c_int) -> *const c_void;
    fn ipn_glue_diag_args(cb: *mut c_void) -> *mut c_long;
    fn ipn_glue_diag_net(skb: *mut bindings::sk_buff) -> *mut bindings::net;
    fn ipn_glue_diag_uid(skb: *mut bindings::sk_buff, kuid: u32) -> u32;
    fn ipn_glue_diag_put(
        skb: *mut bindings::sk_buff,
        cb: *mut c_void,
        hdrlen: c_int,
        data: *mut *mut c_void,
    ) -> *mut c_void;
    fn ipn_glue_diag_end(skb: *mut bindings::sk_buff, nlh: *mut c_void);
    fn ipn_glue_diag_cancel(skb: *mut bindings::sk_buff, nlh: *mut c_void);
    fn ipn_glue_diag_put_attr(
        skb: *mut bindings::sk_buff,
        attr: c_int,
        len: c_int,
        data: *const c_void,
    ) -> c_int;
    fn ipn_glue_diag_meminfo(
        sk: *mut bindings::sock,
        skb: *mut bindings::sk_buff,
        attr: c_int,
    ) -> c_int;
}

/// A family's answers to `SOCK_DIAG_BY_FAMILY` dumps.
pub(crate) trait Handler: 'static {
    /// The request's header (the family's `*_diag_req`).
    type Request: FromBytes;
    /// The header of every message of the answer (its `*_diag_msg`).
    type Header: AsBytes;

    /// Checks a request before the dump starts: its error goes back to the
    /// requester as the answer.
    fn check(req: &Self::Request, len: usize) -> Result;

    /// Fills one round of the dump. The dump ends after a round that adds
    /// no message; a message that does not fit ([`Dump::begin`] failing
    /// with `EMSGSIZE`) ends the round, and the next round must start from
    /// it, as recorded in [`Dump::args`].
    fn dump(dump: &mut Dump<'_, Self>) -> Result
    where
        Self: Sized;
}

/// A round of a dump: the buffer it fills and the dump's state.
///
/// # Invariants
///
/// `skb` is the round's buffer and `cb` the dump's `struct
/// netlink_callback`, valid for `'a`; the dump's request was checked by
/// [`Handler::check`].
pub(crate) struct Dump<'a, H: Handler> {
    skb: NonNull<bindings::sk_buff>,
    cb: NonNull<c_void>,
    _p: PhantomData<(&'a (), H)>,
}

impl<H: Handler> Dump<'_, H> {
    /// The request being answered.
    pub(crate) fn request(&self) -> Result<H::Request> {
        let mut len: c_int = 0;
        // SAFETY: `cb` is valid (type invariant).
        let data = unsafe { ipn_glue_diag_request(self.cb.as_ptr(), &mut len) };
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        if data.is_null() || len < size_of::<H::Request>() {
            return Err(EINVAL);
        }
        // SAFETY: The request's payload has `len` readable bytes, enough for
        // a `Request`, for which any bytes are valid (`FromBytes`); it may
        // be unaligned.
        Ok(unsafe { data.cast::<H::Request>().read_unaligned() })
    }

    /// The dump's state between rounds, zero at its start.
    pub(crate) fn args(&mut self) -> &mut [c_long; 6] {
        // SAFETY: `cb->args` is an array of six longs, used by nothing but
        // the dump's handler, which `&mut self` makes this the only user of
        // for the round.
        unsafe { &mut *ipn_glue_diag_args(self.cb.as_ptr()).cast::<[c_long; 6]>() }
    }

    /// The network namespace of the socket that dumps.
    pub(crate) fn net(&self) -> &Namespace {
        // SAFETY: The round's buffer belongs to the dumping socket, which
        // holds its namespace for longer than the round.
        unsafe { Namespace::from_raw(ipn_glue_diag_net(self.skb.as_ptr())) }
    }

    /// A kernel user id as the dumping socket's user namespace sees it
    /// (the overflow id when unmapped).
    pub(crate) fn uid(&self, kuid: u32) -> u32 {
        // SAFETY: As in `net`.
        unsafe { ipn_glue_diag_uid(self.skb.as_ptr(), kuid) }
    }

    /// Starts a message with header `hdr`; `EMSGSIZE` when the round's
    /// buffer is full. Attributes follow with the [`Msg`]'s methods; the
    /// message is added by [`Msg::end`], and dropped if it is not ended.
    pub(crate) fn begin(&mut self, hdr: &H::Header) -> Result<Msg<'_>> {
        let len = c_int::try_from(size_of::<H::Header>()).map_err(|_| EINVAL)?;
        let mut data: *mut c_void = core::ptr::null_mut();
        // SAFETY: `skb` and `cb` are valid (type invariant).
        let nlh = unsafe { ipn_glue_diag_put(self.skb.as_ptr(), self.cb.as_ptr(), len, &mut data) };
        let nlh = NonNull::new(nlh).ok_or(EMSGSIZE)?;
        let bytes = hdr.as_bytes();
        // SAFETY: The glue made room for `len` bytes at `data`, which is
        // the size of `bytes`.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), data.cast::<u8>(), bytes.len()) };
        Ok(Msg {
            skb: self.skb,
            nlh,
            done: false,
            _p: PhantomData,
        })
    }
}

/// A message being added to a round of a dump: ended by [`Msg::end`],
/// cancelled (removed from the buffer) when dropped otherwise.
///
/// # Invariants
///
/// `nlh` is a message started in `skb`, the last one, neither ended nor
/// cancelled while `done` is false.
pub(crate) struct Msg<'a> {
    skb: NonNull<bindings::sk_buff>,
    nlh: NonNull<c_void>,
    done: bool,
    _p: PhantomData<&'a mut ()>,
}

impl Msg<'_> {
    /// Adds attribute `attr` with `data`; `EMSGSIZE` when there is no room.
    pub(crate) fn put(&mut self, attr: u16, data: &[u8]) -> Result {
        let len = c_int::try_from(data.len()).map_err(|_| EMSGSIZE)?;
        // SAFETY: `skb` is valid (type invariant); `data` is readable.
        to_result(unsafe {
            ipn_glue_diag_put_attr(self.skb.as_ptr(), attr.into(), len, data.as_ptr().cast())
        })
    }

    /// Adds a record (a C structure, or an integer) as attribute `attr`.
    pub(crate) fn put_val<T: AsBytes>(&mut self, attr: u16, val: &T) -> Result {
        self.put(attr, val.as_bytes())
    }

    /// Adds a string attribute: `s` and a terminating NUL.
    pub(crate) fn put_str(&mut self, attr: u16, s: &[u8]) -> Result {
        let s = s.split(|b| *b == 0).next().unwrap_or(&[]);
        let mut v = KVec::with_capacity(s.len() + 1, GFP_KERNEL)?;
        v.extend_from_slice(s, GFP_KERNEL)?;
        v.push(0, GFP_KERNEL)?;
        self.put(attr, &v)
    }

    /// Adds `sk`'s memory use as attribute `attr` (`SK_MEMINFO_*`, as
    /// `SO_MEMINFO` reports it).
    pub(crate) fn put_meminfo(&mut self, attr: u16, sk: &Sock) -> Result {
        // SAFETY: `skb` is valid (type invariant); `sk` is referenced.
        to_result(unsafe { ipn_glue_diag_meminfo(sk.raw(), self.skb.as_ptr(), attr.into()) })
    }

    /// Adds the message to the round.
    pub(crate) fn end(mut self) {
        // SAFETY: By the type invariant the message is open and the last.
        unsafe { ipn_glue_diag_end(self.skb.as_ptr(), self.nlh.as_ptr()) };
        self.done = true;
    }
}

impl Drop for Msg<'_> {
    fn drop(&mut self) {
        if !self.done {
            // SAFETY: By the type invariant the message is open and the
            // last: removing it leaves the buffer as it was before.
            unsafe { ipn_glue_diag_cancel(self.skb.as_ptr(), self.nlh.as_ptr()) };
        }
    }
}

/// A family's diag handler, in place until dropped. The module has one
/// at most (the glue keeps its functions): a second one fails with
/// `EBUSY`.
///
/// # Invariants
///
/// `H`'s trampolines are registered with `sock_diag` until drop.
pub(crate) struct Registration<H: Handler> {
    _p: PhantomData<H>,
}

impl<H: Handler> Registration<H> {
    /// Puts `H` in place for family `family`; `EBUSY` when the family has
    /// a handler already.
    pub(crate) fn new(family: i32) -> Result<Self> {
        // SAFETY: The trampolines are valid functions for as long as the
        // module is loaded; the registration is undone in `drop`, and a
        // dump under way holds the module.
        to_result(unsafe { ipn_glue_diag_register(family, Self::check_raw, Self::dump_raw) })?;
        Ok(Self { _p: PhantomData })
    }

    /// # Safety
    ///
    /// `req` must be readable for `len` bytes.
    unsafe extern "C" fn check_raw(req: *const c_void, len: c_int) -> c_int {
        let Ok(len) = usize::try_from(len) else {
            return EINVAL.to_errno();
        };
        if req.is_null() || len < size_of::<H::Request>() {
            return EINVAL.to_errno();
        }
        // SAFETY: `req` has `len` readable bytes, enough for a `Request`,
        // for which any bytes are valid; it may be unaligned.
        let r = unsafe { req.cast::<H::Request>().read_unaligned() };
        match H::check(&r, len) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Called by netlink for a dump started by the glue: `skb` is the
    /// round's buffer and `cb` the dump's callback state.
    unsafe extern "C" fn dump_raw(skb: *mut bindings::sk_buff, cb: *mut c_void) -> c_int {
        let (Some(skb), Some(cb)) = (NonNull::new(skb), NonNull::new(cb)) else {
            return EINVAL.to_errno();
        };
        // INVARIANT: As promised by the caller; the glue checked the request
        // with `check_raw` before starting the dump.
        let mut dump = Dump::<H> {
            skb,
            cb,
            _p: PhantomData,
        };
        let res = H::dump(&mut dump);
        let filled = skb_len(skb) != 0;
        match res {
            // A full buffer ends the round; the next one goes on.
            Err(e) if e == EMSGSIZE && filled => skb_len(skb),
            Err(e) => e.to_errno(),
            Ok(()) => skb_len(skb),
        }
    }
}

fn skb_len(skb: NonNull<bindings::sk_buff>) -> c_int {
    // SAFETY: The caller's `skb` is valid.
    c_int::try_from(unsafe { (*skb.as_ptr()).len }).unwrap_or(c_int::MAX)
}

impl<H: Handler> Drop for Registration<H> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new` (type invariant).
        unsafe { ipn_glue_diag_unregister() };
    }
}
