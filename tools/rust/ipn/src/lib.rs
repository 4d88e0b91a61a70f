//! AF_IPN sockets: Inter Process Networking for Rust programs.
//!
//! An IPN network is a message bus named by a filesystem path.  Every
//! socket connected to it is a node with a port; what one node sends, the
//! network's delivery policy (a hub, an Ethernet switch, ...) delivers to
//! others, one whole message per `recv`.  No server process is involved:
//! the kernel module `ipn.ko` is the bus.  See `ipn(7)`.
//!
//! - [`Socket`]: join, send, receive, options, interfaces.
//! - [`NetworkBuilder`]: create a network with its options (MTU, ports,
//!   queue length, lossless delivery, permissions).
//! - [`Switch`]: VLANs, the address table and port counters of a switch.
//! - [`AsyncSocket`]: the same for tokio (feature `tokio`).
//! - [`Query`]: what networks exist, with their sockets and interfaces.
//! - [`sys`]: the raw constants and structures of `<linux/ipn.h>`.
//!
//! Errors are [`std::io::Error`]s carrying the kernel's errno, as for any
//! socket: `ECONNREFUSED` when no network exists at a path, `EACCES` when
//! the node's permissions forbid, `EOVERFLOW` for a message above the MTU.
//!
//! ```no_run
//! use ipn::{NetworkBuilder, Policy};
//!
//! // Two peers on a hub: each creates the network or attaches to it.
//! let a = NetworkBuilder::new(Policy::HUB).join("/tmp/chat")?;
//! let b = NetworkBuilder::new(Policy::HUB).join("/tmp/chat")?;
//! a.send(b"hi")?;
//! let mut buf = [0u8; 1514];
//! let n = b.recv(&mut buf)?;
//! assert_eq!(&buf[..n], b"hi");
//! # Ok::<(), std::io::Error>(())
//! ```

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod diag;
mod raw;
mod socket;
mod switch;
pub mod sys;
#[cfg(feature = "tokio")]
mod tokio;

#[cfg(feature = "tokio")]
pub use crate::tokio::AsyncSocket;
pub use diag::{InterfaceInfo, NetworkInfo, Query, SocketInfo};
pub use raw::family;
pub use socket::{Credentials, Members, NetworkBuilder, Policy, Received, Socket};
pub use switch::{
    FdbEntry, PortStats, StpBridge, StpPort, StpRole, StpState, StpStatus, Switch, VLAN_MAX,
};
