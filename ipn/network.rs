// SPDX-License-Identifier: GPL-2.0

//! IPN networks: the registry of networks by filesystem node, their port
//! tables and their settings.

use crate::{
    layer::{
        fs::path::FsNode,
        ipn::registry::{export_policy_api, PolicyHost, PolicyRef},
        net::{
            bh::BhGuard,
            meta::Sender,
            namespace::Namespace,
            net_device::NetDev,
            skbuff::SkBuff,
            sock::{Sock, RCV_SHUTDOWN, SEND_SHUTDOWN},
        },
        sync::{module_global, rcu_cell::RcuCell},
    },
    uapi::*,
};
use core::sync::atomic::{fence, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use kernel::{
    ffi::{c_long, c_void},
    new_mutex, new_poll_condvar,
    prelude::*,
    sync::aref::ARef,
    sync::{poll::PollCondVar, rcu, Arc, CondVarTimeoutResult, Mutex, UniqueArc},
    task::MAX_SCHEDULE_TIMEOUT,
    time::Jiffies,
    types::ScopeGuard,
};

/// Settings fixed when a network is created.
#[derive(Clone, Copy)]
pub(crate) struct NetParams {
    pub(crate) mtu: usize,
    pub(crate) numnodes: usize,
    pub(crate) msgpool: u32,
    pub(crate) flags: u32,
    pub(crate) mode: u16,
}

impl Default for NetParams {
    fn default() -> Self {
        Self {
            mtu: DEFAULT_MTU,
            numnodes: DEFAULT_NUMNODES,
            msgpool: DEFAULT_MSGPOOLSIZE,
            flags: 0,
            mode: DEFAULT_MODE,
        }
    }
}

/// What sits on a port: a socket, or an interface of the host.
#[derive(Clone)]
pub(crate) enum Port {
    Sock(ARef<Sock>, Framing),
    Dev(ARef<NetDev>),
}

/// How a socket reads frames (`IPN_SO_VNET_HDR`, fixed at connect).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Frames of wire size, whole and checksummed.
    Wire,
    /// Frames as they cross the network, GSO super-frames and partial
    /// checksums included, each behind a virtio-net header that says how
    /// to finish it.
    Vnet,
}

impl Port {
    /// Whether the socket or interface is in the network namespace `ns`.
    pub(crate) fn in_net(&self, ns: &Namespace) -> bool {
        match self {
            Port::Sock(sk, _) => sk.net() == ns,
            Port::Dev(dev) => dev.in_net(ns),
        }
    }

    /// Whether it takes messages (a socket may be shut for reading).
    fn reading(&self) -> bool {
        match self {
            Port::Sock(sk, _) => sk.shutdown_mask() & RCV_SHUTDOWN == 0,
            Port::Dev(_) => true,
        }
    }

    /// Whether it sends messages (a socket may be shut for writing).
    fn writing(&self) -> bool {
        match self {
            Port::Sock(sk, _) => sk.shutdown_mask() & SEND_SHUTDOWN == 0,
            Port::Dev(_) => true,
        }
    }

    /// Queues `skb`, bounded by `limit` messages and by its receive buffer
    /// for a socket; an interface has its own backlog. Never sleeps.
    fn queue(&self, skb: SkBuff, limit: u32) -> bool {
        match self {
            // A socket with virtio-net headers takes what a header can
            // describe as it is.
            Port::Sock(sk, Framing::Vnet) if skb.vnet_fits() => sk.queue_rcv(skb, limit).is_ok(),
            // Other sockets read frames of wire size, whole and
            // checksummed: a super-frame of a tap becomes several
            // messages, each queued (a lossless sender waits for room for
            // one, so a queue may go past its bound by one super-frame's
            // frames).
            Port::Sock(sk, _) => {
                let mut queued = false;
                let mut any = false;
                for frame in skb.flatten() {
                    any = true;
                    queued |= sk.queue_rcv(frame, limit).is_ok();
                }
                if !any {
                    sk.count_drop();
                }
                queued
            }
            Port::Dev(dev) => {
                dev.out(skb);
                true
            }
        }
    }
}

/// The port table, read under RCU for every message. Slot `i` is port `i`.
pub(crate) struct Ports {
    pub(crate) slots: KVec<Option<Port>>,
}

impl Ports {
    fn with_len(n: usize) -> Result<Self> {
        let mut slots = KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?;
        for _ in 0..n {
            slots.push(None, GFP_KERNEL_ACCOUNT)?;
        }
        Ok(Self { slots })
    }
}

/// State changed only by management operations, under `Network::state`.
struct NetState {
    /// Bound or connected sockets; the network goes away at zero.
    users: usize,
    /// Which ports are taken (mirrors `ports` for writers).
    taken: KVec<bool>,
    /// Sockets bound to the network and not connected, for diagnostics.
    bound: KVec<ARef<Sock>>,
}

/// Who is on a network, for diagnostics: a copy taken under its lock.
pub(crate) struct Members {
    /// The port table.
    pub(crate) ports: Ports,
    /// Sockets bound and not connected.
    pub(crate) bound: KVec<ARef<Sock>>,
    /// Sockets and interfaces holding the network.
    pub(crate) users: usize,
}

impl Members {
    /// Whether a member is in the network namespace `ns`.
    pub(crate) fn any_in(&self, ns: &Namespace) -> bool {
        self.ports.slots.iter().flatten().any(|p| p.in_net(ns))
            || self.bound.iter().any(|s| s.net() == ns)
    }
}

/// An IPN network.
#[pin_data]
pub(crate) struct Network {
    pub(crate) protocol: i32,
    pub(crate) params: NetParams,
    #[pin]
    state: Mutex<NetState>,
    ports: RcuCell<Ports>,
    /// Woken when a receive queue drains (lossless senders, POLLOUT).
    #[pin]
    pub(crate) space: PollCondVar,
    /// Lossless senders waiting in `wait_for_room`.
    waiting: AtomicUsize,
    /// Readers and writers as last counted (`readers << 32 | writers`),
    /// changed under `state`: what a reader/writer notice reports.
    members: AtomicU64,
    /// The delivery policy; holds its module while the network exists.
    pub(crate) policy: PolicyRef<Network>,
    /// The policy's private data (`ipn_net_set_private()`).
    pub(crate) private: AtomicPtr<c_void>,
}

struct Entry {
    /// Identity of the filesystem node (its inode).
    key: usize,
    net: Arc<Network>,
    /// The filesystem node, referenced while the network exists.
    node: Arc<FsNode>,
}

module_global! {
    // Held only for list operations, never across filesystem calls: the
    // last user of a network may drop it under RTNL (an interface deleted),
    // and a filesystem that does not answer must not hold RTNL up.
    static NETWORKS: Mutex<KVec<Entry>> = KVec::new();
    /// The registry of networks, usable while this lives (module init to
    /// exit).
    pub(crate) struct Networks;
}

/// Binds between creating a network's node and registering the network:
/// a node that is not in the registry meanwhile may be theirs rather than
/// stale. No lock is held across the filesystem calls and module loading
/// of a bind: a filesystem that does not answer (a hung FUSE server), or a
/// slow `modprobe`, stalls only the binds that wait on it.
static CREATING: AtomicUsize = AtomicUsize::new(0);

/// Takes a user reference on the registered network `net`; `ECONNREFUSED`
/// if its last user dropped it meanwhile.
fn add_registered_user(nets: &KVec<Entry>, net: &Arc<Network>) -> Result {
    if !nets.iter().any(|e| Arc::ptr_eq(&e.net, net)) {
        return Err(ECONNREFUSED);
    }
    net.state.lock().users += 1;
    Ok(())
}

/// Outcome of a lookup for `connect`.
pub(crate) struct Found {
    pub(crate) net: Arc<Network>,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
}

impl Network {
    fn new(protocol: i32, params: NetParams, policy: PolicyRef<Self>) -> Result<Arc<Self>> {
        let mut taken = KVec::with_capacity(params.numnodes, GFP_KERNEL_ACCOUNT)?;
        for _ in 0..params.numnodes {
            taken.push(false, GFP_KERNEL_ACCOUNT)?;
        }
        let net = Arc::pin_init(
            try_pin_init!(Self {
                protocol,
                params,
                state <- new_mutex!(NetState {
                    users: 1,
                    taken,
                    bound: KVec::new(),
                }),
                ports: RcuCell::new(Ports::with_len(params.numnodes)?)?,
                space <- new_poll_condvar!("ipn_network::space"),
                waiting: AtomicUsize::new(0),
                members: AtomicU64::new(0),
                policy,
                private: AtomicPtr::new(core::ptr::null_mut()),
            }),
            GFP_KERNEL_ACCOUNT,
        )?;
        net.policy.new_net(&net)?;
        Ok(net)
    }

    pub(crate) fn lossless(&self) -> bool {
        self.params.flags & IPN_FLAG_LOSSLESS != 0
    }

    /// Binds: creates the network at `path` or attaches to the one there.
    pub(crate) fn bind(path: &CStr, protocol: i32, params: &NetParams) -> Result<Arc<Network>> {
        // Another bind may create the node between our lookup and our
        // mknod: then we attach to its network, which a few retries find.
        for _ in 0..8 {
            match Self::attach(path, protocol, params) {
                Err(e) if e == ENOENT => {}
                other => return other,
            }
            match Self::create(path, protocol, params) {
                Err(e) if e == EEXIST => {}
                other => return other,
            }
        }
        Err(EADDRINUSE)
    }

    /// Attaches to the network at `path`; `ENOENT` when there is no node.
    fn attach(path: &CStr, protocol: i32, params: &NetParams) -> Result<Arc<Network>> {
        let node = FsNode::lookup(path)?;
        let net = loop {
            let found = NETWORKS
                .lock()
                .iter()
                .find(|e| e.key == node.key())
                .map(|e| e.net.clone());
            match found {
                Some(net) => break net,
                // Maybe a network being created: wait until no bind is
                // between its mknod and its registration.
                None if CREATING.load(Ordering::SeqCst) != 0 => {
                    if kernel::current!().signal_pending() {
                        return Err(ERESTARTSYS);
                    }
                    kernel::time::delay::fsleep(kernel::time::Delta::from_millis(1));
                }
                None => return Err(EADDRINUSE),
            }
        };
        if params.flags & IPN_FLAG_EXCL != 0 {
            return Err(EEXIST);
        }
        node.permission(crate::layer::fs::path::may::EXEC)?;
        if protocol != IPN_ANY && protocol != net.protocol {
            return Err(EPROTO);
        }
        // Gone meanwhile: its node is stale now.
        add_registered_user(&NETWORKS.lock(), &net).map_err(|_| EADDRINUSE)?;
        Ok(net)
    }

    /// Creates a network and its node at `path`; `EEXIST` when something
    /// appeared there meanwhile.
    fn create(path: &CStr, protocol: i32, params: &NetParams) -> Result<Arc<Network>> {
        let proto = if protocol == IPN_ANY {
            IPN_BROADCAST
        } else {
            protocol
        };
        // The network, its policy state and a registry slot come first:
        // once the node exists nothing may fail. The registry keeps a free
        // slot for every bind between mknod and registration (`CREATING`,
        // changed under its lock), so that registering never allocates.
        let policy = PolicyRef::get_or_load(proto)?;
        let net = Network::new(proto, *params, policy)?;
        let slot = UniqueArc::new_uninit(GFP_KERNEL).map_err(Error::from);
        let slot = slot.and_then(|slot| {
            let mut nets = NETWORKS.lock();
            let n = CREATING.load(Ordering::SeqCst) + 1;
            nets.reserve(n, GFP_KERNEL)?;
            CREATING.store(n, Ordering::SeqCst);
            Ok(slot)
        });
        let node = slot.and_then(|slot| match FsNode::create(path, params.mode) {
            Ok(node) => Ok(Arc::from(slot.write(node))),
            Err(e) => {
                let _nets = NETWORKS.lock();
                CREATING.fetch_sub(1, Ordering::SeqCst);
                Err(e)
            }
        });
        let node = match node {
            Ok(node) => node,
            Err(e) => {
                net.policy.del_net(&net);
                return Err(e);
            }
        };
        let mut nets = NETWORKS.lock();
        let entry = Entry {
            key: node.key(),
            net: net.clone(),
            node,
        };
        // Within the slot kept for this bind: cannot fail.
        let pushed = nets.push_within_capacity(entry).is_ok();
        CREATING.fetch_sub(1, Ordering::SeqCst);
        drop(nets);
        if !pushed {
            net.policy.del_net(&net);
            return Err(ENOMEM);
        }
        Ok(net)
    }

    /// Finds the network at `path` for `connect` and checks the rights.
    pub(crate) fn find(path: &CStr, protocol: i32) -> Result<Found> {
        let node = FsNode::lookup(path).map_err(|e| if e == ENOENT { ECONNREFUSED } else { e })?;
        if !node.is_socket() {
            return Err(ECONNREFUSED);
        }
        let readable = node.permission(crate::layer::fs::path::may::READ).is_ok();
        let writable = node.permission(crate::layer::fs::path::may::WRITE).is_ok();
        let nets = NETWORKS.lock();
        let entry = nets
            .iter()
            .find(|e| e.key == node.key())
            .ok_or(ECONNREFUSED)?;
        if protocol != IPN_ANY && protocol != entry.net.protocol {
            return Err(EPROTO);
        }
        if !readable && !writable {
            return Err(EACCES);
        }
        let net = entry.net.clone();
        add_registered_user(&nets, &net)?;
        drop(nets);
        drop(node);
        Ok(Found {
            net,
            readable,
            writable,
        })
    }

    /// Records `sk` as bound to the network (and not connected).
    pub(crate) fn add_bound(&self, sk: &Sock) -> Result {
        let mut st = self.state.lock();
        st.bound.push(ARef::from(sk), GFP_KERNEL_ACCOUNT)?;
        Ok(())
    }

    /// Forgets `sk` as bound (it closed).
    pub(crate) fn remove_bound(&self, sk: &Sock) {
        let mut st = self.state.lock();
        let gone = Self::take_bound(&mut st, sk);
        drop(st);
        drop(gone);
    }

    /// Takes `sk` out of the bound sockets, if there.
    fn take_bound(st: &mut NetState, sk: &Sock) -> Option<ARef<Sock>> {
        let i = st.bound.iter().position(|s| core::ptr::eq(&**s, sk))?;
        st.bound.remove(i).ok()
    }

    /// The network at position `i` of the registry, and its node.
    pub(crate) fn nth(i: usize) -> Option<(Arc<Network>, Arc<FsNode>)> {
        NETWORKS
            .lock()
            .get(i)
            .map(|e| (e.net.clone(), e.node.clone()))
    }

    /// A copy of who is on the network.
    pub(crate) fn members(&self) -> Result<Members> {
        let st = self.state.lock();
        let ports = self.snapshot(st.taken.len())?;
        let mut bound = KVec::with_capacity(st.bound.len(), GFP_KERNEL)?;
        for s in st.bound.iter() {
            bound.push(s.clone(), GFP_KERNEL)?;
        }
        Ok(Members {
            ports,
            bound,
            users: st.users,
        })
    }

    /// Takes a user reference (an interface on the network).
    pub(crate) fn add_user(&self) {
        self.state.lock().users += 1;
    }

    /// The network's filesystem node; `ECONNREFUSED` once it is gone.
    fn node(self: &Arc<Self>) -> Result<Arc<FsNode>> {
        NETWORKS
            .lock()
            .iter()
            .find(|e| Arc::ptr_eq(&e.net, self))
            .map(|e| e.node.clone())
            .ok_or(ECONNREFUSED)
    }

    /// Whether the current task owns the network's node (or has
    /// `CAP_FOWNER` over it): who may `chmod` it, and so decide who joins,
    /// may also configure the policy's ports.
    pub(crate) fn owned(self: &Arc<Self>) -> bool {
        self.node().is_ok_and(|n| n.owned())
    }

    /// The current task's (read, write) rights on the network's node.
    pub(crate) fn rights(self: &Arc<Self>) -> Result<(bool, bool)> {
        let node = self.node()?;
        let readable = node.permission(crate::layer::fs::path::may::READ).is_ok();
        let writable = node.permission(crate::layer::fs::path::may::WRITE).is_ok();
        if !readable && !writable {
            return Err(EACCES);
        }
        Ok((readable, writable))
    }

    /// Waits until every reader has room for a message from port `from`
    /// (lossless networks), for at most `timeo` jiffies (the socket's send
    /// timeout: 0 for a non-blocking send, `MAX_SCHEDULE_TIMEOUT` for none).
    /// `EAGAIN` when the time is up; as `sock_intr_errno()` on a signal.
    pub(crate) fn wait_for_room(&self, from: usize, timeo: c_long) -> Result {
        // Without a lock while every reader has room, as is usual.
        if self.has_room(from) {
            return Ok(());
        }
        let mut left = timeo;
        let mut st = self.state.lock();
        // Readers wake senders only while one waits: counted before the
        // check below, and ordered against a reader's dequeue and its look
        // at the count by the fences here and in `wake_senders`. One of
        // the two sees the other.
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = ScopeGuard::new(|| {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
        });
        fence(Ordering::SeqCst);
        loop {
            if self.has_room(from) {
                return Ok(());
            }
            if left <= 0 {
                return Err(EAGAIN);
            }
            if left == MAX_SCHEDULE_TIMEOUT {
                if self.space.wait_interruptible(&mut st) {
                    return Err(ERESTARTSYS);
                }
                continue;
            }
            // `left` is positive here: the conversion cannot fail.
            let ticks = Jiffies::try_from(left).unwrap_or(0);
            match self.space.wait_interruptible_timeout(&mut st, ticks) {
                CondVarTimeoutResult::Timeout => left = 0,
                CondVarTimeoutResult::Woken { jiffies } => {
                    left = c_long::try_from(jiffies).unwrap_or(0)
                }
                CondVarTimeoutResult::Signal { .. } => return Err(EINTR),
            }
        }
    }

    /// Drops one user; the last one removes the network from the registry.
    pub(crate) fn put_user(self: &Arc<Self>) {
        let mut nets = NETWORKS.lock();
        let last = {
            let mut st = self.state.lock();
            st.users = st.users.saturating_sub(1);
            st.users == 0
        };
        if !last {
            return;
        }
        let pos = nets.iter().position(|e| Arc::ptr_eq(&e.net, self));
        let removed = pos.and_then(|i| nets.remove(i).ok());
        drop(nets);
        // The last user may be an interface that has just left its port
        // (`ip link del`, its namespace exiting) while a transmit through
        // it, which read the port before, is still inside the policy on
        // another CPU. Transmits and receive handlers run under RCU: once
        // a grace period has passed, none can reach the policy's data.
        rcu::synchronize_rcu();
        self.policy.del_net(self);
        // The node reference is released outside the registry lock.
        drop(removed);
    }

    /// A copy of the port table with `len` slots, for a writer holding
    /// `state`. Allocates before entering the RCU read section, which must
    /// not sleep; slots past `len` are dropped (callers check they are free).
    fn snapshot(&self, len: usize) -> Result<Ports> {
        let mut new = Ports::with_len(len)?;
        let guard = rcu::read_lock();
        for (d, s) in new
            .slots
            .iter_mut()
            .zip(self.ports.read(&guard).slots.iter())
        {
            *d = s.clone();
        }
        drop(guard);
        Ok(new)
    }

    /// Connects `port` at number `want` (or the first free one).
    pub(crate) fn connect_port(&self, port_obj: Port, want: Option<usize>) -> Result<usize> {
        let mut st = self.state.lock();
        let port = match want {
            Some(p) if p >= st.taken.len() => return Err(EINVAL),
            Some(p) if st.taken[p] => return Err(EADDRINUSE),
            Some(p) => p,
            None => st.taken.iter().position(|t| !*t).ok_or(ENOSPC)?,
        };
        let sk = match &port_obj {
            Port::Sock(sk, _) => Some(sk.clone()),
            Port::Dev(_) => None,
        };
        let mut new = self.snapshot(st.taken.len())?;
        new.slots[port] = Some(port_obj);
        self.policy.new_port(self, port)?;
        if let Err(e) = self.ports.replace(new) {
            self.policy.del_port(self, port);
            return Err(e);
        }
        st.taken[port] = true;
        // A bound socket that connects is no longer only bound: in the
        // same step, so that diagnostics never see it as both.
        let was_bound = sk.and_then(|sk| Self::take_bound(&mut st, &sk));
        drop(st);
        drop(was_bound);
        self.count_members();
        Ok(port)
    }

    /// Disconnects port `port`.
    pub(crate) fn disconnect_port(&self, port: usize) {
        let mut st = self.state.lock();
        if port >= st.taken.len() || !st.taken[port] {
            return;
        }
        self.policy.pre_del_port(self, port);
        // A closing socket must leave the bus even when memory is short:
        // retry the copy, letting RCU callbacks free retired tables.
        loop {
            if let Ok(mut new) = self.snapshot(st.taken.len()) {
                new.slots[port] = None;
                if self.ports.replace(new).is_ok() {
                    break;
                }
            }
            rcu::synchronize_rcu();
        }
        st.taken[port] = false;
        self.policy.del_port(self, port);
        drop(st);
        // A lossless sender may have been waiting for this port's queue.
        self.space.notify_all();
        self.count_members();
    }

    /// The readers and writers as last counted.
    pub(crate) fn members_count(&self) -> (u32, u32) {
        // Ordered with the clearing of a notice before it (`recvmsg`).
        let v = self.members.load(Ordering::SeqCst);
        ((v >> 32) as u32, v as u32)
    }

    /// Counts the readers and writers after a port came, went or shut a
    /// direction, and sends a notice to the sockets that asked for one
    /// (`IPN_SO_WANT_OOB_NUMNODES`) when the numbers changed.
    pub(crate) fn count_members(&self) {
        // Under the lock, so that concurrent changes report in order and
        // the last count stays.
        let _st = self.state.lock();
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        let (mut readers, mut writers) = (0u64, 0u64);
        for p in ports.slots.iter().flatten() {
            readers += u64::from(p.reading());
            writers += u64::from(p.writing());
        }
        let v = readers << 32 | writers;
        // Ordered before each socket's look at its pending notice.
        if self.members.swap(v, Ordering::SeqCst) == v {
            return;
        }
        for p in ports.slots.iter().flatten() {
            if let Port::Sock(sk, _) = p {
                crate::af_ipn::Node::numnodes_changed(sk);
            }
        }
    }

    /// Resizes the port table (`IPN_SO_CHANGE_NUMNODES`).
    pub(crate) fn resize(&self, len: usize) -> Result {
        let mut st = self.state.lock();
        if st.taken.iter().skip(len).any(|t| *t) {
            return Err(EADDRINUSE);
        }
        let new = self.snapshot(len)?;
        self.policy.resize(self, st.taken.len(), len)?;
        let mut taken = KVec::with_capacity(len, GFP_KERNEL_ACCOUNT)?;
        for i in 0..len {
            taken.push(
                st.taken.get(i).copied().unwrap_or(false),
                GFP_KERNEL_ACCOUNT,
            )?;
        }
        self.ports.replace(new)?;
        st.taken = taken;
        Ok(())
    }

    /// Number of ports.
    pub(crate) fn numnodes(&self) -> usize {
        self.state.lock().taken.len()
    }

    /// Number of ports, read locklessly (from policy callbacks).
    pub(crate) fn ports_len(&self) -> usize {
        let guard = rcu::read_lock();
        self.ports.read(&guard).slots.len()
    }

    /// Whether every reader but `from` has room for one more message.
    pub(crate) fn has_room(&self, from: usize) -> bool {
        let limit = self.params.msgpool;
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        // Interfaces have their own backlog and never hold senders back.
        ports.slots.iter().enumerate().all(|(i, slot)| match slot {
            Some(p @ Port::Sock(sk, _)) if i != from && p.reading() => sk.rcv_room(limit),
            _ => true,
        })
    }

    /// The queue bound of delivering `skb`: none when lossless and sent by
    /// a socket or an interface, as the sender waited for room before; the
    /// pool size otherwise, also for what a policy builds itself (a
    /// switch's BPDUs), for which nobody waited.
    fn limit(&self, skb: &SkBuff) -> u32 {
        if self.lossless() && skb.stamped() {
            0
        } else {
            self.params.msgpool
        }
    }

    /// Hands `skb`, sent from `from` by `sender`, to the network's policy.
    /// Policies always run under RCU with bottom halves off, whatever the
    /// origin.
    pub(crate) fn deliver(&self, from: Option<usize>, mut skb: SkBuff, sender: Sender) {
        skb.stamp(from, sender);
        let _bh = BhGuard::new();
        let _guard = rcu::read_lock();
        if let Some(skb) = self.policy.handle_msg(self, from, skb) {
            // A policy without `handlemsg` is a hub.
            self.deliver_all_but(from, skb);
        }
    }

    /// Hands a frame from the interface on `from` to the policy. Runs in
    /// BH context and never waits: in a lossless network a frame that some
    /// reader has no room for is dropped and counted, as is one over the
    /// network's MTU (a grabbed interface's MTU is its own) with room for
    /// an 802.1Q tag, which VLAN interfaces on a tap add. A GSO super-frame
    /// passes when each frame it is cut into would.
    pub(crate) fn deliver_from_dev(&self, from: usize, skb: SkBuff) -> bool {
        const VLAN_HLEN: usize = 4;
        if !skb.fits(self.params.mtu + VLAN_HLEN) || (self.lossless() && !self.has_room(from)) {
            return false;
        }
        self.deliver(Some(from), skb, Sender::Device);
        true
    }

    /// Queues `skb` to `port` if it is connected and reading. Never sleeps.
    pub(crate) fn deliver_to(&self, port: usize, skb: SkBuff) -> bool {
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        match ports.slots.get(port) {
            Some(Some(p)) if p.reading() => {
                let limit = self.limit(&skb);
                p.queue(skb, limit)
            }
            _ => false,
        }
    }

    /// Queues `skb` as an out-of-band message to the socket on `port` if
    /// it takes them (`IPN_SO_HANDLE_OOB`), behind at most the pool size
    /// of others. Never sleeps.
    pub(crate) fn deliver_oob(&self, port: usize, skb: SkBuff) -> bool {
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        match ports.slots.get(port) {
            Some(Some(Port::Sock(sk, _))) if crate::af_ipn::Node::takes_oob(sk) => {
                sk.queue_oob(skb, self.params.msgpool).is_ok()
            }
            _ => false,
        }
    }

    /// Queues `skb` to every reading port but `except`: a clone to each
    /// but the last, which gets `skb` itself. Drops (and counts) where a
    /// queue is full. Never sleeps.
    pub(crate) fn deliver_all_but(&self, except: Option<usize>, skb: SkBuff) {
        let limit = self.limit(&skb);
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        let mut prev: Option<&Port> = None;
        for (i, slot) in ports.slots.iter().enumerate() {
            let Some(p) = slot else { continue };
            if Some(i) == except || !p.reading() {
                continue;
            }
            let Some(q) = prev.replace(p) else { continue };
            match (skb.clone_atomic(), q) {
                // A full queue counts the drop itself.
                (Ok(c), _) => drop(q.queue(c, limit)),
                (Err(_), Port::Sock(sk, _)) => sk.count_drop(),
                (Err(_), Port::Dev(_)) => {}
            }
        }
        if let Some(q) = prev {
            let _ = q.queue(skb, limit);
        }
    }

    /// Makes a lossless sender that waits for room re-check after a reader
    /// dequeued: taking the lock orders this wake-up after its check. The
    /// lock is skipped when no sender waits (see `wait_for_room`); pollers
    /// waiting for `POLLOUT` are woken either way.
    pub(crate) fn wake_senders(&self) {
        fence(Ordering::SeqCst);
        if self.waiting.load(Ordering::Relaxed) != 0 {
            drop(self.state.lock());
        }
        self.space.notify_all();
    }
}

/// What policies reach of a network, through the C API `ipn.ko` exports.
impl PolicyHost for Network {
    fn private(&self) -> &AtomicPtr<c_void> {
        &self.private
    }

    fn num_ports(&self) -> usize {
        self.ports_len()
    }

    fn deliver_to(&self, port: usize, skb: SkBuff) -> bool {
        Network::deliver_to(self, port, skb)
    }

    fn deliver_all_but(&self, except: Option<usize>, skb: SkBuff) {
        Network::deliver_all_but(self, except, skb)
    }

    fn deliver_oob(&self, port: usize, skb: SkBuff) -> bool {
        Network::deliver_oob(self, port, skb)
    }

    fn policy(&self) -> &PolicyRef<Self> {
        &self.policy
    }
}

export_policy_api!(Network);
