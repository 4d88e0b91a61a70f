//! What exists: the IPN networks of this network namespace, with the
//! sockets and interfaces on their ports, read from the kernel's socket
//! diagnostics (`NETLINK_SOCK_DIAG`, `<linux/ipn_diag.h>`), as `ss` reads
//! AF_UNIX sockets.
//!
//! Any user may look, as for AF_UNIX; sockets and interfaces are shown in
//! the namespace they are in, and a network where one of them is.

use std::io::{self, Read};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use socket2::{Domain, Protocol, Type};

use crate::{sys, Policy};

/// A network, as the kernel reports it.
///
/// ```no_run
/// let net = ipn::Query::new().path("/tmp/net")?.run()?.pop();
/// if let Some(net) = net {
///     println!("{} ports of {} taken", net.ports_taken, net.numnodes);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NetworkInfo {
    /// The network's filesystem node, from this process's root; `None` if
    /// the kernel could not name it (a path longer than `PATH_MAX`).
    pub path: Option<PathBuf>,
    /// Its delivery policy's number (see [`Policy`]).
    pub policy: i32,
    /// The node's inode number and device (as `stat(2)`'s `st_dev`).
    pub inode: u64,
    /// See `inode`.
    pub dev: u64,
    /// The owner of the node.
    pub uid: u32,
    /// The node's permission bits.
    pub mode: u32,
    /// The largest message.
    pub mtu: u32,
    /// The number of ports.
    pub numnodes: u32,
    /// The receive queue bound, in messages.
    pub msgpoolsize: u32,
    /// `IPN_FLAG_*`.
    pub flags: u32,
    /// Ports taken (by sockets of any namespace, and interfaces).
    pub ports_taken: u32,
    /// Sockets and interfaces holding the network.
    pub users: u32,
    /// Its sockets in this namespace: connected ones in port order, then
    /// the ones only bound (managing).
    pub sockets: Vec<SocketInfo>,
    /// Its interfaces in this namespace.
    pub interfaces: Vec<InterfaceInfo>,
}

impl NetworkInfo {
    /// The policy's name, or its number.
    ///
    /// ```
    /// let net = ipn::NetworkInfo { policy: 2, ..Default::default() };
    /// assert_eq!(net.policy_name(), "switch");
    /// ```
    pub fn policy_name(&self) -> String {
        match Policy::from(self.policy).name() {
            Some(n) => n.to_string(),
            None => self.policy.to_string(),
        }
    }
}

/// A socket on a network.
///
/// ```no_run
/// // Who reads the network at /tmp/net, and how far behind they are.
/// for net in ipn::Query::new().path("/tmp/net")?.run()? {
///     for s in net.sockets.iter().filter(|s| s.port.is_some()) {
///         println!("{} {}: {} queued", s.inode, s.description, s.rqueue_messages);
///     }
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SocketInfo {
    /// The socket's inode number (as in `/proc/PID/fd`).
    pub inode: u32,
    /// Its cookie (`SO_COOKIE`).
    pub cookie: u64,
    /// Its owner.
    pub uid: u32,
    /// Its port; `None` when it is only bound.
    pub port: Option<u32>,
    /// Its description (`IPN_SO_DESCR`).
    pub description: String,
    /// Shut down for receiving (`SHUT_RD`, or no read right).
    pub shut_rd: bool,
    /// Shut down for sending (`SHUT_WR`, or no write right).
    pub shut_wr: bool,
    /// Messages waiting in its receive queue.
    pub rqueue_messages: u32,
    /// Memory they hold, in bytes.
    pub rqueue_bytes: u32,
    /// Messages dropped because its queue was full.
    pub drops: u32,
    /// Messages its owner read.
    pub rx_messages: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Messages it sent.
    pub tx_messages: u64,
    /// Their bytes.
    pub tx_bytes: u64,
}

/// An interface of the host on a port.
///
/// ```no_run
/// // The taps of every network.
/// for net in ipn::Query::new().run()? {
///     for i in net.interfaces.iter().filter(|i| i.tap) {
///         println!("{} on port {}", i.name, i.port);
///     }
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InterfaceInfo {
    /// Its name.
    pub name: String,
    /// Its index.
    pub ifindex: u32,
    /// Its port.
    pub port: u32,
    /// A tap that IPN created (else an interface grabbed).
    pub tap: bool,
    /// It stays when no socket controls it.
    pub persistent: bool,
    /// A socket controls it.
    pub controlled: bool,
}

/// A query of the networks, filtered by policy or by network.
///
/// ```no_run
/// // Every network of this namespace, with its sockets and interfaces.
/// for net in ipn::Query::new().run()? {
///     println!("{:?}: {} ports taken", net.path, net.ports_taken);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Query {
    req: sys::ipn_diag_req,
}

impl Query {
    /// Every network.
    pub fn new() -> Query {
        Query {
            req: sys::ipn_diag_req {
                sdiag_family: crate::raw::family() as u8,
                ..Default::default()
            },
        }
    }

    /// Only networks of `policy`.
    ///
    /// ```
    /// let q = ipn::Query::new().policy(ipn::Policy::SWITCH);
    /// ```
    pub fn policy(mut self, policy: Policy) -> Query {
        self.req.sdiag_protocol = u8::try_from(policy.number()).unwrap_or(0);
        self
    }

    /// Only the network at `path`; `ENOENT` and the like when nothing is
    /// there (what is there need not be a network: the answer is then
    /// empty).
    ///
    /// ```no_run
    /// let q = ipn::Query::new().path("/tmp/net")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(mut self, path: impl AsRef<Path>) -> io::Result<Query> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path)?;
        self.req.idiag_net_ino = [m.ino() as u32, (m.ino() >> 32) as u32];
        self.req.idiag_net_dev = encode_dev(m.dev());
        Ok(self)
    }

    /// Only the socket with inode `inode`, and its network.
    ///
    /// ```
    /// let q = ipn::Query::new().socket(1234);
    /// ```
    pub fn socket(mut self, inode: u32) -> Query {
        self.req.idiag_ino = inode;
        self
    }

    /// Asks the kernel.  An old `ipn.ko`, or none, answers `ENOENT`.
    pub fn run(&self) -> io::Result<Vec<NetworkInfo>> {
        let nl = socket2::Socket::new(
            Domain::from(libc::AF_NETLINK),
            Type::RAW,
            Some(Protocol::from(libc::NETLINK_SOCK_DIAG)),
        )?;
        nl.send(&request(&self.req, 1))?;
        let mut buf = vec![0u8; 32 * 1024];
        let mut parser = Parser::default();
        loop {
            let n = (&nl).read(&mut buf)?;
            if parser.feed(&buf[..n])? {
                return Ok(parser.nets);
            }
        }
    }
}

/// The kernel's encoding of a device number (`new_encode_dev()`), as
/// `ipn_diag` reports it, from glibc's 64-bit `dev_t`.
fn encode_dev(dev: u64) -> u32 {
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
}

/// The kernel's device number as `st_dev` gives it.
fn decode_dev(dev: u32) -> u64 {
    let major = (dev & 0xfff00) >> 8;
    let minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    libc::makedev(major, minor)
}

const NLMSG_HDRLEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;

const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// A dump request: a `struct nlmsghdr` and `req`.
fn request(req: &sys::ipn_diag_req, seq: u32) -> Vec<u8> {
    let len = NLMSG_HDRLEN + std::mem::size_of::<sys::ipn_diag_req>();
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(&(len as u32).to_ne_bytes());
    v.extend_from_slice(&sys::SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&seq.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes());
    v.push(req.sdiag_family);
    v.push(req.sdiag_protocol);
    v.extend_from_slice(&req.pad.to_ne_bytes());
    v.extend_from_slice(&req.idiag_show.to_ne_bytes());
    v.extend_from_slice(&req.idiag_ino.to_ne_bytes());
    for half in req.idiag_net_ino {
        v.extend_from_slice(&half.to_ne_bytes());
    }
    v.extend_from_slice(&req.idiag_net_dev.to_ne_bytes());
    v
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("ipn_diag: {what}"))
}

fn u32_at(b: &[u8], off: usize) -> io::Result<u32> {
    b.get(off..off + 4)
        .map(|s| u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| bad("short record"))
}

fn u16_at(b: &[u8], off: usize) -> io::Result<u16> {
    b.get(off..off + 2)
        .map(|s| u16::from_ne_bytes([s[0], s[1]]))
        .ok_or_else(|| bad("short record"))
}

fn u64_at(b: &[u8], off: usize) -> io::Result<u64> {
    b.get(off..off + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_ne_bytes)
        .ok_or_else(|| bad("short record"))
}

/// A string attribute, up to its NUL.
fn string(b: &[u8]) -> Vec<u8> {
    b.split(|c| *c == 0).next().unwrap_or(&[]).to_vec()
}

/// Assembles the records of a dump into networks.
#[derive(Default)]
struct Parser {
    nets: Vec<NetworkInfo>,
}

impl Parser {
    /// Takes one datagram of the answer; `Ok(true)` once it is complete.
    fn feed(&mut self, mut b: &[u8]) -> io::Result<bool> {
        while b.len() >= NLMSG_HDRLEN {
            let len = u32_at(b, 0)? as usize;
            if len < NLMSG_HDRLEN || len > b.len() {
                return Err(bad("bad message length"));
            }
            let payload = &b[NLMSG_HDRLEN..len];
            match u16_at(b, 4)? {
                // The error a dump ended with, if any.
                NLMSG_DONE => {
                    let err = u32_at(payload, 0).unwrap_or(0) as i32;
                    return if err < 0 {
                        Err(io::Error::from_raw_os_error(-err))
                    } else {
                        Ok(true)
                    };
                }
                NLMSG_ERROR => {
                    let err = u32_at(payload, 0)? as i32;
                    return Err(io::Error::from_raw_os_error(-err));
                }
                sys::SOCK_DIAG_BY_FAMILY => self.record(payload)?,
                _ => {}
            }
            b = &b[align4(len).min(b.len())..];
        }
        Ok(false)
    }

    /// One record: a `struct ipn_diag_msg` and its attributes.
    fn record(&mut self, b: &[u8]) -> io::Result<()> {
        let hdr_len = std::mem::size_of::<sys::ipn_diag_msg>();
        if b.len() < hdr_len {
            return Err(bad("short record"));
        }
        let kind = u32::from(b[1]);
        let protocol = i32::from(b[2]);
        let state = b[3];
        let port = u32_at(b, 4)? as i32;
        // Two halves, low first: the records are only 4-byte aligned.
        let net_ino = u64::from(u32_at(b, 8)?) | (u64::from(u32_at(b, 12)?) << 32);
        let net_dev = decode_dev(u32_at(b, 16)?);
        let ino = u32_at(b, 20)?;
        let cookie = u64::from(u32_at(b, 24)?) | (u64::from(u32_at(b, 28)?) << 32);
        let attrs = attrs(&b[hdr_len..])?;
        let attr = |t: u16| attrs.iter().find(|(k, _)| *k == t).map(|(_, v)| *v);
        let attr_u32 = |t: u16| attr(t).map(|v| u32_at(v, 0)).transpose();
        match kind {
            sys::IPN_DIAG_REC_NETWORK => {
                let p = attr(sys::IPN_DIAG_PARAMS).ok_or_else(|| bad("no parameters"))?;
                self.nets.push(NetworkInfo {
                    path: attr(sys::IPN_DIAG_PATH)
                        .map(|v| PathBuf::from(std::ffi::OsString::from_vec(string(v)))),
                    policy: protocol,
                    inode: net_ino,
                    dev: net_dev,
                    uid: attr_u32(sys::IPN_DIAG_UID)?.unwrap_or(u32::MAX),
                    mtu: u32_at(p, 0)?,
                    numnodes: u32_at(p, 4)?,
                    msgpoolsize: u32_at(p, 8)?,
                    flags: u32_at(p, 12)?,
                    mode: u32_at(p, 16)?,
                    ports_taken: u32_at(p, 20)?,
                    users: attr_u32(sys::IPN_DIAG_USERS)?.unwrap_or(0),
                    sockets: Vec::new(),
                    interfaces: Vec::new(),
                });
            }
            sys::IPN_DIAG_REC_SOCKET | sys::IPN_DIAG_REC_IFACE => {
                // Members follow their network's record; one asked for
                // without it (a query of sockets only) is not shown.
                let Some(net) = self
                    .nets
                    .last_mut()
                    .filter(|n| n.inode == net_ino && n.dev == net_dev)
                else {
                    return Ok(());
                };
                let port = u32::try_from(port).ok();
                if kind == sys::IPN_DIAG_REC_SOCKET {
                    let shut = attr(sys::IPN_DIAG_SHUTDOWN).and_then(|v| v.first().copied());
                    let shut = shut.unwrap_or(0);
                    let rq = attr(sys::IPN_DIAG_RQLEN);
                    let st = attr(sys::IPN_DIAG_STATS);
                    let stat = |i: usize| st.map(|v| u64_at(v, 8 * i)).transpose();
                    // SK_MEMINFO_DROPS is the last of SK_MEMINFO_VARS.
                    let drops = attr(sys::IPN_DIAG_MEMINFO)
                        .map(|v| u32_at(v, 4 * (sys::SK_MEMINFO_VARS - 1)))
                        .transpose()?;
                    net.sockets.push(SocketInfo {
                        inode: ino,
                        cookie,
                        uid: attr_u32(sys::IPN_DIAG_UID)?.unwrap_or(u32::MAX),
                        port: port.filter(|_| state == sys::IPN_DIAG_ST_CONNECTED),
                        description: attr(sys::IPN_DIAG_DESCR)
                            .map(|v| String::from_utf8_lossy(&string(v)).into_owned())
                            .unwrap_or_default(),
                        shut_rd: shut & 1 != 0,
                        shut_wr: shut & 2 != 0,
                        rqueue_messages: rq.map(|v| u32_at(v, 0)).transpose()?.unwrap_or(0),
                        rqueue_bytes: rq.map(|v| u32_at(v, 4)).transpose()?.unwrap_or(0),
                        drops: drops.unwrap_or(0),
                        rx_messages: stat(0)?.unwrap_or(0),
                        rx_bytes: stat(1)?.unwrap_or(0),
                        tx_messages: stat(2)?.unwrap_or(0),
                        tx_bytes: stat(3)?.unwrap_or(0),
                    });
                } else {
                    let flags = attr_u32(sys::IPN_DIAG_IFFLAGS)?.unwrap_or(0);
                    net.interfaces.push(InterfaceInfo {
                        name: attr(sys::IPN_DIAG_IFNAME)
                            .map(|v| String::from_utf8_lossy(&string(v)).into_owned())
                            .unwrap_or_default(),
                        ifindex: ino,
                        port: port.unwrap_or(0),
                        tap: flags & sys::IPN_DIAG_IF_TAP != 0,
                        persistent: flags & sys::IPN_DIAG_IF_PERSIST != 0,
                        controlled: flags & sys::IPN_DIAG_IF_CONTROLLED != 0,
                    });
                }
            }
            // A record type this crate does not know yet.
            _ => {}
        }
        Ok(())
    }
}

/// The attributes (`struct nlattr`, type and payload) of a record.
fn attrs(mut b: &[u8]) -> io::Result<Vec<(u16, &[u8])>> {
    let mut v = Vec::new();
    while b.len() >= 4 {
        let len = usize::from(u16_at(b, 0)?);
        let kind = u16_at(b, 2)? & 0x3fff;
        if len < 4 || len > b.len() {
            return Err(bad("bad attribute length"));
        }
        v.push((kind, &b[4..len]));
        b = &b[align4(len).min(b.len())..];
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nlmsg(kind: u16, payload: &[u8]) -> Vec<u8> {
        let len = NLMSG_HDRLEN + payload.len();
        let mut v = Vec::new();
        v.extend_from_slice(&(len as u32).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(&[0; 10]);
        v.extend_from_slice(payload);
        v.resize(align4(v.len()), 0);
        v
    }

    fn attr(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&((4 + data.len()) as u16).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(data);
        v.resize(align4(v.len()), 0);
        v
    }

    fn header(kind: u32, state: u8, port: i32, ino: u32) -> Vec<u8> {
        let mut v = vec![sys::AF_IPN as u8, kind as u8, 2, state];
        v.extend_from_slice(&port.to_ne_bytes());
        v.extend(u32s(&[77, 3]));
        v.extend_from_slice(&encode_dev(libc::makedev(0, 25)).to_ne_bytes());
        v.extend_from_slice(&ino.to_ne_bytes());
        v.extend(u32s(&[1, 2]));
        v
    }

    fn u32s(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_ne_bytes()).collect()
    }

    #[test]
    fn a_dump_becomes_networks_with_members() {
        let mut net = header(sys::IPN_DIAG_REC_NETWORK, 0, -1, 0);
        net.extend(attr(sys::IPN_DIAG_PATH, b"/tmp/net\0"));
        net.extend(attr(
            sys::IPN_DIAG_PARAMS,
            &u32s(&[1514, 32, 8, 1, 0o750, 2]),
        ));
        net.extend(attr(sys::IPN_DIAG_USERS, &u32s(&[3])));
        net.extend(attr(sys::IPN_DIAG_UID, &u32s(&[1000])));
        let mut sock = header(
            sys::IPN_DIAG_REC_SOCKET,
            sys::IPN_DIAG_ST_CONNECTED,
            0,
            4242,
        );
        sock.extend(attr(sys::IPN_DIAG_UID, &u32s(&[1000])));
        sock.extend(attr(sys::IPN_DIAG_DESCR, b"qemu\0"));
        sock.extend(attr(sys::IPN_DIAG_SHUTDOWN, &[2]));
        sock.extend(attr(sys::IPN_DIAG_RQLEN, &u32s(&[3, 4096])));
        sock.extend(attr(
            sys::IPN_DIAG_MEMINFO,
            &u32s(&[0, 0, 0, 0, 0, 0, 0, 0, 5]),
        ));
        let stats: Vec<u8> = [4u64, 400, 6, 600]
            .iter()
            .flat_map(|x| x.to_ne_bytes())
            .collect();
        sock.extend(attr(sys::IPN_DIAG_STATS, &stats));
        let mut dev = header(sys::IPN_DIAG_REC_IFACE, 0, 1, 7);
        dev.extend(attr(sys::IPN_DIAG_IFNAME, b"ipn0\0"));
        let flags = sys::IPN_DIAG_IF_TAP | sys::IPN_DIAG_IF_PERSIST;
        dev.extend(attr(sys::IPN_DIAG_IFFLAGS, &u32s(&[flags])));
        let bound = header(sys::IPN_DIAG_REC_SOCKET, sys::IPN_DIAG_ST_BOUND, -1, 99);

        let mut p = Parser::default();
        let mut dgram = nlmsg(sys::SOCK_DIAG_BY_FAMILY, &net);
        dgram.extend(nlmsg(sys::SOCK_DIAG_BY_FAMILY, &sock));
        assert!(!p.feed(&dgram).unwrap());
        let mut dgram = nlmsg(sys::SOCK_DIAG_BY_FAMILY, &dev);
        dgram.extend(nlmsg(sys::SOCK_DIAG_BY_FAMILY, &bound));
        dgram.extend(nlmsg(NLMSG_DONE, &0i32.to_ne_bytes()));
        assert!(p.feed(&dgram).unwrap());

        assert_eq!(p.nets.len(), 1);
        let n = &p.nets[0];
        assert_eq!(n.path.as_deref(), Some(Path::new("/tmp/net")));
        assert_eq!(
            (n.policy_name().as_str(), n.inode),
            ("switch", 77 | 3 << 32)
        );
        assert_eq!(n.dev, libc::makedev(0, 25));
        assert_eq!(
            (n.mtu, n.numnodes, n.msgpoolsize, n.flags),
            (1514, 32, 8, 1)
        );
        assert_eq!((n.mode, n.ports_taken, n.users, n.uid), (0o750, 2, 3, 1000));
        assert_eq!(n.sockets.len(), 2);
        let s = &n.sockets[0];
        assert_eq!((s.inode, s.cookie, s.port), (4242, 1 | 2 << 32, Some(0)));
        assert_eq!(
            (s.description.as_str(), s.shut_rd, s.shut_wr),
            ("qemu", false, true)
        );
        assert_eq!((s.rqueue_messages, s.rqueue_bytes, s.drops), (3, 4096, 5));
        assert_eq!(
            (s.rx_messages, s.rx_bytes, s.tx_messages, s.tx_bytes),
            (4, 400, 6, 600)
        );
        assert_eq!((n.sockets[1].inode, n.sockets[1].port), (99, None));
        let i = &n.interfaces[0];
        assert_eq!((i.name.as_str(), i.ifindex, i.port), ("ipn0", 7, 1));
        assert_eq!((i.tap, i.persistent, i.controlled), (true, true, false));
    }

    #[test]
    fn errors_and_malformed_answers() {
        let mut p = Parser::default();
        let err = p.feed(&nlmsg(NLMSG_ERROR, &(-22i32).to_ne_bytes()));
        assert_eq!(err.unwrap_err().raw_os_error(), Some(libc::EINVAL));
        let err = p.feed(&nlmsg(NLMSG_DONE, &(-12i32).to_ne_bytes()));
        assert_eq!(err.unwrap_err().raw_os_error(), Some(libc::ENOMEM));
        let mut short = nlmsg(sys::SOCK_DIAG_BY_FAMILY, &[0; 8]);
        assert_eq!(
            p.feed(&short).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        short[0] = 200;
        assert_eq!(
            p.feed(&short).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        let mut net = header(sys::IPN_DIAG_REC_NETWORK, 0, -1, 0);
        net.extend([40, 0, 1, 0]);
        let bad_attr = nlmsg(sys::SOCK_DIAG_BY_FAMILY, &net);
        assert_eq!(
            p.feed(&bad_attr).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn device_numbers_round_trip() {
        for (maj, min) in [(0, 25), (8, 1), (259, 3), (4095, 1 << 19)] {
            let dev = libc::makedev(maj, min);
            assert_eq!(decode_dev(encode_dev(dev)), dev, "{maj}:{min}");
        }
    }

    #[test]
    fn the_request_is_laid_out_as_the_header_says() {
        let req = sys::ipn_diag_req {
            sdiag_family: 46,
            sdiag_protocol: 2,
            pad: 0,
            idiag_show: 7,
            idiag_ino: 5,
            idiag_net_ino: [5, 1 << 8],
            idiag_net_dev: 6,
        };
        let v = request(&req, 9);
        assert_eq!(
            v.len(),
            NLMSG_HDRLEN + std::mem::size_of::<sys::ipn_diag_req>()
        );
        assert_eq!(u16_at(&v, 4).unwrap(), sys::SOCK_DIAG_BY_FAMILY);
        assert_eq!((v[16], v[17]), (46, 2));
        assert_eq!(u32_at(&v, 20).unwrap(), 7);
        assert_eq!(
            (u32_at(&v, 28).unwrap(), u32_at(&v, 32).unwrap()),
            (5, 1 << 8)
        );
        assert_eq!(u32_at(&v, 36).unwrap(), 6);
    }
}
