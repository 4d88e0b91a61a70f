// SPDX-License-Identifier: GPL-2.0

//! Frames with a virtio-net header, as a VM backend passes them (tun's
//! `IFF_VNET_HDR`, AF_PACKET's `PACKET_VNET_HDR`): GSO super-frames and
//! frames whose checksum is left to complete, the header saying how to
//! finish them. Headers are little-endian (virtio 1.0).
//!
//! C header: [`include/linux/virtio_net.h`](srctree/include/linux/virtio_net.h).

use super::{msg::MsgHdr, skbuff::SkBuff, sock::Sock};
use crate::net_bindings as bindings;
use core::ptr::NonNull;
use kernel::{
    error::to_result,
    ffi::{c_int, c_uint},
    prelude::*,
};

// Functions of the module's C glue (`ipn/glue/ipn_vnet.c`).
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_vnet_fits(skb: *const bindings::sk_buff) -> bool;
    fn ipn_glue_vnet_put(
        skb: *const bindings::sk_buff,
        msg: *mut bindings::msghdr,
        hdr_len: c_int,
    ) -> c_int;
    fn ipn_glue_vnet_alloc_send(
        sk: *mut bindings::sock,
        msg: *mut bindings::msghdr,
        len: usize,
        hdr_len: c_int,
        mtu: c_uint,
        noblock: bool,
        err: *mut c_int,
    ) -> *mut bindings::sk_buff;
}

/// The header lengths a socket may choose: none, `struct virtio_net_hdr`
/// and `struct virtio_net_hdr_mrg_rxbuf` (whose buffer count reads 0).
pub(crate) const VNET_HDR_LENS: [usize; 3] = [0, 10, 12];
/// The longest of [`VNET_HDR_LENS`].
pub(crate) const VNET_HDR_MAX: usize = 12;

impl SkBuff {
    /// Whether a reader with virtio-net headers can take the frame whole:
    /// it is not GSO, or its GSO type is one a header describes.
    pub(crate) fn vnet_fits(&self) -> bool {
        // SAFETY: The skb is valid and owned.
        unsafe { ipn_glue_vnet_fits(self.as_raw()) }
    }
}

impl MsgHdr<'_> {
    /// Writes the virtio-net header of `skb`, `hdr_len` bytes long, to the
    /// user's buffers, ahead of the frame.
    pub(crate) fn put_vnet_hdr(&mut self, skb: &SkBuff, hdr_len: usize) -> Result {
        let hdr_len = c_int::try_from(hdr_len).map_err(|_| EINVAL)?;
        // SAFETY: The skb is valid; the msghdr is that of the ongoing call.
        to_result(unsafe { ipn_glue_vnet_put(skb.as_raw(), self.as_raw(), hdr_len) })
    }
}

impl Sock {
    /// Builds the skb of a message of `len` bytes that starts with a
    /// virtio-net header of `hdr_len` bytes, charged to the send buffer
    /// (waiting for room unless `nonblock`). `EINVAL` for a bad header;
    /// `EOVERFLOW` for a frame over `mtu` that is not GSO, or a GSO frame
    /// that is cut into such frames or is over 64 KiB.
    pub(crate) fn alloc_send_vnet(
        &self,
        msg: &mut MsgHdr<'_>,
        len: usize,
        hdr_len: usize,
        mtu: usize,
        nonblock: bool,
    ) -> Result<SkBuff> {
        let hdr_len = c_int::try_from(hdr_len).map_err(|_| EINVAL)?;
        let mtu = c_uint::try_from(mtu).map_err(|_| EINVAL)?;
        let mut err: c_int = 0;
        // SAFETY: `self` is a valid sock; the msghdr is that of the ongoing
        // call; `err` is a valid out-pointer.
        let skb = unsafe {
            ipn_glue_vnet_alloc_send(
                self.raw(),
                msg.as_raw(),
                len,
                hdr_len,
                mtu,
                nonblock,
                &mut err,
            )
        };
        match NonNull::new(skb) {
            // SAFETY: A new skb, owned by us.
            Some(p) => unsafe { SkBuff::from_raw(p.as_ptr()) }.ok_or(ENOMEM),
            None if err < 0 => Err(Error::from_errno(err)),
            None => Err(ENOMEM),
        }
    }
}
