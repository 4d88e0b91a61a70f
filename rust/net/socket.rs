// SPDX-License-Identifier: GPL-2.0

//! Socket address families.
//!
//! C headers: [`include/linux/net.h`](srctree/include/linux/net.h),
//! [`include/net/sock.h`](srctree/include/net/sock.h).
//!
//! An address family implements [`Family`]; a [`Registration`] registers
//! it with the socket layer (`sock_register()`, `proto_register()`) and
//! undoes that when dropped. Each socket of the family owns one
//! `Arc<Family::Data>`, kept in its `struct sock` and dropped with it.
//! Nothing here is specific to AF_IPN: it is written to be usable by other
//! address families.

use super::{
    msg::{MsgHdr, SockAddr},
    namespace::Namespace,
    sock::Sock,
    sockopt::{OptOut, OptVal},
};
use crate::layer::sync::InUse;
use core::{marker::PhantomData, ptr};
use kernel::{
    bindings,
    error::{from_result, to_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_uint, c_ulong, c_void},
    fs::File,
    prelude::*,
    sync::{poll::PollCondVar, poll::PollTable, Arc, ArcBorrow},
    types::Opaque,
    ThisModule,
};

// Functions of the module's C glue (`ipn/glue/ipn_glue.c`); see `ipn_glue.h`.
// The pointee types are bindgen's C layouts, as in the `bindings` crate,
// whose zero-sized markers the FFI-safety lint does not understand.
#[allow(improper_ctypes)]
extern "C" {
    fn ipn_glue_state_change(sk: *mut bindings::sock);
    fn ipn_glue_custom_sockopt(sock: *mut bindings::socket);
    fn ipn_glue_setsockopt_socket(
        sock: *mut bindings::socket,
        name: c_int,
        val: bindings::sockptr_t,
        len: c_uint,
    ) -> c_int;
    #[cfg(CONFIG_COMPAT)]
    fn ipn_glue_compat_ptr(arg: c_ulong) -> usize;
}

/// A BSD socket (`struct socket`) of family `T`.
///
/// # Invariants
///
/// `self.0` is valid while the reference lives, `sk` is non-null and was
/// created by [`Adapter::create`] of the same `T`, so it carries a
/// `T::Data` in its [`SockContainer`].
#[repr(transparent)]
pub(crate) struct Socket<T: Family>(Opaque<bindings::socket>, PhantomData<T>);

impl<T: Family> Socket<T> {
    fn raw(&self) -> *mut bindings::socket {
        self.0.get()
    }

    /// The network-layer sock.
    pub(crate) fn sk(&self) -> &Sock {
        // SAFETY: By the type invariant `sk` is non-null and valid as long as
        // the socket is, and `Sock` is a transparent wrapper.
        unsafe { &*(*self.raw()).sk.cast::<Sock>() }
    }

    /// The family's data of this socket.
    pub(crate) fn data(&self) -> ArcBorrow<'_, T::Data> {
        // SAFETY: By the type invariant the container holds a pointer from
        // `Arc::into_raw`, released only in `sk_destruct`, after the socket.
        unsafe { ArcBorrow::from_raw((*(*self.raw()).sk.cast::<SockContainer>()).data.cast()) }
    }

    /// `datagram_poll()`: readable, writable and hang-up events of a socket
    /// with a receive queue and a send buffer.
    pub(crate) fn datagram_poll(&self, ctx: &PollCtx<'_>) -> u32 {
        // SAFETY: The pointers of `ctx` belong to the ongoing poll call.
        unsafe { bindings::datagram_poll(ctx.file, self.raw(), ctx.wait) }
    }
}

/// The arguments of a `poll()` call.
///
/// # Invariants
///
/// `file` and `wait` are the arguments of the ongoing `proto_ops::poll`.
pub(crate) struct PollCtx<'a> {
    file: *mut bindings::file,
    wait: *mut bindings::poll_table_struct,
    _p: PhantomData<&'a ()>,
}

impl PollCtx<'_> {
    /// Also wake this poller when `cv` is notified.
    pub(crate) fn register_wait(&self, cv: &PollCondVar) {
        // SAFETY: By the type invariant; `file` stays valid for the call, and
        // `PollTable` and `File` are transparent wrappers of these pointers.
        unsafe {
            let table = PollTable::from_raw(self.wait);
            table.register_wait(File::from_raw_file(self.file), cv);
        }
    }
}

/// The layout of every sock of a Rust family: the C sock first, then the
/// pointer to the family's data.
#[repr(C)]
struct SockContainer {
    sk: bindings::sock,
    data: *const c_void,
}

/// Operations of a socket address family.
#[vtable]
pub(crate) trait Family: Sized + Send + Sync + 'static {
    /// Per-socket data; dropped when the sock is destroyed, which may be in
    /// atomic context: its `Drop` must not sleep.
    type Data: Send + Sync;

    /// The family's C structures: a `static` of the module, named here
    /// once (`static V: FamilyVTable<Me> = FamilyVTable::new();`).
    fn vtable() -> &'static FamilyVTable<Self>;

    /// Whether the family's sockets take `SO_PASSCRED`, which the socket
    /// core takes only from AF_UNIX, AF_NETLINK and AF_BLUETOOTH sockets:
    /// then the family's sockets handle `SOL_SOCKET` themselves
    /// (`SOCK_CUSTOM_SOCKOPT`), that option in the glue and every other
    /// through `sock_setsockopt()`. `getsockopt()` of it stays the core's,
    /// which answers `EOPNOTSUPP`.
    const PASSCRED: bool = false;

    /// Creates the data of a new socket (`net_proto_family::create`).
    fn create(
        net: &Namespace,
        sock_type: i32,
        protocol: i32,
        kern: bool,
    ) -> Result<Arc<Self::Data>>;

    /// The owner closed the socket; the sock lives on while referenced.
    fn release(sock: &Socket<Self>);

    /// `bind()`.
    fn bind(_sock: &Socket<Self>, _addr: SockAddr<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `connect()`.
    fn connect(_sock: &Socket<Self>, _addr: SockAddr<'_>, _flags: i32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `getsockname()`/`getpeername()`: writes the address, returns its length.
    fn getname(_sock: &Socket<Self>, _buf: &mut [u8], _peer: bool) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `poll()`.
    fn poll(_sock: &Socket<Self>, _ctx: &PollCtx<'_>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ioctl()`; `ENOIOCTLCMD` lets the socket layer try its own.
    fn ioctl(_sock: &Socket<Self>, _cmd: u32, _arg: usize) -> Result<i32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ioctl()` from a 32-bit process; `arg` has been through
    /// `compat_ptr()`. `ENOIOCTLCMD` lets the socket layer translate the
    /// generic ones.
    fn compat_ioctl(_sock: &Socket<Self>, _cmd: u32, _arg: usize) -> Result<i32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `shutdown()` with `SHUT_RD`/`SHUT_WR`/`SHUT_RDWR`.
    fn shutdown(_sock: &Socket<Self>, _how: i32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `setsockopt()` at a level other than `SOL_SOCKET`.
    fn setsockopt(_sock: &Socket<Self>, _level: i32, _name: i32, _val: &OptVal) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `getsockopt()` at a level other than `SOL_SOCKET`; `out.len()` is the
    /// caller's buffer length. Returns the length written.
    fn getsockopt(_sock: &Socket<Self>, _level: i32, _name: i32, _out: &mut OptOut) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `sendmsg()`.
    fn sendmsg(_sock: &Socket<Self>, _msg: &mut MsgHdr<'_>, _len: usize) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `recvmsg()`.
    fn recvmsg(
        _sock: &Socket<Self>,
        _msg: &mut MsgHdr<'_>,
        _len: usize,
        _flags: u32,
    ) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// Trampolines from the C socket layer into a [`Family`].
struct Adapter<T: Family>(PhantomData<T>);

impl<T: Family> Adapter<T> {
    /// # Safety
    ///
    /// `sock` must be a socket created by [`Self::create`] whose `sk` is set.
    unsafe fn socket<'a>(sock: *mut bindings::socket) -> &'a Socket<T> {
        // SAFETY: Transparent wrapper; the caller guarantees the invariants.
        unsafe { &*sock.cast() }
    }

    /// # Safety
    ///
    /// Called by the socket layer as `net_proto_family::create`.
    unsafe extern "C" fn create(
        net: *mut bindings::net,
        sock: *mut bindings::socket,
        protocol: c_int,
        kern: c_int,
    ) -> c_int {
        from_result(|| {
            // SAFETY: The socket layer passes a valid `net` and `sock`.
            let (net_ref, sock_type) = unsafe { (Namespace::from_raw(net), (*sock).type_) };
            let data = T::create(net_ref, i32::from(sock_type), protocol, kern != 0)?;
            let vt = T::vtable();
            // SAFETY: The socket layer calls `create` only while the family
            // is registered, so `vt` is filled in and not written (type
            // invariant); its `proto` was registered with `obj_size` the
            // size of `SockContainer`.
            let sk = unsafe {
                bindings::sk_alloc(
                    net,
                    (*vt.pf.get()).family,
                    bindings::GFP_KERNEL,
                    vt.proto.get(),
                    kern,
                )
            };
            if sk.is_null() {
                return Err(ENOMEM);
            }
            // SAFETY: `sk` is a new, exclusively owned sock whose allocation
            // is a `SockContainer`; `sock` is the new socket.
            unsafe {
                bindings::sock_init_data(sock, sk);
                (*sock).ops = vt.ops.get();
                (*sock).state = bindings::socket_state_SS_UNCONNECTED;
                if T::PASSCRED {
                    ipn_glue_custom_sockopt(sock);
                }
                (*sk).sk_destruct = Some(Self::destruct);
                // Messages are charged to the sender's memory cgroup, as
                // pipe buffers are to the writer's: they may wait long in
                // readers' queues.
                (*sk).sk_allocation = bindings::GFP_KERNEL_ACCOUNT;
                (*sk.cast::<SockContainer>()).data = Arc::into_raw(data).cast();
            }
            Ok(0)
        })
    }

    /// Destructor of the sock: frees what is still queued and the data.
    ///
    /// # Safety
    ///
    /// Called once, by `__sk_destruct()`, possibly in softirq context.
    unsafe extern "C" fn destruct(sk: *mut bindings::sock) {
        // SAFETY: Nobody else references the sock any more.
        unsafe {
            bindings::skb_queue_purge(ptr::addr_of_mut!((*sk).sk_receive_queue));
            let data = (*sk.cast::<SockContainer>()).data;
            if !data.is_null() {
                drop(Arc::<T::Data>::from_raw(data.cast()));
            }
        }
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::release` of a socket of
    /// this family, once, when its owner closes it.
    unsafe extern "C" fn release(sock: *mut bindings::socket) -> c_int {
        // SAFETY: The socket layer passes a valid socket.
        let sk = unsafe { (*sock).sk };
        if sk.is_null() {
            return 0;
        }
        // SAFETY: `sk` is set, so the socket was created by `create`.
        T::release(unsafe { Self::socket(sock) });
        // SAFETY: The owner is gone: detach the sock from the socket, wake
        // anybody still waiting, drop what is queued and the owner's ref.
        // Senders that still reach the sock through an RCU-protected table
        // see `SOCK_DEAD`; what they queue meanwhile goes with the sock.
        unsafe {
            bindings::lock_sock_nested(sk, 0);
            (*sk).sk_shutdown = bindings::SHUTDOWN_MASK as u8;
            bindings::sock_orphan(sk);
            bindings::release_sock(sk);
            ipn_glue_state_change(sk);
            (*sock).sk = ptr::null_mut();
            bindings::skb_queue_purge(ptr::addr_of_mut!((*sk).sk_receive_queue));
            bindings::sock_put(sk);
        }
        0
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::bind` of a socket of this
    /// family, with `len` bytes of address copied to kernel memory.
    unsafe extern "C" fn bind(
        sock: *mut bindings::socket,
        addr: *mut bindings::sockaddr_unsized,
        len: c_int,
    ) -> c_int {
        // SAFETY: As promised by the socket layer.
        let (sock, addr) = unsafe { (Self::socket(sock), SockAddr::from_raw(addr.cast(), len)) };
        from_result(|| T::bind(sock, addr?).map(|()| 0))
    }

    /// # Safety
    ///
    /// As for [`Self::bind`], as `proto_ops::connect`.
    unsafe extern "C" fn connect(
        sock: *mut bindings::socket,
        addr: *mut bindings::sockaddr_unsized,
        len: c_int,
        flags: c_int,
    ) -> c_int {
        // SAFETY: As promised by the socket layer.
        let (sock, addr) = unsafe { (Self::socket(sock), SockAddr::from_raw(addr.cast(), len)) };
        from_result(|| T::connect(sock, addr?, flags).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::getname` of a socket of
    /// this family, with a `sockaddr_storage` buffer at `addr`.
    unsafe extern "C" fn getname(
        sock: *mut bindings::socket,
        addr: *mut bindings::sockaddr,
        peer: c_int,
    ) -> c_int {
        let len = core::mem::size_of::<bindings::__kernel_sockaddr_storage>();
        // SAFETY: As promised by the socket layer.
        let (sock, buf) = unsafe {
            (
                Self::socket(sock),
                core::slice::from_raw_parts_mut(addr.cast::<u8>(), len),
            )
        };
        from_result(|| {
            T::getname(sock, buf, peer != 0).and_then(|n| c_int::try_from(n).map_err(|_| EINVAL))
        })
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::poll` of a socket of this
    /// family.
    unsafe extern "C" fn poll(
        file: *mut bindings::file,
        sock: *mut bindings::socket,
        wait: *mut bindings::poll_table_struct,
    ) -> bindings::__poll_t {
        let ctx = PollCtx {
            file,
            wait,
            _p: PhantomData,
        };
        // SAFETY: As promised by the socket layer.
        let sock = unsafe { Self::socket(sock) };
        T::poll(sock, &ctx)
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::ioctl` of a socket of this
    /// family.
    unsafe extern "C" fn ioctl(sock: *mut bindings::socket, cmd: c_uint, arg: c_ulong) -> c_int {
        // SAFETY: As promised by the socket layer.
        let sock = unsafe { Self::socket(sock) };
        from_result(|| T::ioctl(sock, cmd, arg))
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::compat_ioctl` of a socket
    /// of this family.
    #[cfg(CONFIG_COMPAT)]
    unsafe extern "C" fn compat_ioctl(
        sock: *mut bindings::socket,
        cmd: c_uint,
        arg: c_ulong,
    ) -> c_int {
        // SAFETY: As promised by the socket layer.
        let sock = unsafe { Self::socket(sock) };
        // SAFETY: Pure arithmetic on the value.
        let arg = unsafe { ipn_glue_compat_ptr(arg) };
        from_result(|| T::compat_ioctl(sock, cmd, arg))
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::shutdown` of a socket of
    /// this family.
    unsafe extern "C" fn shutdown(sock: *mut bindings::socket, how: c_int) -> c_int {
        // SAFETY: As promised by the socket layer.
        let sock = unsafe { Self::socket(sock) };
        from_result(|| T::shutdown(sock, how).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::setsockopt` of a socket of
    /// this family; `val` is valid for `len` bytes as `sockptr_t` says.
    unsafe extern "C" fn setsockopt(
        sock: *mut bindings::socket,
        level: c_int,
        name: c_int,
        val: bindings::sockptr_t,
        len: c_uint,
    ) -> c_int {
        if level == bindings::SOL_SOCKET as c_int {
            // Only with `Family::PASSCRED`, which asks for `SOL_SOCKET`.
            // SAFETY: As promised by the socket layer.
            return unsafe { ipn_glue_setsockopt_socket(sock, name, val, len) };
        }
        // SAFETY: As promised by the socket layer.
        let (sock, val) = unsafe { (Self::socket(sock), OptVal::from_raw(val, len)) };
        from_result(|| T::setsockopt(sock, level, name, &val).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::getsockopt` of a socket of
    /// this family, with user pointers `val` and `lenp`.
    unsafe extern "C" fn getsockopt(
        sock: *mut bindings::socket,
        level: c_int,
        name: c_int,
        val: *mut c_char,
        lenp: *mut c_int,
    ) -> c_int {
        // SAFETY: As promised by the socket layer.
        let sock = unsafe { Self::socket(sock) };
        from_result(|| {
            let mut out = OptOut::from_user(val.cast(), lenp.cast())?;
            T::getsockopt(sock, level, name, &mut out)?;
            out.finish().map(|()| 0)
        })
    }

    /// # Safety
    ///
    /// Called by the socket layer as `proto_ops::sendmsg` of a socket of
    /// this family, with the valid msghdr of the call.
    unsafe extern "C" fn sendmsg(
        sock: *mut bindings::socket,
        msg: *mut bindings::msghdr,
        len: usize,
    ) -> c_int {
        // SAFETY: As promised by the socket layer.
        let (sock, mut m) = unsafe { (Self::socket(sock), MsgHdr::from_raw(msg)) };
        from_result(|| {
            T::sendmsg(sock, &mut m, len).and_then(|n| c_int::try_from(n).map_err(|_| EMSGSIZE))
        })
    }

    /// # Safety
    ///
    /// As for [`Self::sendmsg`], as `proto_ops::recvmsg`.
    unsafe extern "C" fn recvmsg(
        sock: *mut bindings::socket,
        msg: *mut bindings::msghdr,
        len: usize,
        flags: c_int,
    ) -> c_int {
        // SAFETY: As promised by the socket layer.
        let (sock, mut m) = unsafe { (Self::socket(sock), MsgHdr::from_raw(msg)) };
        from_result(|| {
            T::recvmsg(sock, &mut m, len, flags as u32)
                .and_then(|n| c_int::try_from(n).map_err(|_| EMSGSIZE))
        })
    }

    fn ops(family: c_int, owner: &'static ThisModule) -> bindings::proto_ops {
        let mut ops: bindings::proto_ops = pin_init::zeroed();
        ops.family = family;
        ops.owner = owner.as_ptr();
        ops.release = Some(Self::release);
        ops.bind = Some(if T::HAS_BIND {
            Self::bind
        } else {
            bindings::sock_no_bind
        });
        ops.connect = Some(if T::HAS_CONNECT {
            Self::connect
        } else {
            bindings::sock_no_connect
        });
        ops.socketpair = Some(bindings::sock_no_socketpair);
        ops.accept = Some(bindings::sock_no_accept);
        ops.getname = Some(if T::HAS_GETNAME {
            Self::getname
        } else {
            bindings::sock_no_getname
        });
        ops.poll = if T::HAS_POLL {
            Some(Self::poll)
        } else {
            Some(bindings::datagram_poll)
        };
        ops.ioctl = Some(if T::HAS_IOCTL {
            Self::ioctl
        } else {
            bindings::sock_no_ioctl
        });
        #[cfg(CONFIG_COMPAT)]
        if T::HAS_COMPAT_IOCTL {
            ops.compat_ioctl = Some(Self::compat_ioctl);
        }
        ops.listen = Some(bindings::sock_no_listen);
        ops.shutdown = Some(if T::HAS_SHUTDOWN {
            Self::shutdown
        } else {
            bindings::sock_no_shutdown
        });
        if T::HAS_SETSOCKOPT {
            ops.setsockopt = Some(Self::setsockopt);
        }
        if T::HAS_GETSOCKOPT {
            ops.getsockopt = Some(Self::getsockopt);
        }
        ops.sendmsg = Some(if T::HAS_SENDMSG {
            Self::sendmsg
        } else {
            bindings::sock_no_sendmsg
        });
        ops.recvmsg = Some(if T::HAS_RECVMSG {
            Self::recvmsg
        } else {
            bindings::sock_no_recvmsg
        });
        ops.mmap = Some(bindings::sock_no_mmap);
        ops
    }
}

/// The C structures of a family, `struct proto`, `struct proto_ops` and
/// `struct net_proto_family`, kept in a `static` of the module as a C family
/// keeps them: `create` finds them through [`Family::vtable`], since the
/// socket layer gives it no context. [`Registration::new`] fills them in
/// (the family number is a run-time choice) and registers them.
///
/// # Invariants
///
/// While `registered` is set by a [`Registration`], the structures are
/// filled in and registered, and nothing writes them.
pub(crate) struct FamilyVTable<T: Family> {
    proto: Opaque<bindings::proto>,
    ops: Opaque<bindings::proto_ops>,
    pf: Opaque<bindings::net_proto_family>,
    registered: InUse,
    _p: PhantomData<T>,
}

// SAFETY: Written only by the one `Registration` that set `registered`,
// before registering and after unregistering; read-only in between.
unsafe impl<T: Family> Sync for FamilyVTable<T> {}

impl<T: Family> FamilyVTable<T> {
    /// Structures to be filled in by a [`Registration`].
    pub(crate) const fn new() -> Self {
        Self {
            proto: Opaque::zeroed(),
            ops: Opaque::zeroed(),
            pf: Opaque::zeroed(),
            registered: InUse::new(),
            _p: PhantomData,
        }
    }

    /// The family's data of `sk`, if `sk` is a sock of this family (one
    /// that [`Adapter::create`] made, with this `proto`).
    pub(crate) fn data_of<'a>(&self, sk: &'a Sock) -> Option<ArcBorrow<'a, T::Data>> {
        // SAFETY: `sk` is referenced; `sk_prot` is set when the sock is
        // allocated and stays.
        let prot = unsafe { (*sk.raw()).__sk_common.skc_prot };
        if prot != self.proto.get() {
            return None;
        }
        // SAFETY: A sock with our `proto` was allocated as a
        // `SockContainer` by `Adapter::create`, which set `data` before the
        // socket could be used.
        let data = unsafe { (*sk.raw().cast::<SockContainer>()).data };
        if data.is_null() {
            return None;
        }
        // SAFETY: `data` comes from `Arc::into_raw` and is released in
        // `sk_destruct`, which cannot run while `sk` is referenced.
        Some(unsafe { ArcBorrow::from_raw(data.cast()) })
    }
}

/// A registered address family; unregistered on drop.
///
/// # Invariants
///
/// `vt` is registered (`proto_register()`, `sock_register()`) as family
/// `family`, and `vt.registered` is set, until drop.
pub(crate) struct Registration<T: Family> {
    vt: &'static FamilyVTable<T>,
    family: c_int,
}

impl<T: Family> Registration<T> {
    /// Registers `T` as family number `family` with protocol name `name`;
    /// `EBUSY` if `T` is registered already.
    pub(crate) fn new(
        family: i32,
        name: &'static CStr,
        module: &'static ThisModule,
    ) -> Result<Self> {
        if family <= 0 || family >= bindings::NPROTO as i32 {
            return Err(EINVAL);
        }
        let vt = T::vtable();
        vt.registered.claim()?;
        // SAFETY: Setting `registered` gave this registration the exclusive
        // use of `vt`, which is not registered: nothing else reads or
        // writes it. It is a `static`, so it outlives the registration.
        let r = unsafe {
            let p = vt.proto.get();
            let nbytes = name.to_bytes_with_nul();
            let n = nbytes.len().min((*p).name.len());
            for (d, s) in (*p).name.iter_mut().zip(nbytes[..n].iter()) {
                *d = *s;
            }
            (*p).owner = module.as_ptr();
            (*p).obj_size = core::mem::size_of::<SockContainer>() as c_uint;
            vt.ops.get().write(Adapter::<T>::ops(family, module));
            let pf = vt.pf.get();
            (*pf).family = family;
            (*pf).create = Some(Adapter::<T>::create);
            (*pf).owner = module.as_ptr();
            to_result(bindings::proto_register(p, 1)).and_then(|()| {
                to_result(bindings::sock_register(pf))
                    .inspect_err(|_| bindings::proto_unregister(p))
            })
        };
        if let Err(e) = r {
            vt.registered.release();
            return Err(e);
        }
        Ok(Self { vt, family })
    }
}

impl<T: Family> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new`. `sock_unregister()` waits until no
        // `create` runs any more; no socket can exist, as each holds a
        // reference on the module.
        unsafe {
            bindings::sock_unregister(self.family);
            bindings::proto_unregister(self.vt.proto.get());
        }
        self.vt.registered.release();
    }
}
