//! The crate against the real module: these tests need `ipn.ko` (and
//! `kvde_switch.ko` on demand) and root, so they are ignored on the host
//! and run in the project's test VM (`./run test`), with
//! `--include-ignored`.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::time::Duration;

use ipn::{NetworkBuilder, Policy, Socket};

/// A fresh network path for one test, removed again when dropped.
struct Node(PathBuf);

impl Node {
    fn new(name: &str) -> Node {
        let p = std::env::temp_dir().join(format!("ipn-rs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        Node(p)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[track_caller]
fn errno<T: std::fmt::Debug>(r: io::Result<T>) -> i32 {
    r.expect_err("the call succeeded")
        .raw_os_error()
        .expect("an errno")
}

fn recv_timeout(s: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.recv(buf)
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn hub_delivers_to_every_other_node() {
    let net = Node::new("hub");
    let a = Socket::join(&net.0).unwrap();
    let b = Socket::join(&net.0).unwrap();
    let c = NetworkBuilder::default().connect(&net.0).unwrap();
    assert_eq!(a.send(b"hello").unwrap(), 5);
    let mut buf = [0u8; 64];
    for s in [&b, &c] {
        let n = recv_timeout(s, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello");
    }
    a.set_nonblocking(true).unwrap();
    assert_eq!(
        a.recv(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    assert_eq!(a.path().unwrap(), net.0);
    assert!(Socket::is_ipn(a.as_fd()));
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn vnet_headers_frame_messages() {
    let net = Node::new("vnet");
    let v = NetworkBuilder::default().vnet_hdr(10).bind(&net.0).unwrap();
    v.connect(&net.0).unwrap();
    assert_eq!(v.vnet_hdr().unwrap(), 10);
    let plain = Socket::join(&net.0).unwrap();
    assert_eq!(plain.vnet_hdr().unwrap(), 0);
    // A header of zeros asks for nothing: the message passes as it is.
    let mut msg = vec![0u8; 10];
    msg.extend_from_slice(b"hi");
    assert_eq!(v.send(&msg).unwrap(), 12);
    let mut buf = [0xffu8; 64];
    assert_eq!(recv_timeout(&plain, &mut buf).unwrap(), 2);
    assert_eq!(&buf[..2], b"hi");
    plain.send(b"ho").unwrap();
    assert_eq!(recv_timeout(&v, &mut buf).unwrap(), 12);
    assert_eq!(&buf[..12], b"\0\0\0\0\0\0\0\0\0\0ho");
    // Fixed at connect; a length that is no header's is refused.
    assert_eq!(
        errno(NetworkBuilder::default().vnet_hdr(11).socket()),
        libc::EINVAL
    );
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn senders_and_member_notices() {
    let net = Node::new("who");
    let a = Socket::join(&net.0).unwrap();
    let b = Socket::join(&net.0).unwrap();
    a.set_pass_credentials(true).unwrap();
    b.send(b"from b").unwrap();
    let mut buf = [0u8; 64];
    a.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let r = a.recv_msg(&mut buf).unwrap();
    assert_eq!(&buf[..r.len], b"from b");
    assert!(!r.out_of_band);
    assert_eq!(r.port, b.port().unwrap());
    let c = r.credentials.expect("credentials");
    assert_eq!(c.pid, std::process::id() as i32);
    assert_eq!((c.uid, c.gid), (0, 0));

    // Nothing out of band yet, then the numbers at once on asking.
    a.set_out_of_band(true).unwrap();
    assert_eq!(
        a.recv_out_of_band(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    a.set_member_notices(true).unwrap();
    let members = |s: &Socket, buf: &mut [u8]| {
        let r = s.recv_msg(buf).unwrap();
        assert!(r.out_of_band);
        assert_eq!((r.port, r.credentials), (None, None));
        ipn::Members::parse(&buf[..r.len]).expect("a notice")
    };
    let m = members(&a, &mut buf);
    assert_eq!((m.readers, m.writers), (2, 2));
    b.shutdown(std::net::Shutdown::Read).unwrap();
    let m = members(&a, &mut buf);
    assert_eq!((m.readers, m.writers), (1, 2));
    drop(b);
    let m = members(&a, &mut buf);
    assert_eq!((m.readers, m.writers), (1, 1));
    assert_eq!(ipn::Members::parse(b"not a notice at all"), None);
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn builder_sets_every_network_option() {
    let net = Node::new("options");
    let s = NetworkBuilder::new(Policy::HUB)
        .mtu(9000)
        .numnodes(7)
        .msgpoolsize(3)
        .lossless(true)
        .mode(0o750)
        .port(4)
        .description("the creator")
        .join(&net.0)
        .unwrap();
    assert_eq!(s.mtu().unwrap(), 9000);
    assert_eq!(s.numnodes().unwrap(), 7);
    assert_eq!(s.msgpoolsize().unwrap(), 3);
    assert!(s.is_lossless().unwrap());
    assert_eq!(s.port().unwrap(), Some(4));
    assert_eq!(s.description().unwrap(), "the creator");
    let meta = std::fs::metadata(&net.0).unwrap();
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777 & !0o750, 0);
    // A second socket takes the network's values, not its own.
    let t = NetworkBuilder::default().mtu(100).join(&net.0).unwrap();
    assert_eq!(t.mtu().unwrap(), 9000);
    // Exclusive creation of an existing network.
    assert_eq!(
        errno(NetworkBuilder::default().exclusive(true).bind(&net.0)),
        libc::EEXIST
    );
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn errors_carry_the_kernel_errno() {
    let net = Node::new("errors");
    assert_eq!(
        errno(NetworkBuilder::default().connect(&net.0)),
        libc::ECONNREFUSED
    );
    assert_eq!(
        errno(NetworkBuilder::default().mtu(0).socket()),
        libc::EINVAL
    );
    assert_eq!(
        errno(NetworkBuilder::default().numnodes(5000).socket()),
        libc::EINVAL
    );
    assert_eq!(errno(Socket::new(Policy::from(250))), libc::EPROTONOSUPPORT);
    let a = NetworkBuilder::default().mtu(16).join(&net.0).unwrap();
    let b = Socket::join(&net.0).unwrap();
    assert_eq!(errno(a.send(&[0u8; 17])), libc::EOVERFLOW);
    assert_eq!(errno(a.send(&[])), libc::EINVAL);
    assert_eq!(
        errno(NetworkBuilder::default().port(1000).connect(&net.0)),
        libc::EINVAL
    );
    assert_eq!(errno(a.set_description(&"x".repeat(129))), libc::EINVAL);
    // A receive buffer shorter than the message: truncated, not an error.
    a.send(b"0123456789").unwrap();
    let mut small = [0u8; 4];
    b.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let r = b.recv_msg(&mut small).unwrap();
    assert!(r.truncated);
    assert_eq!(&small, b"0123");
    // Interfaces need a bound socket.
    let unbound = Socket::new(Policy::ANY).unwrap();
    assert_eq!(errno(unbound.add_tap(None)), libc::ENOTCONN);
    assert_eq!(
        errno(unbound.add_tap(Some("name-that-is-too-long"))),
        libc::EINVAL
    );
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn lossy_queues_count_their_drops() {
    let net = Node::new("drops");
    let a = NetworkBuilder::default()
        .msgpoolsize(2)
        .join(&net.0)
        .unwrap();
    let b = Socket::join(&net.0).unwrap();
    for i in 0..5u8 {
        a.send(&[i; 10]).unwrap();
    }
    assert_eq!(b.drops().unwrap(), 3);
    let mut buf = [0u8; 10];
    assert_eq!(recv_timeout(&b, &mut buf).unwrap(), 10);
    assert_eq!(buf[0], 0);
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn lossless_senders_wait() {
    let net = Node::new("lossless");
    let a = NetworkBuilder::default()
        .lossless(true)
        .msgpoolsize(1)
        .join(&net.0)
        .unwrap();
    let _b = Socket::join(&net.0).unwrap();
    a.send(b"one").unwrap();
    a.set_nonblocking(true).unwrap();
    assert_eq!(
        a.send(b"two").unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    a.set_nonblocking(false).unwrap();
    a.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    assert_eq!(
        a.send(b"two").unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
}

fn frame(dst: [u8; 6], src: [u8; 6]) -> Vec<u8> {
    let mut f = Vec::from(dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x88, 0xb5]);
    f.extend_from_slice(&[0u8; 46]);
    f
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn switch_options_and_tables() {
    let net = Node::new("switch");
    let manager = NetworkBuilder::new(Policy::SWITCH).bind(&net.0).unwrap();
    let sw = manager.switch();
    let a = NetworkBuilder::default().port(1).join(&net.0).unwrap();
    let b = NetworkBuilder::default().port(2).join(&net.0).unwrap();
    assert_eq!(sw.pvid(1).unwrap(), Some(1));
    sw.set_pvid(3, 0).unwrap();
    assert_eq!(sw.pvid(3).unwrap(), None);
    sw.add_trunk(2, 30).unwrap();
    sw.add_trunk(2, 20).unwrap();
    assert_eq!(sw.trunks(2).unwrap(), [20, 30]);
    sw.del_trunk(2, 30).unwrap();
    assert_eq!(sw.trunks(2).unwrap(), [20]);
    assert_eq!(errno(sw.add_trunk(2, 4095)), libc::EINVAL);
    assert_eq!(sw.aging().unwrap(), Duration::from_secs(300));
    sw.set_aging(Duration::from_secs(60)).unwrap();
    assert_eq!(sw.aging().unwrap(), Duration::from_secs(60));
    sw.set_max_entries(64).unwrap();
    assert_eq!(sw.max_entries().unwrap(), 64);
    // A frame from a teaches the switch a's address, on port 1.
    let mac_a = [2, 0, 0, 0, 0, 0xa];
    a.send(&frame([0xff; 6], mac_a)).unwrap();
    let mut buf = [0u8; 1514];
    assert_eq!(recv_timeout(&b, &mut buf).unwrap(), 60);
    let fdb = sw.fdb().unwrap();
    assert_eq!(fdb.len(), 1);
    assert_eq!((fdb[0].mac, fdb[0].vlan, fdb[0].port), (mac_a, 1, 1));
    let stats = sw.port_stats().unwrap();
    let pa = stats.iter().find(|p| p.port == 1).unwrap();
    let pb = stats.iter().find(|p| p.port == 2).unwrap();
    assert_eq!((pa.rx_frames, pa.rx_bytes, pb.tx_frames), (1, 60, 1));
    assert_eq!(pb.ntrunks, 1);
    sw.flush(None).unwrap();
    assert!(sw.fdb().unwrap().is_empty());
    // Reading works from any socket of the network; setting needs a
    // bound one.
    let c = NetworkBuilder::default().connect(&net.0).unwrap();
    assert_eq!(c.switch().aging().unwrap(), Duration::from_secs(60));
    assert_eq!(
        errno(c.switch().set_aging(Duration::from_secs(5))),
        libc::EPERM
    );
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn taps_and_persistence() {
    let net = Node::new("tap");
    let manager = NetworkBuilder::new(Policy::SWITCH).bind(&net.0).unwrap();
    let name = manager.add_tap(None).unwrap();
    assert!(name.starts_with("ipn"), "{name}");
    let sys = PathBuf::from("/sys/class/net").join(&name);
    assert!(sys.exists());
    assert_eq!(manager.add_tap(Some("ipnrs0")).unwrap(), "ipnrs0");
    assert_eq!(errno(manager.add_tap(Some("ipnrs0"))), libc::EEXIST);
    assert_eq!(errno(manager.grab("lo")), libc::EINVAL);
    assert_eq!(errno(manager.grab("no-such-if")), libc::ENODEV);
    // Persistent interfaces outlive the socket, and another takes them.
    manager.set_persistent(true).unwrap();
    drop(manager);
    assert!(sys.exists());
    let again = NetworkBuilder::default().bind(&net.0).unwrap();
    again.take_interface(&name).unwrap();
    again.set_persistent(false).unwrap();
    drop(again);
    assert!(!sys.exists());
    // ipnrs0 was persistent too: clear it from any socket.
    let any = Socket::new(Policy::ANY).unwrap();
    any.set_interface_persistent("ipnrs0", false).unwrap();
    assert!(!PathBuf::from("/sys/class/net/ipnrs0").exists());
    assert_eq!(
        errno(any.set_interface_persistent("ipnrs0", false)),
        libc::ENODEV
    );
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn sockets_convert_to_and_from_descriptors() {
    let net = Node::new("fd");
    let a = Socket::join(&net.0).unwrap();
    let fd: OwnedFd = a.into();
    let a = Socket::try_from(fd).unwrap();
    assert!(a.port().unwrap().is_some());
}

#[cfg(feature = "tokio")]
#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn tokio_send_and_recv() {
    let net = Node::new("tokio");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let a = ipn::AsyncSocket::new(Socket::join(&net.0).unwrap()).unwrap();
        let b = ipn::AsyncSocket::new(Socket::join(&net.0).unwrap()).unwrap();
        let mut buf = [0u8; 64];
        let (n, sent) = tokio::join!(
            async { tokio::time::timeout(Duration::from_secs(5), b.recv(&mut buf)).await },
            async { a.send(b"async").await }
        );
        assert_eq!(sent.unwrap(), 5);
        let n = n.expect("received in time").unwrap();
        assert_eq!(&buf[..n], b"async");
    });
}

#[test]
#[ignore = "needs ipn.ko: runs in the test VM"]
fn query_shows_networks_sockets_and_taps() {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;

    let net = Node::new("query");
    let manager = NetworkBuilder::new(Policy::HUB)
        .mtu(1400)
        .numnodes(9)
        .bind(&net.0)
        .unwrap();
    let tap = manager.add_tap(Some("ipnrsq0")).unwrap();
    let reader = NetworkBuilder::default()
        .description("reader")
        .connect(&net.0)
        .unwrap();
    let writer = Socket::join(&net.0).unwrap();
    writer.send(&[0u8; 60]).unwrap();
    let mut buf = [0u8; 64];
    recv_timeout(&reader, &mut buf).unwrap();

    let found = ipn::Query::new().path(&net.0).unwrap().run().unwrap();
    assert_eq!(found.len(), 1);
    let n = &found[0];
    let meta = std::fs::metadata(&net.0).unwrap();
    assert_eq!(n.path.as_deref(), Some(net.0.as_path()));
    assert_eq!((n.inode, n.dev), (meta.ino(), meta.dev()));
    assert_eq!(
        (n.policy_name().as_str(), n.mtu, n.numnodes),
        ("hub", 1400, 9)
    );
    // The tap, the reader and the writer hold ports; with the manager,
    // four users.
    assert_eq!((n.ports_taken, n.users), (3, 4));
    let ino = |fd: std::os::fd::RawFd| {
        std::fs::metadata(format!("/proc/self/fd/{fd}"))
            .unwrap()
            .ino() as u32
    };
    let by_inode = |i: u32| n.sockets.iter().find(|s| s.inode == i).unwrap();
    let r = by_inode(ino(reader.as_raw_fd()));
    assert_eq!(
        (r.description.as_str(), r.port),
        ("reader", reader.port().unwrap())
    );
    assert_eq!((r.rx_messages, r.rx_bytes, r.tx_messages), (1, 60, 0));
    let w = by_inode(ino(writer.as_raw_fd()));
    assert_eq!((w.tx_messages, w.tx_bytes), (1, 60));
    let m = by_inode(ino(manager.as_raw_fd()));
    assert_eq!(m.port, None);
    assert_eq!(n.interfaces.len(), 1);
    let i = &n.interfaces[0];
    assert_eq!(
        (i.name.as_str(), i.tap, i.persistent, i.controlled),
        (tap.as_str(), true, false, true)
    );

    // Filters: another policy, and one socket.
    let switches = ipn::Query::new().policy(Policy::SWITCH).run().unwrap();
    assert!(switches.iter().all(|h| h.inode != n.inode));
    let one = ipn::Query::new().socket(r.inode).run().unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].sockets.len(), 1);
    assert!(one[0].interfaces.is_empty());
    drop((manager, reader, writer));
    assert!(ipn::Query::new()
        .path(&net.0)
        .unwrap()
        .run()
        .unwrap()
        .is_empty());
}
