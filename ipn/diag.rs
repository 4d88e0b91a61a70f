// SPDX-License-Identifier: GPL-2.0

//! AF_IPN socket diagnostics (`include/uapi/linux/ipn_diag.h`): the
//! networks, and the sockets and interfaces on them, as records of a
//! `SOCK_DIAG_BY_FAMILY` dump.
//!
//! A dump is answered in rounds; between them, `args[0]` counts the records
//! already considered (shown or filtered out), in the order of the registry
//! and of each network's ports. As for `unix_diag`, records that come or
//! go between rounds may be missed or repeated: a dump is a snapshot per
//! round, not a transaction.

use crate::{
    af_ipn::Node,
    iface::{Iface, Kind},
    ipn_bindings::{ipn_diag_msg, ipn_diag_params, ipn_diag_req, ipn_diag_rqlen},
    layer::{
        fs::path::NodeStat,
        net::{
            sock::Sock,
            sock_diag::{Dump, Handler},
        },
    },
    network::{Members, Network, Port},
    uapi::*,
};
use kernel::{prelude::*, sync::Arc};

/// Attribute numbers, as `u16`.
mod attr {
    use crate::uapi as u;
    pub(super) const PATH: u16 = u::IPN_DIAG_PATH as u16;
    pub(super) const PARAMS: u16 = u::IPN_DIAG_PARAMS as u16;
    pub(super) const USERS: u16 = u::IPN_DIAG_USERS as u16;
    pub(super) const UID: u16 = u::IPN_DIAG_UID as u16;
    pub(super) const DESCR: u16 = u::IPN_DIAG_DESCR as u16;
    pub(super) const SHUTDOWN: u16 = u::IPN_DIAG_SHUTDOWN as u16;
    pub(super) const RQLEN: u16 = u::IPN_DIAG_RQLEN as u16;
    pub(super) const MEMINFO: u16 = u::IPN_DIAG_MEMINFO as u16;
    pub(super) const IFNAME: u16 = u::IPN_DIAG_IFNAME as u16;
    pub(super) const IFFLAGS: u16 = u::IPN_DIAG_IFFLAGS as u16;
}

/// The longest path shown (`IPN_DIAG_PATH`): with any record, it fits in
/// a round's buffer of the smallest size netlink uses (`NLMSG_GOODSIZE`,
/// about 3.7 KiB with 4 KiB pages).
const PATH_SHOWN_MAX: usize = 2048;

const NETWORK: u32 = IPN_DIAG_NETWORK as u32;
const SOCKET: u32 = IPN_DIAG_SOCKET as u32;
const IFACE: u32 = IPN_DIAG_IFACE as u32;
const ALL: u32 = IPN_DIAG_ALL as u32;

/// The sock_diag handler of AF_IPN.
pub(crate) struct Diag;

/// Where the dump stands: records considered so far, and the first one
/// this round shows.
struct Place {
    n: usize,
    skip: usize,
}

impl Place {
    /// Shows the next record with `show` unless an earlier round did.
    fn next(
        &mut self,
        d: &mut Dump<'_, Diag>,
        show: impl FnOnce(&mut Dump<'_, Diag>) -> Result,
    ) -> Result {
        if self.n >= self.skip {
            show(d)?;
        }
        self.n += 1;
        Ok(())
    }
}

impl Handler for Diag {
    type Request = ipn_diag_req;
    type Header = ipn_diag_msg;

    fn check(req: &ipn_diag_req, _len: usize) -> Result {
        if req.pad != 0 || req.idiag_show & !ALL != 0 {
            return Err(EINVAL);
        }
        if req.idiag_net_ino == 0 && req.idiag_net_dev != 0 {
            return Err(EINVAL);
        }
        Ok(())
    }

    fn dump(d: &mut Dump<'_, Self>) -> Result {
        let req = d.request()?;
        let skip = usize::try_from(d.args()[0]).unwrap_or(0);
        let mut place = Place { n: 0, skip };
        let res = dump_all(d, &req, &mut place);
        // A record that did not fit is shown first by the next round.
        d.args()[0] = c_long_of(place.n);
        res
    }
}

fn c_long_of(n: usize) -> kernel::ffi::c_long {
    kernel::ffi::c_long::try_from(n).unwrap_or(kernel::ffi::c_long::MAX)
}

fn dump_all(d: &mut Dump<'_, Diag>, req: &ipn_diag_req, place: &mut Place) -> Result {
    let show = if req.idiag_show == 0 {
        ALL
    } else {
        req.idiag_show
    };
    for (net, node) in Network::all()? {
        if req.sdiag_protocol != 0 && net.protocol != i32::from(req.sdiag_protocol) {
            continue;
        }
        let stat = node.stat();
        if req.idiag_net_ino != 0
            && (stat.ino != req.idiag_net_ino || stat.dev != req.idiag_net_dev)
        {
            continue;
        }
        let m = net.members()?;
        if !m.any_in(d.net()) {
            continue;
        }
        let only = match req.idiag_ino {
            0 => None,
            ino => {
                let has = |s: &Sock| s.id().ino == ino;
                let on_port = m.ports.slots.iter().flatten().any(|p| match p {
                    Port::Sock(s) => has(s),
                    Port::Dev(_) => false,
                });
                if !on_port && !m.bound.iter().any(|s| has(s)) {
                    continue;
                }
                Some(ino)
            }
        };
        let net_show = Shown {
            net: &net,
            stat: &stat,
        };
        if show & NETWORK != 0 {
            place.next(d, |d| network(d, &net_show, &node, &m))?;
        }
        for (port, slot) in m.ports.slots.iter().enumerate() {
            match slot {
                Some(Port::Sock(sk)) if show & SOCKET != 0 => {
                    if sk.net() == d.net() && only.is_none_or(|i| sk.id().ino == i) {
                        place.next(d, |d| socket(d, &net_show, sk, Some(port)))?;
                    }
                }
                Some(Port::Dev(dev)) if show & IFACE != 0 && only.is_none() => {
                    if dev.net() == d.net() {
                        place.next(d, |d| iface(d, &net_show, dev, port))?;
                    }
                }
                _ => {}
            }
        }
        if show & SOCKET != 0 {
            for sk in m.bound.iter() {
                if sk.net() == d.net() && only.is_none_or(|i| sk.id().ino == i) {
                    place.next(d, |d| socket(d, &net_show, sk, None))?;
                }
            }
        }
    }
    Ok(())
}

/// The network a record belongs to.
struct Shown<'a> {
    net: &'a Arc<Network>,
    stat: &'a NodeStat,
}

impl Shown<'_> {
    fn header(&self, kind: u32) -> ipn_diag_msg {
        ipn_diag_msg {
            idiag_family: u8::try_from(crate::family()).unwrap_or(0),
            idiag_type: u8::try_from(kind).unwrap_or(0),
            idiag_protocol: u8::try_from(self.net.protocol).unwrap_or(0),
            idiag_state: 0,
            idiag_port: -1,
            idiag_net_ino: self.stat.ino,
            idiag_net_dev: self.stat.dev,
            idiag_ino: 0,
            idiag_cookie: [0; 2],
        }
    }
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn network(
    d: &mut Dump<'_, Diag>,
    s: &Shown<'_>,
    node: &crate::layer::fs::path::FsNode,
    m: &Members,
) -> Result {
    // A node the kernel cannot name (ENAMETOOLONG), or with a path too
    // long to fit with the record in a round of the smallest size, is
    // shown without one: its inode still names it.
    let path = node.name().ok().filter(|p| p.len() <= PATH_SHOWN_MAX);
    let p = &s.net.params;
    let params = ipn_diag_params {
        mtu: u32_of(p.mtu),
        numnodes: u32_of(m.ports.slots.len()),
        msgpoolsize: p.msgpool,
        flags: p.flags,
        mode: s.stat.mode,
        ports: u32_of(m.ports.slots.iter().flatten().count()),
    };
    let uid = d.uid(s.stat.kuid);
    let users = u32_of(m.users);
    let mut msg = d.begin(&s.header(NETWORK))?;
    if let Some(path) = path {
        msg.put_str(attr::PATH, &path)?;
    }
    msg.put_val(attr::PARAMS, &params)?;
    msg.put_val(attr::USERS, &users)?;
    msg.put_val(attr::UID, &uid)?;
    msg.end();
    Ok(())
}

fn socket(d: &mut Dump<'_, Diag>, s: &Shown<'_>, sk: &Sock, port: Option<usize>) -> Result {
    let id = sk.id();
    let mut hdr = s.header(SOCKET);
    hdr.idiag_state = if port.is_some() {
        IPN_DIAG_CONNECTED as u8
    } else {
        IPN_DIAG_BOUND as u8
    };
    hdr.idiag_port = port.and_then(|p| i32::try_from(p).ok()).unwrap_or(-1);
    hdr.idiag_ino = id.ino;
    hdr.idiag_cookie = id.cookie;
    // A socket closing meanwhile has no description left to show.
    let descr = Node::descr_of(sk).unwrap_or_default();
    let uid = d.uid(id.kuid);
    let (messages, bytes) = sk.rqueue();
    let rq = ipn_diag_rqlen { messages, bytes };
    let mut msg = d.begin(&hdr)?;
    msg.put_val(attr::UID, &uid)?;
    if !descr.is_empty() {
        msg.put_str(attr::DESCR, &descr)?;
    }
    msg.put_val(attr::SHUTDOWN, &sk.shutdown_mask())?;
    msg.put_val(attr::RQLEN, &rq)?;
    msg.put_meminfo(attr::MEMINFO, sk)?;
    msg.end();
    Ok(())
}

fn iface(
    d: &mut Dump<'_, Diag>,
    s: &Shown<'_>,
    dev: &crate::layer::net::net_device::NetDev,
    port: usize,
) -> Result {
    // Gone meanwhile: nothing to show.
    let Some(info) = Iface::info(dev) else {
        return Ok(());
    };
    let mut flags = match info.kind {
        Kind::Tap => IPN_DIAG_IF_TAP,
        Kind::Grab => IPN_DIAG_IF_GRAB,
    } as u32;
    if info.persist {
        flags |= IPN_DIAG_IF_PERSIST as u32;
    }
    if info.controlled {
        flags |= IPN_DIAG_IF_CONTROLLED as u32;
    }
    let mut hdr = s.header(IFACE);
    hdr.idiag_port = i32::try_from(port).unwrap_or(-1);
    hdr.idiag_ino = u32::try_from(dev.ifindex()).unwrap_or(0);
    let mut msg = d.begin(&hdr)?;
    msg.put_str(attr::IFNAME, &dev.name())?;
    msg.put_val(attr::IFFLAGS, &flags)?;
    msg.end();
    Ok(())
}
