// SPDX-License-Identifier: GPL-2.0

//! The switch policy: learning, forwarding, flooding and VLANs, the
//! spanning tree, and its socket options.

use crate::{
    fdb::{is_multicast, Epochs, Fdb},
    layer::{
        ipn::policy::{Net, OptOut, OptVal, Policy},
        net::skbuff::SkBuff,
        random,
    },
    stp::{self, Bpdu, Stp},
    uapi::*,
    vlan::{self, Egress, Frame, PortVlan},
};
use kernel::{
    new_spinlock_irq,
    prelude::*,
    sync::SpinLockIrq,
    time::{Instant, Monotonic},
};

#[derive(Default, Clone, Copy)]
struct Stats {
    rx_frames: u64,
    rx_bytes: u64,
    rx_drops: u64,
    tx_frames: u64,
    tx_bytes: u64,
    tx_drops: u64,
}

struct PortState {
    vlan: PortVlan,
    stats: Stats,
    connected: bool,
    /// What the MAC table learnt on the port is valid in this epoch only.
    epoch: u64,
}

impl PortState {
    fn new() -> Self {
        Self {
            vlan: PortVlan::new(),
            stats: Stats::default(),
            connected: false,
            epoch: 0,
        }
    }
}

impl Epochs for [PortState] {
    fn epoch(&self, port: u32) -> Option<u64> {
        self.get(usize::try_from(port).ok()?).map(|p| p.epoch)
    }
}

struct Inner {
    fdb: Fdb,
    ports: KVec<PortState>,
    /// The last epoch given to a port; epochs are never reused.
    epoch: u64,
    stp: Stp,
    /// What the spanning tree asked for and is not done yet: sent by the
    /// next path that has the network (a frame, the timer).
    stp_out: stp::Out,
}

impl Inner {
    /// Makes the MAC table forget what it learnt on `port`.
    fn forget(&mut self, port: usize) {
        self.epoch += 1;
        if let Some(ps) = self.ports.get_mut(port) {
            ps.epoch = self.epoch;
        }
    }

    /// Applies what the spanning tree decided (flushes, fast aging) and
    /// takes the BPDUs it wants sent, to send after the lock.
    fn stp_take(&mut self, now: u64) -> KVec<(usize, Bpdu)> {
        let out = core::mem::replace(&mut self.stp_out, stp::Out::new());
        for &p in out.flush.iter() {
            self.forget(p);
        }
        if let Some(window) = self.stp.fast_aging() {
            self.fdb.age_out_before(now.saturating_sub(window));
        }
        out.sends
    }
}

/// How often the spanning tree's timers are looked at.
const STP_TICK_MS: u32 = 100;

/// A network's switch.
pub(crate) struct SwitchNet {
    base: Instant<Monotonic>,
    /// The switch's own address: the source of its BPDUs, and its bridge
    /// identifier's.
    mac: [u8; 6],
    /// Taken with interrupts off: frames may arrive in softirq context.
    inner: Pin<KBox<SpinLockIrq<Inner>>>,
}

impl SwitchNet {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis()).unwrap_or(0)
    }

    /// Sends BPDUs the spanning tree asked for. A BPDU memory is short for
    /// is lost, as on a congested link; the protocol sends again.
    fn send_bpdus(&self, net: &Net, sends: KVec<(usize, Bpdu)>) {
        for (port, bpdu) in sends.into_iter() {
            let Ok(mut skb) = SkBuff::alloc_atomic(stp::FRAME_LEN) else {
                continue;
            };
            if let Some(buf) = skb.data_mut() {
                stp::build(&bpdu, &self.mac, buf);
                net.deliver(port, skb);
            }
        }
    }
}

fn port_vec(n: usize) -> Result<KVec<PortState>> {
    let mut v = KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?;
    for _ in 0..n {
        v.push(PortState::new(), GFP_KERNEL_ACCOUNT)?;
    }
    Ok(v)
}

/// A copy of a frame for one port, chosen under the switch's lock and sent
/// after it; `len` is cleared once the port took it.
struct Send {
    port: usize,
    len: u64,
    skb: Option<SkBuff>,
}

/// The copies of a frame retagged for ports it does not leave as it is
/// (see [`as_is`]), untagged and tagged, each built on first need.
struct Variants<'a> {
    orig: &'a SkBuff,
    frame: &'a Frame,
    vlan: u16,
    untagged: Option<Option<SkBuff>>,
    tagged: Option<Option<SkBuff>>,
}

impl<'a> Variants<'a> {
    fn new(orig: &'a SkBuff, frame: &'a Frame, vlan: u16) -> Self {
        Self {
            orig,
            frame,
            vlan,
            untagged: None,
            tagged: None,
        }
    }

    /// The copy for leaving a port `how`; `None` if it does not leave, or
    /// if memory is short.
    fn get(&mut self, how: Egress) -> Option<&SkBuff> {
        let slot = match how {
            Egress::No => return None,
            Egress::Untagged => &mut self.untagged,
            Egress::Tagged => &mut self.tagged,
        };
        slot.get_or_insert_with(|| retag(self.orig, self.frame, self.vlan, how))
            .as_ref()
    }
}

/// Whether `frame`, of VLAN `vlan`, leaves a port `how` as it is.
fn as_is(frame: &Frame, vlan: u16, how: Egress) -> bool {
    match how {
        Egress::No => false,
        Egress::Untagged => frame.vid().is_none(),
        Egress::Tagged => frame.vid() == Some(vlan),
    }
}

/// A copy of `skb` with the tag changed for leaving a port `how`: only
/// its head is copied, so a GSO super-frame of a tap stays one and its
/// payload is not copied. `None` if it does not leave, or memory is short.
fn retag(skb: &SkBuff, frame: &Frame, vlan: u16, how: Egress) -> Option<SkBuff> {
    match how {
        Egress::No => None,
        Egress::Untagged => skb.vlan_retag(None),
        // Keep the priority bits of an incoming tag.
        Egress::Tagged => skb.vlan_retag(Some(frame.tci.unwrap_or(0) & 0xf000 | vlan)),
    }
}

/// Reads a `struct ipn_switch_vlan`: (port, vlan).
fn read_port_vlan(val: &OptVal) -> Result<(usize, u16)> {
    let v: ipn_switch_vlan = val.read()?;
    if v.reserved != 0 {
        return Err(EINVAL);
    }
    Ok((usize::try_from(v.port).map_err(|_| EINVAL)?, v.vlan))
}

fn read_int(val: &OptVal) -> Result<i32> {
    val.read()
}

/// The switch policy.
pub(crate) struct Switch;

impl Policy for Switch {
    const PROTOCOL: i32 = IPN_VDESWITCH;
    type NetData = SwitchNet;

    fn new_net(net: &Net) -> Result<KBox<SwitchNet>> {
        // A random, locally administered unicast address, as the kernel
        // gives devices without one.
        let mut mac = [0u8; 6];
        random::fill(&mut mac);
        mac[0] = (mac[0] & 0xfe) | 0x02;
        let mut inner = Inner {
            fdb: Fdb::new(
                IPN_SWITCH_MAXENTRIES_DEFAULT,
                IPN_SWITCH_AGING_DEFAULT * 1000,
            )?,
            ports: port_vec(net.numnodes())?,
            epoch: 0,
            stp: Stp::new(mac, net.numnodes())?,
            stp_out: stp::Out::new(),
        };
        for p in 0..inner.ports.len() {
            inner.forget(p);
        }
        Ok(KBox::new(
            SwitchNet {
                base: Instant::now(),
                mac,
                inner: KBox::pin_init(new_spinlock_irq!(inner, "kvde_switch"), GFP_KERNEL_ACCOUNT)?,
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    fn resize(sw: &SwitchNet, old: usize, new: usize) -> Result {
        let mut ports = port_vec(new)?;
        let mut stp_ports = Stp::port_vec(0, new)?;
        let mut g = sw.inner.lock();
        for (d, s) in ports.iter_mut().zip(g.ports.iter_mut()) {
            core::mem::swap(d, s);
        }
        core::mem::swap(&mut g.ports, &mut ports);
        // The spanning tree's ports carry over likewise; ports cut off
        // were free (disabled).
        let keep = old.min(new);
        for (d, s) in stp_ports.iter_mut().zip(g.stp.ports.iter_mut()).take(keep) {
            core::mem::swap(d, s);
        }
        core::mem::swap(&mut g.stp.ports, &mut stp_ports);
        // Ports cut off are gone from the table, and with them what they
        // taught; new ones start in fresh epochs.
        for p in ports.len()..new {
            g.forget(p);
        }
        drop(g);
        drop(ports);
        drop(stp_ports);
        Ok(())
    }

    fn new_port(sw: &SwitchNet, port: usize) -> Result {
        let now = sw.now_ms();
        let mut g = sw.inner.lock();
        let inner = &mut *g;
        let ps = inner.ports.get_mut(port).ok_or(EINVAL)?;
        ps.connected = true;
        ps.stats = Stats::default();
        // Its BPDUs go with the next tick.
        inner.stp.port_up(port, now, &mut inner.stp_out);
        Ok(())
    }

    fn del_port(sw: &SwitchNet, port: usize) {
        let now = sw.now_ms();
        let mut g = sw.inner.lock();
        let inner = &mut *g;
        if let Some(ps) = inner.ports.get_mut(port) {
            ps.connected = false;
        }
        inner.stp.port_down(port, now, &mut inner.stp_out);
        g.forget(port);
    }

    fn timer(net: &Net, sw: &SwitchNet) {
        let now = sw.now_ms();
        let mut g = sw.inner.lock();
        if !g.stp.enabled {
            return;
        }
        let inner = &mut *g;
        inner.stp.tick(now, &mut inner.stp_out);
        let sends = g.stp_take(now);
        drop(g);
        sw.send_bpdus(net, sends);
        net.set_timer(STP_TICK_MS);
    }

    fn handle_msg(net: &Net, sw: &SwitchNet, port: Option<usize>, skb: SkBuff) {
        // Frames from interfaces have no port yet: not switched.
        let Some(p) = port else { return };
        let now = sw.now_ms();
        let len = skb.len() as u64;
        let frame = vlan::parse(skb.head());
        let mut g = sw.inner.lock();
        let inner = &mut *g;
        if inner.stp.enabled && stp::is_bpdu_dst(skb.head()) {
            // BPDUs are the spanning tree's, never forwarded.
            match stp::parse(skb.head()) {
                Some(b) => inner.stp.receive(p, &b, now, &mut inner.stp_out),
                None => {
                    if let Some(ps) = inner.ports.get_mut(p) {
                        ps.stats.rx_drops += 1;
                    }
                }
            }
            let sends = g.stp_take(now);
            drop(g);
            drop(skb);
            sw.send_bpdus(net, sends);
            return;
        }
        // A port that is not learning or forwarding takes nothing in.
        if !inner.stp.learns(p) {
            return;
        }
        let forwards = inner.stp.forwards(p);
        let Some(ps) = inner.ports.get_mut(p) else {
            return;
        };
        let Some(frame) = frame else {
            ps.stats.rx_drops += 1;
            return;
        };
        let Some(v) = ps.vlan.ingress(frame.vid()) else {
            ps.stats.rx_drops += 1;
            return;
        };
        ps.stats.rx_frames += 1;
        ps.stats.rx_bytes += len;
        // Port numbers are below the table's length, an `i32`.
        inner
            .fdb
            .learn(&frame.src, v, p as u32, now, &inner.ports[..]);
        if !forwards {
            // Learning: addresses only.
            return;
        }
        let dest = if is_multicast(&frame.dst) {
            None
        } else {
            inner
                .fdb
                .lookup(&frame.dst, v, now, &inner.ports[..])
                .map(|d| d as usize)
        };
        if dest == Some(p) {
            // Its destination sits where it came from: nothing to forward.
            return;
        }
        // Decided under the lock, sent after it: a port may be a device
        // whose transmit comes back into this network (a tap's peer), and
        // no device transmit runs with interrupts off.
        let stp = &inner.stp;
        let takes = |q: usize, qs: &PortState| {
            q != p
                && qs.connected
                && dest.is_none_or(|d| d == q)
                && qs.vlan.egress(v) != Egress::No
                && stp.forwards(q)
        };
        if let Some(d) = dest {
            // Known unicast, the common case: the one port gets the frame
            // itself when its shape fits; no clone, no allocation.
            let Some(qs) = inner.ports.get_mut(d).filter(|qs| takes(d, qs)) else {
                return;
            };
            let how = qs.vlan.egress(v);
            let out = if as_is(&frame, v, how) {
                Some(skb)
            } else {
                retag(&skb, &frame, v, how)
            };
            let Some(out) = out else {
                qs.stats.tx_drops += 1;
                return;
            };
            let len = out.len() as u64;
            qs.stats.tx_frames += 1;
            qs.stats.tx_bytes += len;
            drop(g);
            if !net.deliver(d, out) {
                let mut g = sw.inner.lock();
                if let Some(qs) = g.ports.get_mut(d) {
                    qs.stats.tx_frames = qs.stats.tx_frames.saturating_sub(1);
                    qs.stats.tx_bytes = qs.stats.tx_bytes.saturating_sub(len);
                    qs.stats.tx_drops += 1;
                }
            }
            return;
        }
        let n = inner
            .ports
            .iter()
            .enumerate()
            .filter(|(q, qs)| takes(*q, qs))
            .count();
        if n == 0 {
            return;
        }
        let Ok(mut sends) = KVec::<Send>::with_capacity(n, GFP_ATOMIC) else {
            if let Some(ps) = inner.ports.get_mut(p) {
                ps.stats.rx_drops += 1;
            }
            return;
        };
        let mut out = Variants::new(&skb, &frame, v);
        // The last port that takes the frame as it is gets the frame
        // itself, the others clones: `own` is its place in `sends`.
        let mut own: Option<usize> = None;
        for (q, qs) in inner.ports.iter_mut().enumerate() {
            if !takes(q, qs) {
                continue;
            }
            let how = qs.vlan.egress(v);
            if as_is(&frame, v, how) {
                // The previous one gets a clone after all (a drop, counted
                // below, if memory is short).
                if let Some(s) = own.replace(sends.len()).and_then(|i| sends.get_mut(i)) {
                    s.skb = skb.clone_atomic().ok();
                }
                qs.stats.tx_frames += 1;
                qs.stats.tx_bytes += skb.len() as u64;
                let _ = sends.push_within_capacity(Send {
                    port: q,
                    len: skb.len() as u64,
                    skb: None,
                });
                continue;
            }
            match out.get(how).map(|s| s.clone_atomic()) {
                Some(Ok(c)) => {
                    // Counted as sent; moved to the drops below if not.
                    qs.stats.tx_frames += 1;
                    qs.stats.tx_bytes += c.len() as u64;
                    // Within the capacity reserved above: cannot fail.
                    let _ = sends.push_within_capacity(Send {
                        port: q,
                        len: c.len() as u64,
                        skb: Some(c),
                    });
                }
                _ => qs.stats.tx_drops += 1,
            }
        }
        drop(g);
        drop(out);
        if let Some(s) = own.and_then(|i| sends.get_mut(i)) {
            s.skb = Some(skb);
        }
        let mut dropped = false;
        for s in sends.iter_mut() {
            // None: a clone that memory was short for.
            if s.skb.take().is_some_and(|c| net.deliver(s.port, c)) {
                s.len = 0;
            } else {
                dropped = true;
            }
        }
        if dropped {
            let mut g = sw.inner.lock();
            for s in sends.iter().filter(|s| s.len != 0) {
                if let Some(qs) = g.ports.get_mut(s.port) {
                    qs.stats.tx_frames = qs.stats.tx_frames.saturating_sub(1);
                    qs.stats.tx_bytes = qs.stats.tx_bytes.saturating_sub(s.len);
                    qs.stats.tx_drops += 1;
                }
            }
        }
    }

    fn setsockopt(
        net: &Net,
        sw: &SwitchNet,
        _port: Option<usize>,
        manage: bool,
        name: i32,
        val: &OptVal,
    ) -> Result {
        if !matches!(
            name,
            IPN_SWITCH_PORT_VLAN
                | IPN_SWITCH_TRUNK_ADD
                | IPN_SWITCH_TRUNK_DEL
                | IPN_SWITCH_AGING
                | IPN_SWITCH_FLUSH
                | IPN_SWITCH_MAXENTRIES
                | IPN_SWITCH_STP
                | IPN_SWITCH_STP_BRIDGE
                | IPN_SWITCH_STP_PORT
        ) {
            return Err(ENOPROTOOPT);
        }
        if !manage {
            return Err(EPERM);
        }
        match name {
            IPN_SWITCH_STP => {
                let on = match read_int(val)? {
                    0 => false,
                    1 => true,
                    _ => return Err(EINVAL),
                };
                let now = sw.now_ms();
                let mut g = sw.inner.lock();
                let inner = &mut *g;
                if on == inner.stp.enabled {
                    return Ok(());
                }
                if on {
                    let up = inner
                        .ports
                        .iter()
                        .enumerate()
                        .filter(|(_, ps)| ps.connected);
                    inner
                        .stp
                        .enable(up.map(|(i, _)| i), now, &mut inner.stp_out);
                } else {
                    inner.stp.disable();
                    inner.stp_out = stp::Out::new();
                    // What was learnt under the old tree may be wrong.
                    (0..inner.ports.len()).for_each(|q| inner.forget(q));
                }
                drop(g);
                // The first BPDUs go from the timer, which runs as frame
                // handling does, at once.
                if on {
                    net.set_timer(0);
                }
                Ok(())
            }
            IPN_SWITCH_STP_BRIDGE => {
                let b: ipn_switch_stp_bridge = val.read()?;
                let (hello, max_age, fwd) = (b.hello_time, b.max_age, b.forward_delay);
                if !(1..=10).contains(&hello)
                    || !(6..=40).contains(&max_age)
                    || !(2..=30).contains(&fwd)
                {
                    return Err(EINVAL);
                }
                let now = sw.now_ms();
                let mut g = sw.inner.lock();
                let inner = &mut *g;
                inner.stp.set_times(
                    u64::from(hello) * 1000,
                    u64::from(max_age) * 1000,
                    u64::from(fwd) * 1000,
                );
                inner.stp.set_priority(b.priority, now, &mut inner.stp_out);
                Ok(())
            }
            IPN_SWITCH_STP_PORT => {
                let sp: ipn_switch_stp_port = val.read()?;
                if sp.reserved != [0; 3]
                    || sp.priority % 16 != 0
                    || !(1..=200_000_000).contains(&sp.path_cost)
                {
                    return Err(EINVAL);
                }
                let p = usize::try_from(sp.port).map_err(|_| EINVAL)?;
                let now = sw.now_ms();
                let mut g = sw.inner.lock();
                let inner = &mut *g;
                if p >= inner.stp.ports.len() {
                    return Err(EINVAL);
                }
                inner
                    .stp
                    .set_port(p, sp.priority, sp.path_cost, now, &mut inner.stp_out);
                Ok(())
            }
            IPN_SWITCH_PORT_VLAN | IPN_SWITCH_TRUNK_ADD | IPN_SWITCH_TRUNK_DEL => {
                let (port, vlan) = read_port_vlan(val)?;
                let mut g = sw.inner.lock();
                let ps = g.ports.get_mut(port).ok_or(EINVAL)?;
                let ok = match name {
                    IPN_SWITCH_PORT_VLAN if vlan <= vlan::VLAN_MAX => {
                        ps.vlan.pvid = vlan;
                        true
                    }
                    IPN_SWITCH_TRUNK_ADD => ps.vlan.add_trunk(vlan),
                    IPN_SWITCH_TRUNK_DEL => ps.vlan.del_trunk(vlan),
                    _ => false,
                };
                if !ok {
                    return Err(EINVAL);
                }
                // Addresses learnt under the old membership may be wrong now.
                g.forget(port);
                Ok(())
            }
            IPN_SWITCH_AGING => {
                let s = read_int(val)?;
                if !(1..=1_000_000).contains(&s) {
                    return Err(EINVAL);
                }
                sw.inner.lock().fdb.aging_ms = u64::from(s.unsigned_abs()) * 1000;
                Ok(())
            }
            IPN_SWITCH_FLUSH => {
                let p = read_int(val)?;
                let mut g = sw.inner.lock();
                match p {
                    -1 => (0..g.ports.len()).for_each(|q| g.forget(q)),
                    p if usize::try_from(p).is_ok_and(|p| p < g.ports.len()) => {
                        g.forget(p.unsigned_abs() as usize)
                    }
                    _ => return Err(EINVAL),
                }
                Ok(())
            }
            IPN_SWITCH_MAXENTRIES => {
                let n = read_int(val)?;
                if !(8..=65536).contains(&n) {
                    return Err(EINVAL);
                }
                let aging = sw.inner.lock().fdb.aging_ms;
                let mut new = Fdb::new(n.unsigned_abs() as usize, aging)?;
                let now = sw.now_ms();
                let mut g = sw.inner.lock();
                new.aging_ms = g.fdb.aging_ms;
                g.fdb.move_into(&mut new, now, &g.ports[..]);
                core::mem::swap(&mut g.fdb, &mut new);
                drop(g);
                drop(new);
                Ok(())
            }
            _ => Err(ENOPROTOOPT),
        }
    }

    fn getsockopt(sw: &SwitchNet, _port: Option<usize>, name: i32, out: &mut OptOut) -> Result {
        match name {
            IPN_SWITCH_STP => {
                // Read under the lock, written to the user after it.
                let on = sw.inner.lock().stp.enabled;
                write_int(out, i32::from(on))
            }
            IPN_SWITCH_STP_BRIDGE => {
                let g = sw.inner.lock();
                let s = &g.stp;
                let b = ipn_switch_stp_bridge {
                    priority: u16::from_be_bytes([s.bridge_id[0], s.bridge_id[1]]),
                    hello_time: secs(s.bridge_hello),
                    max_age: secs(s.bridge_max_age),
                    forward_delay: secs(s.bridge_forward_delay),
                };
                drop(g);
                out.write_value(&b)
            }
            IPN_SWITCH_STP_PORT => {
                let mut sp: ipn_switch_stp_port = out.read_input()?;
                let p = usize::try_from(sp.port).map_err(|_| EINVAL)?;
                {
                    let g = sw.inner.lock();
                    let q = g.stp.ports.get(p).ok_or(EINVAL)?;
                    sp.priority = q.priority;
                    sp.path_cost = q.path_cost;
                }
                sp.reserved = [0; 3];
                out.write_value(&sp)
            }
            IPN_SWITCH_STP_STATUS => {
                let g = sw.inner.lock();
                let s = &g.stp;
                let st = ipn_switch_stp_status {
                    bridge_id: s.bridge_id,
                    root_id: s.designated_root,
                    root_path_cost: s.root_path_cost,
                    root_port: s.root_port.map_or(-1, |r| i32::try_from(r).unwrap_or(-1)),
                    hello_time: secs(s.hello),
                    max_age: secs(s.max_age),
                    forward_delay: secs(s.forward_delay),
                    enabled: u8::from(s.enabled),
                    topology_change: u8::from(s.topology_change),
                    topology_changes: s.topology_changes,
                };
                drop(g);
                out.write_value(&st)
            }
            IPN_SWITCH_STP_PORTS => {
                let n = sw.inner.lock().ports.len();
                let mut buf = KVec::with_capacity(n, GFP_KERNEL)?;
                {
                    let g = sw.inner.lock();
                    let ports = g.ports.iter().zip(g.stp.ports.iter());
                    for (i, (ps, q)) in ports.enumerate().take(n) {
                        if !ps.connected {
                            continue;
                        }
                        // Within the capacity reserved above: cannot fail.
                        buf.push(
                            ipn_switch_stp_port_state {
                                port: i32::try_from(i).unwrap_or(-1),
                                state: q.state as u8,
                                role: g.stp.role(i),
                                port_id: q.port_id,
                                path_cost: q.path_cost,
                                designated_cost: q.designated_cost,
                                designated_root: q.designated_root,
                                designated_bridge: q.designated_bridge,
                                designated_port: q.designated_port,
                                reserved: 0,
                            },
                            GFP_ATOMIC,
                        )?;
                    }
                }
                out.write_records(&buf)
            }
            IPN_SWITCH_AGING => {
                let s = sw.inner.lock().fdb.aging_ms / 1000;
                write_int(out, i32::try_from(s).unwrap_or(i32::MAX))
            }
            IPN_SWITCH_MAXENTRIES => {
                let n = sw.inner.lock().fdb.capacity();
                write_int(out, i32::try_from(n).unwrap_or(i32::MAX))
            }
            IPN_SWITCH_PORT_VLAN => {
                let mut v: ipn_switch_vlan = out.read_input()?;
                let p = usize::try_from(v.port).map_err(|_| EINVAL)?;
                v.vlan = sw.inner.lock().ports.get(p).ok_or(EINVAL)?.vlan.pvid;
                v.reserved = 0;
                out.write_value(&v)
            }
            IPN_SWITCH_PORT_TRUNKS => {
                let port: i32 = out.read_input()?;
                let p = usize::try_from(port).map_err(|_| EINVAL)?;
                let mut buf = KVec::with_capacity(usize::from(vlan::VLAN_MAX), GFP_KERNEL)?;
                {
                    let g = sw.inner.lock();
                    let ps = g.ports.get(p).ok_or(EINVAL)?;
                    for v in ps.vlan.trunks() {
                        // Within the capacity reserved above: cannot fail.
                        buf.push(v, GFP_ATOMIC)?;
                    }
                }
                out.write_records(&buf)
            }
            IPN_SWITCH_MACTABLE => {
                let cap = sw.inner.lock().fdb.capacity();
                let mut buf = KVec::with_capacity(cap, GFP_KERNEL)?;
                let now = sw.now_ms();
                {
                    let g = sw.inner.lock();
                    for (e, age) in g.fdb.entries(now, &g.ports[..]).take(cap) {
                        // Within the capacity reserved above: cannot fail.
                        buf.push(
                            ipn_switch_fdb_entry {
                                mac: e.mac,
                                vlan: e.vlan,
                                port: i32::try_from(e.port).unwrap_or(-1),
                                age_ms: u32::try_from(age).unwrap_or(u32::MAX),
                            },
                            GFP_ATOMIC,
                        )?;
                    }
                }
                out.write_records(&buf)
            }
            IPN_SWITCH_PORT_STATS => {
                let n = sw.inner.lock().ports.len();
                let mut buf = KVec::with_capacity(n, GFP_KERNEL)?;
                {
                    let g = sw.inner.lock();
                    for (i, ps) in g.ports.iter().enumerate().take(n) {
                        if !ps.connected {
                            continue;
                        }
                        let s = &ps.stats;
                        // Within the capacity reserved above: cannot fail.
                        buf.push(
                            ipn_switch_port_stats {
                                port: i32::try_from(i).unwrap_or(-1),
                                pvid: ps.vlan.pvid,
                                ntrunks: ps.vlan.trunks().count() as u16,
                                rx_frames: s.rx_frames,
                                rx_bytes: s.rx_bytes,
                                rx_drops: s.rx_drops,
                                tx_frames: s.tx_frames,
                                tx_bytes: s.tx_bytes,
                                tx_drops: s.tx_drops,
                            },
                            GFP_ATOMIC,
                        )?;
                    }
                }
                out.write_records(&buf)
            }
            _ => Err(ENOPROTOOPT),
        }
    }
}

/// Milliseconds to whole seconds, as the options give times.
fn secs(ms: u64) -> u16 {
    u16::try_from(ms / 1000).unwrap_or(u16::MAX)
}

fn write_int(out: &mut OptOut, v: i32) -> Result {
    out.write_value(&v)
}
