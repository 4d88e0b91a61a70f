//! [`Socket`]: one AF_IPN socket, and [`NetworkBuilder`], the options of
//! a network it creates.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use libc::c_int;
use socket2::{Domain, Protocol, Type};

use crate::raw::{self, errno};
use crate::switch::Switch;
use crate::sys;

/// A delivery policy: the protocol of an AF_IPN socket.
///
/// A policy no loaded module provides is loaded on demand by the kernel
/// (`net-pf-46-proto-N`); if none exists, creating the socket fails with
/// `EPROTONOSUPPORT`.
///
/// ```
/// use ipn::Policy;
/// assert_eq!(Policy::SWITCH.number(), 2);
/// assert_eq!(Policy::from(1), Policy::HUB);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy(c_int);

impl Policy {
    /// The network's own policy when joining one; a hub when creating one.
    pub const ANY: Policy = Policy(sys::IPN_ANY);
    /// A hub: every message goes to every other node.
    pub const HUB: Policy = Policy(sys::IPN_BROADCAST);
    /// An Ethernet switch with VLANs (`kvde_switch.ko`).
    pub const SWITCH: Policy = Policy(sys::IPN_VDESWITCH);

    /// The protocol number, as `socket(2)` takes it.
    ///
    /// ```
    /// assert_eq!(ipn::Policy::HUB.number(), ipn::sys::IPN_BROADCAST);
    /// ```
    pub const fn number(self) -> c_int {
        self.0
    }

    /// The policy's name, for the policies this crate knows.
    ///
    /// ```
    /// assert_eq!(ipn::Policy::SWITCH.name(), Some("switch"));
    /// assert_eq!(ipn::Policy::from(9).name(), None);
    /// ```
    pub const fn name(self) -> Option<&'static str> {
        match self.0 {
            sys::IPN_ANY => Some("any"),
            sys::IPN_BROADCAST => Some("hub"),
            sys::IPN_VDESWITCH => Some("switch"),
            _ => None,
        }
    }
}

impl From<c_int> for Policy {
    fn from(n: c_int) -> Self {
        Policy(n)
    }
}

impl std::fmt::Display for Policy {
    /// The name, or the number for a policy this crate does not know.
    ///
    /// ```
    /// assert_eq!(ipn::Policy::HUB.to_string(), "hub");
    /// assert_eq!(ipn::Policy::from(7).to_string(), "7");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The options of a network to create, and of the socket that creates
/// or joins it.
///
/// The network options (MTU, ports, queue length, loss, permissions) take
/// effect only if this socket creates the network; a socket that binds to
/// an existing one takes that network's values.
///
/// ```no_run
/// use ipn::{NetworkBuilder, Policy};
///
/// // Create the network (or attach to it) and take a port.
/// let node = NetworkBuilder::new(Policy::HUB)
///     .mtu(9000)
///     .lossless(true)
///     .mode(0o770)
///     .description("producer")
///     .join("/tmp/stream")?;
/// node.send(b"hello")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NetworkBuilder {
    policy: Policy,
    mtu: Option<u32>,
    numnodes: Option<u32>,
    msgpoolsize: Option<u32>,
    flags: c_int,
    mode: Option<u32>,
    port: Option<u32>,
    vnet_hdr: Option<u32>,
    description: Option<String>,
}

impl Default for NetworkBuilder {
    fn default() -> Self {
        Self::new(Policy::ANY)
    }
}

impl NetworkBuilder {
    /// Options for a network of `policy`, all others the kernel's defaults.
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::new(ipn::Policy::SWITCH);
    /// # drop(b);
    /// ```
    pub fn new(policy: Policy) -> Self {
        NetworkBuilder {
            policy,
            mtu: None,
            numnodes: None,
            msgpoolsize: None,
            flags: 0,
            mode: None,
            port: None,
            vnet_hdr: None,
            description: None,
        }
    }

    /// The largest message, 1..=65535 bytes (`IPN_SO_MTU`, default 1514).
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().mtu(65535);
    /// # drop(b);
    /// ```
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// The number of ports, 1..=4096 (`IPN_SO_NUMNODES`, default 32).
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().numnodes(256);
    /// # drop(b);
    /// ```
    pub fn numnodes(mut self, numnodes: u32) -> Self {
        self.numnodes = Some(numnodes);
        self
    }

    /// The messages a node may have queued, 1..=4096
    /// (`IPN_SO_MSGPOOLSIZE`, default 8).
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().msgpoolsize(64);
    /// # drop(b);
    /// ```
    pub fn msgpoolsize(mut self, msgpoolsize: u32) -> Self {
        self.msgpoolsize = Some(msgpoolsize);
        self
    }

    /// Whether senders wait for the slowest reader instead of dropping
    /// for it (`IPN_FLAG_LOSSLESS`).
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().lossless(true);
    /// # drop(b);
    /// ```
    pub fn lossless(self, on: bool) -> Self {
        self.flag(sys::IPN_FLAG_LOSSLESS, on)
    }

    /// Whether binding fails with `EEXIST` when the network exists
    /// (`IPN_FLAG_EXCL`).
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().exclusive(true);
    /// # drop(b);
    /// ```
    pub fn exclusive(self, on: bool) -> Self {
        self.flag(sys::IPN_FLAG_EXCL, on)
    }

    fn flag(mut self, flag: c_int, on: bool) -> Self {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
        self
    }

    /// The permission bits of the network's node before the umask
    /// (`IPN_SO_MODE`, default 0777): `r` receive, `w` send, `x` manage.
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().mode(0o770);
    /// # drop(b);
    /// ```
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The port to take when joining (`IPN_SO_PORT`); the first free one
    /// otherwise.
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().port(3);
    /// # drop(b);
    /// ```
    pub fn port(mut self, port: u32) -> Self {
        self.port = Some(port);
        self
    }

    /// Every message sent and received starts with a virtio-net header of
    /// `len` bytes (`IPN_SO_VNET_HDR`): 10 (`struct virtio_net_hdr`), 12
    /// (`struct virtio_net_hdr_mrg_rxbuf`) or 0 (none, the default). For a
    /// VM backend: frames keep their offloads (GSO, partial checksums).
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().vnet_hdr(10);
    /// # drop(b);
    /// ```
    pub fn vnet_hdr(mut self, len: u32) -> Self {
        self.vnet_hdr = Some(len);
        self
    }

    /// The description of the node (`IPN_SO_DESCR`, up to 128 bytes),
    /// which management tools show.
    ///
    /// ```
    /// let b = ipn::NetworkBuilder::default().description("qemu vm1");
    /// # drop(b);
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A new socket with these options set, neither bound nor connected.
    ///
    /// ```no_run
    /// let s = ipn::NetworkBuilder::default().mtu(4000).socket()?;
    /// assert_eq!(s.mtu()?, 4000);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn socket(&self) -> io::Result<Socket> {
        let s = Socket::new(self.policy)?;
        let opts = [
            (sys::IPN_SO_MTU, self.mtu),
            (sys::IPN_SO_NUMNODES, self.numnodes),
            (sys::IPN_SO_MSGPOOLSIZE, self.msgpoolsize),
            (sys::IPN_SO_MODE, self.mode),
        ];
        for (name, value) in opts {
            if let Some(v) = value {
                s.set_int(sys::SOL_IPN, name, int(v)?)?;
            }
        }
        if self.flags != 0 {
            s.set_int(sys::SOL_IPN, sys::IPN_SO_FLAGS, self.flags)?;
        }
        if let Some(port) = self.port {
            s.set_int(sys::SOL_IPN, sys::IPN_SO_PORT, int(port)?)?;
        }
        if let Some(len) = self.vnet_hdr {
            s.set_int(sys::SOL_IPN, sys::IPN_SO_VNET_HDR, int(len)?)?;
        }
        Ok(s)
    }

    fn describe(&self, s: Socket) -> io::Result<Socket> {
        if let Some(d) = &self.description {
            s.set_description(d)?;
        }
        Ok(s)
    }

    /// Creates the network at `path`, or attaches to the one there, without
    /// taking a port: the socket manages the network (interfaces, options)
    /// and keeps it alive, but sends and receives nothing.
    ///
    /// ```no_run
    /// let manager = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// manager.add_tap(Some("ipn0"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(&self, path: impl AsRef<Path>) -> io::Result<Socket> {
        let s = self.socket()?;
        s.bind(path)?;
        self.describe(s)
    }

    /// Creates the network at `path` or attaches to it, and takes a port:
    /// what every peer of a network runs.  Binding needs the manage (`x`)
    /// right on an existing network's node (`EACCES`); a peer with only
    /// `r` or `w` uses [`connect`](NetworkBuilder::connect).
    ///
    /// ```no_run
    /// let node = ipn::NetworkBuilder::default().join("/tmp/net")?;
    /// node.send(b"to everyone")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn join(&self, path: impl AsRef<Path>) -> io::Result<Socket> {
        let s = self.socket()?;
        s.bind(&path)?;
        s.connect(&path)?;
        self.describe(s)
    }

    /// Takes a port on the existing network at `path`, without the manage
    /// (`x`) right a bind needs: `ECONNREFUSED` if there is none.
    ///
    /// ```no_run
    /// let consumer = ipn::NetworkBuilder::default().connect("/tmp/stream")?;
    /// let mut buf = [0u8; 1514];
    /// let n = consumer.recv(&mut buf)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<Socket> {
        let s = self.socket()?;
        s.connect(path)?;
        self.describe(s)
    }
}

fn int(v: u32) -> io::Result<c_int> {
    c_int::try_from(v).map_err(|_| errno(libc::EINVAL))
}

/// A received message: its length, whether it was longer than the
/// buffer (the rest is lost, as for any datagram), and what the kernel
/// says of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// Bytes written to the buffer.
    pub len: usize,
    /// The message was longer than the buffer (`MSG_TRUNC`).
    pub truncated: bool,
    /// An out-of-band message (`MSG_OOB`): a [`Members`] notice, or a
    /// message of the network's policy.  See
    /// [`Socket::set_out_of_band`].
    pub out_of_band: bool,
    /// The port the message came from, a socket's or an interface's;
    /// `None` for the policy's own messages and the kernel's notices.
    pub port: Option<u32>,
    /// Who sent it, with [`Socket::set_pass_credentials`]; `None` for
    /// frames of interfaces and out-of-band messages.
    pub credentials: Option<Credentials>,
}

/// The sender of a message (`SCM_CREDENTIALS`), as the receiving process's
/// namespaces see it: pid 0 for a process outside its pid namespace, the
/// overflow id (65534) for a user or group its user namespace does not map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The sending process.
    pub pid: i32,
    /// Its real user id when it sent.
    pub uid: u32,
    /// Its real group id when it sent.
    pub gid: u32,
}

/// A reader/writer notice (`struct ipn_numnode_oob`): how many sockets
/// and interfaces of the network read and write.  See
/// [`Socket::set_member_notices`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Members {
    /// Connected sockets not shut down for reading, and interfaces.
    pub readers: u32,
    /// Connected sockets not shut down for writing, and interfaces.
    pub writers: u32,
}

impl Members {
    /// The notice in an out-of-band message, if it is one.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_out_of_band(true)?;
    /// s.set_member_notices(true)?;
    /// let mut buf = [0u8; 1514];
    /// let r = s.recv_msg(&mut buf)?;
    /// if let Some(m) = r.out_of_band.then(|| ipn::Members::parse(&buf[..r.len])).flatten() {
    ///     println!("{} readers", m.readers);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn parse(msg: &[u8]) -> Option<Members> {
        let int = |i: usize| -> Option<c_int> {
            let b = msg.get(i * 4..i * 4 + 4)?;
            Some(c_int::from_ne_bytes(b.try_into().ok()?))
        };
        if msg.len() != std::mem::size_of::<sys::ipn_numnode_oob>()
            || int(0)? != sys::IPN_ANY
            || int(1)? != sys::IPN_OOB_NUMNODE_TAG
        {
            return None;
        }
        Some(Members {
            readers: u32::try_from(int(2)?).ok()?,
            writers: u32::try_from(int(3)?).ok()?,
        })
    }
}

/// An AF_IPN socket.
///
/// Bound, it manages a network; connected, it is a node of one, holding a
/// port: what it sends goes, by the network's policy, to other nodes, and
/// it receives theirs, one whole message per call.  Every error is a
/// [`std::io::Error`] carrying the kernel's errno
/// ([`raw_os_error()`](std::io::Error::raw_os_error)).
///
/// ```no_run
/// use ipn::Socket;
///
/// let a = Socket::join("/tmp/net")?;
/// let b = Socket::join("/tmp/net")?;
/// a.send(b"ping")?;
/// let mut buf = [0u8; 64];
/// let n = b.recv(&mut buf)?;
/// assert_eq!(&buf[..n], b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Socket {
    inner: socket2::Socket,
}

impl Socket {
    /// A new socket of `policy`, close-on-exec.
    ///
    /// ```no_run
    /// let s = ipn::Socket::new(ipn::Policy::HUB)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(policy: Policy) -> io::Result<Socket> {
        let inner = socket2::Socket::new(
            Domain::from(raw::family()),
            Type::RAW,
            Some(Protocol::from(policy.number())),
        )?;
        Ok(Socket { inner })
    }

    /// Creates or attaches to the network at `path` with the default
    /// options, and takes a port.  See [`NetworkBuilder::join`].
    ///
    /// ```no_run
    /// let node = ipn::Socket::join("/tmp/net")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn join(path: impl AsRef<Path>) -> io::Result<Socket> {
        NetworkBuilder::default().join(path)
    }

    /// `bind(2)`: creates the network at `path` with this socket's options,
    /// or attaches to the one there.
    ///
    /// ```no_run
    /// let s = ipn::Socket::new(ipn::Policy::HUB)?;
    /// s.bind("/tmp/net")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.bind(&raw::sockaddr(path.as_ref())?)
    }

    /// `connect(2)`: takes a port on the network at `path` (after
    /// [`bind`](Socket::bind), the same path).
    ///
    /// ```no_run
    /// let s = ipn::Socket::new(ipn::Policy::ANY)?;
    /// s.connect("/tmp/net")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.connect(&raw::sockaddr(path.as_ref())?)
    }

    /// Sends one message to the network; returns its length.
    ///
    /// `EOVERFLOW` if it is larger than the MTU; in a lossless network it
    /// waits for room in every receiver (`EAGAIN` when non-blocking).
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.send(b"hello")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send(&self, msg: &[u8]) -> io::Result<usize> {
        self.inner.send_with_flags(msg, libc::MSG_NOSIGNAL)
    }

    /// Receives one message into `buf`; returns its length (at most
    /// `buf.len()`: the rest of a longer message is lost, see
    /// [`recv_msg`](Socket::recv_msg)).  Messages are never empty: 0 means
    /// the node is shut down for reading and its queue is empty.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let mut buf = [0u8; 1514];
    /// let n = s.recv(&mut buf)?;
    /// println!("{:?}", &buf[..n]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_msg(buf).map(|r| r.len)
    }

    /// Receives one message into `buf`, telling whether it was truncated.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let mut buf = [0u8; 16];
    /// let r = s.recv_msg(&mut buf)?;
    /// if r.truncated {
    ///     eprintln!("message longer than 16 bytes");
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_msg(&self, buf: &mut [u8]) -> io::Result<Received> {
        self.recv_flags(buf, 0)
    }

    /// Receives the next message only if it is out of band, never
    /// waiting: `EAGAIN` ([`io::ErrorKind::WouldBlock`]) when the next one
    /// is not (`recv(MSG_OOB)`); `EINVAL` without
    /// [`set_out_of_band`](Socket::set_out_of_band).
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_out_of_band(true)?;
    /// let mut buf = [0u8; 64];
    /// match s.recv_out_of_band(&mut buf) {
    ///     Ok(r) => println!("{:?}", ipn::Members::parse(&buf[..r.len])),
    ///     Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_out_of_band(&self, buf: &mut [u8]) -> io::Result<Received> {
        self.recv_flags(buf, libc::MSG_OOB)
    }

    fn recv_flags(&self, buf: &mut [u8], flags: c_int) -> io::Result<Received> {
        let m = raw::recv(self.as_fd(), buf, flags)?;
        Ok(Received {
            len: m.len,
            truncated: m.truncated,
            out_of_band: m.oob,
            port: u32::try_from(m.port).ok(),
            credentials: m.cred.map(|c| Credentials {
                pid: c.pid,
                uid: c.uid,
                gid: c.gid,
            }),
        })
    }

    /// Receives out-of-band messages (`IPN_SO_HANDLE_OOB`): the kernel's
    /// [`Members`] notices and the policy's own, queued ahead of data and
    /// marked [`Received::out_of_band`]; `poll` says `POLLPRI` while one is
    /// first.  They reach a socket shut down for reading too.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_out_of_band(true)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_out_of_band(&self, on: bool) -> io::Result<()> {
        self.set_int(sys::SOL_IPN, sys::IPN_SO_HANDLE_OOB, c_int::from(on))
    }

    /// Receives a [`Members`] notice whenever the number of readers or
    /// writers of the network changes, and one at once if connected
    /// (`IPN_SO_WANT_OOB_NUMNODES`; needs
    /// [`set_out_of_band`](Socket::set_out_of_band) too).  Notices do not
    /// pile up: reading one gives the numbers of that moment.
    ///
    /// ```no_run
    /// // A producer that only sends while someone listens.
    /// let s = ipn::Socket::join("/tmp/stream")?;
    /// s.shutdown(std::net::Shutdown::Read)?;
    /// s.set_out_of_band(true)?;
    /// s.set_member_notices(true)?;
    /// let mut buf = [0u8; 64];
    /// let r = s.recv_msg(&mut buf)?;
    /// let m = ipn::Members::parse(&buf[..r.len]).unwrap();
    /// println!("{} readers besides the producer", m.readers);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_member_notices(&self, on: bool) -> io::Result<()> {
        self.set_int(sys::SOL_IPN, sys::IPN_SO_WANT_OOB_NUMNODES, c_int::from(on))
    }

    /// Adds the sender's [`Credentials`] to every message a process sent
    /// (`SO_PASSCRED`).
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_pass_credentials(true)?;
    /// let mut buf = [0u8; 1514];
    /// let r = s.recv_msg(&mut buf)?;
    /// if let Some(c) = r.credentials {
    ///     println!("from pid {} uid {}", c.pid, c.uid);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_pass_credentials(&self, on: bool) -> io::Result<()> {
        self.set_int(libc::SOL_SOCKET, libc::SO_PASSCRED, c_int::from(on))
    }

    /// Non-blocking mode (`O_NONBLOCK`): calls that would wait fail with
    /// `EAGAIN` ([`io::ErrorKind::WouldBlock`]).
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_nonblocking(true)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        self.inner.set_nonblocking(on)
    }

    /// `SO_RCVTIMEO`: how long [`recv`](Socket::recv) waits.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_read_timeout(Some(std::time::Duration::from_secs(1)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.set_read_timeout(timeout)
    }

    /// `SO_SNDTIMEO`: how long [`send`](Socket::send) waits in a lossless
    /// network.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_write_timeout(Some(std::time::Duration::from_secs(1)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.set_write_timeout(timeout)
    }

    /// The path the socket was bound or connected with.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// assert_eq!(s.path()?, std::path::Path::new("/tmp/net"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> io::Result<PathBuf> {
        raw::sockaddr_path(&self.inner.local_addr()?).ok_or_else(|| errno(libc::ENOTCONN))
    }

    /// The port this socket holds (or asked for), or `None`.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// println!("port {:?}", s.port()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(&self) -> io::Result<Option<u32>> {
        let p = self.get_int(sys::SOL_IPN, sys::IPN_SO_PORT)?;
        Ok(u32::try_from(p).ok())
    }

    /// The description of this node.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_description("logger")?;
    /// assert_eq!(s.description()?, "logger");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn description(&self) -> io::Result<String> {
        let mut buf = [0u8; sys::IPN_DESCRLEN];
        let n = raw::getsockopt_slice(self.as_fd(), sys::SOL_IPN, sys::IPN_SO_DESCR, &mut buf)?;
        let s = &buf[..n];
        let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        Ok(String::from_utf8_lossy(&s[..end]).into_owned())
    }

    /// Sets the description of this node: at most 128 bytes and no NUL
    /// (`EINVAL` here: the kernel would cut it short); `ENOTCONN` before
    /// bind or connect.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.set_description("logger")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_description(&self, description: &str) -> io::Result<()> {
        let bytes = description.as_bytes();
        if bytes.len() > sys::IPN_DESCRLEN || bytes.contains(&0) {
            return Err(errno(libc::EINVAL));
        }
        raw::setsockopt_slice(self.as_fd(), sys::SOL_IPN, sys::IPN_SO_DESCR, bytes)
    }

    /// The network's MTU (before bind: the one a new network would get).
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let mtu = s.mtu()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mtu(&self) -> io::Result<u32> {
        self.get_u32(sys::IPN_SO_MTU)
    }

    /// The network's number of ports.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let ports = s.numnodes()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn numnodes(&self) -> io::Result<u32> {
        self.get_u32(sys::IPN_SO_NUMNODES)
    }

    /// The network's per-node queue length, in messages.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let queue = s.msgpoolsize()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn msgpoolsize(&self) -> io::Result<u32> {
        self.get_u32(sys::IPN_SO_MSGPOOLSIZE)
    }

    /// Whether the network is lossless.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let lossless = s.is_lossless()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_lossless(&self) -> io::Result<bool> {
        Ok(self.get_int(sys::SOL_IPN, sys::IPN_SO_FLAGS)? & sys::IPN_FLAG_LOSSLESS != 0)
    }

    /// The permission bits asked for the network's node.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// let mode = s.mode()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mode(&self) -> io::Result<u32> {
        self.get_u32(sys::IPN_SO_MODE)
    }

    /// The length of the virtio-net header that starts every message
    /// (`IPN_SO_VNET_HDR`), or 0.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// assert_eq!(s.vnet_hdr()?, 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn vnet_hdr(&self) -> io::Result<u32> {
        self.get_u32(sys::IPN_SO_VNET_HDR)
    }

    /// Resizes the network's port table, from a bound socket
    /// (`EADDRINUSE` when shrinking over a busy port).
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/net")?;
    /// s.set_numnodes(64)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_numnodes(&self, numnodes: u32) -> io::Result<()> {
        self.set_int(sys::SOL_IPN, sys::IPN_SO_CHANGE_NUMNODES, int(numnodes)?)
    }

    /// Messages dropped for this node because its queue was full
    /// (`SO_MEMINFO`'s `SK_MEMINFO_DROPS`).
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// println!("{} dropped", s.drops()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn drops(&self) -> io::Result<u32> {
        let mut info = [0u32; sys::SK_MEMINFO_VARS];
        let n = raw::getsockopt_slice(self.as_fd(), libc::SOL_SOCKET, sys::SO_MEMINFO, &mut info)?;
        let i = libc::SK_MEMINFO_DROPS as usize;
        if n > i {
            Ok(info[i])
        } else {
            Err(errno(libc::EINVAL))
        }
    }

    /// The Ethernet switch's options and tables, for a socket of a switch
    /// network.
    ///
    /// ```no_run
    /// let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// s.switch().set_pvid(1, 10)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn switch(&self) -> Switch<'_> {
        Switch::new(self.as_fd())
    }

    /// Creates a tap-like Ethernet interface on the network
    /// (`IPN_CONN_NETDEV`, `IPN_NODEFLAG_TAP`), named `name` or `ipn%d`;
    /// returns its name.  Needs a bound socket and `CAP_NET_ADMIN`; the
    /// interface goes when the socket closes unless made persistent.
    ///
    /// ```no_run
    /// let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// let name = s.add_tap(None)?;
    /// println!("created {name}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn add_tap(&self, name: Option<&str>) -> io::Result<String> {
        let mut ifr = raw::ifreq(name.unwrap_or(""), sys::IPN_NODEFLAG_TAP)?;
        raw::ioctl_ifreq(self.as_fd(), sys::IPN_CONN_NETDEV, &mut ifr)?;
        Ok(raw::ifreq_name(&ifr))
    }

    /// Connects an existing interface of the host to the network
    /// (`IPN_CONN_NETDEV`, `IPN_NODEFLAG_GRAB`): its received frames enter
    /// the network, and the network's frames leave through it.
    ///
    /// ```no_run
    /// let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// s.grab("eth1")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn grab(&self, name: &str) -> io::Result<()> {
        let mut ifr = raw::ifreq(name, sys::IPN_NODEFLAG_GRAB)?;
        raw::ioctl_ifreq(self.as_fd(), sys::IPN_CONN_NETDEV, &mut ifr).map(drop)
    }

    /// Makes the interfaces this socket controls persistent, or transient
    /// again (`IPN_SETPERSIST`): a persistent interface, and its network,
    /// outlive the socket.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/net")?;
    /// s.add_tap(Some("ipn0"))?;
    /// s.set_persistent(true)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_persistent(&self, on: bool) -> io::Result<()> {
        raw::ioctl_int(self.as_fd(), sys::IPN_SETPERSIST, c_int::from(on)).map(drop)
    }

    /// Sets or clears persistence of the IPN interface `name`, from any
    /// AF_IPN socket (`IPN_SETPERSIST_NETDEV`, `IPN_CLRPERSIST_NETDEV`).
    /// Cleared on an interface no socket controls, it takes it off its
    /// network.
    ///
    /// ```no_run
    /// let s = ipn::Socket::new(ipn::Policy::ANY)?;
    /// s.set_interface_persistent("ipn0", false)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_interface_persistent(&self, name: &str, on: bool) -> io::Result<()> {
        let mut ifr = raw::ifreq(name, 0)?;
        let req = if on {
            sys::IPN_SETPERSIST_NETDEV
        } else {
            sys::IPN_CLRPERSIST_NETDEV
        };
        raw::ioctl_ifreq(self.as_fd(), req, &mut ifr).map(drop)
    }

    /// Takes control of a persistent interface of this socket's network
    /// that no socket controls (`IPN_JOIN_NETDEV`).
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/net")?;
    /// s.take_interface("ipn0")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_interface(&self, name: &str) -> io::Result<()> {
        let mut ifr = raw::ifreq(name, 0)?;
        raw::ioctl_ifreq(self.as_fd(), sys::IPN_JOIN_NETDEV, &mut ifr).map(drop)
    }

    /// Whether `fd` is an AF_IPN socket: a socket of the family
    /// (`SO_DOMAIN`) that answers `IPN_CHECK` (other drivers use the same
    /// ioctl type, so nothing else is asked).
    ///
    /// ```
    /// let f = std::fs::File::open("/dev/null")?;
    /// assert!(!ipn::Socket::is_ipn(&f));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_ipn(fd: impl AsFd) -> bool {
        let fd = fd.as_fd();
        matches!(
            raw::getsockopt::<c_int>(fd, libc::SOL_SOCKET, libc::SO_DOMAIN),
            Ok(f) if f == raw::family()
        ) && matches!(
            raw::ioctl_int(fd, sys::IPN_CHECK, 0),
            Ok(sys::IPN_CHECK_MAGIC)
        )
    }

    /// Shuts the node down for receiving, sending or both, as
    /// `shutdown(2)`: [`recv`](Socket::recv) then returns 0 once its queue
    /// is empty, and [`send`](Socket::send) fails with `EPIPE`.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.shutdown(std::net::Shutdown::Read)?; // send only
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        self.inner.shutdown(how)
    }

    /// The socket2 socket, for what this crate does not wrap.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/net")?;
    /// s.as_socket2().set_recv_buffer_size(1 << 20)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_socket2(&self) -> &socket2::Socket {
        &self.inner
    }

    pub(crate) fn get_int(&self, level: c_int, name: c_int) -> io::Result<c_int> {
        raw::getsockopt(self.as_fd(), level, name)
    }

    fn get_u32(&self, name: c_int) -> io::Result<u32> {
        let v = self.get_int(sys::SOL_IPN, name)?;
        u32::try_from(v).map_err(|_| errno(libc::EINVAL))
    }

    pub(crate) fn set_int(&self, level: c_int, name: c_int, value: c_int) -> io::Result<()> {
        raw::setsockopt(self.as_fd(), level, name, &value)
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl From<Socket> for OwnedFd {
    fn from(s: Socket) -> OwnedFd {
        s.inner.into()
    }
}

impl IntoRawFd for Socket {
    fn into_raw_fd(self) -> RawFd {
        self.inner.into_raw_fd()
    }
}

impl TryFrom<OwnedFd> for Socket {
    type Error = io::Error;

    /// Adopts a descriptor, if it is an AF_IPN socket (`ENOTSOCK`
    /// otherwise, and the descriptor is closed).
    fn try_from(fd: OwnedFd) -> io::Result<Socket> {
        if Socket::is_ipn(&fd) {
            Ok(Socket { inner: fd.into() })
        } else {
            Err(errno(libc::ENOTSOCK))
        }
    }
}

impl FromRawFd for Socket {
    /// # Safety
    ///
    /// `fd` must be an open AF_IPN socket that nothing else owns.
    unsafe fn from_raw_fd(fd: RawFd) -> Socket {
        // SAFETY: the caller passes ownership of an open socket.
        Socket {
            inner: unsafe { socket2::Socket::from_raw_fd(fd) },
        }
    }
}
