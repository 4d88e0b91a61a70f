// SPDX-License-Identifier: GPL-2.0

//! IPN networks: the registry of networks by filesystem node, their port
//! tables and their settings.

use crate::{
    fsnode::FsNode,
    hub,
    rcu_cell::RcuCell,
    socket::{SkBuff, Sock},
    uapi::*,
};
use kernel::{
    new_mutex, new_poll_condvar,
    prelude::*,
    sync::aref::ARef,
    sync::{poll::PollCondVar, rcu, Arc, Mutex},
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

/// The port table, read under RCU for every message. Slot `i` is port `i`.
pub(crate) struct Ports {
    pub(crate) slots: KVec<Option<ARef<Sock>>>,
}

impl Ports {
    fn with_len(n: usize) -> Result<Self> {
        let mut slots = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            slots.push(None, GFP_KERNEL)?;
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
}

/// An IPN network.
#[pin_data]
pub(crate) struct Network {
    /// Identity of the filesystem node (its inode).
    key: usize,
    pub(crate) protocol: i32,
    pub(crate) params: NetParams,
    #[pin]
    state: Mutex<NetState>,
    ports: RcuCell<Ports>,
    /// Woken when a receive queue drains (lossless senders, POLLOUT).
    #[pin]
    pub(crate) space: PollCondVar,
}

struct Entry {
    net: Arc<Network>,
    /// The filesystem node, referenced while the network exists.
    node: FsNode,
}

kernel::sync::global_lock! {
    // SAFETY: Initialised in module init before any socket can exist.
    unsafe(uninit) static NETWORKS: Mutex<KVec<Entry>> = KVec::new();
}

/// Initialises the registry; called once from module init.
pub(crate) fn init() {
    // SAFETY: Called once, before any use of `NETWORKS`.
    unsafe { NETWORKS.init() };
}

/// How a socket got to its network.
pub(crate) enum Attach {
    Created,
    Existing,
}

/// Outcome of a lookup for `connect`.
pub(crate) struct Found {
    pub(crate) net: Arc<Network>,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
}

impl Network {
    fn new(key: usize, protocol: i32, params: NetParams) -> Result<Arc<Self>> {
        let mut taken = KVec::with_capacity(params.numnodes, GFP_KERNEL)?;
        for _ in 0..params.numnodes {
            taken.push(false, GFP_KERNEL)?;
        }
        Arc::pin_init(
            try_pin_init!(Self {
                key,
                protocol,
                params,
                state <- new_mutex!(NetState { users: 1, taken }),
                ports: RcuCell::new(Ports::with_len(params.numnodes)?)?,
                space <- new_poll_condvar!("ipn_network::space"),
            }),
            GFP_KERNEL,
        )
    }

    pub(crate) fn lossless(&self) -> bool {
        self.params.flags & IPN_FLAG_LOSSLESS != 0
    }

    /// Binds: creates the network at `path` or attaches to the one there.
    pub(crate) fn bind(
        path: &CStr,
        protocol: i32,
        params: &NetParams,
    ) -> Result<(Arc<Network>, Attach)> {
        let mut nets = NETWORKS.lock();
        match FsNode::create(path, params.mode) {
            Ok(node) => {
                let proto = if protocol == IPN_ANY {
                    IPN_BROADCAST
                } else {
                    protocol
                };
                let net = Network::new(node.key(), proto, *params)?;
                nets.push(
                    Entry {
                        net: net.clone(),
                        node,
                    },
                    GFP_KERNEL,
                )?;
                Ok((net, Attach::Created))
            }
            Err(e) if e == EEXIST => {
                let node = FsNode::lookup(path)?;
                let entry = nets
                    .iter()
                    .find(|e| e.net.key == node.key())
                    .ok_or(EADDRINUSE)?;
                if params.flags & IPN_FLAG_EXCL != 0 {
                    return Err(EEXIST);
                }
                node.permission(crate::fsnode::may::EXEC)?;
                if protocol != IPN_ANY && protocol != entry.net.protocol {
                    return Err(EPROTO);
                }
                let net = entry.net.clone();
                net.state.lock().users += 1;
                Ok((net, Attach::Existing))
            }
            Err(e) => Err(e),
        }
    }

    /// Finds the network at `path` for `connect` and checks the rights.
    pub(crate) fn find(path: &CStr, protocol: i32) -> Result<Found> {
        let node = FsNode::lookup(path).map_err(|e| if e == ENOENT { ECONNREFUSED } else { e })?;
        if !node.is_socket() {
            return Err(ECONNREFUSED);
        }
        let readable = node.permission(crate::fsnode::may::READ).is_ok();
        let writable = node.permission(crate::fsnode::may::WRITE).is_ok();
        let nets = NETWORKS.lock();
        let entry = nets
            .iter()
            .find(|e| e.net.key == node.key())
            .ok_or(ECONNREFUSED)?;
        if protocol != IPN_ANY && protocol != entry.net.protocol {
            return Err(EPROTO);
        }
        if !readable && !writable {
            return Err(EACCES);
        }
        let net = entry.net.clone();
        net.state.lock().users += 1;
        drop(nets);
        drop(node);
        Ok(Found {
            net,
            readable,
            writable,
        })
    }

    /// The current task's (read, write) rights on the network's node.
    pub(crate) fn rights(self: &Arc<Self>) -> Result<(bool, bool)> {
        let nets = NETWORKS.lock();
        let e = nets
            .iter()
            .find(|e| Arc::ptr_eq(&e.net, self))
            .ok_or(ECONNREFUSED)?;
        let readable = e.node.permission(crate::fsnode::may::READ).is_ok();
        let writable = e.node.permission(crate::fsnode::may::WRITE).is_ok();
        if !readable && !writable {
            return Err(EACCES);
        }
        Ok((readable, writable))
    }

    /// Waits until every reader has room for a message from port `from`
    /// (lossless networks). `EAGAIN` instead of waiting when `nonblock`.
    pub(crate) fn wait_for_room(&self, from: usize, nonblock: bool) -> Result {
        let mut st = self.state.lock();
        loop {
            if self.has_room(from) {
                return Ok(());
            }
            if nonblock {
                return Err(EAGAIN);
            }
            if self.space.wait_interruptible(&mut st) {
                return Err(ERESTARTSYS);
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

    /// Connects `sk` at port `want` (or the first free one).
    pub(crate) fn connect_port(&self, sk: &Sock, want: Option<usize>) -> Result<usize> {
        let mut st = self.state.lock();
        let port = match want {
            Some(p) if p >= st.taken.len() => return Err(EINVAL),
            Some(p) if st.taken[p] => return Err(EADDRINUSE),
            Some(p) => p,
            None => st.taken.iter().position(|t| !*t).ok_or(ENOSPC)?,
        };
        let mut new = self.snapshot(st.taken.len())?;
        new.slots[port] = Some(ARef::from(sk));
        self.ports.replace(new)?;
        st.taken[port] = true;
        Ok(port)
    }

    /// Disconnects port `port`.
    pub(crate) fn disconnect_port(&self, port: usize) {
        let mut st = self.state.lock();
        if port >= st.taken.len() || !st.taken[port] {
            return;
        }
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
        drop(st);
        // A lossless sender may have been waiting for this port's queue.
        self.space.notify_all();
    }

    /// Resizes the port table (`IPN_SO_CHANGE_NUMNODES`).
    pub(crate) fn resize(&self, len: usize) -> Result {
        let mut st = self.state.lock();
        if st.taken.iter().skip(len).any(|t| *t) {
            return Err(EADDRINUSE);
        }
        let new = self.snapshot(len)?;
        let mut taken = KVec::with_capacity(len, GFP_KERNEL)?;
        for i in 0..len {
            taken.push(st.taken.get(i).copied().unwrap_or(false), GFP_KERNEL)?;
        }
        self.ports.replace(new)?;
        st.taken = taken;
        Ok(())
    }

    /// Number of ports.
    pub(crate) fn numnodes(&self) -> usize {
        self.state.lock().taken.len()
    }

    /// Whether every reader but `from` has room for one more message.
    pub(crate) fn has_room(&self, from: usize) -> bool {
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        hub::has_room(ports, from, self.params.msgpool)
    }

    /// Delivers `skb`, sent from port `from`, by the network's policy.
    pub(crate) fn deliver(&self, from: usize, skb: SkBuff) {
        let guard = rcu::read_lock();
        let ports = self.ports.read(&guard);
        let limit = if self.lossless() {
            0
        } else {
            self.params.msgpool
        };
        hub::deliver(ports, from, skb, limit);
    }

    /// Makes a lossless sender that waits for room re-check after a reader
    /// dequeued: taking the lock orders this wake-up after its check.
    pub(crate) fn wake_senders(&self) {
        drop(self.state.lock());
        self.space.notify_all();
    }
}
