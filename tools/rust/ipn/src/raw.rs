//! The system calls socket2 does not wrap: options of any type, and the
//! IPN ioctls.  All of the crate's unsafe code lives here.

use std::ffi::CStr;
use std::io;
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use libc::{c_int, c_void, socklen_t};
use socket2::SockAddr;

use crate::sys;

/// The error of a call with a bad argument, carrying its errno as the
/// kernel's own answer to the same argument would.
pub(crate) fn errno(e: c_int) -> io::Error {
    io::Error::from_raw_os_error(e)
}

fn check(ret: c_int) -> io::Result<c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Plain data that any bytes the kernel writes make a valid value of.
///
/// # Safety
///
/// The type must be `repr(C)` (or a primitive) with no padding the kernel
/// relies on, and every bit pattern must be a valid value.
pub(crate) unsafe trait Pod: Copy + Default {}

// SAFETY: primitives: every bit pattern is valid.
unsafe impl Pod for c_int {}
// SAFETY: as above.
unsafe impl Pod for u16 {}
// SAFETY: as above.
unsafe impl Pod for u8 {}
// SAFETY: as above.
unsafe impl Pod for u32 {}
// SAFETY: repr(C) structures of integers only.
unsafe impl Pod for sys::ipn_switch_vlan {}
// SAFETY: as above.
unsafe impl Pod for sys::ipn_switch_fdb_entry {}
// SAFETY: as above.
unsafe impl Pod for sys::ipn_switch_port_stats {}
// SAFETY: as above (arrays of bytes included).
unsafe impl Pod for sys::ipn_switch_stp_bridge {}
// SAFETY: as above.
unsafe impl Pod for sys::ipn_switch_stp_port {}
// SAFETY: as above.
unsafe impl Pod for sys::ipn_switch_stp_status {}
// SAFETY: as above.
unsafe impl Pod for sys::ipn_switch_stp_port_state {}

/// `setsockopt(fd, level, name, value, size_of(T))`.
pub(crate) fn setsockopt<T: Pod>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &T,
) -> io::Result<()> {
    setsockopt_bytes(
        fd,
        level,
        name,
        value as *const T as *const c_void,
        size_of::<T>(),
    )
}

/// `setsockopt` with a byte string (a description).
pub(crate) fn setsockopt_slice(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &[u8],
) -> io::Result<()> {
    setsockopt_bytes(fd, level, name, value.as_ptr().cast(), value.len())
}

fn setsockopt_bytes(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: *const c_void,
    len: usize,
) -> io::Result<()> {
    let len = socklen_t::try_from(len).map_err(|_| errno(libc::EINVAL))?;
    // SAFETY: `value` points to `len` readable bytes (the callers pass a
    // reference or a slice), and `fd` is an open descriptor.
    check(unsafe { libc::setsockopt(fd.as_raw_fd(), level, name, value, len) }).map(drop)
}

/// `getsockopt` of a single value of type `T`.
pub(crate) fn getsockopt<T: Pod>(fd: BorrowedFd<'_>, level: c_int, name: c_int) -> io::Result<T> {
    let mut value = [T::default()];
    let len = getsockopt_slice(fd, level, name, &mut value)?;
    if len == 1 {
        Ok(value[0])
    } else {
        Err(errno(libc::EINVAL))
    }
}

/// `getsockopt` into a slice of records, whose first bytes may carry an
/// argument in (a port).  Returns how many whole records the kernel wrote.
pub(crate) fn getsockopt_slice<T: Pod>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    buf: &mut [T],
) -> io::Result<usize> {
    let mut len =
        socklen_t::try_from(std::mem::size_of_val(buf)).map_err(|_| errno(libc::EINVAL))?;
    // SAFETY: `buf` is `len` writable bytes, and any bytes the kernel
    // writes there make valid `T`s (`Pod`).
    check(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    })?;
    Ok((len as usize / size_of::<T>().max(1)).min(buf.len()))
}

/// `ioctl(fd, request, &mut ifreq)`.
pub(crate) fn ioctl_ifreq(
    fd: BorrowedFd<'_>,
    request: libc::Ioctl,
    ifr: &mut libc::ifreq,
) -> io::Result<c_int> {
    // SAFETY: the IPN ioctls that take a pointer read and write one
    // `struct ifreq`, which `ifr` is; callers pass only AF_IPN sockets.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), request, ifr as *mut libc::ifreq) })
}

/// `ioctl(fd, request, value)`, an int passed by value: as the kernel
/// reads an `unsigned long`, it is passed as one.
pub(crate) fn ioctl_int(
    fd: BorrowedFd<'_>,
    request: libc::Ioctl,
    value: c_int,
) -> io::Result<c_int> {
    // SAFETY: IPN_CHECK and IPN_SETPERSIST take their argument by value
    // and touch no memory of the caller; callers pass only AF_IPN
    // sockets (`is_ipn()` checks the domain first).
    check(unsafe { libc::ioctl(fd.as_raw_fd(), request, value as libc::c_ulong) })
}

/// A `struct ifreq` naming an interface: at most `IFNAMSIZ - 1` bytes, no
/// NUL (EINVAL otherwise, as the kernel's `dev_valid_name()` says).
pub(crate) fn ifreq(name: &str, flags: libc::c_short) -> io::Result<libc::ifreq> {
    // SAFETY: `ifreq` is plain data for which all zeroes is valid (an
    // empty name, no flags).
    let mut ifr: libc::ifreq = unsafe { MaybeUninit::zeroed().assume_init() };
    let bytes = name.as_bytes();
    if bytes.len() >= ifr.ifr_name.len() || bytes.contains(&0) {
        return Err(errno(libc::EINVAL));
    }
    for (d, s) in ifr.ifr_name.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    ifr.ifr_ifru.ifru_flags = flags;
    Ok(ifr)
}

/// The interface name the kernel wrote back into `ifr`.
pub(crate) fn ifreq_name(ifr: &libc::ifreq) -> String {
    let bytes: Vec<u8> = ifr.ifr_name.iter().map(|&c| c as u8).collect();
    CStr::from_bytes_until_nul(&bytes)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned())
}

/// Where `ipn.ko` shows the family number it registered.
pub(crate) const FAMILY_PATH: &str = "/sys/module/ipn/parameters/family";

/// The family number of AF_IPN sockets: `ipn.ko`'s `family` parameter once
/// the module is loaded (46, [`sys::AF_IPN`], on a kernel that has the
/// family; a borrowed slot, 13 by default, on a stock kernel), and
/// `AF_IPN` before, so that `socket()` can load the module where the kernel
/// knows the family.  The module's number is read once.
pub fn family() -> c_int {
    use std::sync::atomic::{AtomicI32, Ordering};
    static FAMILY: AtomicI32 = AtomicI32::new(0);
    let cached = FAMILY.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    match std::fs::read_to_string(FAMILY_PATH)
        .ok()
        .and_then(|s| s.trim().parse::<c_int>().ok())
    {
        Some(f) if (1..=255).contains(&f) => {
            FAMILY.store(f, Ordering::Relaxed);
            f
        }
        _ => sys::AF_IPN,
    }
}

/// The `sockaddr_un` of family `AF_IPN` for `path`.  An empty path, one
/// with a NUL byte (EINVAL) or one longer than `sun_path` (ENAMETOOLONG)
/// is refused here, as the kernel would.
pub(crate) fn sockaddr(path: &Path) -> io::Result<SockAddr> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.is_empty() || bytes.contains(&0) {
        return Err(errno(libc::EINVAL));
    }
    // SAFETY: the storage is zeroed, and is filled in as the `sockaddr_un`
    // the family and length say: `sun_family`, then the path, NUL
    // terminated when it does not fill `sun_path`.
    let (_, addr) = unsafe {
        SockAddr::try_init(|storage, len| {
            let sun = &mut *storage.cast::<libc::sockaddr_un>();
            if bytes.len() > sun.sun_path.len() {
                return Err(errno(libc::ENAMETOOLONG));
            }
            sun.sun_family = family() as libc::sa_family_t;
            for (d, s) in sun.sun_path.iter_mut().zip(bytes) {
                *d = *s as libc::c_char;
            }
            let path_len = (bytes.len() + 1).min(sun.sun_path.len());
            *len = (std::mem::offset_of!(libc::sockaddr_un, sun_path) + path_len) as socklen_t;
            Ok(())
        })
    }?;
    Ok(addr)
}

/// The path of an AF_IPN address (getsockname, getpeername).
pub(crate) fn sockaddr_path(addr: &SockAddr) -> Option<std::path::PathBuf> {
    if c_int::from(addr.family()) != family() {
        return None;
    }
    let off = std::mem::offset_of!(libc::sockaddr_un, sun_path);
    let len = (addr.len() as usize).checked_sub(off)?;
    // SAFETY: the storage of a `SockAddr` is a zeroed or kernel-written
    // `sockaddr_storage`, larger than and aligned for a `sockaddr_un`,
    // which an AF_IPN address is; only `len` bytes of its path are read.
    let sun = unsafe { &*addr.as_ptr().cast::<libc::sockaddr_un>() };
    let path: Vec<u8> = sun.sun_path[..len.min(sun.sun_path.len())]
        .iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect();
    if path.is_empty() {
        None
    } else {
        Some(std::ffi::OsString::from(std::ffi::OsStr::from_bytes(&path)).into())
    }
}

/// What `recvmsg()` said of one message besides its bytes.
#[derive(Debug, Default)]
pub(crate) struct RecvMeta {
    pub(crate) len: usize,
    /// Longer than the buffer (`MSG_TRUNC`).
    pub(crate) truncated: bool,
    /// `MSG_OOB`.
    pub(crate) oob: bool,
    /// `sipn_port`, or -1.
    pub(crate) port: c_int,
    /// `SCM_CREDENTIALS`.
    pub(crate) cred: Option<libc::ucred>,
}

/// `recvmsg()` into `buf`, with the source address and the credentials.
pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], flags: c_int) -> io::Result<RecvMeta> {
    let mut name = sys::sockaddr_ipn {
        sipn_port: -1,
        ..Default::default()
    };
    // Room for one `SCM_CREDENTIALS` and more, aligned for `cmsghdr`.
    let mut control = [0u64; 16];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: `msghdr` is plain data for which all zeroes is valid.
    let mut mh: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    mh.msg_name = (&mut name as *mut sys::sockaddr_ipn).cast();
    mh.msg_namelen = size_of::<sys::sockaddr_ipn>() as socklen_t;
    mh.msg_iov = &mut iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.as_mut_ptr().cast();
    mh.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: every pointer of `mh` points to as many writable bytes as
    // its length says, alive for the call.
    let len = unsafe { libc::recvmsg(fd.as_raw_fd(), &mut mh, flags) };
    let len = usize::try_from(len).map_err(|_| io::Error::last_os_error())?;
    let mut meta = RecvMeta {
        len,
        truncated: mh.msg_flags & libc::MSG_TRUNC != 0,
        oob: mh.msg_flags & libc::MSG_OOB != 0,
        port: if mh.msg_namelen as usize >= size_of::<sys::sockaddr_ipn>() {
            name.sipn_port
        } else {
            -1
        },
        cred: None,
    };
    // SAFETY: the kernel filled `control` with `msg_controllen` bytes of
    // control messages, which the CMSG macros walk within those bounds.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&mh);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET
                && (*c).cmsg_type == libc::SCM_CREDENTIALS
                && (*c).cmsg_len as usize
                    >= libc::CMSG_LEN(size_of::<libc::ucred>() as u32) as usize
            {
                meta.cred = Some(std::ptr::read_unaligned(
                    libc::CMSG_DATA(c).cast::<libc::ucred>(),
                ));
            }
            c = libc::CMSG_NXTHDR(&mh, c);
        }
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_round_trip() {
        let a = sockaddr(Path::new("/tmp/net")).unwrap();
        assert_eq!(a.family(), family() as libc::sa_family_t);
        assert_eq!(
            a.len() as usize,
            std::mem::offset_of!(libc::sockaddr_un, sun_path) + 9
        );
        assert_eq!(sockaddr_path(&a).unwrap(), Path::new("/tmp/net"));
    }

    #[test]
    fn sockaddr_full_path_has_no_nul() {
        let long = "/".repeat(108);
        let a = sockaddr(Path::new(&long)).unwrap();
        assert_eq!(a.len() as usize, std::mem::size_of::<libc::sockaddr_un>());
        assert_eq!(sockaddr_path(&a).unwrap(), Path::new(&long));
    }

    #[test]
    fn sockaddr_refuses_what_the_kernel_refuses() {
        let e = |p: &str| sockaddr(Path::new(p)).unwrap_err().raw_os_error();
        assert_eq!(e(""), Some(libc::EINVAL));
        assert_eq!(e(&"/".repeat(109)), Some(libc::ENAMETOOLONG));
        let nul = std::ffi::OsStr::from_bytes(b"/tmp/a\0b");
        assert_eq!(
            sockaddr(Path::new(nul)).unwrap_err().raw_os_error(),
            Some(libc::EINVAL)
        );
    }

    #[test]
    fn ifreq_names() {
        let ifr = ifreq("ipn0", sys::IPN_NODEFLAG_TAP).unwrap();
        assert_eq!(ifreq_name(&ifr), "ipn0");
        // SAFETY: ifreq() wrote the flags member.
        assert_eq!(unsafe { ifr.ifr_ifru.ifru_flags }, sys::IPN_NODEFLAG_TAP);
        assert!(ifreq("123456789012345", 0).is_ok());
        assert_eq!(
            ifreq("1234567890123456", 0).unwrap_err().raw_os_error(),
            Some(libc::EINVAL)
        );
        assert_eq!(
            ifreq("a\0b", 0).unwrap_err().raw_os_error(),
            Some(libc::EINVAL)
        );
    }

    #[test]
    fn not_an_ipn_socket() {
        let f = std::fs::File::open("/dev/null").unwrap();
        assert!(!crate::Socket::is_ipn(std::os::fd::AsFd::as_fd(&f)));
        let fd: std::os::fd::OwnedFd = f.into();
        assert_eq!(
            crate::Socket::try_from(fd).unwrap_err().raw_os_error(),
            Some(libc::ENOTSOCK)
        );
    }
}
