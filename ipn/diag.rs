// SPDX-License-Identifier: GPL-2.0

//! AF_IPN socket diagnostics (`include/uapi/linux/ipn_diag.h`): the
//! networks, and the sockets and interfaces on them, as records of a
//! `SOCK_DIAG_BY_FAMILY` dump; and `/proc/net/ipn`, a line per network.
//!
//! A dump is answered in rounds, and resumes at the network and record
//! where the last round stopped, in the order of the registry and of each
//! network's ports. As for `unix_diag`, records that come or go between
//! rounds may be missed or repeated: a dump is a snapshot per round, not a
//! transaction.

use crate::{
    af_ipn::Node,
    iface::{Iface, Kind},
    ipn_bindings::{ipn_diag_msg, ipn_diag_params, ipn_diag_req, ipn_diag_rqlen},
    layer::{
        fs::path::{FsNode, NodeStat},
        net::{
            proc::{Reader, Show},
            sock::Sock,
            sock_diag::{Dump, Handler},
        },
    },
    network::{Members, Network, Port},
    uapi::*,
};
use kernel::{prelude::*, str::BStr, sync::Arc};

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
    pub(super) const STATS: u16 = u::IPN_DIAG_STATS as u16;
}

/// The longest path shown (`IPN_DIAG_PATH`): with any record, it fits in
/// a round's buffer of the smallest size netlink uses (`NLMSG_GOODSIZE`,
/// about 3.7 KiB with 4 KiB pages).
const PATH_SHOWN_MAX: usize = 2048;

const NETWORK: u32 = IPN_DIAG_REC_NETWORK as u32;
const SOCKET: u32 = IPN_DIAG_REC_SOCKET as u32;
const IFACE: u32 = IPN_DIAG_REC_IFACE as u32;
const ALL: u32 = IPN_DIAG_REC_ALL as u32;

/// The sock_diag handler of AF_IPN.
pub(crate) struct Diag;

/// Where the dump stands within a network: the records of it shown by
/// earlier rounds are skipped.
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

/// A node's inode as the records carry it: low half first.
fn ino_halves(ino: u64) -> [u32; 2] {
    [ino as u32, (ino >> 32) as u32]
}

impl Handler for Diag {
    type Request = ipn_diag_req;
    type Header = ipn_diag_msg;

    fn check(req: &ipn_diag_req, _len: usize) -> Result {
        if req.pad != 0 || req.idiag_show & !ALL != 0 {
            return Err(EINVAL);
        }
        // A network is named by both its node's inode and device.
        if (req.idiag_net_ino == [0; 2]) != (req.idiag_net_dev == 0) {
            return Err(EINVAL);
        }
        Ok(())
    }

    /// Between rounds, `args[0]` is the position in the registry of the
    /// network being shown, `args[1]` the number of its records shown.
    fn dump(d: &mut Dump<'_, Self>) -> Result {
        let req = d.request()?;
        let mut i = usize::try_from(d.args()[0]).unwrap_or(usize::MAX);
        let mut skip = usize::try_from(d.args()[1]).unwrap_or(0);
        while let Some((net, node)) = Network::nth(i) {
            let mut place = Place { n: 0, skip };
            if let Err(e) = dump_net(d, &req, &net, &node, &mut place) {
                // A record that did not fit is shown first by the next
                // round.
                let args = d.args();
                args[0] = c_long_of(i);
                args[1] = c_long_of(place.n);
                return Err(e);
            }
            i += 1;
            skip = 0;
        }
        let args = d.args();
        args[0] = c_long_of(i);
        args[1] = 0;
        Ok(())
    }
}

fn c_long_of(n: usize) -> kernel::ffi::c_long {
    kernel::ffi::c_long::try_from(n).unwrap_or(kernel::ffi::c_long::MAX)
}

/// The records of one network that `req` asks for.
fn dump_net(
    d: &mut Dump<'_, Diag>,
    req: &ipn_diag_req,
    net: &Arc<Network>,
    node: &FsNode,
    place: &mut Place,
) -> Result {
    let show = if req.idiag_show == 0 {
        ALL
    } else {
        req.idiag_show
    };
    if req.sdiag_protocol != 0 && net.protocol != i32::from(req.sdiag_protocol) {
        return Ok(());
    }
    let stat = node.stat();
    if req.idiag_net_dev != 0
        && (ino_halves(stat.ino) != req.idiag_net_ino || stat.dev != req.idiag_net_dev)
    {
        return Ok(());
    }
    let m = net.members()?;
    if !m.any_in(d.net()) {
        return Ok(());
    }
    // Sockets of this namespace only, as the dumper sees no other; one
    // that was released meanwhile has no inode any more.
    let shown = |s: &Sock, d: &Dump<'_, Diag>| {
        let ino = s.id().ino;
        s.net() == d.net() && ino != 0 && (req.idiag_ino == 0 || ino == req.idiag_ino)
    };
    if req.idiag_ino != 0 {
        let on_port = m.ports.slots.iter().flatten().any(|p| match p {
            Port::Sock(s, _) => shown(s, d),
            Port::Dev(_) => false,
        });
        if !on_port && !m.bound.iter().any(|s| shown(s, d)) {
            return Ok(());
        }
    }
    let net_show = Shown { net, stat: &stat };
    if show & NETWORK != 0 {
        place.next(d, |d| network(d, &net_show, node, &m))?;
    }
    for (port, slot) in m.ports.slots.iter().enumerate() {
        match slot {
            Some(Port::Sock(sk, _)) if show & SOCKET != 0 && shown(sk, d) => {
                place.next(d, |d| socket(d, &net_show, sk, Some(port)))?;
            }
            Some(Port::Dev(dev))
                if show & IFACE != 0 && req.idiag_ino == 0 && dev.in_net(d.net()) =>
            {
                place.next(d, |d| iface(d, &net_show, dev, port))?;
            }
            _ => {}
        }
    }
    if show & SOCKET != 0 {
        for sk in m.bound.iter() {
            if shown(sk, d) {
                place.next(d, |d| socket(d, &net_show, sk, None))?;
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
            idiag_net_ino: ino_halves(self.stat.ino),
            idiag_net_dev: self.stat.dev,
            idiag_ino: 0,
            idiag_cookie: [0; 2],
        }
    }
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn network(d: &mut Dump<'_, Diag>, s: &Shown<'_>, node: &FsNode, m: &Members) -> Result {
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
        IPN_DIAG_ST_CONNECTED as u8
    } else {
        IPN_DIAG_ST_BOUND as u8
    };
    hdr.idiag_port = port.and_then(|p| i32::try_from(p).ok()).unwrap_or(-1);
    hdr.idiag_ino = id.ino;
    hdr.idiag_cookie = id.cookie;
    // A socket closing meanwhile has no description left to show.
    let info = Node::info_of(sk).ok();
    let uid = d.uid(id.kuid);
    let (messages, bytes) = sk.rqueue();
    let rq = ipn_diag_rqlen { messages, bytes };
    let mut msg = d.begin(&hdr)?;
    msg.put_val(attr::UID, &uid)?;
    if let Some(info) = &info {
        if !info.descr.is_empty() {
            msg.put_str(attr::DESCR, &info.descr)?;
        }
        msg.put_val(attr::STATS, &info.stats)?;
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

/// `/proc/net/ipn`: a line per network that has a member in the reader's
/// namespace, as the dump shows them.
pub(crate) struct ProcNet;

impl Show for ProcNet {
    fn show(r: &Reader<'_>) -> Result {
        r.print(fmt!(
            "Inode Dev Policy Mtu Ports Numnodes Msgpool Flags Mode Uid Users Path\n"
        ));
        let mut i = 0;
        while let Some((net, node)) = Network::nth(i) {
            i += 1;
            let members = net.members()?;
            if !members.any_in(r.net()) {
                continue;
            }
            let st = node.stat();
            // The device as `new_encode_dev()` packs it: major:minor.
            let (major, minor) = (
                (st.dev & 0xfff00) >> 8,
                (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00),
            );
            let policy = match net.protocol {
                IPN_BROADCAST => "hub",
                IPN_VDESWITCH => "switch",
                _ => "other",
            };
            let path = node.name().unwrap_or_default();
            r.print(fmt!(
                "{} {}:{} {} {} {} {} {} {} {:04o} {} {} {}\n",
                st.ino,
                major,
                minor,
                policy,
                net.params.mtu,
                members.ports.slots.iter().flatten().count(),
                members.ports.slots.len(),
                net.params.msgpool,
                net.params.flags,
                st.mode,
                r.uid(st.kuid),
                members.users,
                BStr::from_bytes(&path)
            ));
        }
        Ok(())
    }
}
