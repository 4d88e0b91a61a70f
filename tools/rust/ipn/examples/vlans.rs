//! Two pairs of network namespaces on one switch, kept apart by VLANs:
//! four taps on a switch network, two in VLAN 10 and two in VLAN 20, each
//! moved into a namespace of its own with an address in 10.0.0.0/24.
//! Hosts of the same VLAN reach each other; the others do not, although
//! their addresses are in the same subnet.  Needs root and iproute2.
//!
//! ```text
//! sudo cargo run --example vlans -- /tmp/vlans
//! sudo ip netns exec ipn-a10 ping -c1 10.0.0.2   # answers (VLAN 10)
//! sudo ip netns exec ipn-a10 ping -c1 10.0.0.3   # no answer (VLAN 20)
//! ```

use std::process::Command;

use ipn::{NetworkBuilder, Policy};

fn ip(args: &[&str]) -> std::io::Result<()> {
    let status = Command::new("ip").args(args).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "ip {}: {status}",
            args.join(" ")
        )))
    }
}

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/vlans".into());
    let net = NetworkBuilder::new(Policy::SWITCH).bind(&path)?;
    let hosts = [
        ("ipn-a10", 10, "10.0.0.1"),
        ("ipn-b10", 10, "10.0.0.2"),
        ("ipn-a20", 20, "10.0.0.3"),
        ("ipn-b20", 20, "10.0.0.4"),
    ];
    for (i, (ns, vlan, addr)) in hosts.iter().enumerate() {
        let tap = net.add_tap(Some(&format!("ipnv{i}")))?;
        // The tap took the first free port: i.
        net.switch().set_pvid(i as u32, *vlan)?;
        ip(&["netns", "add", ns])?;
        ip(&["link", "set", &tap, "netns", ns])?;
        ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", &tap])?;
        ip(&["-n", ns, "link", "set", &tap, "up"])?;
        println!("{ns}: {tap} {addr}, VLAN {vlan}");
    }
    // The taps, and with them the network, outlive this program.
    net.set_persistent(true)?;
    println!("undo: ip netns del ipn-a10 ipn-b10 ipn-a20 ipn-b20 (a tap goes with its namespace); rm {path}");
    Ok(())
}
