// SPDX-License-Identifier: GPL-2.0

//! The values of `setsockopt()` and `getsockopt()` calls.
//!
//! C header: [`include/linux/sockptr.h`](srctree/include/linux/sockptr.h).

use kernel::{
    bindings,
    error::to_result,
    ffi::{c_int, c_uint, c_void},
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

// Functions of the module's C glue (`ipn/glue/ipn_glue.c`); see `ipn_glue.h`.
extern "C" {
    fn ipn_glue_copy_from_sockptr(dst: *mut c_void, src: bindings::sockptr_t, size: usize)
        -> c_int;
}

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

    /// Reads an `int` option; `EINVAL` unless exactly `sizeof(int)` bytes
    /// were given.
    pub(crate) fn read_int(&self) -> Result<i32> {
        if self.len != core::mem::size_of::<i32>() {
            return Err(EINVAL);
        }
        let mut v = [0u8; 4];
        self.read_into(&mut v)?;
        Ok(i32::from_ne_bytes(v))
    }

    /// Reads the first `buf.len()` bytes (at most the given length).
    pub(crate) fn read_into(&self, buf: &mut [u8]) -> Result {
        if buf.len() > self.len {
            return Err(EINVAL);
        }
        // SAFETY: `buf` is writable for its length; the glue copies from a
        // user or kernel pointer as `sockptr_t` says.
        to_result(unsafe {
            ipn_glue_copy_from_sockptr(buf.as_mut_ptr().cast(), self.src, buf.len())
        })
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
        if self.len < core::mem::size_of::<i32>() {
            return Err(EINVAL);
        }
        UserSlice::new(self.val, 4)
            .writer()
            .write_slice(&v.to_ne_bytes())?;
        self.written = 4;
        Ok(())
    }
}
