// SPDX-License-Identifier: GPL-2.0

//! Spanning tree: 802.1D (1998) STP, the protocol the Linux bridge runs,
//! for switches cabled into loops.
//!
//! The state machine of 802.1D clause 8, as the Linux bridge implements it
//! (`net/bridge/br_stp*.c`): configuration BPDUs elect a root bridge and
//! give every segment one designated port; the other ports block. Ports go
//! through listening and learning, a forward delay each, before they
//! forward. A bridge that sees a port start or stop forwarding tells the
//! root (a TCN BPDU up the root port), which sets the topology-change flag
//! in its BPDUs for a while; every bridge then ages its address table in a
//! forward delay.
//!
//! The engine knows nothing of skbs or locks: the switch feeds it BPDUs,
//! port events and ticks under its lock, and sends what it asks for after.
//! Times are milliseconds of the switch's clock.

use crate::uapi::*;
use kernel::prelude::*;

/// A bridge identifier: priority (big endian) and MAC address. Lower is
/// better; comparing the bytes compares the identifiers.
pub(crate) type BridgeId = [u8; 8];

/// The group address of BPDUs.
pub(crate) const BPDU_MAC: [u8; 6] = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x00];

const DEFAULT_PRIORITY: u16 = 0x8000;
const DEFAULT_PORT_PRIORITY: u8 = 0x80;
/// The Linux bridge's cost of a port whose speed it does not know.
const DEFAULT_PATH_COST: u32 = 100;
/// 802.1D's hold time: at most one configuration BPDU a second per port.
const HOLD_MS: u64 = 1000;
/// What a bridge adds to the age of the root's information it passes on.
const MESSAGE_AGE_INCR_MS: u64 = 1000;

/// A configuration BPDU's topology-change flags.
const FLAG_TC: u8 = 0x01;
const FLAG_TCA: u8 = 0x80;

/// BPDU types.
const TYPE_CONFIG: u8 = 0x00;
const TYPE_TCN: u8 = 0x80;

/// A configuration BPDU, times in milliseconds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Config {
    pub(crate) tc: bool,
    pub(crate) tca: bool,
    pub(crate) root: BridgeId,
    pub(crate) cost: u32,
    pub(crate) bridge: BridgeId,
    pub(crate) port: u16,
    pub(crate) message_age: u64,
    pub(crate) max_age: u64,
    pub(crate) hello: u64,
    pub(crate) forward_delay: u64,
}

/// A BPDU.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Bpdu {
    Config(Config),
    Tcn,
}

/// Ethernet (802.3, a length), LLC (DSAP 0x42, SSAP 0x42, UI), then the
/// BPDU: 35 bytes for a configuration BPDU, 4 for a TCN.
const HDR: usize = 14 + 3;
/// The longest BPDU frame: a configuration BPDU, padded to Ethernet's
/// minimum of 60 bytes.
pub(crate) const FRAME_LEN: usize = 60;

/// 1/256 s, BPDUs' unit of time, to milliseconds.
fn ms(t: u16) -> u64 {
    u64::from(t) * 1000 / 256
}

/// Milliseconds to 1/256 s.
fn units(ms: u64) -> u16 {
    u16::try_from(ms * 256 / 1000).unwrap_or(u16::MAX)
}

fn be16(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]))
}

fn be32(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

fn id(b: &[u8], i: usize) -> Option<BridgeId> {
    b.get(i..i + 8)?.try_into().ok()
}

/// Whether `frame` (from its Ethernet header) is addressed to the BPDU
/// group address.
pub(crate) fn is_bpdu_dst(frame: &[u8]) -> bool {
    frame.get(..6) == Some(&BPDU_MAC[..])
}

/// Parses a BPDU frame; `None` for anything else, or a malformed one.
pub(crate) fn parse(frame: &[u8]) -> Option<Bpdu> {
    if !is_bpdu_dst(frame) {
        return None;
    }
    // An 802.3 length, covering at least the LLC header and a TCN.
    let len = usize::from(be16(frame, 12)?);
    if !(7..=1500).contains(&len) || frame.len() < 14 + len {
        return None;
    }
    if frame.get(14..17)? != [0x42, 0x42, 0x03] {
        return None;
    }
    let b = frame.get(HDR..14 + len)?;
    // Protocol 0, version 0 (STP), as the Linux bridge takes them: an RSTP
    // or MSTP neighbour falls back to STP on a port where it hears ours.
    if be16(b, 0)? != 0 || *b.get(2)? != 0 {
        return None;
    }
    match *b.get(3)? {
        TYPE_TCN => Some(Bpdu::Tcn),
        TYPE_CONFIG => {
            if b.len() < 35 {
                return None;
            }
            let flags = b[4];
            Some(Bpdu::Config(Config {
                tc: flags & FLAG_TC != 0,
                tca: flags & FLAG_TCA != 0,
                root: id(b, 5)?,
                cost: be32(b, 13)?,
                bridge: id(b, 17)?,
                port: be16(b, 25)?,
                message_age: ms(be16(b, 27)?),
                max_age: ms(be16(b, 29)?),
                hello: ms(be16(b, 31)?),
                forward_delay: ms(be16(b, 33)?),
            }))
        }
        _ => None,
    }
}

/// Writes the frame of `bpdu` from `src` into `buf` (at least
/// [`FRAME_LEN`] bytes, zeroed); returns its length, 0 if `buf` is short.
pub(crate) fn build(bpdu: &Bpdu, src: &[u8; 6], buf: &mut [u8]) -> usize {
    if buf.len() < FRAME_LEN {
        return 0;
    }
    let body: usize = match bpdu {
        Bpdu::Config(_) => 35,
        Bpdu::Tcn => 4,
    };
    buf[..6].copy_from_slice(&BPDU_MAC);
    buf[6..12].copy_from_slice(src);
    // The length: LLC header and BPDU.
    buf[12..14].copy_from_slice(&((3 + body) as u16).to_be_bytes());
    buf[14..17].copy_from_slice(&[0x42, 0x42, 0x03]);
    let b = &mut buf[HDR..];
    b[..3].copy_from_slice(&[0, 0, 0]);
    match bpdu {
        Bpdu::Tcn => b[3] = TYPE_TCN,
        Bpdu::Config(c) => {
            b[3] = TYPE_CONFIG;
            b[4] = if c.tc { FLAG_TC } else { 0 } | if c.tca { FLAG_TCA } else { 0 };
            b[5..13].copy_from_slice(&c.root);
            b[13..17].copy_from_slice(&c.cost.to_be_bytes());
            b[17..25].copy_from_slice(&c.bridge);
            b[25..27].copy_from_slice(&c.port.to_be_bytes());
            b[27..29].copy_from_slice(&units(c.message_age).to_be_bytes());
            b[29..31].copy_from_slice(&units(c.max_age).to_be_bytes());
            b[31..33].copy_from_slice(&units(c.hello).to_be_bytes());
            b[33..35].copy_from_slice(&units(c.forward_delay).to_be_bytes());
        }
    }
    FRAME_LEN
}

/// A port's state, numbered as `IPN_STP_*`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum State {
    Disabled = IPN_STP_DISABLED as isize,
    Listening = IPN_STP_LISTENING as isize,
    Learning = IPN_STP_LEARNING as isize,
    Forwarding = IPN_STP_FORWARDING as isize,
    Blocking = IPN_STP_BLOCKING as isize,
}

/// What 802.1D keeps per port.
pub(crate) struct Port {
    pub(crate) state: State,
    pub(crate) priority: u8,
    pub(crate) path_cost: u32,
    /// `priority / 16 << 12 | port + 1` (802.1t).
    pub(crate) port_id: u16,
    pub(crate) designated_root: BridgeId,
    pub(crate) designated_cost: u32,
    pub(crate) designated_bridge: BridgeId,
    pub(crate) designated_port: u16,
    tc_ack: bool,
    config_pending: bool,
    /// Deadlines of the port's timers.
    message_age: Option<u64>,
    forward_delay: Option<u64>,
    hold: Option<u64>,
}

impl Port {
    fn new(no: usize) -> Self {
        let mut p = Self {
            state: State::Disabled,
            priority: DEFAULT_PORT_PRIORITY,
            path_cost: DEFAULT_PATH_COST,
            port_id: 0,
            designated_root: [0; 8],
            designated_cost: 0,
            designated_bridge: [0; 8],
            designated_port: 0,
            tc_ack: false,
            config_pending: false,
            message_age: None,
            forward_delay: None,
            hold: None,
        };
        p.set_id(no);
        p
    }

    /// Puts the port in `state` with no timer running and nothing owed.
    fn reset(&mut self, state: State) {
        self.state = state;
        self.tc_ack = false;
        self.config_pending = false;
        self.message_age = None;
        self.forward_delay = None;
        self.hold = None;
    }

    fn set_id(&mut self, no: usize) {
        let num = ((no + 1) & 0xfff) as u16;
        self.port_id = u16::from(self.priority >> 4) << 12 | num;
    }
}

/// What the switch must do after an event: BPDUs to send, ports whose
/// learnt addresses to forget.
pub(crate) struct Out {
    pub(crate) sends: KVec<(usize, Bpdu)>,
    pub(crate) flush: KVec<usize>,
}

impl Out {
    pub(crate) fn new() -> Self {
        Self {
            sends: KVec::new(),
            flush: KVec::new(),
        }
    }

    /// Under the switch's lock, interrupts off: allocates atomically; a
    /// BPDU memory is short for is lost, as on a congested link, and sent
    /// again at the next hello.
    fn send(&mut self, port: usize, bpdu: Bpdu) {
        let _ = self.sends.push((port, bpdu), GFP_ATOMIC);
    }

    fn flush(&mut self, port: usize) {
        let _ = self.flush.push(port, GFP_ATOMIC);
    }
}

/// A bridge's spanning tree.
pub(crate) struct Stp {
    pub(crate) enabled: bool,
    pub(crate) bridge_id: BridgeId,
    /// This bridge's times, used when it is the root.
    pub(crate) bridge_hello: u64,
    pub(crate) bridge_max_age: u64,
    pub(crate) bridge_forward_delay: u64,
    /// The times in use: the root's.
    pub(crate) hello: u64,
    pub(crate) max_age: u64,
    pub(crate) forward_delay: u64,
    pub(crate) designated_root: BridgeId,
    pub(crate) root_path_cost: u32,
    pub(crate) root_port: Option<usize>,
    pub(crate) topology_change: bool,
    topology_change_detected: bool,
    pub(crate) topology_changes: u32,
    hello_timer: Option<u64>,
    tcn_timer: Option<u64>,
    topology_change_timer: Option<u64>,
    pub(crate) ports: KVec<Port>,
}

impl Stp {
    /// A bridge of MAC address `mac` with `n` ports, off.
    pub(crate) fn new(mac: [u8; 6], n: usize) -> Result<Self> {
        let mut id = [0u8; 8];
        id[..2].copy_from_slice(&DEFAULT_PRIORITY.to_be_bytes());
        id[2..].copy_from_slice(&mac);
        Ok(Self {
            enabled: false,
            bridge_id: id,
            bridge_hello: 2000,
            bridge_max_age: 20000,
            bridge_forward_delay: 15000,
            hello: 2000,
            max_age: 20000,
            forward_delay: 15000,
            designated_root: id,
            root_path_cost: 0,
            root_port: None,
            topology_change: false,
            topology_change_detected: false,
            topology_changes: 0,
            hello_timer: None,
            tcn_timer: None,
            topology_change_timer: None,
            ports: Self::port_vec(0, n)?,
        })
    }

    /// Ports `from..to`, disabled, for growing the table outside the lock.
    pub(crate) fn port_vec(from: usize, to: usize) -> Result<KVec<Port>> {
        let mut v = KVec::with_capacity(to.saturating_sub(from), GFP_KERNEL_ACCOUNT)?;
        for no in from..to {
            v.push(Port::new(no), GFP_KERNEL_ACCOUNT)?;
        }
        Ok(v)
    }

    /// Whether the switch may take frames in from `port` and learn from
    /// them.
    pub(crate) fn learns(&self, port: usize) -> bool {
        !self.enabled
            || self
                .ports
                .get(port)
                .is_some_and(|p| matches!(p.state, State::Learning | State::Forwarding))
    }

    /// Whether frames may go in and out through `port`.
    pub(crate) fn forwards(&self, port: usize) -> bool {
        !self.enabled
            || self
                .ports
                .get(port)
                .is_some_and(|p| p.state == State::Forwarding)
    }

    /// While a topology change lasts, addresses age in a forward delay:
    /// that window, then.
    pub(crate) fn fast_aging(&self) -> Option<u64> {
        (self.enabled && self.topology_change).then_some(self.forward_delay)
    }

    fn is_root(&self) -> bool {
        self.designated_root == self.bridge_id
    }

    fn is_designated(&self, p: usize) -> bool {
        self.ports.get(p).is_some_and(|q| {
            q.designated_bridge == self.bridge_id && q.designated_port == q.port_id
        })
    }

    pub(crate) fn role(&self, p: usize) -> u8 {
        match self.ports.get(p) {
            None => IPN_STP_ROLE_DISABLED as u8,
            Some(q) if q.state == State::Disabled => IPN_STP_ROLE_DISABLED as u8,
            Some(_) if self.root_port == Some(p) => IPN_STP_ROLE_ROOT as u8,
            Some(_) if self.is_designated(p) => IPN_STP_ROLE_DESIGNATED as u8,
            Some(_) => IPN_STP_ROLE_ALTERNATE as u8,
        }
    }

    /// Sets the bridge priority; the spanning tree is computed again.
    pub(crate) fn set_priority(&mut self, prio: u16, now: u64, out: &mut Out) {
        let was_root = self.is_root();
        let old = self.bridge_id;
        self.bridge_id[..2].copy_from_slice(&prio.to_be_bytes());
        for p in self.ports.iter_mut() {
            if p.designated_bridge == old {
                p.designated_bridge = self.bridge_id;
            }
            if p.designated_root == old {
                p.designated_root = self.bridge_id;
            }
        }
        if self.designated_root == old {
            self.designated_root = self.bridge_id;
        }
        if self.enabled {
            self.configuration_update();
            self.port_state_selection(now, out);
            self.after_root_change(was_root, now, out);
        }
    }

    /// Sets this bridge's times (ms); in use at once if it is the root.
    pub(crate) fn set_times(&mut self, hello: u64, max_age: u64, fwd: u64) {
        self.bridge_hello = hello;
        self.bridge_max_age = max_age;
        self.bridge_forward_delay = fwd;
        if self.is_root() {
            self.hello = hello;
            self.max_age = max_age;
            self.forward_delay = fwd;
        }
    }

    /// Sets a port's priority and path cost.
    pub(crate) fn set_port(&mut self, p: usize, prio: u8, cost: u32, now: u64, out: &mut Out) {
        let Some(q) = self.ports.get_mut(p) else {
            return;
        };
        let was_designated_id = q.designated_port == q.port_id;
        q.priority = prio;
        q.path_cost = cost;
        q.set_id(p);
        if was_designated_id && q.designated_bridge == self.bridge_id {
            q.designated_port = q.port_id;
        }
        if self.enabled && q.state != State::Disabled {
            let was_root = self.is_root();
            self.configuration_update();
            self.port_state_selection(now, out);
            self.after_root_change(was_root, now, out);
        }
    }

    /// Turns the spanning tree on, with the ports in `up` enabled.
    pub(crate) fn enable(&mut self, up: impl Iterator<Item = usize>, now: u64, out: &mut Out) {
        if self.enabled {
            return;
        }
        self.enabled = true;
        self.designated_root = self.bridge_id;
        self.root_path_cost = 0;
        self.root_port = None;
        self.hello = self.bridge_hello;
        self.max_age = self.bridge_max_age;
        self.forward_delay = self.bridge_forward_delay;
        self.topology_change = false;
        self.topology_change_detected = false;
        self.topology_changes = 0;
        self.tcn_timer = None;
        self.topology_change_timer = None;
        for q in self.ports.iter_mut() {
            q.state = State::Disabled;
        }
        let n = self.ports.len();
        for p in up.filter(|&p| p < n) {
            self.init_port(p);
        }
        self.port_state_selection(now, out);
        self.config_bpdu_generation(now, out);
        self.hello_timer = Some(now + self.hello);
    }

    /// Turns it off: every port forwards.
    pub(crate) fn disable(&mut self) {
        self.enabled = false;
        self.designated_root = self.bridge_id;
        self.root_path_cost = 0;
        self.root_port = None;
        self.hello_timer = None;
        self.tcn_timer = None;
        self.topology_change_timer = None;
        self.topology_change = false;
        for p in self.ports.iter_mut() {
            p.reset(State::Disabled);
        }
    }

    fn init_port(&mut self, p: usize) {
        self.become_designated(p);
        self.ports[p].reset(State::Blocking);
    }

    /// A port connects.
    pub(crate) fn port_up(&mut self, p: usize, now: u64, out: &mut Out) {
        if !self.enabled || p >= self.ports.len() {
            return;
        }
        self.init_port(p);
        self.port_state_selection(now, out);
    }

    /// A port leaves.
    pub(crate) fn port_down(&mut self, p: usize, now: u64, out: &mut Out) {
        if !self.enabled || p >= self.ports.len() {
            return;
        }
        let was_root = self.is_root();
        if self.ports[p].state != State::Disabled {
            self.become_designated(p);
            self.ports[p].reset(State::Disabled);
            out.flush(p);
            self.configuration_update();
            self.port_state_selection(now, out);
            self.after_root_change(was_root, now, out);
        }
    }

    /// A BPDU arrived on `p`.
    pub(crate) fn receive(&mut self, p: usize, bpdu: &Bpdu, now: u64, out: &mut Out) {
        if !self.enabled || self.ports.get(p).is_none_or(|q| q.state == State::Disabled) {
            return;
        }
        match bpdu {
            Bpdu::Config(c) => self.received_config(p, c, now, out),
            Bpdu::Tcn => {
                if self.is_designated(p) {
                    self.topology_change_detection(now, out);
                    self.ports[p].tc_ack = true;
                    self.transmit_config(p, now, out);
                }
            }
        }
    }

    fn received_config(&mut self, p: usize, c: &Config, now: u64, out: &mut Out) {
        // The root's times, within the ranges a switch may be set to: a
        // BPDU that any port may send must not make every address age at
        // once, nor every port's information expire at every tick.
        let c = &Config {
            hello: c.hello.clamp(1000, 10_000),
            max_age: c.max_age.clamp(6000, 40_000),
            forward_delay: c.forward_delay.clamp(2000, 30_000),
            ..*c
        };
        // Stale information is ignored, as the Linux bridge does.
        if c.message_age >= c.max_age {
            return;
        }
        let was_root = self.is_root();
        if self.supersedes(p, c) {
            let q = &mut self.ports[p];
            q.designated_root = c.root;
            q.designated_cost = c.cost;
            q.designated_bridge = c.bridge;
            q.designated_port = c.port;
            q.message_age = Some(now + c.max_age - c.message_age);
            self.configuration_update();
            self.port_state_selection(now, out);
            if !self.is_root() && was_root {
                self.hello_timer = None;
                if self.topology_change_detected {
                    self.topology_change_timer = None;
                    self.transmit_tcn(out);
                    self.tcn_timer = Some(now + self.bridge_hello);
                }
            }
            if self.root_port == Some(p) {
                self.max_age = c.max_age;
                self.hello = c.hello;
                self.forward_delay = c.forward_delay;
                self.topology_change = c.tc;
                self.config_bpdu_generation(now, out);
                if c.tca {
                    self.tcn_timer = None;
                    self.topology_change_detected = false;
                }
            }
        } else if self.is_designated(p) {
            // An inferior BPDU on our segment: answer with ours.
            self.transmit_config(p, now, out);
        }
    }

    /// Whether `c`, received on `p`, is better than what `p` holds.
    fn supersedes(&self, p: usize, c: &Config) -> bool {
        let q = &self.ports[p];
        match c.root.cmp(&q.designated_root) {
            core::cmp::Ordering::Less => return true,
            core::cmp::Ordering::Greater => return false,
            _ => {}
        }
        match c.cost.cmp(&q.designated_cost) {
            core::cmp::Ordering::Less => return true,
            core::cmp::Ordering::Greater => return false,
            _ => {}
        }
        match c.bridge.cmp(&q.designated_bridge) {
            core::cmp::Ordering::Less => return true,
            core::cmp::Ordering::Greater => return false,
            _ => {}
        }
        c.bridge != self.bridge_id || c.port <= q.designated_port
    }

    fn become_designated(&mut self, p: usize) {
        let (root, cost, id) = (self.designated_root, self.root_path_cost, self.bridge_id);
        let q = &mut self.ports[p];
        q.designated_root = root;
        q.designated_cost = cost;
        q.designated_bridge = id;
        q.designated_port = q.port_id;
    }

    /// Whether `p` is a better root port than `cur`.
    fn better_root_port(&self, p: usize, cur: Option<usize>) -> bool {
        let q = &self.ports[p];
        if q.state == State::Disabled || self.is_designated(p) {
            return false;
        }
        if self.bridge_id <= q.designated_root {
            return false;
        }
        let Some(r) = cur.map(|r| &self.ports[r]) else {
            return true;
        };
        let key = |x: &Port| {
            (
                x.designated_root,
                x.designated_cost.saturating_add(x.path_cost),
                x.designated_bridge,
                x.designated_port,
                x.port_id,
            )
        };
        key(q) < key(r)
    }

    fn root_selection(&mut self) {
        let mut root = None;
        for p in 0..self.ports.len() {
            if self.better_root_port(p, root) {
                root = Some(p);
            }
        }
        self.root_port = root;
        match root {
            None => {
                self.designated_root = self.bridge_id;
                self.root_path_cost = 0;
            }
            Some(r) => {
                let q = &self.ports[r];
                self.designated_root = q.designated_root;
                self.root_path_cost = q.designated_cost.saturating_add(q.path_cost);
            }
        }
    }

    fn should_become_designated(&self, p: usize) -> bool {
        let q = &self.ports[p];
        if self.is_designated(p) || q.designated_root != self.designated_root {
            return true;
        }
        match self.root_path_cost.cmp(&q.designated_cost) {
            core::cmp::Ordering::Less => return true,
            core::cmp::Ordering::Greater => return false,
            _ => {}
        }
        match self.bridge_id.cmp(&q.designated_bridge) {
            core::cmp::Ordering::Less => return true,
            core::cmp::Ordering::Greater => return false,
            _ => {}
        }
        q.port_id < q.designated_port
    }

    fn designated_port_selection(&mut self) {
        for p in 0..self.ports.len() {
            if self.ports[p].state != State::Disabled && self.should_become_designated(p) {
                self.become_designated(p);
            }
        }
    }

    fn configuration_update(&mut self) {
        self.root_selection();
        self.designated_port_selection();
    }

    fn port_state_selection(&mut self, now: u64, out: &mut Out) {
        for p in 0..self.ports.len() {
            if self.ports[p].state == State::Disabled {
                continue;
            }
            if self.root_port == Some(p) {
                let q = &mut self.ports[p];
                q.config_pending = false;
                q.tc_ack = false;
                self.make_forwarding(p, now);
            } else if self.is_designated(p) {
                self.ports[p].message_age = None;
                self.make_forwarding(p, now);
            } else {
                let q = &mut self.ports[p];
                q.config_pending = false;
                q.tc_ack = false;
                self.make_blocking(p, now, out);
            }
        }
    }

    fn make_forwarding(&mut self, p: usize, now: u64) {
        let fwd = self.forward_delay;
        let q = &mut self.ports[p];
        if q.state == State::Blocking {
            q.state = State::Listening;
            q.forward_delay = Some(now + fwd);
        }
    }

    fn make_blocking(&mut self, p: usize, now: u64, out: &mut Out) {
        let st = self.ports[p].state;
        if st == State::Disabled || st == State::Blocking {
            return;
        }
        if matches!(st, State::Forwarding | State::Learning) {
            self.topology_change_detection(now, out);
        }
        let q = &mut self.ports[p];
        q.state = State::Blocking;
        q.forward_delay = None;
        out.flush(p);
    }

    fn topology_change_detection(&mut self, now: u64, out: &mut Out) {
        if self.is_root() {
            self.topology_change = true;
            self.topology_change_timer =
                Some(now + self.bridge_max_age + self.bridge_forward_delay);
        } else if !self.topology_change_detected {
            self.transmit_tcn(out);
            self.tcn_timer = Some(now + self.bridge_hello);
        }
        if !self.topology_change_detected {
            self.topology_changes = self.topology_changes.wrapping_add(1);
        }
        self.topology_change_detected = true;
    }

    fn transmit_tcn(&mut self, out: &mut Out) {
        if let Some(r) = self.root_port {
            out.send(r, Bpdu::Tcn);
        }
    }

    fn transmit_config(&mut self, p: usize, now: u64, out: &mut Out) {
        if self.ports[p].hold.is_some() {
            self.ports[p].config_pending = true;
            return;
        }
        let message_age = match self.root_port {
            None => 0,
            Some(r) => {
                // The root's information, as old as when it arrived plus
                // the time since, and the increment.
                let left = self.ports[r]
                    .message_age
                    .map_or(0, |d| d.saturating_sub(now));
                self.max_age.saturating_sub(left) + MESSAGE_AGE_INCR_MS
            }
        };
        if message_age >= self.max_age {
            return;
        }
        let q = &mut self.ports[p];
        let c = Config {
            tc: self.topology_change,
            tca: q.tc_ack,
            root: self.designated_root,
            cost: self.root_path_cost,
            bridge: self.bridge_id,
            port: q.port_id,
            message_age,
            max_age: self.max_age,
            hello: self.hello,
            forward_delay: self.forward_delay,
        };
        q.tc_ack = false;
        q.config_pending = false;
        q.hold = Some(now + HOLD_MS);
        out.send(p, Bpdu::Config(c));
    }

    fn config_bpdu_generation(&mut self, now: u64, out: &mut Out) {
        for p in 0..self.ports.len() {
            if self.ports[p].state != State::Disabled && self.is_designated(p) {
                self.transmit_config(p, now, out);
            }
        }
    }

    /// After a change that may have made this bridge the root.
    fn after_root_change(&mut self, was_root: bool, now: u64, out: &mut Out) {
        if self.is_root() && !was_root {
            self.max_age = self.bridge_max_age;
            self.hello = self.bridge_hello;
            self.forward_delay = self.bridge_forward_delay;
            self.topology_change_detection(now, out);
            self.tcn_timer = None;
            self.config_bpdu_generation(now, out);
            self.hello_timer = Some(now + self.hello);
        }
    }

    /// Runs the timers that have expired by `now`.
    pub(crate) fn tick(&mut self, now: u64, out: &mut Out) {
        if !self.enabled {
            return;
        }
        let due = |t: Option<u64>| t.is_some_and(|d| d <= now);
        if due(self.hello_timer) {
            self.config_bpdu_generation(now, out);
            self.hello_timer = Some(now + self.hello);
        }
        if due(self.tcn_timer) {
            self.transmit_tcn(out);
            self.tcn_timer = Some(now + self.bridge_hello);
        }
        if due(self.topology_change_timer) {
            self.topology_change_timer = None;
            self.topology_change_detected = false;
            self.topology_change = false;
        }
        // Ports whose information expired become designated, then the
        // tree is computed once for all of them.
        let was_root = self.is_root();
        let mut expired = false;
        for p in 0..self.ports.len() {
            if due(self.ports[p].message_age) {
                self.ports[p].message_age = None;
                self.become_designated(p);
                expired = true;
            }
        }
        if expired {
            self.configuration_update();
            self.port_state_selection(now, out);
            self.after_root_change(was_root, now, out);
        }
        for p in 0..self.ports.len() {
            if due(self.ports[p].forward_delay) {
                let fwd = self.forward_delay;
                let q = &mut self.ports[p];
                match q.state {
                    State::Listening => {
                        q.state = State::Learning;
                        q.forward_delay = Some(now + fwd);
                    }
                    State::Learning => {
                        q.state = State::Forwarding;
                        q.forward_delay = None;
                        let designated = (0..self.ports.len()).any(|d| {
                            self.ports[d].state != State::Disabled && self.is_designated(d)
                        });
                        if designated {
                            self.topology_change_detection(now, out);
                        }
                    }
                    _ => q.forward_delay = None,
                }
            }
            if due(self.ports[p].hold) {
                self.ports[p].hold = None;
                if self.ports[p].config_pending {
                    self.transmit_config(p, now, out);
                }
            }
        }
    }
}

#[kunit_tests(kvde_switch_stp)]
mod tests {
    use super::*;

    fn mac(n: u8) -> [u8; 6] {
        [0x02, 0, 0, 0, 0, n]
    }

    fn frame(b: &Bpdu) -> [u8; FRAME_LEN] {
        let mut f = [0u8; FRAME_LEN];
        build(b, &mac(9), &mut f);
        f
    }

    #[test]
    fn bpdu_round_trip() -> Result {
        let c = Config {
            tc: true,
            tca: false,
            root: [0x80, 0, 2, 0, 0, 0, 0, 1],
            cost: 119,
            bridge: [0x80, 0, 2, 0, 0, 0, 0, 2],
            port: 0x8003,
            message_age: 1000,
            max_age: 20000,
            hello: 2000,
            forward_delay: 15000,
        };
        assert_eq!(parse(&frame(&Bpdu::Config(c))), Some(Bpdu::Config(c)));
        assert_eq!(parse(&frame(&Bpdu::Tcn)), Some(Bpdu::Tcn));
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_a_bpdu() -> Result {
        let f = frame(&Bpdu::Tcn);
        // Another destination, a bad LLC header, a protocol other than 0,
        // an unknown type, a length past the frame, a short configuration.
        let mut g = f;
        g[5] = 1;
        assert_eq!(parse(&g), None);
        let mut g = f;
        g[14] = 0xaa;
        assert_eq!(parse(&g), None);
        let mut g = f;
        g[HDR + 1] = 1;
        assert_eq!(parse(&g), None);
        let mut g = f;
        g[HDR + 3] = 0x55;
        assert_eq!(parse(&g), None);
        // An RSTP BPDU (version 2, type 2), as the Linux bridge ignores.
        let mut g = f;
        g[HDR + 2] = 2;
        g[HDR + 3] = 2;
        assert_eq!(parse(&g), None);
        let mut g = f;
        g[12..14].copy_from_slice(&1500u16.to_be_bytes());
        assert_eq!(parse(&g), None);
        let mut g = f;
        g[HDR + 3] = TYPE_CONFIG;
        assert_eq!(parse(&g), None);
        assert_eq!(parse(&f[..10]), None);
        Ok(())
    }

    /// Bridges `a` (MAC 1, the better unless `b_priority` says otherwise)
    /// and `b` (MAC 2) of `ports` ports each, with the shortest times, STP
    /// on with ports `0..up` connected.
    fn pair(ports: usize, up: usize, b_priority: Option<u16>) -> Result<(Stp, Stp)> {
        let mut a = Stp::new(mac(1), ports)?;
        let mut b = Stp::new(mac(2), ports)?;
        let mut o = Out::new();
        if let Some(prio) = b_priority {
            b.set_priority(prio, 0, &mut o);
        }
        for s in [&mut a, &mut b] {
            s.set_times(1000, 6000, 2000);
            s.enable(0..up, 0, &mut o);
        }
        Ok((a, b))
    }

    /// Runs bridges `a` and `b`, joined by cables between their ports of
    /// the same number, from `now` to `until`: BPDUs go across until nothing
    /// changes, with time running.
    fn converge(a: &mut Stp, b: &mut Stp, mut now: u64, until: u64) -> Result<u64> {
        while now < until {
            let mut oa = Out::new();
            let mut ob = Out::new();
            a.tick(now, &mut oa);
            b.tick(now, &mut ob);
            // Cables: a's port i to b's port i.
            for _ in 0..4 {
                let mut na = Out::new();
                let mut nb = Out::new();
                for (p, m) in oa.sends.iter() {
                    b.receive(*p, m, now, &mut nb);
                }
                for (p, m) in ob.sends.iter() {
                    a.receive(*p, m, now, &mut na);
                }
                oa = na;
                ob = nb;
            }
            now += 100;
        }
        Ok(now)
    }

    #[test]
    fn a_loop_of_two_bridges_blocks_one_port() -> Result {
        let (mut a, mut b) = pair(2, 2, None)?;
        let now = converge(&mut a, &mut b, 0, 10_000)?;
        // a is the root, both its ports designated and forwarding; b's
        // root port is 0 (the lower port id) and its port 1 blocks.
        assert!(a.is_root());
        assert!(a.forwards(0) && a.forwards(1));
        assert_eq!(b.root_port, Some(0));
        assert_eq!(b.designated_root, a.bridge_id);
        assert_eq!(b.root_path_cost, DEFAULT_PATH_COST);
        assert!(b.forwards(0));
        assert_eq!(b.ports[1].state, State::Blocking);
        assert_eq!(b.role(1), IPN_STP_ROLE_ALTERNATE as u8);
        // The root port's cable goes: the other one takes over.
        let mut o = Out::new();
        a.port_down(0, now, &mut o);
        b.port_down(0, now, &mut o);
        converge(&mut a, &mut b, now, now + 10_000)?;
        assert_eq!(b.root_port, Some(1));
        assert!(b.forwards(1));
        Ok(())
    }

    #[test]
    fn priority_elects_the_root() -> Result {
        let (mut a, mut b) = pair(2, 2, Some(0x1000))?;
        converge(&mut a, &mut b, 0, 10_000)?;
        assert!(b.is_root());
        assert_eq!(a.root_port, Some(0));
        assert_eq!(a.ports[1].state, State::Blocking);
        Ok(())
    }

    #[test]
    fn a_silent_root_is_forgotten() -> Result {
        let (mut a, mut b) = pair(1, 1, None)?;
        let now = converge(&mut a, &mut b, 0, 6000)?;
        assert_eq!(b.root_port, Some(0));
        // a falls silent (its BPDUs no longer arrive): after max age b
        // takes its port's information for stale and becomes the root.
        let mut now = now;
        let until = now + 8000;
        while now < until {
            let mut o = Out::new();
            b.tick(now, &mut o);
            now += 100;
        }
        assert!(b.is_root());
        assert_eq!(b.root_port, None);
        assert_eq!(b.role(0), IPN_STP_ROLE_DESIGNATED as u8);
        Ok(())
    }

    #[test]
    fn a_new_forwarding_port_is_a_topology_change() -> Result {
        let (mut a, mut b) = pair(2, 1, None)?;
        let now = converge(&mut a, &mut b, 0, 20_000)?;
        assert!(!a.topology_change && !b.topology_change);
        let changes = a.topology_changes;
        // A port of b comes up (a host behind it): when it forwards, b
        // tells the root (TCN), which sets TC in its BPDUs; b then ages
        // its addresses in a forward delay.
        let mut o = Out::new();
        b.port_up(1, now, &mut o);
        // Forwarding after two forward delays; the root's answer may wait
        // for its hold time.
        let now = converge(&mut a, &mut b, now, now + 5500)?;
        assert!(b.forwards(1));
        assert!(a.topology_change && b.topology_change);
        assert_eq!(a.topology_changes, changes + 1);
        assert_eq!(b.fast_aging(), Some(2000));
        // It ends after max age and forward delay at the root.
        converge(&mut a, &mut b, now, now + 12_000)?;
        assert!(!a.topology_change && !b.topology_change);
        assert_eq!(b.fast_aging(), None);
        Ok(())
    }

    #[test]
    fn one_config_bpdu_a_second_per_port() -> Result {
        let mut a = Stp::new(mac(1), 1)?;
        let mut o = Out::new();
        a.enable(0..1, 0, &mut o);
        assert_eq!(o.sends.len(), 1);
        // An inferior BPDU on a's designated port wants an answer at once:
        // held until a second has passed since the last one.
        let worse = Bpdu::Config(Config {
            tc: false,
            tca: false,
            root: [0xff; 8],
            cost: 0,
            bridge: [0xff; 8],
            port: 0x8001,
            message_age: 0,
            max_age: 20000,
            hello: 2000,
            forward_delay: 15000,
        });
        let mut o = Out::new();
        a.receive(0, &worse, 200, &mut o);
        assert_eq!(o.sends.len(), 0);
        a.tick(1000, &mut o);
        assert_eq!(o.sends.len(), 1);
        assert!(matches!(o.sends[0], (0, Bpdu::Config(c)) if c.root == a.bridge_id));
        Ok(())
    }

    #[test]
    fn off_forwards_everywhere() -> Result {
        let mut a = Stp::new(mac(1), 3)?;
        assert!(a.forwards(0) && a.learns(2));
        let mut o = Out::new();
        a.enable(0..1, 0, &mut o);
        // Enabled: port 0 listens, 1 and 2 are not connected.
        assert!(!a.forwards(0) && !a.learns(0) && !a.forwards(1));
        a.disable();
        assert!(a.forwards(0) && a.forwards(1));
        Ok(())
    }
}
