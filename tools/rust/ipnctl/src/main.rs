//! ipnctl: create, inspect and configure AF_IPN networks.  See ipnctl(8).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use ipn::{NetworkBuilder, Policy, Socket};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "ipnctl",
    version,
    about = "Create, inspect and configure AF_IPN networks"
)]
struct Cli {
    /// Print what read commands show as JSON.
    #[arg(short, long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Networks: create, remove.
    #[command(subcommand)]
    Net(NetCmd),
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
enum NetCmd {
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

/// A hint after the system's message, for the errors users meet first.
fn hint(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(libc::EAFNOSUPPORT) => " (is ipn.ko loaded?)",
        Some(libc::ECONNREFUSED) => " (no network at this path)",
        Some(libc::EADDRINUSE) => {
            " (the path is taken: a file, or the node of a network that is gone)"
        }
        Some(libc::EPROTONOSUPPORT) => " (no module provides this policy)",
        Some(libc::EPERM) => " (needs CAP_NET_ADMIN, or ownership of the network's node)",
        _ => "",
    }
}

/// A socket that manages the existing network at `path`: bound, no port.
fn manage(path: &Path) -> Res<Socket> {
    // A bind where no network is would create one: only bind to the
    // node of a network (a stale node then gives EADDRINUSE).
    is_node(path)?;
    let s = Socket::new(Policy::ANY).on("socket")?;
    s.bind(path).on(path.display())?;
    Ok(s)
}

/// Whether `path` is a socket node, as networks' nodes are.
fn is_node(path: &Path) -> Res {
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata(path).on(path.display())?;
    if meta.file_type().is_socket() {
        Ok(())
    } else {
        Err(Failure(
            path.display().to_string(),
            io::Error::from_raw_os_error(libc::ENOTSOCK),
        ))
    }
}

/// A socket of the existing network at `path`, for reading.
fn observe(path: &Path) -> Res<Socket> {
    manage(path)
}

fn print_json<T: Serialize>(v: &T) -> Res {
    let s =
        serde_json::to_string_pretty(v).map_err(|e| Failure("json".into(), io::Error::other(e)))?;
    println!("{s}");
    Ok(())
}

fn mac(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[derive(Serialize)]
struct FdbJson {
    mac: String,
    vlan: u16,
    port: u32,
    age_ms: u128,
}

#[derive(Serialize)]
struct StatsJson {
    port: u32,
    pvid: Option<u16>,
    ntrunks: u16,
    rx_frames: u64,
    rx_bytes: u64,
    rx_drops: u64,
    tx_frames: u64,
    tx_bytes: u64,
    tx_drops: u64,
}

fn net(cmd: NetCmd) -> Res {
    match cmd {
        NetCmd::Create {
            path,
            policy,
            mtu,
            numnodes,
            msgpoolsize,
            lossless,
            mode,
            tap,
            grab,
        } => {
            let policy = match policy {
                PolicyArg::Hub => Policy::HUB,
                PolicyArg::Switch => Policy::SWITCH,
            };
            let mut b = NetworkBuilder::new(policy)
                .exclusive(true)
                .lossless(lossless);
            if let Some(v) = mtu {
                b = b.mtu(v);
            }
            if let Some(v) = numnodes {
                b = b.numnodes(v);
            }
            if let Some(v) = msgpoolsize {
                b = b.msgpoolsize(v);
            }
            if let Some(v) = mode {
                b = b.mode(v);
            }
            let s = b.bind(&path).on(path.display())?;
            for name in &tap {
                let got = s.add_tap(Some(name)).on(format!("tap {name}"))?;
                println!("{got}");
            }
            for dev in &grab {
                s.grab(dev).on(format!("grab {dev}"))?;
            }
            if tap.is_empty() && grab.is_empty() {
                eprintln!("ipnctl: holding {} until interrupted", path.display());
                loop {
                    std::thread::park();
                }
            }
            s.set_persistent(true).on("persist")
        }
        NetCmd::Rm { path } => {
            is_node(&path)?;
            // A live network answers a connect; a node whose network is
            // gone refuses it.
            match NetworkBuilder::default().connect(&path) {
                Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => {}
                Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {}
                _ => {
                    return Err(Failure(
                        format!("{}: the network is in use", path.display()),
                        io::Error::from_raw_os_error(libc::EBUSY),
                    ))
                }
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
            let pvid = observe(&path)?.switch().pvid(port).on("vlan")?;
            if json {
                print_json(&serde_json::json!({ "port": port, "pvid": pvid }))
            } else {
                println!(
                    "port {port} pvid {}",
                    pvid.map_or("none".into(), |v| v.to_string())
                );
                Ok(())
            }
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
            let vlans = observe(&path)?.switch().trunks(port).on("trunk")?;
            if json {
                print_json(&serde_json::json!({ "port": port, "trunks": vlans }))
            } else {
                let list: Vec<String> = vlans.iter().map(u16::to_string).collect();
                println!(
                    "port {port} trunks {}",
                    if list.is_empty() {
                        "none".into()
                    } else {
                        list.join(",")
                    }
                );
                Ok(())
            }
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
            let a = observe(&path)?.switch().aging().on("aging")?.as_secs();
            if json {
                print_json(&serde_json::json!({ "aging": a }))
            } else {
                println!("aging {a}");
                Ok(())
            }
        }
        SwitchCmd::Maxentries {
            path,
            entries: Some(n),
        } => manage(&path)?.switch().set_max_entries(n).on("maxentries"),
        SwitchCmd::Maxentries {
            path,
            entries: None,
        } => {
            let n = observe(&path)?.switch().max_entries().on("maxentries")?;
            if json {
                print_json(&serde_json::json!({ "maxentries": n }))
            } else {
                println!("maxentries {n}");
                Ok(())
            }
        }
        SwitchCmd::Fdb {
            path,
            flush: true,
            port,
        } => manage(&path)?.switch().flush(port).on("fdb flush"),
        SwitchCmd::Fdb {
            path, flush: false, ..
        } => {
            let fdb = observe(&path)?.switch().fdb().on("fdb")?;
            let rows: Vec<FdbJson> = fdb
                .iter()
                .map(|e| FdbJson {
                    mac: mac(&e.mac),
                    vlan: e.vlan,
                    port: e.port,
                    age_ms: e.age.as_millis(),
                })
                .collect();
            if json {
                return print_json(&rows);
            }
            let mut out = io::stdout().lock();
            for r in rows {
                let _ = writeln!(
                    out,
                    "{} vlan {} port {} age {}.{:03}s",
                    r.mac,
                    r.vlan,
                    r.port,
                    r.age_ms / 1000,
                    r.age_ms % 1000
                );
            }
            Ok(())
        }
        SwitchCmd::Stats { path } => {
            let stats = observe(&path)?.switch().port_stats().on("stats")?;
            let rows: Vec<StatsJson> = stats
                .iter()
                .map(|p| StatsJson {
                    port: p.port,
                    pvid: p.pvid,
                    ntrunks: p.ntrunks,
                    rx_frames: p.rx_frames,
                    rx_bytes: p.rx_bytes,
                    rx_drops: p.rx_drops,
                    tx_frames: p.tx_frames,
                    tx_bytes: p.tx_bytes,
                    tx_drops: p.tx_drops,
                })
                .collect();
            if json {
                return print_json(&rows);
            }
            let mut out = io::stdout().lock();
            for p in rows {
                let pvid = p.pvid.map_or("none".into(), |v| v.to_string());
                let _ = writeln!(out, "port {}: pvid {} trunks {}", p.port, pvid, p.ntrunks);
                let _ = writeln!(
                    out,
                    "    RX: {} frames {} bytes {} dropped",
                    p.rx_frames, p.rx_bytes, p.rx_drops
                );
                let _ = writeln!(
                    out,
                    "    TX: {} frames {} bytes {} dropped",
                    p.tx_frames, p.tx_bytes, p.tx_drops
                );
            }
            Ok(())
        }
    }
}

fn any_socket() -> Res<Socket> {
    Socket::new(Policy::ANY).on("socket")
}

fn run(cli: Cli) -> Res {
    match cli.cmd {
        Cmd::Net(c) => net(c),
        Cmd::Switch(c) => switch(c, cli.json),
        Cmd::Tap(TapCmd::Add { path, name }) => {
            let s = manage(&path)?;
            let got = s.add_tap(name.as_deref()).on("tap add")?;
            s.set_persistent(true).on("persist")?;
            println!("{got}");
            Ok(())
        }
        Cmd::Tap(TapCmd::Del { name }) | Cmd::Release { dev: name } => any_socket()?
            .set_interface_persistent(&name, false)
            .on(name),
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
