//! A chat on a hub, with tokio: every participant runs the same command;
//! the first creates the network, the others join it.  Lines typed go to
//! everyone else.
//!
//! ```text
//! cargo run --features tokio --example chat -- /tmp/chat alice
//! cargo run --features tokio --example chat -- /tmp/chat bob
//! ```

use ipn::{AsyncSocket, NetworkBuilder, Policy};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(name)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: chat PATH NAME");
        std::process::exit(2);
    };
    let net = NetworkBuilder::new(Policy::HUB)
        .description(name)
        .join(path)?;
    let net = AsyncSocket::new(net)?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut buf = [0u8; 1514];
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) => {
                    net.send(format!("{name}: {line}").as_bytes()).await?;
                }
                None => return Ok(()),
            },
            n = net.recv(&mut buf) => match n? {
                0 => return Ok(()), // shut down for reading
                n => println!("{}", String::from_utf8_lossy(&buf[..n])),
            },
        }
    }
}
