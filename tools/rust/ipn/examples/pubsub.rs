//! A stream fanned out to consumers that come and go, with no server:
//! the producer creates a lossy hub and sends numbered messages; each
//! consumer joins when it likes, reports what it receives and what it
//! missed (a slow consumer loses messages, the others do not wait for it).
//!
//! ```text
//! cargo run --example pubsub -- produce /tmp/stream &
//! cargo run --example pubsub -- consume /tmp/stream
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ipn::{NetworkBuilder, Policy};

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
    for seq in 0u64.. {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let msg = format!("{seq} {}.{:03}", now.as_secs(), now.subsec_millis());
        net.send(msg.as_bytes())?;
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn consume(path: &str) -> std::io::Result<()> {
    // connect without bind: a consumer needs only the node's r right.
    let net = NetworkBuilder::default()
        .description("pubsub consumer")
        .connect(path)?;
    let mut buf = [0u8; 1514];
    let mut next: Option<u64> = None;
    loop {
        let n = net.recv(&mut buf)?;
        let text = String::from_utf8_lossy(&buf[..n]);
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
