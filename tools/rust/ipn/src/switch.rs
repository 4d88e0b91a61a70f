//! [`Switch`]: the options and tables of an Ethernet switch network
//! (`kvde_switch.ko`, level `IPN_VDESWITCH`).

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use libc::c_int;

use crate::raw::{self, errno};
use crate::sys;

/// The largest VLAN id.
pub const VLAN_MAX: u16 = 4094;

/// An entry of the switch's address table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FdbEntry {
    /// The learnt Ethernet address.
    pub mac: [u8; 6],
    /// Its VLAN.
    pub vlan: u16,
    /// The port it was learnt on.
    pub port: u32,
    /// Since it was last seen.
    pub age: Duration,
}

/// The counters of a connected port of the switch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct PortStats {
    /// The port.
    pub port: u32,
    /// Its untagged VLAN, or `None`.
    pub pvid: Option<u16>,
    /// How many tagged VLANs it carries.
    pub ntrunks: u16,
    /// Frames accepted from the port.
    pub rx_frames: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Frames refused: runts, or a VLAN the port does not carry.
    pub rx_drops: u64,
    /// Frames queued to the port.
    pub tx_frames: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Frames not queued: its reader's queue full, or gone.
    pub tx_drops: u64,
}

/// The spanning tree's own settings of a switch: its priority and the
/// times it uses when it is the root, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StpBridge {
    /// The bridge priority; the lowest identifier is the root.
    pub priority: u16,
    /// Between BPDUs from the root, 1..=10.
    pub hello_time: u16,
    /// How long a root's information lasts unheard, 6..=40.
    pub max_age: u16,
    /// Listening, then learning, before a port forwards, 2..=30.
    pub forward_delay: u16,
}

impl Default for StpBridge {
    /// 802.1D's defaults.
    fn default() -> Self {
        StpBridge {
            priority: 0x8000,
            hello_time: 2,
            max_age: 20,
            forward_delay: 15,
        }
    }
}

/// A port's spanning-tree state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "lowercase")
)]
pub enum StpState {
    /// Not connected, or the tree is off.
    Disabled,
    /// Waiting a forward delay before learning.
    Listening,
    /// Learning addresses, not forwarding yet.
    Learning,
    /// Forwarding.
    Forwarding,
    /// Blocked: a loop would close through it.
    Blocking,
}

/// A port's spanning-tree role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "lowercase")
)]
pub enum StpRole {
    /// Not taking part.
    Disabled,
    /// The way to the root.
    Root,
    /// The way to the root for its segment.
    Designated,
    /// Another way, blocked.
    Alternate,
}

/// The spanning tree of a switch, as it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct StpStatus {
    /// Whether it runs.
    pub enabled: bool,
    /// This switch's identifier: priority and address.
    pub bridge_id: [u8; 8],
    /// The root's.
    pub root_id: [u8; 8],
    /// The cost of the way to the root.
    pub root_path_cost: u32,
    /// The port towards the root; `None` on the root.
    pub root_port: Option<u32>,
    /// The times in use (the root's), in seconds.
    pub hello_time: u16,
    /// See [`StpBridge::max_age`].
    pub max_age: u16,
    /// See [`StpBridge::forward_delay`].
    pub forward_delay: u16,
    /// Whether a topology change is being signalled.
    pub topology_change: bool,
    /// Topology changes since the tree was turned on.
    pub topology_changes: u32,
}

/// The spanning tree's view of a connected port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct StpPort {
    /// The port.
    pub port: u32,
    /// Its state.
    pub state: StpState,
    /// Its role.
    pub role: StpRole,
    /// Its identifier in BPDUs: priority / 16 << 12 | port + 1.
    pub port_id: u16,
    /// Its path cost.
    pub path_cost: u32,
    /// The root that the best BPDU of its segment names.
    pub designated_root: [u8; 8],
    /// That BPDU's cost to the root.
    pub designated_cost: u32,
    /// The switch that sent it.
    pub designated_bridge: [u8; 8],
    /// And its port.
    pub designated_port: u16,
}

fn stp_state(s: u8) -> StpState {
    match s {
        sys::IPN_STP_LISTENING => StpState::Listening,
        sys::IPN_STP_LEARNING => StpState::Learning,
        sys::IPN_STP_FORWARDING => StpState::Forwarding,
        sys::IPN_STP_BLOCKING => StpState::Blocking,
        _ => StpState::Disabled,
    }
}

fn stp_role(r: u8) -> StpRole {
    match r {
        sys::IPN_STP_ROLE_ROOT => StpRole::Root,
        sys::IPN_STP_ROLE_DESIGNATED => StpRole::Designated,
        sys::IPN_STP_ROLE_ALTERNATE => StpRole::Alternate,
        _ => StpRole::Disabled,
    }
}

/// The switch of a network, through one of its sockets.  On a network of
/// another policy every call fails with `ENOPROTOOPT`.
///
/// Reading works from any socket of the network; changing needs a bound
/// socket and ownership of the network's node (`EPERM` otherwise).  Ports
/// beyond the table and VLANs outside 1..=4094 give `EINVAL`.
///
/// ```no_run
/// let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
/// let sw = s.switch();
/// sw.set_pvid(1, 10)?;
/// sw.add_trunk(2, 10)?;
/// for e in sw.fdb()? {
///     println!("{:02x?} vlan {} port {}", e.mac, e.vlan, e.port);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Switch<'a> {
    fd: BorrowedFd<'a>,
}

impl<'a> Switch<'a> {
    pub(crate) fn new(fd: BorrowedFd<'a>) -> Self {
        Switch { fd }
    }

    fn set<T: raw::Pod>(&self, name: c_int, value: &T) -> io::Result<()> {
        raw::setsockopt(self.fd, sys::IPN_VDESWITCH, name, value)
    }

    fn get_int(&self, name: c_int) -> io::Result<c_int> {
        raw::getsockopt(self.fd, sys::IPN_VDESWITCH, name)
    }

    fn vlan_arg(port: u32, vlan: u16) -> io::Result<sys::ipn_switch_vlan> {
        let port = i32::try_from(port).map_err(|_| errno(libc::EINVAL))?;
        Ok(sys::ipn_switch_vlan {
            port,
            vlan,
            reserved: 0,
        })
    }

    /// The untagged VLAN of `port`, or `None`.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// assert_eq!(s.switch().pvid(0)?, Some(1));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pvid(&self, port: u32) -> io::Result<Option<u16>> {
        let mut arg = [Self::vlan_arg(port, 0)?];
        let n = raw::getsockopt_slice(
            self.fd,
            sys::IPN_VDESWITCH,
            sys::IPN_SWITCH_PORT_VLAN,
            &mut arg,
        )?;
        if n != 1 {
            return Err(errno(libc::EINVAL));
        }
        Ok(Some(arg[0].vlan).filter(|&v| v != 0))
    }

    /// Sets the untagged VLAN of `port`; 0 for none.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/sw")?;
    /// s.switch().set_pvid(3, 20)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_pvid(&self, port: u32, vlan: u16) -> io::Result<()> {
        self.set(sys::IPN_SWITCH_PORT_VLAN, &Self::vlan_arg(port, vlan)?)
    }

    /// Lets `port` carry `vlan` tagged.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/sw")?;
    /// s.switch().add_trunk(0, 20)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn add_trunk(&self, port: u32, vlan: u16) -> io::Result<()> {
        self.set(sys::IPN_SWITCH_TRUNK_ADD, &Self::vlan_arg(port, vlan)?)
    }

    /// Stops `port` carrying `vlan` tagged.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/sw")?;
    /// s.switch().del_trunk(0, 20)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn del_trunk(&self, port: u32, vlan: u16) -> io::Result<()> {
        self.set(sys::IPN_SWITCH_TRUNK_DEL, &Self::vlan_arg(port, vlan)?)
    }

    /// The tagged VLANs of `port`, in increasing order.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// println!("{:?}", s.switch().trunks(0)?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn trunks(&self, port: u32) -> io::Result<Vec<u16>> {
        let port = i32::try_from(port).map_err(|_| errno(libc::EINVAL))?;
        // The port goes in the buffer's first bytes; the VLANs come back.
        let mut buf = vec![0u16; usize::from(VLAN_MAX)];
        let p = port.to_ne_bytes();
        buf[0] = u16::from_ne_bytes([p[0], p[1]]);
        buf[1] = u16::from_ne_bytes([p[2], p[3]]);
        let n = raw::getsockopt_slice(
            self.fd,
            sys::IPN_VDESWITCH,
            sys::IPN_SWITCH_PORT_TRUNKS,
            &mut buf,
        )?;
        buf.truncate(n);
        Ok(buf)
    }

    /// How long a learnt address lasts unseen.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// assert_eq!(s.switch().aging()?.as_secs(), 300);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn aging(&self) -> io::Result<Duration> {
        let secs = self.get_int(sys::IPN_SWITCH_AGING)?;
        Ok(Duration::from_secs(
            u64::try_from(secs).map_err(|_| errno(libc::EINVAL))?,
        ))
    }

    /// Sets the aging time, 1..=1000000 whole seconds (a fraction of a
    /// second is dropped: less than one second gives `EINVAL`).
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/sw")?;
    /// s.switch().set_aging(std::time::Duration::from_secs(60))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_aging(&self, aging: Duration) -> io::Result<()> {
        let secs = c_int::try_from(aging.as_secs()).map_err(|_| errno(libc::EINVAL))?;
        self.set(sys::IPN_SWITCH_AGING, &secs)
    }

    /// Forgets the addresses learnt on `port`, or on every port.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/sw")?;
    /// s.switch().flush(None)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn flush(&self, port: Option<u32>) -> io::Result<()> {
        let port = match port {
            Some(p) => c_int::try_from(p).map_err(|_| errno(libc::EINVAL))?,
            None => -1,
        };
        self.set(sys::IPN_SWITCH_FLUSH, &port)
    }

    /// The address table's capacity.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// println!("{} entries", s.switch().max_entries()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_entries(&self) -> io::Result<u32> {
        let n = self.get_int(sys::IPN_SWITCH_MAXENTRIES)?;
        u32::try_from(n).map_err(|_| errno(libc::EINVAL))
    }

    /// Resizes the address table, 8..=65536 entries (rounded to a power
    /// of two multiple of 8).
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::default().bind("/tmp/sw")?;
    /// s.switch().set_max_entries(1024)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_max_entries(&self, entries: u32) -> io::Result<()> {
        let n = c_int::try_from(entries).map_err(|_| errno(libc::EINVAL))?;
        self.set(sys::IPN_SWITCH_MAXENTRIES, &n)
    }

    /// Reads a table of records, starting with room for `hint` and
    /// growing while the kernel fills the buffer (the table may have grown
    /// since `hint` was read; the kernel returns only whole records).
    fn table<T: raw::Pod>(&self, name: c_int, hint: usize) -> io::Result<Vec<T>> {
        let mut cap = hint.max(1);
        loop {
            let mut buf = vec![T::default(); cap];
            let n = raw::getsockopt_slice(self.fd, sys::IPN_VDESWITCH, name, &mut buf)?;
            if n < cap || cap >= 1 << 20 {
                buf.truncate(n);
                return Ok(buf);
            }
            cap *= 2;
        }
    }

    /// The address table.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// for e in s.switch().fdb()? {
    ///     println!("{:02x?} vlan {} port {} age {:?}", e.mac, e.vlan, e.port, e.age);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn fdb(&self) -> io::Result<Vec<FdbEntry>> {
        let table: Vec<sys::ipn_switch_fdb_entry> =
            self.table(sys::IPN_SWITCH_MACTABLE, self.max_entries()? as usize)?;
        Ok(table
            .iter()
            .filter_map(|e| {
                Some(FdbEntry {
                    mac: e.mac,
                    vlan: e.vlan,
                    port: u32::try_from(e.port).ok()?,
                    age: Duration::from_millis(e.age_ms.into()),
                })
            })
            .collect())
    }

    /// The counters of every connected port.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// for p in s.switch().port_stats()? {
    ///     println!("port {}: {} frames in, {} out", p.port, p.rx_frames, p.tx_frames);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port_stats(&self) -> io::Result<Vec<PortStats>> {
        let ports: c_int = raw::getsockopt(self.fd, sys::SOL_IPN, sys::IPN_SO_NUMNODES)?;
        let table: Vec<sys::ipn_switch_port_stats> =
            self.table(sys::IPN_SWITCH_PORT_STATS, ports.max(1) as usize)?;
        Ok(table
            .iter()
            .filter_map(|s| {
                Some(PortStats {
                    port: u32::try_from(s.port).ok()?,
                    pvid: Some(s.pvid).filter(|&v| v != 0),
                    ntrunks: s.ntrunks,
                    rx_frames: s.rx_frames,
                    rx_bytes: s.rx_bytes,
                    rx_drops: s.rx_drops,
                    tx_frames: s.tx_frames,
                    tx_bytes: s.tx_bytes,
                    tx_drops: s.tx_drops,
                })
            })
            .collect())
    }

    /// Whether the spanning tree runs.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// assert!(!s.switch().stp()?);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stp(&self) -> io::Result<bool> {
        Ok(self.get_int(sys::IPN_SWITCH_STP)? != 0)
    }

    /// Turns the spanning tree (802.1D STP) on or off.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// s.switch().set_stp(true)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_stp(&self, on: bool) -> io::Result<()> {
        self.set(sys::IPN_SWITCH_STP, &c_int::from(on))
    }

    /// The spanning tree's own settings.
    pub fn stp_bridge(&self) -> io::Result<StpBridge> {
        let b: sys::ipn_switch_stp_bridge =
            raw::getsockopt(self.fd, sys::IPN_VDESWITCH, sys::IPN_SWITCH_STP_BRIDGE)?;
        Ok(StpBridge {
            priority: b.priority,
            hello_time: b.hello_time,
            max_age: b.max_age,
            forward_delay: b.forward_delay,
        })
    }

    /// Sets them; times out of range give `EINVAL`.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// let b = ipn::StpBridge { priority: 0x1000, ..Default::default() };
    /// s.switch().set_stp_bridge(&b)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_stp_bridge(&self, b: &StpBridge) -> io::Result<()> {
        let v = sys::ipn_switch_stp_bridge {
            priority: b.priority,
            hello_time: b.hello_time,
            max_age: b.max_age,
            forward_delay: b.forward_delay,
        };
        self.set(sys::IPN_SWITCH_STP_BRIDGE, &v)
    }

    /// The priority (0..=240, a multiple of 16) and path cost of `port`.
    pub fn stp_port(&self, port: u32) -> io::Result<(u8, u32)> {
        let port = i32::try_from(port).map_err(|_| errno(libc::EINVAL))?;
        let mut arg = [sys::ipn_switch_stp_port {
            port,
            ..Default::default()
        }];
        raw::getsockopt_slice(
            self.fd,
            sys::IPN_VDESWITCH,
            sys::IPN_SWITCH_STP_PORT,
            &mut arg,
        )?;
        Ok((arg[0].priority, arg[0].path_cost))
    }

    /// Sets them.
    ///
    /// ```no_run
    /// # let s = ipn::NetworkBuilder::new(ipn::Policy::SWITCH).bind("/tmp/sw")?;
    /// s.switch().set_stp_port(2, 128, 19)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_stp_port(&self, port: u32, priority: u8, path_cost: u32) -> io::Result<()> {
        let port = i32::try_from(port).map_err(|_| errno(libc::EINVAL))?;
        let v = sys::ipn_switch_stp_port {
            port,
            path_cost,
            priority,
            reserved: [0; 3],
        };
        self.set(sys::IPN_SWITCH_STP_PORT, &v)
    }

    /// The spanning tree as it stands.
    pub fn stp_status(&self) -> io::Result<StpStatus> {
        let s: sys::ipn_switch_stp_status =
            raw::getsockopt(self.fd, sys::IPN_VDESWITCH, sys::IPN_SWITCH_STP_STATUS)?;
        Ok(StpStatus {
            enabled: s.enabled != 0,
            bridge_id: s.bridge_id,
            root_id: s.root_id,
            root_path_cost: s.root_path_cost,
            root_port: u32::try_from(s.root_port).ok(),
            hello_time: s.hello_time,
            max_age: s.max_age,
            forward_delay: s.forward_delay,
            topology_change: s.topology_change != 0,
            topology_changes: s.topology_changes,
        })
    }

    /// Every connected port's state and role.
    ///
    /// ```no_run
    /// # let s = ipn::Socket::join("/tmp/sw")?;
    /// for p in s.switch().stp_ports()? {
    ///     println!("port {}: {:?} {:?}", p.port, p.state, p.role);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn stp_ports(&self) -> io::Result<Vec<StpPort>> {
        let ports: c_int = raw::getsockopt(self.fd, sys::SOL_IPN, sys::IPN_SO_NUMNODES)?;
        let table: Vec<sys::ipn_switch_stp_port_state> =
            self.table(sys::IPN_SWITCH_STP_PORTS, ports.max(1) as usize)?;
        Ok(table
            .iter()
            .filter_map(|p| {
                Some(StpPort {
                    port: u32::try_from(p.port).ok()?,
                    state: stp_state(p.state),
                    role: stp_role(p.role),
                    port_id: p.port_id,
                    path_cost: p.path_cost,
                    designated_root: p.designated_root,
                    designated_cost: p.designated_cost,
                    designated_bridge: p.designated_bridge,
                    designated_port: p.designated_port,
                })
            })
            .collect())
    }
}
