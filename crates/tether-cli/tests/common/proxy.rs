//! A TCP proxy the test controls: it forwards to an upstream it may change (naming the
//! upstream in the first request's `Host`, as a reverse proxy does), and it can cut every
//! connection it holds, or stall them (keep them open and forward nothing), as a network does.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Connections numbered below these are cut, or stalled.
#[derive(Clone, Copy, Default)]
struct Fate {
    cut_below: u64,
    stall_below: u64,
}

pub struct Proxy {
    pub address: String,
    upstream: watch::Sender<String>,
    fate: watch::Sender<Fate>,
    opened: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let (upstream, upstream_rx) = watch::channel(upstream.to_owned());
        let (fate, fate_rx) = watch::channel(Fate::default());
        let opened = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&opened);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let number = counter.fetch_add(1, Ordering::SeqCst);
                let target = upstream_rx.borrow().clone();
                tokio::spawn(forward(client, target, number, fate_rx.clone()));
            }
        });
        Self {
            address,
            upstream,
            fate,
            opened,
            task,
        }
    }

    /// Where new connections go.
    pub fn set_upstream(&self, upstream: &str) {
        self.upstream.send_replace(upstream.to_owned());
    }

    /// Drops every connection open now (both ends see a reset or an end).
    pub fn cut(&self) {
        let below = self.opened.load(Ordering::SeqCst);
        self.fate.send_modify(|fate| fate.cut_below = below);
    }

    /// Stops forwarding on every connection open now, keeping them open.
    pub fn stall(&self) {
        let below = self.opened.load(Ordering::SeqCst);
        self.fate.send_modify(|fate| fate.stall_below = below);
    }

    /// How many connections it has accepted.
    pub fn connections(&self) -> u64 {
        self.opened.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

async fn forward(
    mut client: TcpStream,
    target: String,
    number: u64,
    mut fate: watch::Receiver<Fate>,
) {
    let Ok(mut server) = TcpStream::connect(&target).await else {
        return;
    };
    // The first request's head, with the Host the upstream serves.
    let mut head = Vec::new();
    let mut a = vec![0u8; 16 << 10];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < 64 << 10 {
        match client.read(&mut a).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&a[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let rewritten: Vec<String> = text
        .split("\r\n")
        .map(
            |line| match line.to_ascii_lowercase().starts_with("host:") {
                true => format!("Host: {target}"),
                false => line.to_owned(),
            },
        )
        .collect();
    if server
        .write_all(rewritten.join("\r\n").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let mut b = vec![0u8; 16 << 10];
    loop {
        let now = *fate.borrow_and_update();
        if number < now.cut_below {
            return;
        }
        if number < now.stall_below {
            // Held open, forwarding nothing, until cut.
            if fate.changed().await.is_err() {
                return;
            }
            continue;
        }
        tokio::select! {
            read = client.read(&mut a) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if server.write_all(&a[..n]).await.is_err() { return },
            },
            read = server.read(&mut b) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if client.write_all(&b[..n]).await.is_err() { return },
            },
            changed = fate.changed() => if changed.is_err() { return },
        }
    }
}
