// SPDX-License-Identifier: GPL-2.0

//! The AF_IPN socket operations.
//!
//! A socket is unbound, bound (attached to a network for management) or
//! connected (holding a port of the network, sending and receiving). Its
//! state lives in a [`Node`], owned by the socket's `struct sock`.

use crate::{
    iface::{IfReq, Iface, Kind},
    ipn_bindings::{ipn_diag_stats, ipn_numnode_oob},
    layer::{
        ipn::registry::PolicyRef,
        net::{
            meta::{MsgKind, Sender},
            msg::{msg_flags, MsgHdr, SockAddr},
            namespace::Namespace,
            net_device::RtnlGuard,
            sock::{Sock, RCV_SHUTDOWN, SEND_SHUTDOWN},
            socket::{Family, FamilyVTable, PollCtx, Socket},
            sockopt::{OptOut, OptVal},
            vnet::{VNET_HDR_LENS, VNET_HDR_MAX},
        },
    },
    network::{Framing, NetParams, Network, Port},
    uapi::*,
};
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use kernel::{
    bindings, new_mutex,
    prelude::*,
    sync::aref::ARef,
    sync::{Arc, Mutex},
    transmute::AsBytes,
    uaccess::{UserPtr, UserSlice},
};

/// Where a socket stands.
enum Conn {
    Unbound,
    Bound(Arc<Network>),
    Connected(Arc<Network>, usize),
    Closed,
}

struct NodeState {
    conn: Conn,
    /// Settings for a network this socket creates (before bind/connect).
    params: NetParams,
    /// `IPN_SO_PORT` asked before connect.
    want_port: Option<usize>,
    /// The path used to bind or connect, for `getsockname()`.
    path: NetPath,
    /// Bound, so holding the manage (x) right on the network.
    manage: bool,
    /// Interfaces this socket controls: they go when it closes, unless
    /// persistent.
    ifaces: KVec<Arc<Iface>>,
}

const CAP_NET_ADMIN: u32 = 12;

/// `Node::oob` bits: `IPN_SO_HANDLE_OOB`, `IPN_SO_WANT_OOB_NUMNODES`.
const OOB_HANDLE: u8 = 1;
const OOB_NUMNODES: u8 = 2;

/// What a socket sent and read, for diagnostics.
#[derive(Default)]
struct Counters {
    rx_msgs: AtomicU64,
    rx_bytes: AtomicU64,
    tx_msgs: AtomicU64,
    tx_bytes: AtomicU64,
}

impl Counters {
    fn count(msgs: &AtomicU64, bytes: &AtomicU64, len: usize) {
        msgs.fetch_add(1, Ordering::Relaxed);
        bytes.fetch_add(u64::try_from(len).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

/// A socket as diagnostics show it.
pub(crate) struct NodeInfo {
    pub(crate) descr: KVec<u8>,
    pub(crate) stats: ipn_diag_stats,
}

/// The per-socket data of AF_IPN.
#[pin_data]
pub(crate) struct Node {
    protocol: i32,
    counters: Counters,
    /// `IPN_SO_VNET_HDR`: the length of the virtio-net header that starts
    /// every message, or 0. Set under `state` before connect only, so
    /// fixed once a send or receive finds the socket connected.
    vnet_hdr: AtomicUsize,
    /// What out-of-band messages the socket takes (`OOB_*`).
    oob: AtomicU8,
    /// A reader/writer notice waits in the receive queue: the next change
    /// needs no other, as reading it gives the numbers of that time.
    numnodes_queued: AtomicBool,
    /// `IPN_SO_DESCR`, under a lock of its own: diagnostics read it, and
    /// must not wait while `state` is held across RTNL or a user copy.
    #[pin]
    descr: Mutex<KVec<u8>>,
    #[pin]
    state: Mutex<NodeState>,
}

/// The address family.
pub(crate) struct Ipn;

/// A network's path: the bytes of `sun_path` and a terminating NUL.
struct NetPath(KVec<u8>);

impl NetPath {
    /// Parses a `sockaddr_un` with an AF_IPN family.
    fn parse(addr: &SockAddr<'_>) -> Result<Self> {
        if addr.len() > SOCKADDR_UN_LEN {
            return Err(EINVAL);
        }
        match addr.family() {
            None => return Err(EINVAL),
            Some(f) if i32::from(f) != crate::family() => return Err(EAFNOSUPPORT),
            Some(_) => {}
        }
        let data = addr.data();
        // As for AF_UNIX, the path ends at the first NUL or at the end of
        // the address.
        let end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
        if end == 0 {
            // Empty or abstract (NUL-first) name: no filesystem node to own.
            return Err(EINVAL);
        }
        let mut v = KVec::with_capacity(end + 1, GFP_KERNEL_ACCOUNT)?;
        v.extend_from_slice(&data[..end], GFP_KERNEL_ACCOUNT)?;
        v.push(0, GFP_KERNEL_ACCOUNT)?;
        Ok(Self(v))
    }

    fn empty() -> Self {
        Self(KVec::new())
    }

    fn cstr(&self) -> Result<&CStr> {
        CStr::from_bytes_with_nul(&self.0).map_err(|_| EINVAL)
    }

    /// The path without its NUL.
    fn bytes(&self) -> &[u8] {
        self.0.split_last().map(|(_, b)| b).unwrap_or(&[])
    }
}

impl Node {
    /// The description (`IPN_SO_DESCR`) and counters of the AF_IPN
    /// socket `sk`.
    pub(crate) fn info_of(sk: &Sock) -> Result<NodeInfo> {
        let node = VTABLE.data_of(sk).ok_or(EINVAL)?;
        let mut descr = KVec::new();
        descr.extend_from_slice(&node.descr.lock(), GFP_KERNEL)?;
        let c = &node.counters;
        Ok(NodeInfo {
            descr,
            stats: ipn_diag_stats {
                rx_messages: c.rx_msgs.load(Ordering::Relaxed),
                rx_bytes: c.rx_bytes.load(Ordering::Relaxed),
                tx_messages: c.tx_msgs.load(Ordering::Relaxed),
                tx_bytes: c.tx_bytes.load(Ordering::Relaxed),
            },
        })
    }

    /// Whether the AF_IPN socket `sk` takes out-of-band messages.
    pub(crate) fn takes_oob(sk: &Sock) -> bool {
        VTABLE
            .data_of(sk)
            .is_some_and(|n| n.oob.load(Ordering::Relaxed) & OOB_HANDLE != 0)
    }

    /// The numbers of readers or writers of the network of `sk`, an AF_IPN
    /// socket connected to it, changed: a notice, if it asked for them.
    pub(crate) fn numnodes_changed(sk: &Sock) {
        if let Some(node) = VTABLE.data_of(sk) {
            node.notify_numnodes(sk);
        }
    }

    fn notify_numnodes(&self, sk: &Sock) {
        if self.oob.load(Ordering::Relaxed) != OOB_HANDLE | OOB_NUMNODES {
            return;
        }
        // Ordered with the reader's clearing and its look at the numbers
        // (`recvmsg`): either this queues a notice, or the reader's look
        // comes after the numbers changed.
        if self.numnodes_queued.swap(true, Ordering::SeqCst) {
            return;
        }
        if sk.queue_numnodes().is_err() {
            // Closing, or no memory: the next change tries again.
            self.numnodes_queued.store(false, Ordering::SeqCst);
        }
    }

    fn network(&self) -> Option<(Arc<Network>, Option<usize>)> {
        match &self.state.lock().conn {
            Conn::Bound(n) => Some((n.clone(), None)),
            Conn::Connected(n, p) => Some((n.clone(), Some(*p))),
            _ => None,
        }
    }
}

impl Ipn {
    /// Connects a socket that is bound or has just found its network. The
    /// caller's user reference on `net` becomes the connection's.
    fn join(
        sock: &Socket<Self>,
        st: &mut NodeState,
        net: Arc<Network>,
        readable: bool,
        writable: bool,
    ) -> Result {
        let mut shut = 0;
        if !readable {
            shut |= RCV_SHUTDOWN;
        }
        if !writable {
            shut |= SEND_SHUTDOWN;
        }
        // Shut before the port is published: a message delivered in between
        // would reach a socket without the right to read it.
        if shut != 0 {
            sock.sk().shutdown(shut);
        }
        let framing = match sock.data().vnet_hdr.load(Ordering::Relaxed) {
            0 => Framing::Wire,
            _ => Framing::Vnet,
        };
        let port = net
            .connect_port(Port::Sock(ARef::from(sock.sk()), framing), st.want_port)
            .inspect_err(|_| sock.sk().clear_shutdown())?;
        st.conn = Conn::Connected(net, port);
        Ok(())
    }
}

/// An ioctl's argument: a user address, and whether it comes from a
/// 32-bit process, whose `struct ifreq` is shorter.
#[derive(Clone, Copy)]
struct Arg {
    addr: usize,
    compat: bool,
}

/// Reads the `struct ifreq` at `arg`; the writer is for giving it back
/// (the caller's size of it, as the first bytes of the buffer).
fn read_ifreq(arg: Arg) -> Result<(IfReq, [u8; IfReq::LEN], kernel::uaccess::UserSliceWriter)> {
    let len = if arg.compat {
        IfReq::COMPAT_LEN
    } else {
        IfReq::LEN
    };
    let user = UserSlice::new(UserPtr::from_addr(arg.addr), len);
    let (mut reader, writer) = user.reader_writer();
    let mut raw = [0u8; IfReq::LEN];
    reader.read_slice(&mut raw[..len])?;
    Ok((IfReq::parse(&raw), raw, writer))
}

impl Ipn {
    /// The network a socket puts an interface on: it must be bound (so hold
    /// the x right), and the caller needs `CAP_NET_ADMIN` in the user
    /// namespace owning the socket's network namespace. An interface sends
    /// and receives on the network, so the caller needs the r and w rights
    /// too (`EACCES`): x alone would let it bypass them through a tap.
    fn managed(sock: &Socket<Self>, st: &NodeState) -> Result<Arc<Network>> {
        let net = match &st.conn {
            Conn::Bound(n) | Conn::Connected(n, _) if st.manage => n.clone(),
            Conn::Bound(_) | Conn::Connected(..) => return Err(EPERM),
            _ => return Err(ENOTCONN),
        };
        Self::admin(sock)?;
        if net.rights()? != (true, true) {
            return Err(EACCES);
        }
        Ok(net)
    }

    fn admin(sock: &Socket<Self>) -> Result {
        if sock.sk().net_capable(CAP_NET_ADMIN) {
            Ok(())
        } else {
            Err(EPERM)
        }
    }

    /// `IPN_CONN_NETDEV`: connects an interface of the host to the network.
    fn conn_netdev(sock: &Socket<Self>, arg: Arg) -> Result {
        let (req, mut raw, mut writer) = read_ifreq(arg)?;
        let node = sock.data();
        let mut st = node.state.lock();
        let net = Self::managed(sock, &st)?;
        let kind = match req.flags & (IPN_NODEFLAG_TAP | IPN_NODEFLAG_GRAB) {
            IPN_NODEFLAG_TAP => Kind::Tap,
            IPN_NODEFLAG_GRAB => Kind::Grab,
            _ => return Err(EINVAL),
        };
        st.ifaces.reserve(1, GFP_KERNEL)?;
        let (iface, name) = Iface::connect(sock.sk(), &net, kind, &req.name)?;
        st.ifaces.push(iface, GFP_KERNEL)?;
        // The caller learns the name the interface got ("ipn%d").
        raw[..name.len()].copy_from_slice(&name);
        let len = writer.len();
        writer.write_slice(&raw[..len])
    }

    /// `IPN_JOIN_NETDEV`: takes control of a persistent interface of the
    /// socket's network that no socket controls.
    fn join_netdev(sock: &Socket<Self>, arg: Arg) -> Result {
        let (req, _, _) = read_ifreq(arg)?;
        let node = sock.data();
        let mut st = node.state.lock();
        let net = Self::managed(sock, &st)?;
        st.ifaces.reserve(1, GFP_KERNEL)?;
        let rtnl = RtnlGuard::lock();
        let iface = Iface::find(sock.sk(), &req, &rtnl)?;
        iface.join(&net, &rtnl)?;
        drop(rtnl);
        st.ifaces.push(iface, GFP_KERNEL)?;
        Ok(())
    }

    /// `IPN_SETPERSIST_NETDEV`, `IPN_CLRPERSIST_NETDEV`: any socket, for the
    /// administrator, who names the interface.
    fn persist_netdev(sock: &Socket<Self>, arg: Arg, on: bool) -> Result {
        let (req, _, _) = read_ifreq(arg)?;
        Self::admin(sock)?;
        let rtnl = RtnlGuard::lock();
        Iface::find(sock.sk(), &req, &rtnl)?.set_persist(on, &rtnl);
        Ok(())
    }

    /// The ioctls, from 64-bit or 32-bit processes.
    fn any_ioctl(sock: &Socket<Self>, cmd: u32, arg: Arg) -> Result<i32> {
        match cmd {
            IPN_CHECK => Ok(IPN_CHECK_MAGIC),
            IPN_CONN_NETDEV => Self::conn_netdev(sock, arg).map(|()| 0),
            IPN_JOIN_NETDEV => Self::join_netdev(sock, arg).map(|()| 0),
            IPN_SETPERSIST_NETDEV => Self::persist_netdev(sock, arg, true).map(|()| 0),
            IPN_CLRPERSIST_NETDEV => Self::persist_netdev(sock, arg, false).map(|()| 0),
            IPN_SETPERSIST => Self::set_persist(sock, arg.addr).map(|()| 0),
            // Others are the policy's, then the socket core's (which
            // translates the generic ones for 32-bit processes). A policy's
            // own ioctls are not offered to 32-bit processes: their
            // argument layouts are the policy's business.
            _ if arg.compat => Err(ENOIOCTLCMD),
            _ => match sock.data().network() {
                Some((net, port)) => net.policy.ioctl(&net, port, cmd, arg.addr),
                None => Err(ENOIOCTLCMD),
            },
        }
    }

    /// `IPN_SETPERSIST`: the interfaces this socket controls stay (or no
    /// longer stay) after it closes.
    fn set_persist(sock: &Socket<Self>, arg: usize) -> Result {
        Self::admin(sock)?;
        let node = sock.data();
        let st = node.state.lock();
        let rtnl = RtnlGuard::lock();
        let mut any = false;
        for i in st.ifaces.iter().filter(|i| i.attached()) {
            // Controlled, so never taken off here.
            i.set_persist(arg != 0, &rtnl);
            any = true;
        }
        if any {
            Ok(())
        } else {
            Err(ENODEV)
        }
    }
}

/// AF_IPN's `proto`, `proto_ops` and `net_proto_family`.
static VTABLE: FamilyVTable<Ipn> = FamilyVTable::new();

#[vtable]
impl Family for Ipn {
    type Data = Node;
    const PASSCRED: bool = true;

    fn vtable() -> &'static FamilyVTable<Self> {
        &VTABLE
    }

    fn create(_net: &Namespace, sock_type: i32, protocol: i32, _kern: bool) -> Result<Arc<Node>> {
        if sock_type != SOCK_RAW {
            return Err(EPROTOTYPE);
        }
        if protocol != IPN_ANY {
            // Loads the policy module if needed; the network that the socket
            // creates or joins takes its own reference later.
            drop(PolicyRef::<Network>::get_or_load(protocol)?);
        }
        Arc::pin_init(
            pin_init!(Node {
                protocol,
                counters: Counters::default(),
                vnet_hdr: AtomicUsize::new(0),
                oob: AtomicU8::new(0),
                numnodes_queued: AtomicBool::new(false),
                descr <- new_mutex!(KVec::new()),
                state <- new_mutex!(NodeState {
                    conn: Conn::Unbound,
                    params: NetParams::default(),
                    want_port: None,
                    path: NetPath::empty(),
                    manage: false,
                    ifaces: KVec::new(),
                }),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    fn release(sock: &Socket<Self>) {
        let node = sock.data();
        let (conn, ifaces) = {
            let mut st = node.state.lock();
            (
                core::mem::replace(&mut st.conn, Conn::Closed),
                core::mem::take(&mut st.ifaces),
            )
        };
        for i in ifaces {
            i.release();
        }
        match conn {
            Conn::Connected(net, port) => {
                net.disconnect_port(port);
                net.put_user();
            }
            Conn::Bound(net) => {
                net.remove_bound(sock.sk());
                net.put_user();
            }
            Conn::Unbound | Conn::Closed => {}
        }
    }

    fn bind(sock: &Socket<Self>, addr: SockAddr<'_>) -> Result {
        let path = NetPath::parse(&addr)?;
        let node = sock.data();
        let mut st = node.state.lock();
        if !matches!(st.conn, Conn::Unbound) {
            return Err(EINVAL);
        }
        let net = Network::bind(path.cstr()?, node.protocol, &st.params)?;
        if let Err(e) = net.add_bound(sock.sk()) {
            net.put_user();
            return Err(e);
        }
        st.conn = Conn::Bound(net);
        st.path = path;
        st.manage = true;
        Ok(())
    }

    fn connect(sock: &Socket<Self>, addr: SockAddr<'_>, _flags: i32) -> Result {
        let node = sock.data();
        let mut st = node.state.lock();
        match &st.conn {
            Conn::Connected(..) => Err(EISCONN),
            Conn::Closed => Err(EBADF),
            Conn::Bound(net) => {
                // A bound socket joins its own network: the address must be
                // empty or name the same path.
                if !addr.is_empty() {
                    if NetPath::parse(&addr)?.bytes() != st.path.bytes() {
                        return Err(EISCONN);
                    }
                }
                let net = net.clone();
                let (readable, writable) = net.rights()?;
                // The bind's user reference becomes the connection's, and
                // the network no longer counts the socket as only bound.
                Self::join(sock, &mut st, net, readable, writable)
            }
            Conn::Unbound => {
                if addr.is_empty() {
                    return Err(EDESTADDRREQ);
                }
                let path = NetPath::parse(&addr)?;
                let found = Network::find(path.cstr()?, node.protocol)?;
                let net = found.net.clone();
                Self::join(sock, &mut st, found.net, found.readable, found.writable)
                    .inspect_err(|_| net.put_user())?;
                st.path = path;
                Ok(())
            }
        }
    }

    fn getname(sock: &Socket<Self>, buf: &mut [u8], peer: bool) -> Result<usize> {
        let node = sock.data();
        let st = node.state.lock();
        if peer && !matches!(st.conn, Conn::Connected(..)) {
            return Err(ENOTCONN);
        }
        let fam = (crate::family() as u16).to_ne_bytes();
        let path = st.path.bytes();
        // A path may fill all of sun_path (108 bytes) without a NUL, as
        // with AF_UNIX: the NUL then lies past the returned length.
        let n = path.len().min(SOCKADDR_UN_LEN - 2);
        if buf.len() < 2 + n + 1 {
            return Err(EINVAL);
        }
        buf[..2].copy_from_slice(&fam);
        buf[2..2 + n].copy_from_slice(&path[..n]);
        buf[2 + n] = 0;
        Ok((2 + n + 1).min(SOCKADDR_UN_LEN))
    }

    fn poll(sock: &Socket<Self>, ctx: &PollCtx<'_>) -> u32 {
        let mut mask = sock.datagram_poll(ctx);
        if mask & bindings::POLLIN != 0 && sock.sk().oob_first() {
            mask |= bindings::POLLPRI;
        }
        if let Some((net, port)) = sock.data().network() {
            if net.lossless() {
                ctx.register_wait(&net.space);
                if let Some(p) = port {
                    if !net.has_room(p) {
                        mask &= !(bindings::POLLOUT | bindings::POLLWRNORM | bindings::POLLWRBAND);
                    }
                }
            }
            if port.is_none() {
                // Bound only: nothing to send or receive yet.
                mask &= !(bindings::POLLOUT | bindings::POLLWRNORM | bindings::POLLWRBAND);
            }
        } else {
            mask &= !(bindings::POLLOUT | bindings::POLLWRNORM | bindings::POLLWRBAND);
        }
        mask
    }

    fn ioctl(sock: &Socket<Self>, cmd: u32, arg: usize) -> Result<i32> {
        let compat = false;
        Self::any_ioctl(sock, cmd, Arg { addr: arg, compat })
    }

    fn compat_ioctl(sock: &Socket<Self>, cmd: u32, arg: usize) -> Result<i32> {
        let compat = true;
        Self::any_ioctl(sock, cmd, Arg { addr: arg, compat })
    }

    fn shutdown(sock: &Socket<Self>, how: i32) -> Result {
        // SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 become RCV_SHUTDOWN 1, SEND_SHUTDOWN 2.
        let mask = match how {
            0 => RCV_SHUTDOWN,
            1 => SEND_SHUTDOWN,
            2 => RCV_SHUTDOWN | SEND_SHUTDOWN,
            _ => return Err(EINVAL),
        };
        if !matches!(sock.data().state.lock().conn, Conn::Connected(..)) {
            return Err(ENOTCONN);
        }
        sock.sk().shutdown(mask);
        if let Some((net, _)) = sock.data().network() {
            // Readers that stopped reading no longer hold lossless senders.
            net.wake_senders();
            net.count_members();
        }
        Ok(())
    }

    fn setsockopt(sock: &Socket<Self>, level: i32, name: i32, val: &OptVal) -> Result {
        let node = sock.data();
        let mut st = node.state.lock();
        if level != SOL_IPN {
            // The policy's own options, at the level of its protocol number.
            // Configuring them (VLANs of any port, the switch's table) acts
            // on every user of the network: it takes the x right (a bound
            // socket) and ownership of the node.
            let manage = st.manage;
            return match &st.conn {
                Conn::Bound(n) if level == n.protocol => {
                    n.policy.setsockopt(n, None, manage && n.owned(), name, val)
                }
                Conn::Connected(n, p) if level == n.protocol => {
                    n.policy
                        .setsockopt(n, Some(*p), manage && n.owned(), name, val)
                }
                _ => Err(ENOPROTOOPT),
            };
        }
        if name & IPN_SO_PREBIND != 0 {
            if !matches!(st.conn, Conn::Unbound) {
                return Err(EISCONN);
            }
            let v = val.read_int()?;
            match name {
                IPN_SO_MTU if (IPN_MTU_MIN..=IPN_MTU_MAX).contains(&v) => {
                    st.params.mtu = v as usize
                }
                IPN_SO_NUMNODES if (1..=IPN_NUMNODES_MAX).contains(&v) => {
                    st.params.numnodes = v as usize
                }
                IPN_SO_MSGPOOLSIZE if (1..=IPN_MSGPOOLSIZE_MAX).contains(&v) => {
                    st.params.msgpool = v as u32
                }
                IPN_SO_FLAGS if (v as u32) & !IPN_FLAG_MASK == 0 => st.params.flags = v as u32,
                IPN_SO_MODE if (0..=0o777).contains(&v) => st.params.mode = v as u16,
                IPN_SO_MTU | IPN_SO_NUMNODES | IPN_SO_MSGPOOLSIZE | IPN_SO_FLAGS | IPN_SO_MODE => {
                    return Err(EINVAL)
                }
                _ => return Err(ENOPROTOOPT),
            }
            return Ok(());
        }
        match name {
            IPN_SO_PORT => {
                let v = val.read_int()?;
                match &st.conn {
                    Conn::Connected(..) => Err(EISCONN),
                    Conn::Closed => Err(EBADF),
                    _ if v == IPN_PORTNO_ANY => {
                        st.want_port = None;
                        Ok(())
                    }
                    _ if v < 0 => Err(EINVAL),
                    _ => {
                        st.want_port = Some(v as usize);
                        Ok(())
                    }
                }
            }
            IPN_SO_DESCR => {
                if matches!(st.conn, Conn::Unbound | Conn::Closed) {
                    return Err(ENOTCONN);
                }
                let n = val.len().min(IPN_DESCRLEN);
                let mut d = KVec::with_capacity(n, GFP_KERNEL)?;
                d.resize(n, 0, GFP_KERNEL)?;
                val.read_into(&mut d)?;
                let end = d.iter().position(|b| *b == 0).unwrap_or(n);
                d.truncate(end);
                *node.descr.lock() = d;
                Ok(())
            }
            IPN_SO_CHANGE_NUMNODES => {
                let v = val.read_int()?;
                if !(1..=IPN_NUMNODES_MAX).contains(&v) {
                    return Err(EINVAL);
                }
                match &st.conn {
                    // Only a bound socket holds the manage (x) right.
                    Conn::Bound(net) => net.resize(v as usize),
                    Conn::Connected(..) => Err(EPERM),
                    _ => Err(ENOTCONN),
                }
            }
            IPN_SO_VNET_HDR => {
                let v = usize::try_from(val.read_int()?).map_err(|_| EINVAL)?;
                if !VNET_HDR_LENS.contains(&v) {
                    return Err(EINVAL);
                }
                // Frames already queued were cut, or not, for the framing
                // chosen at connect.
                match &st.conn {
                    Conn::Connected(..) => Err(EISCONN),
                    Conn::Closed => Err(EBADF),
                    _ => {
                        node.vnet_hdr.store(v, Ordering::Relaxed);
                        Ok(())
                    }
                }
            }
            IPN_SO_HANDLE_OOB | IPN_SO_WANT_OOB_NUMNODES => {
                let on = val.read_int()? != 0;
                let bit = if name == IPN_SO_HANDLE_OOB {
                    OOB_HANDLE
                } else {
                    OOB_NUMNODES
                };
                match &st.conn {
                    Conn::Closed => Err(EBADF),
                    _ if !on => {
                        node.oob.fetch_and(!bit, Ordering::Relaxed);
                        Ok(())
                    }
                    conn => {
                        node.oob.fetch_or(bit, Ordering::Relaxed);
                        // The numbers as they are now, for a socket that
                        // asks while connected.
                        if matches!(conn, Conn::Connected(..)) {
                            node.notify_numnodes(sock.sk());
                        }
                        Ok(())
                    }
                }
            }
            _ => Err(ENOPROTOOPT),
        }
    }

    fn getsockopt(sock: &Socket<Self>, level: i32, name: i32, out: &mut OptOut) -> Result {
        let node = sock.data();
        let st = node.state.lock();
        if level != SOL_IPN {
            return match &st.conn {
                Conn::Bound(n) if level == n.protocol => n.policy.getsockopt(n, None, name, out),
                Conn::Connected(n, p) if level == n.protocol => {
                    n.policy.getsockopt(n, Some(*p), name, out)
                }
                _ => Err(ENOPROTOOPT),
            };
        }
        let net = match &st.conn {
            Conn::Bound(n) | Conn::Connected(n, _) => Some(n),
            _ => None,
        };
        let p = net.map(|n| n.params).unwrap_or(st.params);
        match name {
            IPN_SO_MTU => out.write_int(p.mtu as i32),
            IPN_SO_NUMNODES => {
                out.write_int(net.map(|n| n.numnodes()).unwrap_or(p.numnodes) as i32)
            }
            IPN_SO_MSGPOOLSIZE => out.write_int(p.msgpool as i32),
            IPN_SO_FLAGS => out.write_int(p.flags as i32),
            IPN_SO_MODE => out.write_int(i32::from(p.mode)),
            IPN_SO_PORT => out.write_int(match &st.conn {
                Conn::Connected(_, port) => *port as i32,
                _ => st.want_port.map(|p| p as i32).unwrap_or(IPN_PORTNO_ANY),
            }),
            IPN_SO_DESCR => {
                let mut d = KVec::new();
                d.extend_from_slice(&node.descr.lock(), GFP_KERNEL)?;
                out.write(&d)
            }
            IPN_SO_VNET_HDR => out.write_int(node.vnet_hdr.load(Ordering::Relaxed) as i32),
            IPN_SO_HANDLE_OOB => out.write_int(i32::from(
                node.oob.load(Ordering::Relaxed) & OOB_HANDLE != 0,
            )),
            IPN_SO_WANT_OOB_NUMNODES => out.write_int(i32::from(
                node.oob.load(Ordering::Relaxed) & OOB_NUMNODES != 0,
            )),
            _ => Err(ENOPROTOOPT),
        }
    }

    fn sendmsg(sock: &Socket<Self>, msg: &mut MsgHdr<'_>, len: usize) -> Result<usize> {
        // Besides the user's flags, those the kernel adds for sendmmsg(),
        // splice() and sendfile().
        let allowed = msg_flags::DONTWAIT
            | msg_flags::NOSIGNAL
            | msg_flags::EOR
            | msg_flags::CMSG_COMPAT
            | msg_flags::BATCH
            | msg_flags::SPLICE_PAGES;
        if msg.flags() & !allowed != 0 {
            return Err(EOPNOTSUPP);
        }
        let nonblock = msg.flags() & msg_flags::DONTWAIT != 0;
        let (net, port) = match sock.data().network() {
            Some((net, Some(port))) => (net, port),
            _ => return Err(ENOTCONN),
        };
        // The network is the destination of every message: an address
        // on top of the connection is a mistake, not a second route.
        if msg.has_name() {
            return Err(EISCONN);
        }
        let sk = sock.sk();
        if sk.shutdown_mask() & SEND_SHUTDOWN != 0 {
            return Err(msg.epipe());
        }
        let vnet_hdr = sock.data().vnet_hdr.load(Ordering::Relaxed);
        let skb = if vnet_hdr != 0 {
            sk.alloc_send_vnet(msg, len, vnet_hdr, net.params.mtu, nonblock)?
        } else {
            if len > net.params.mtu {
                return Err(EOVERFLOW);
            }
            // A receiver could not tell an empty message from end of file.
            if len == 0 {
                return Err(EINVAL);
            }
            let mut skb = sk.alloc_send_skb(len, nonblock)?;
            msg.copy_into(&mut skb, len)?;
            skb
        };
        let frame_len = skb.len();
        if net.lossless() {
            net.wait_for_room(port, sk.send_timeout(nonblock))?;
        }
        net.deliver(Some(port), skb, Sender::Task);
        let c = &sock.data().counters;
        Counters::count(&c.tx_msgs, &c.tx_bytes, frame_len);
        Ok(len)
    }

    fn recvmsg(sock: &Socket<Self>, msg: &mut MsgHdr<'_>, len: usize, flags: u32) -> Result<usize> {
        let allowed = msg_flags::DONTWAIT
            | msg_flags::PEEK
            | msg_flags::TRUNC
            | msg_flags::OOB
            | msg_flags::CMSG_COMPAT
            | msg_flags::CMSG_CLOEXEC
            | bindings::MSG_WAITALL
            | msg_flags::NOSIGNAL;
        if flags & !allowed != 0 {
            return Err(EOPNOTSUPP);
        }
        let node = sock.data();
        let net = match node.network() {
            Some((net, Some(_))) => net,
            _ => return Err(ENOTCONN),
        };
        // The header goes first: a buffer too short for it fails before a
        // message leaves the queue.
        let vnet_hdr = node.vnet_hdr.load(Ordering::Relaxed);
        let Some(len) = len.checked_sub(vnet_hdr) else {
            return Err(EINVAL);
        };
        let sk = sock.sk();
        let peek = flags & msg_flags::PEEK != 0;
        let skb = if flags & msg_flags::OOB != 0 {
            // Only what is out of band, never waiting for it.
            if node.oob.load(Ordering::Relaxed) & OOB_HANDLE == 0 {
                return Err(EINVAL);
            }
            sk.recv_oob(peek).ok_or(EAGAIN)?
        } else {
            match sk.recv_datagram(flags & !msg_flags::TRUNC) {
                Ok(Some(skb)) => skb,
                Ok(None) => return Ok(0),
                // Without a timeout the datagram code does not look at the
                // shutdown state: a socket shut for reading reports end of
                // file.
                Err(e) if e == EAGAIN && sk.shutdown_mask() & RCV_SHUTDOWN != 0 => return Ok(0),
                Err(e) => return Err(e),
            }
        };
        let kind = skb.kind();
        // A notice is written out as the numbers are now (see
        // `Node::notify_numnodes`).
        let notice = (kind == MsgKind::Numnodes).then(|| {
            if !peek {
                node.numnodes_queued.store(false, Ordering::SeqCst);
            }
            let (readers, writers) = net.members_count();
            ipn_numnode_oob {
                level: IPN_ANY,
                tag: IPN_OOB_NUMNODE_TAG,
                numreaders: i32::try_from(readers).unwrap_or(i32::MAX),
                numwriters: i32::try_from(writers).unwrap_or(i32::MAX),
            }
        });
        let full = notice.as_ref().map_or(skb.len(), |n| n.as_bytes().len());
        let copied = full.min(len);
        if copied < full {
            msg.set_flag(msg_flags::TRUNC);
        }
        // Out-of-band messages carry a header of zeros, as every message
        // of a socket with headers starts with one.
        let copied_out = if vnet_hdr == 0 {
            Ok(())
        } else if kind == MsgKind::Data {
            msg.put_vnet_hdr(&skb, vnet_hdr)
        } else {
            msg.copy_bytes(&[0; VNET_HDR_MAX][..vnet_hdr.min(VNET_HDR_MAX)])
        }
        .and_then(|()| match &notice {
            Some(n) => msg.copy_bytes(&n.as_bytes()[..copied]),
            None => msg.copy_from(&skb, copied),
        });
        msg.put_meta(sk, &skb);
        drop(skb);
        // The message left the queue even if copying it out failed (a bad
        // buffer): its room is free, and a lossless sender may be waiting.
        if !peek {
            if net.lossless() {
                net.wake_senders();
            }
            if kind == MsgKind::Data {
                let c = &node.counters;
                Counters::count(&c.rx_msgs, &c.rx_bytes, full);
            }
        }
        copied_out?;
        Ok(vnet_hdr
            + if flags & msg_flags::TRUNC != 0 {
                full
            } else {
                copied
            })
    }
}
