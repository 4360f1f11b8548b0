//! Memory per idle authenticated connection: the server's resident memory grows by how much
//! while it holds `count` more WebSockets, each authenticated and welcomed.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;

use crate::client::{Socket, connect};
use crate::servers::{Kind, Programs, Server};

#[derive(Debug, Serialize)]
pub struct IdleMemory {
    pub server: Kind,
    pub connections: usize,
    /// Resident memory added per connection, in bytes.
    pub bytes_per_connection: f64,
    /// Resident memory while holding them all, in bytes.
    pub resident_bytes: u64,
}

/// Every server's memory while it holds `count` idle connections, one server at a time.
pub async fn measure(programs: &Programs, count: usize) -> Result<Vec<IdleMemory>> {
    let mut memory = Vec::new();
    for kind in Kind::ALL {
        eprintln!("idle: {} × {count}", kind.name());
        let server = Server::start(programs, kind).await?;
        memory.push(run(&server, count).await?);
        server.stop().await;
    }
    Ok(memory)
}

/// The markdown table of `memory`.
pub fn table(memory: &[IdleMemory]) -> String {
    let mut out = String::from(
        "## Memory per idle authenticated connection\n\n\
         | server | connections | per connection | resident in all |\n|---|---:|---:|---:|\n",
    );
    for idle in memory {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} KiB | {:.1} MiB |",
            idle.server.name(),
            idle.connections,
            idle.bytes_per_connection / 1024.0,
            idle.resident_bytes as f64 / (1024.0 * 1024.0)
        );
    }
    out
}

async fn run(server: &Server, count: usize) -> Result<IdleMemory> {
    let url = server.url();
    // One connection first, so what every server allocates once is not counted per connection.
    let warm = connect(&url, &server.token).await?;
    let before = server.resident_bytes()?;
    let mut held: Vec<Socket> = Vec::with_capacity(count);
    for _ in 0..count {
        held.push(connect(&url, &server.token).await?);
    }
    let after = server.resident_bytes()?;
    drop(held);
    drop(warm);
    Ok(IdleMemory {
        server: server.kind,
        connections: count,
        bytes_per_connection: after.saturating_sub(before) as f64 / count as f64,
        resident_bytes: after,
    })
}
