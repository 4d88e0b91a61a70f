// SPDX-License-Identifier: GPL-2.0

//! The values of `setsockopt()` and `getsockopt()` calls.
//!
//! C header: [`include/linux/sockptr.h`](srctree/include/linux/sockptr.h).

//!
//! The same types serve a family's `proto_ops` and the policies' callbacks,
//! which receive the caller's arguments unchanged.

use core::mem::{size_of, MaybeUninit};
use kernel::{
    bindings,
    error::to_result,
    ffi::{c_uint, c_void},
    prelude::*,
    transmute::{AsBytes, FromBytes},
    uaccess::{UserPtr, UserSlice},
};

// `copy_from_sockptr()`, an inline function: exported by ipn.ko
// (`ipn/glue/ipn_export.c`) for the policy modules, which use this file too.
use crate::ipn_bindings::ipn_copy_optval;

/// The value of a `setsockopt()` call.
pub(crate) struct OptVal {
    src: bindings::sockptr_t,
    len: usize,
}

impl OptVal {
    /// # Safety
    ///
    /// `src` must be valid for `len` bytes, from user or kernel memory as it
    /// says, for as long as the result is used.
    pub(crate) unsafe fn from_raw(src: bindings::sockptr_t, len: c_uint) -> Self {
        Self {
            src,
            len: len as usize,
        }
    }

    /// The length the caller gave.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value and length, for passing on to a policy.
    pub(crate) fn raw(&self) -> (bindings::sockptr_t, c_uint) {
        (self.src, self.len as c_uint)
    }

    /// Reads the value, a `T`; `EINVAL` unless exactly `sizeof(T)` bytes
    /// were given.
    pub(crate) fn read<T: FromBytes>(&self) -> Result<T> {
        if self.len != size_of::<T>() {
            return Err(EINVAL);
        }
        let mut v = MaybeUninit::<T>::uninit();
        // SAFETY: `v` is writable for `size_of::<T>()` bytes; the glue
        // copies from a user or kernel pointer as `sockptr_t` says.
        to_result(unsafe { ipn_copy_optval(v.as_mut_ptr().cast(), self.src, size_of::<T>()) })?;
        // SAFETY: Every byte was written (the copy succeeded), and any bit
        // pattern is a valid `T` (`FromBytes`).
        Ok(unsafe { v.assume_init() })
    }

    /// Reads an `int` option; `EINVAL` unless exactly `sizeof(int)` bytes
    /// were given.
    pub(crate) fn read_int(&self) -> Result<i32> {
        self.read()
    }

    /// Reads the first `buf.len()` bytes (at most the given length).
    pub(crate) fn read_into(&self, buf: &mut [u8]) -> Result {
        if buf.len() > self.len {
            return Err(EINVAL);
        }
        // SAFETY: `buf` is writable for its length; the glue copies from a
        // user or kernel pointer as `sockptr_t` says.
        to_result(unsafe { ipn_copy_optval(buf.as_mut_ptr().cast(), self.src, buf.len()) })
    }
}

/// The buffer of a `getsockopt()` call.
pub(crate) struct OptOut {
    val: UserPtr,
    lenp: UserPtr,
    len: usize,
    written: usize,
    delegated: bool,
}

impl OptOut {
    /// Reads the caller's buffer length through `lenp`. Both pointers are
    /// user pointers, checked on use.
    pub(crate) fn from_user(val: *mut c_void, lenp: *mut c_void) -> Result<Self> {
        let lenp = UserPtr::from_ptr(lenp);
        let len: i32 = UserSlice::new(lenp, 4).reader().read()?;
        let len = usize::try_from(len).map_err(|_| EINVAL)?;
        Ok(Self {
            val: UserPtr::from_ptr(val),
            lenp,
            len,
            written: 0,
            delegated: false,
        })
    }

    /// Writes the length of what was written back, unless a policy took
    /// that over ([`OptOut::delegate`]).
    pub(crate) fn finish(self) -> Result {
        if self.delegated {
            return Ok(());
        }
        let written = i32::try_from(self.written).map_err(|_| EINVAL)?;
        UserSlice::new(self.lenp, 4)
            .writer()
            .write_slice(&written.to_ne_bytes())?;
        Ok(())
    }

    /// Writes `value`; `EINVAL` if the buffer is shorter.
    pub(crate) fn write_value<T: AsBytes>(&mut self, value: &T) -> Result {
        if size_of::<T>() > self.len {
            return Err(EINVAL);
        }
        self.write(value.as_bytes())
    }

    /// Writes `data`, truncated to the caller's buffer as `getsockopt()`
    /// does for strings.
    pub(crate) fn write(&mut self, data: &[u8]) -> Result {
        let n = data.len().min(self.len);
        UserSlice::new(self.val, n)
            .writer()
            .write_slice(&data[..n])?;
        self.written = n;
        Ok(())
    }

    /// Hands the user pointers (value, length) to a policy, which then
    /// writes the length itself.
    pub(crate) fn delegate(&mut self) -> (*mut c_void, *mut c_void) {
        self.delegated = true;
        (self.val.as_mut_ptr(), self.lenp.as_mut_ptr())
    }

    /// Writes an `int`; `EINVAL` when the buffer is too small for one.
    pub(crate) fn write_int(&mut self, v: i32) -> Result {
        self.write_value(&v)
    }
}

// What policy modules use; ipn.ko's hub does not.
#[allow(dead_code)]
impl OptOut {
    /// The caller's buffer length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the caller's buffer is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads what the caller put at the start of the buffer (for options
    /// that take an argument, such as a port number); `EINVAL` if the buffer
    /// is shorter than a `T`.
    pub(crate) fn read_input<T: FromBytes>(&self) -> Result<T> {
        if size_of::<T>() > self.len {
            return Err(EINVAL);
        }
        UserSlice::new(self.val, size_of::<T>()).reader().read()
    }

    /// Writes as many whole records of `recs` as the buffer holds.
    pub(crate) fn write_records<T: AsBytes>(&mut self, recs: &[T]) -> Result {
        let n = recs.len().min(self.len / size_of::<T>().max(1));
        self.write(recs[..n].as_bytes())
    }
}
