//! ipnctl: create, inspect and configure AF_IPN networks.  See ipnctl(8).

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use ipn::{
    InterfaceInfo, NetworkBuilder, NetworkInfo, Policy, Query, Socket, SocketInfo, StpBridge,
    StpRole, StpState,
};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(
    name = "ipnctl",
    version,
    about = "Create, inspect and configure AF_IPN networks"
)]
struct Cli {
    /// Print what commands show as JSON.
    #[arg(short, long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Networks: list, show, create, remove.
    #[command(subcommand)]
    Net(NetCmd),
    /// Ports: what sits on them.
    #[command(subcommand)]
    Port(PortCmd),
    /// The Ethernet switch of a switch network: VLANs, address table,
    /// counters.
    #[command(subcommand)]
    Switch(SwitchCmd),
    /// Tap interfaces on a network.
    #[command(subcommand)]
    Tap(TapCmd),
    /// Connect an existing interface to a network (persistently).
    Grab {
        /// The network's path.
        path: PathBuf,
        /// The interface.
        dev: String,
    },
    /// Take an interface off its network (a tap is deleted).
    Release {
        /// The interface.
        dev: String,
    },
    /// Print a completion script for SHELL.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum PolicyArg {
    Hub,
    Switch,
}

#[derive(Subcommand)]
enum PortCmd {
    /// List the ports taken (and the sockets only bound), of every
    /// network or of one.
    Ls {
        /// Only this network.
        path: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum NetCmd {
    /// List the networks of this network namespace.
    Ls {
        /// Only networks of this policy.
        #[arg(short, long, value_enum)]
        policy: Option<PolicyArg>,
    },
    /// Show a network with its sockets and interfaces.
    Show {
        /// The network's path.
        path: PathBuf,
    },
    /// Create a network.  With interfaces (--tap, --grab) they are made
    /// persistent and keep the network alive; without, ipnctl holds the
    /// network until it is interrupted.
    Create {
        /// The network's path (a new filesystem node).
        path: PathBuf,
        /// The delivery policy.
        #[arg(short, long, value_enum, default_value = "hub")]
        policy: PolicyArg,
        /// Largest message, 1..65535 bytes.
        #[arg(long)]
        mtu: Option<u32>,
        /// Number of ports, 1..4096.
        #[arg(long)]
        numnodes: Option<u32>,
        /// Messages a node may have queued, 1..4096.
        #[arg(long)]
        msgpoolsize: Option<u32>,
        /// Senders wait for the slowest reader instead of dropping.
        #[arg(long)]
        lossless: bool,
        /// Permission bits of the node, in octal (r receive, w send, x manage).
        #[arg(long, value_parser = parse_mode)]
        mode: Option<u32>,
        /// Add a persistent tap interface (empty for ipn%d); repeatable.
        #[arg(long, value_name = "NAME")]
        tap: Vec<String>,
        /// Connect an existing interface persistently; repeatable.
        #[arg(long, value_name = "DEV")]
        grab: Vec<String>,
    },
    /// Remove the node of a network that nothing uses any more.
    Rm {
        /// The network's path.
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum SwitchCmd {
    /// Show or set the untagged VLAN (pvid) of a port; 0 for none.
    Vlan {
        path: PathBuf,
        port: u32,
        vlan: Option<u16>,
    },
    /// Show, add or remove the tagged VLANs of a port.
    Trunk {
        /// The network's path.
        path: PathBuf,
        /// The port.
        port: u32,
        #[command(subcommand)]
        op: Option<TrunkOp>,
    },
    /// Show or set the aging time of learnt addresses, in seconds.
    Aging {
        /// The network's path.
        path: PathBuf,
        /// The time to set, 1..1000000.
        seconds: Option<u32>,
    },
    /// Show or set the address table's capacity.
    Maxentries {
        /// The network's path.
        path: PathBuf,
        /// The capacity to set, 8..65536.
        entries: Option<u32>,
    },
    /// Show the address table, or flush it (--flush), or one port's
    /// addresses (--flush --port N).
    Fdb {
        /// The network's path.
        path: PathBuf,
        /// Forget the learnt addresses instead.
        #[arg(long)]
        flush: bool,
        /// With --flush: only those learnt on this port.
        #[arg(long, requires = "flush")]
        port: Option<u32>,
    },
    /// Show the counters of every connected port.
    Stats {
        /// The network's path.
        path: PathBuf,
    },
    /// Show the spanning tree (802.1D STP), or turn it on or off, or set
    /// the switch's or a port's parameters.
    Stp {
        /// The network's path.
        path: PathBuf,
        #[command(subcommand)]
        op: Option<StpOp>,
    },
}

#[derive(Subcommand)]
enum StpOp {
    /// Run the spanning tree.
    On,
    /// Stop it: every port forwards.
    Off,
    /// Set the switch's priority and times (seconds); the others stay.
    Bridge {
        /// The bridge priority, 0..65535: the lowest identifier is the root.
        #[arg(long)]
        priority: Option<u16>,
        /// Between BPDUs, 1..10.
        #[arg(long)]
        hello: Option<u16>,
        /// How long the root's information lasts unheard, 6..40.
        #[arg(long)]
        max_age: Option<u16>,
        /// Listening, then learning, before forwarding, 2..30.
        #[arg(long)]
        forward_delay: Option<u16>,
    },
    /// Set a port's priority and path cost; the other stays.
    Port {
        /// The port.
        port: u32,
        /// 0..240, a multiple of 16.
        #[arg(long)]
        priority: Option<u8>,
        /// 1..200000000.
        #[arg(long)]
        cost: Option<u32>,
    },
}

#[derive(Subcommand)]
enum TrunkOp {
    /// Carry VLAN tagged on the port.
    Add { vlan: u16 },
    /// Stop carrying VLAN on the port.
    Del { vlan: u16 },
}

#[derive(Subcommand)]
enum TapCmd {
    /// Create a persistent tap interface on a network; prints its name.
    Add {
        /// The network's path.
        path: PathBuf,
        /// The name (ipn%d when not given).
        name: Option<String>,
    },
    /// Delete a tap (or release any IPN interface).
    Del {
        /// The interface.
        name: String,
    },
    /// Make an IPN interface persistent (on) or transient (off: it goes
    /// when no socket controls it).
    Persist {
        /// The interface.
        name: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

fn parse_mode(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("'{s}' is not an octal mode (0..777)"))
}

/// An error with what it was about, printed as `ipnctl: WHAT: ERROR`.
struct Failure(String, io::Error);

type Res<T = ()> = Result<T, Failure>;

trait Context<T> {
    fn on(self, what: impl std::fmt::Display) -> Res<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn on(self, what: impl std::fmt::Display) -> Res<T> {
        self.map_err(|e| Failure(what.to_string(), e))
    }
}

fn fail<T>(what: impl std::fmt::Display, errno: i32) -> Res<T> {
    Err(Failure(
        what.to_string(),
        io::Error::from_raw_os_error(errno),
    ))
}

/// A hint after the system's message, for the errors users meet first.
fn hint(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(libc::EAFNOSUPPORT) => " (is ipn.ko loaded?)",
        Some(libc::ECONNREFUSED) => " (no network at this path)",
        Some(libc::EADDRINUSE) => " (the node of a network that is gone: ipnctl net rm)",
        Some(libc::EEXIST) => " (a network or file is at this path)",
        Some(libc::EACCES) => " (the node's permissions: managing needs x)",
        Some(libc::EPROTONOSUPPORT) => " (no module provides this policy)",
        Some(libc::ENOPROTOOPT) => " (not a switch network)",
        Some(libc::EADDRNOTAVAIL) => " (not an interface of an IPN network)",
        Some(libc::EPERM) => " (needs CAP_NET_ADMIN, or ownership of the network's node)",
        _ => "",
    }
}

/// The identity of a filesystem node.
fn node_id(path: &Path) -> Res<(u64, u64)> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta = std::fs::metadata(path).on(path.display())?;
    if !meta.file_type().is_socket() {
        return fail(path.display(), libc::ENOTSOCK);
    }
    Ok((meta.dev(), meta.ino()))
}

/// A socket that manages the existing network at `path`: bound, no port.
/// A bind where no network is would create one, so only the node of a
/// network is bound (a stale node gives EADDRINUSE), and a network that
/// a race created at a path unlinked meanwhile is undone.
fn manage(path: &Path) -> Res<Socket> {
    let before = node_id(path)?;
    let s = Socket::new(Policy::ANY).on("socket")?;
    s.bind(path).on(path.display())?;
    if node_id(path).ok() != Some(before) {
        drop(s);
        remove_if_gone(path);
        return fail(path.display(), libc::ENOENT);
    }
    Ok(s)
}

/// Whether a network lives at `path`: it answers a connect, or refuses
/// it for being full or for the caller's rights.
fn alive(path: &Path) -> io::Result<bool> {
    match NetworkBuilder::default().connect(path) {
        Ok(_) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => Ok(false),
        Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Removes the node at `path` if its network is gone.
fn remove_if_gone(path: &Path) {
    if let Ok(false) = alive(path) {
        let _ = std::fs::remove_file(path);
    }
}

/// Prints a command's answer: `value` as JSON, or `text`.
fn show(json: bool, value: Value, text: impl FnOnce() -> String) -> Res {
    if json {
        let s = serde_json::to_string_pretty(&value)
            .map_err(|e| Failure("json".into(), io::Error::other(e)))?;
        println!("{s}");
    } else {
        let t = text();
        if !t.is_empty() {
            println!("{t}");
        }
    }
    Ok(())
}

fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A bridge identifier as the Linux bridge prints it: "8000.020000000001".
fn bridge_id(id: &[u8; 8]) -> String {
    let hex: String = id[2..].iter().map(|b| format!("{b:02x}")).collect();
    format!("{:02x}{:02x}.{hex}", id[0], id[1])
}

fn stp_state_name(s: StpState) -> &'static str {
    match s {
        StpState::Disabled => "disabled",
        StpState::Listening => "listening",
        StpState::Learning => "learning",
        StpState::Forwarding => "forwarding",
        StpState::Blocking => "blocking",
    }
}

fn stp_role_name(r: StpRole) -> &'static str {
    match r {
        StpRole::Disabled => "disabled",
        StpRole::Root => "root",
        StpRole::Designated => "designated",
        StpRole::Alternate => "alternate",
    }
}

fn stp(path: &Path, op: Option<StpOp>, json: bool) -> Res {
    let s = manage(path)?;
    let sw = s.switch();
    match op {
        Some(StpOp::On) => sw.set_stp(true).on("stp"),
        Some(StpOp::Off) => sw.set_stp(false).on("stp"),
        Some(StpOp::Bridge {
            priority,
            hello,
            max_age,
            forward_delay,
        }) => {
            let old = sw.stp_bridge().on("stp bridge")?;
            let new = StpBridge {
                priority: priority.unwrap_or(old.priority),
                hello_time: hello.unwrap_or(old.hello_time),
                max_age: max_age.unwrap_or(old.max_age),
                forward_delay: forward_delay.unwrap_or(old.forward_delay),
            };
            sw.set_stp_bridge(&new).on("stp bridge")
        }
        Some(StpOp::Port {
            port,
            priority,
            cost,
        }) => {
            let (p, c) = sw.stp_port(port).on("stp port")?;
            sw.set_stp_port(port, priority.unwrap_or(p), cost.unwrap_or(c))
                .on("stp port")
        }
        None => {
            let st = sw.stp_status().on("stp")?;
            let b = sw.stp_bridge().on("stp")?;
            let ports = sw.stp_ports().on("stp")?;
            let rows: Vec<Value> = ports
                .iter()
                .map(|p| {
                    json!({
                        "port": p.port,
                        "state": stp_state_name(p.state),
                        "role": stp_role_name(p.role),
                        "port_id": format!("{:04x}", p.port_id),
                        "path_cost": p.path_cost,
                        "designated_root": bridge_id(&p.designated_root),
                        "designated_bridge": bridge_id(&p.designated_bridge),
                        "designated_cost": p.designated_cost,
                        "designated_port": format!("{:04x}", p.designated_port),
                    })
                })
                .collect();
            let v = json!({
                "enabled": st.enabled,
                "bridge_id": bridge_id(&st.bridge_id),
                "root_id": bridge_id(&st.root_id),
                "root_path_cost": st.root_path_cost,
                "root_port": st.root_port,
                "hello_time": st.hello_time,
                "max_age": st.max_age,
                "forward_delay": st.forward_delay,
                "bridge_hello_time": b.hello_time,
                "bridge_max_age": b.max_age,
                "bridge_forward_delay": b.forward_delay,
                "topology_change": st.topology_change,
                "topology_changes": st.topology_changes,
                "ports": rows,
            });
            show(json, v, || {
                let mut out = vec![format!(
                    "stp {}  bridge {}  root {}{}",
                    if st.enabled { "on" } else { "off" },
                    bridge_id(&st.bridge_id),
                    bridge_id(&st.root_id),
                    match st.root_port {
                        None => " (this switch)".into(),
                        Some(r) => format!(" via port {r}, cost {}", st.root_path_cost),
                    }
                )];
                out.push(format!(
                    "hello {}s  max-age {}s  forward-delay {}s  topology changes {}{}",
                    st.hello_time,
                    st.max_age,
                    st.forward_delay,
                    st.topology_changes,
                    if st.topology_change {
                        " (changing)"
                    } else {
                        ""
                    }
                ));
                for p in &ports {
                    out.push(format!(
                        "port {}: {} {}  cost {}  id {:04x}  designated {} port {:04x}",
                        p.port,
                        stp_state_name(p.state),
                        stp_role_name(p.role),
                        p.path_cost,
                        p.port_id,
                        bridge_id(&p.designated_bridge),
                        p.designated_port
                    ));
                }
                out.join("\n")
            })
        }
    }
}

fn or_none(v: Option<u16>) -> String {
    v.map_or("none".into(), |v| v.to_string())
}

#[derive(Serialize)]
struct FdbJson {
    mac: String,
    vlan: u16,
    port: u32,
    age_ms: u128,
}

/// Waits for SIGINT, SIGTERM or SIGHUP.
fn wait_for_signal() {
    // SAFETY: the set is initialised by sigemptyset before use, and
    // blocking the signals in this single-threaded process makes sigwait
    // their only receiver.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let mut sig = 0;
        libc::sigwait(&set, &mut sig);
    }
}

fn create(cmd: NetCmd, json: bool) -> Res {
    let NetCmd::Create {
        path,
        policy,
        mtu,
        numnodes,
        msgpoolsize,
        lossless,
        mode,
        tap,
        grab,
    } = cmd
    else {
        unreachable!("create() is called for net create only")
    };
    let policy = policy_of(policy);
    let mut b = NetworkBuilder::new(policy)
        .exclusive(true)
        .lossless(lossless);
    for (set, value) in [
        (NetworkBuilder::mtu as fn(_, _) -> _, mtu),
        (NetworkBuilder::numnodes, numnodes),
        (NetworkBuilder::msgpoolsize, msgpoolsize),
        (NetworkBuilder::mode, mode),
    ] {
        if let Some(v) = value {
            b = set(b, v);
        }
    }
    let s = b.bind(&path).on(path.display())?;
    // The network is ours: on a failure, it goes with its node.
    let undo = |f: Failure| {
        let _ = std::fs::remove_file(&path);
        f
    };
    let mut names = Vec::new();
    for name in &tap {
        names.push(
            s.add_tap(Some(name))
                .on(format!("tap {name}"))
                .map_err(undo)?,
        );
    }
    for dev in &grab {
        s.grab(dev).on(format!("grab {dev}")).map_err(undo)?;
    }
    if tap.is_empty() && grab.is_empty() {
        eprintln!("ipnctl: holding {} until interrupted", path.display());
        wait_for_signal();
        drop(s);
        remove_if_gone(&path);
        return Ok(());
    }
    s.set_persistent(true).on("persist").map_err(undo)?;
    show(json, json!({ "path": path, "taps": names }), || {
        names.join("\n")
    })
}

fn policy_of(p: PolicyArg) -> Policy {
    match p {
        PolicyArg::Hub => Policy::HUB,
        PolicyArg::Switch => Policy::SWITCH,
    }
}

/// The networks that `q` finds.
fn query(q: Query) -> Res<Vec<NetworkInfo>> {
    // sock_diag answers ENOENT for a family without a handler.
    q.run().map_err(|e| match e.raw_os_error() {
        Some(libc::ENOENT) => Failure("socket diagnostics (is ipn.ko loaded?)".into(), e),
        _ => Failure("socket diagnostics".into(), e),
    })
}

/// The network at `path`, as the kernel reports it.
fn network_at(path: &Path) -> Res<NetworkInfo> {
    node_id(path)?;
    let q = Query::new().path(path).on(path.display())?;
    match query(q)?.into_iter().next() {
        Some(n) => Ok(n),
        None => fail(path.display(), libc::ECONNREFUSED),
    }
}

fn net_json(n: &NetworkInfo) -> Res<Value> {
    let mut v = serde_json::to_value(n).map_err(|e| Failure("json".into(), io::Error::other(e)))?;
    v["policy_name"] = json!(n.policy_name());
    Ok(v)
}

fn path_of(n: &NetworkInfo) -> String {
    n.path
        .as_ref()
        .map_or_else(|| format!("inode {}", n.inode), |p| p.display().to_string())
}

/// One line per network, as `ip link` has one per interface.
fn net_line(n: &NetworkInfo) -> String {
    let mut flags = Vec::new();
    if n.flags & ipn::sys::IPN_FLAG_LOSSLESS as u32 != 0 {
        flags.push("lossless");
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" <{}>", flags.join(","))
    };
    format!(
        "{}: {}{} mtu {} ports {}/{} msgpool {} mode {:04o} uid {} users {}",
        path_of(n),
        n.policy_name(),
        flags,
        n.mtu,
        n.ports_taken,
        n.numnodes,
        n.msgpoolsize,
        n.mode,
        n.uid,
        n.users
    )
}

/// A socket, as `port ls` and `net show` print it.
fn socket_line(s: &SocketInfo) -> String {
    let at = s.port.map_or("bound".into(), |p| format!("port {p}"));
    let shut = match (s.shut_rd, s.shut_wr) {
        (false, false) => "",
        (true, false) => " send-only",
        (false, true) => " receive-only",
        (true, true) => " shut",
    };
    let descr = if s.description.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", s.description.escape_debug())
    };
    format!(
        "{at}: socket ino {} uid {}{shut}{descr} rx {} msgs {} bytes tx {} msgs {} bytes rq {} msgs {} bytes drops {}",
        s.inode,
        s.uid,
        s.rx_messages,
        s.rx_bytes,
        s.tx_messages,
        s.tx_bytes,
        s.rqueue_messages,
        s.rqueue_bytes,
        s.drops
    )
}

fn iface_line(i: &InterfaceInfo) -> String {
    let mut flags = vec![if i.tap { "tap" } else { "grab" }];
    if i.persistent {
        flags.push("persistent");
    }
    if i.controlled {
        flags.push("controlled");
    }
    format!(
        "port {}: {} {} ifindex {}",
        i.port,
        flags.join(" "),
        i.name,
        i.ifindex
    )
}

/// Members of a network, ports in order, then bound sockets.
fn member_lines(n: &NetworkInfo) -> Vec<(Option<u32>, String)> {
    let mut rows: Vec<(Option<u32>, String)> = n
        .sockets
        .iter()
        .map(|s| (s.port, socket_line(s)))
        .chain(n.interfaces.iter().map(|i| (Some(i.port), iface_line(i))))
        .collect();
    rows.sort_by_key(|(p, _)| p.unwrap_or(u32::MAX));
    rows
}

fn port_ls(path: Option<PathBuf>, json: bool) -> Res {
    let nets = match path {
        Some(p) => vec![network_at(&p)?],
        None => query(Query::new())?,
    };
    let mut rows = Vec::new();
    for n in &nets {
        let net = n.path.clone();
        for s in &n.sockets {
            let mut v = json!({ "network": net, "kind": "socket" });
            merge(&mut v, s)?;
            rows.push(v);
        }
        for i in &n.interfaces {
            let kind = if i.tap { "tap" } else { "grab" };
            let mut v = json!({ "network": net, "kind": kind });
            merge(&mut v, i)?;
            rows.push(v);
        }
    }
    show(json, json!({ "ports": rows }), || {
        nets.iter()
            .flat_map(|n| {
                member_lines(n)
                    .into_iter()
                    .map(move |(_, l)| format!("{} {l}", path_of(n)))
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Adds the fields of `s` to the object `v`.
fn merge(v: &mut Value, s: &impl Serialize) -> Res {
    let extra = serde_json::to_value(s).map_err(|e| Failure("json".into(), io::Error::other(e)))?;
    if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    Ok(())
}

fn net(cmd: NetCmd, json: bool) -> Res {
    match cmd {
        NetCmd::Create { .. } => create(cmd, json),
        NetCmd::Ls { policy } => {
            let mut q = Query::new();
            if let Some(p) = policy {
                q = q.policy(policy_of(p));
            }
            let nets = query(q)?;
            let list = nets.iter().map(net_json).collect::<Res<Vec<_>>>()?;
            show(json, json!({ "networks": list }), || {
                nets.iter().map(net_line).collect::<Vec<_>>().join("\n")
            })
        }
        NetCmd::Show { path } => {
            let n = network_at(&path)?;
            show(json, net_json(&n)?, || {
                let mut t = net_line(&n);
                for (_, l) in member_lines(&n) {
                    t += &format!("\n    {l}");
                }
                t
            })
        }
        NetCmd::Rm { path } => {
            node_id(&path)?;
            if alive(&path).on(path.display())? {
                return fail(
                    format!("{}: the network is in use", path.display()),
                    libc::EBUSY,
                );
            }
            std::fs::remove_file(&path).on(path.display())
        }
    }
}

fn switch(cmd: SwitchCmd, json: bool) -> Res {
    match cmd {
        SwitchCmd::Vlan {
            path,
            port,
            vlan: Some(v),
        } => manage(&path)?.switch().set_pvid(port, v).on("vlan"),
        SwitchCmd::Vlan {
            path,
            port,
            vlan: None,
        } => {
            let pvid = manage(&path)?.switch().pvid(port).on("vlan")?;
            show(json, json!({ "port": port, "pvid": pvid }), || {
                format!("port {port} pvid {}", or_none(pvid))
            })
        }
        SwitchCmd::Trunk {
            path,
            port,
            op: Some(TrunkOp::Add { vlan }),
        } => manage(&path)?
            .switch()
            .add_trunk(port, vlan)
            .on("trunk add"),
        SwitchCmd::Trunk {
            path,
            port,
            op: Some(TrunkOp::Del { vlan }),
        } => manage(&path)?
            .switch()
            .del_trunk(port, vlan)
            .on("trunk del"),
        SwitchCmd::Trunk {
            path,
            port,
            op: None,
        } => {
            let vlans = manage(&path)?.switch().trunks(port).on("trunk")?;
            show(json, json!({ "port": port, "trunks": vlans }), || {
                let list: Vec<String> = vlans.iter().map(u16::to_string).collect();
                let list = if list.is_empty() {
                    "none".into()
                } else {
                    list.join(",")
                };
                format!("port {port} trunks {list}")
            })
        }
        SwitchCmd::Aging {
            path,
            seconds: Some(s),
        } => manage(&path)?
            .switch()
            .set_aging(Duration::from_secs(s.into()))
            .on("aging"),
        SwitchCmd::Aging {
            path,
            seconds: None,
        } => {
            let a = manage(&path)?.switch().aging().on("aging")?.as_secs();
            show(json, json!({ "aging_s": a }), || format!("aging {a}s"))
        }
        SwitchCmd::Maxentries {
            path,
            entries: Some(n),
        } => manage(&path)?.switch().set_max_entries(n).on("maxentries"),
        SwitchCmd::Maxentries {
            path,
            entries: None,
        } => {
            let n = manage(&path)?.switch().max_entries().on("maxentries")?;
            show(json, json!({ "maxentries": n }), || {
                format!("maxentries {n}")
            })
        }
        SwitchCmd::Fdb {
            path,
            flush: true,
            port,
        } => manage(&path)?.switch().flush(port).on("fdb flush"),
        SwitchCmd::Fdb {
            path, flush: false, ..
        } => {
            let fdb = manage(&path)?.switch().fdb().on("fdb")?;
            let rows: Vec<FdbJson> = fdb
                .iter()
                .map(|e| FdbJson {
                    mac: mac(&e.mac),
                    vlan: e.vlan,
                    port: e.port,
                    age_ms: e.age.as_millis(),
                })
                .collect();
            show(json, json!({ "fdb": rows }), || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{} vlan {} port {} age {}.{:03}s",
                            r.mac,
                            r.vlan,
                            r.port,
                            r.age_ms / 1000,
                            r.age_ms % 1000
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        SwitchCmd::Stp { path, op } => stp(&path, op, json),
        SwitchCmd::Stats { path } => {
            let s = manage(&path)?;
            let stats = s.switch().port_stats().on("stats")?;
            // With the spanning tree on, each port's state and role too.
            let tree = if s.switch().stp().on("stp")? {
                s.switch().stp_ports().on("stp")?
            } else {
                Vec::new()
            };
            let stp_of = |port: u32| tree.iter().find(|t| t.port == port);
            let mut v = json!({ "ports": stats });
            if let Some(rows) = v["ports"].as_array_mut() {
                for r in rows.iter_mut() {
                    let port = r["port"].as_u64().and_then(|p| u32::try_from(p).ok());
                    if let Some(t) = port.and_then(stp_of) {
                        r["stp_state"] = json!(stp_state_name(t.state));
                        r["stp_role"] = json!(stp_role_name(t.role));
                    }
                }
            }
            show(json, v, || {
                stats
                    .iter()
                    .map(|p| {
                        let tree = stp_of(p.port).map_or(String::new(), |t| {
                            format!(" stp {} {}", stp_state_name(t.state), stp_role_name(t.role))
                        });
                        format!(
                            "port {}: pvid {} trunks {}{tree}\n    RX: {} frames {} bytes {} dropped\n    TX: {} frames {} bytes {} dropped",
                            p.port,
                            or_none(p.pvid),
                            p.ntrunks,
                            p.rx_frames,
                            p.rx_bytes,
                            p.rx_drops,
                            p.tx_frames,
                            p.tx_bytes,
                            p.tx_drops
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn any_socket() -> Res<Socket> {
    Socket::new(Policy::ANY).on("socket")
}

fn run(cli: Cli) -> Res {
    let json = cli.json;
    match cli.cmd {
        Cmd::Net(c) => net(c, json),
        Cmd::Switch(c) => switch(c, json),
        Cmd::Port(PortCmd::Ls { path }) => port_ls(path, json),
        Cmd::Tap(TapCmd::Add { path, name }) => {
            let s = manage(&path)?;
            let got = s.add_tap(name.as_deref()).on("tap add")?;
            s.set_persistent(true).on("persist")?;
            show(json, json!({ "name": got }), || got.clone())
        }
        Cmd::Tap(TapCmd::Del { name }) => {
            any_socket()?
                .set_interface_persistent(&name, false)
                .on(&name)?;
            // A tap that a socket still controls stays until it closes.
            if Path::new("/sys/class/net").join(&name).exists() {
                return fail(format!("{name}: a socket still controls it"), libc::EBUSY);
            }
            Ok(())
        }
        Cmd::Release { dev } => any_socket()?.set_interface_persistent(&dev, false).on(dev),
        Cmd::Tap(TapCmd::Persist { name, state }) => any_socket()?
            .set_interface_persistent(&name, state == "on")
            .on(name),
        Cmd::Grab { path, dev } => {
            let s = manage(&path)?;
            s.grab(&dev).on(format!("grab {dev}"))?;
            s.set_persistent(true).on("persist")
        }
        Cmd::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "ipnctl", &mut io::stdout());
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    // As for C tools: a closed pipe (ipnctl ... | head) ends the program
    // quietly instead of failing its writes.
    // SAFETY: setting a signal's disposition to its default touches no
    // memory, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(what, e)) => {
            let mut msg = e.to_string();
            if let Some(i) = msg.find(" (os error") {
                msg.truncate(i);
            }
            eprintln!("ipnctl: {what}: {msg}{}", hint(&e));
            ExitCode::FAILURE
        }
    }
}
