//! Memory per idle authenticated connection: the server's resident memory grows by how much
//! while it holds `count` more WebSockets, each authenticated and welcomed.

use anyhow::Result;
use serde::Serialize;

use crate::client::{Socket, connect};
use crate::servers::{Kind, Server};

#[derive(Debug, Serialize)]
pub struct IdleMemory {
    pub server: Kind,
    pub connections: usize,
    /// Resident memory added per connection, in bytes.
    pub bytes_per_connection: f64,
    /// Resident memory while holding them all, in bytes.
    pub resident_bytes: u64,
}

pub async fn run(server: &Server, count: usize) -> Result<IdleMemory> {
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
