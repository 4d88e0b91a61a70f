//! A stream fanned out to consumers that come and go, with no server:
//! the producer creates a lossy hub and sends numbered messages while
//! anyone listens (the kernel tells it how many readers there are); each
//! consumer joins when it likes, says who produces, and reports what it
//! receives and what it missed (a slow consumer loses messages, the others
//! do not wait for it).
//!
//! ```text
//! cargo run --example pubsub -- produce /tmp/stream &
//! cargo run --example pubsub -- consume /tmp/stream
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::io::ErrorKind;

use ipn::{Members, NetworkBuilder, Policy};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(role), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: pubsub produce|consume PATH");
        std::process::exit(2);
    };
    match role.as_str() {
        "produce" => produce(path),
        "consume" => consume(path),
        _ => {
            eprintln!("usage: pubsub produce|consume PATH");
            std::process::exit(2);
        }
    }
}

fn produce(path: &str) -> std::io::Result<()> {
    // Lossy (the default): a consumer that falls behind loses messages;
    // the producer never waits.  Queues of 64 messages absorb bursts.
    let net = NetworkBuilder::new(Policy::HUB)
        .msgpoolsize(64)
        .description("pubsub producer")
        .join(path)?;
    // The producer reads no data, but still gets the kernel's out-of-band
    // notices of how many nodes read: it produces only while someone does.
    net.shutdown(std::net::Shutdown::Read)?;
    net.set_nonblocking(true)?;
    net.set_out_of_band(true)?;
    net.set_member_notices(true)?;
    let mut readers = 0;
    let mut seq = 0u64;
    let mut buf = [0u8; 64];
    loop {
        // The last notice read is current.
        loop {
            match net.recv_out_of_band(&mut buf) {
                Ok(r) => {
                    if let Some(m) = Members::parse(&buf[..r.len]) {
                        if m.readers != readers {
                            println!("{} consumers", m.readers);
                        }
                        readers = m.readers;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if readers > 0 {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let msg = format!("{seq} {}.{:03}", now.as_secs(), now.subsec_millis());
            net.send(msg.as_bytes())?;
            seq += 1;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn consume(path: &str) -> std::io::Result<()> {
    // connect without bind: a consumer needs only the node's r right.
    let net = NetworkBuilder::default()
        .description("pubsub consumer")
        .connect(path)?;
    net.set_pass_credentials(true)?;
    let mut buf = [0u8; 1514];
    let mut next: Option<u64> = None;
    let mut producer = None;
    loop {
        let r = net.recv_msg(&mut buf)?;
        if r.len == 0 {
            return Ok(());
        }
        if producer != r.credentials {
            if let Some(c) = r.credentials {
                println!(
                    "produced by pid {} (uid {}) on port {:?}",
                    c.pid, c.uid, r.port
                );
            }
            producer = r.credentials;
        }
        let text = String::from_utf8_lossy(&buf[..r.len]);
        let seq: u64 = text
            .split(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if let Some(want) = next.filter(|&w| w < seq) {
            println!("missed {} (dropped: {})", seq - want, net.drops()?);
        }
        println!("{text}");
        next = Some(seq + 1);
    }
}
