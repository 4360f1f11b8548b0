//! What a session on a remote machine costs: a hub and an agent as two `tether` processes on
//! this machine, each running the stand-in `claude` (see `stand_in_claude`), and a device on
//! the hub reading one local and one remote session. Each token carries the time it was
//! printed, so the remote session's added latency is its trip's percentiles minus the local
//! one's at the same pace; then the rate one link carries, and the hub's memory per idle link
//! next to its memory per idle device connection.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};
use futures_util::SinkExt;
use serde::Serialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

pub mod device;

use self::device::Device;
use crate::client::{Socket, connect};
use crate::report::Target;
use crate::servers::resident_bytes;
use crate::stats::{ms, percentile};
use crate::tether_process::Engine;

/// Tokens per second in the latency runs, how many a turn, and turns of each.
const PACED_RATE: u64 = 1_000;
const PACED_TOKENS: u64 = 3_000;
const ROUNDS: usize = 2;
/// Tokens in the throughput runs, printed as fast as the stand-in can.
const BURST_TOKENS: u64 = 30_000;
/// Idle connections of each kind held for the memory measurement.
const IDLE: usize = 200;
/// The most frames read while waiting for one turn.
const MAX_FRAMES: usize = 1_000_000;

#[derive(Debug, Serialize)]
pub struct RemoteBench {
    /// A token's trip from `claude`'s stdout to the device, in milliseconds, at 1,000/s.
    pub local_p50_ms: f64,
    pub local_p99_ms: f64,
    pub remote_p50_ms: f64,
    pub remote_p99_ms: f64,
    /// Tokens per second a device receives, as fast as `claude` prints them.
    pub local_tokens_per_sec: f64,
    pub remote_tokens_per_sec: f64,
    /// The hub's resident memory per idle machine link, and per idle device connection.
    pub idle_links: usize,
    pub bytes_per_idle_link: f64,
    pub bytes_per_idle_device: f64,
}

pub async fn run(tether: &Path, bench: &Path) -> Result<RemoteBench> {
    let scripts = tempfile::tempdir()?;
    let claude = scripts.path().join("claude");
    std::fs::write(
        &claude,
        format!("#!/bin/sh\nexec {bench:?} claude \"$@\"\n"),
    )?;
    std::fs::set_permissions(&claude, std::fs::Permissions::from_mode(0o755))?;
    let hub = Engine::new(tether, &claude, "hub")?;
    let agent = Engine::new(tether, &claude, "agent")?;
    let (mut hub_process, listening) = hub.start(&["serve", "--port", "0"]).await?;
    let address = listening
        .strip_prefix("listening on ws://")
        .context("no listening line")?
        .to_owned();
    // Memory first, on a hub that has done nothing yet (memory the bursts freed would hide it).
    let hub_pid = hub_process.id().context("the hub exited")?;
    let bytes_per_idle_link = idle_memory(&hub, &address, hub_pid, IDLE, true).await?;
    let bytes_per_idle_device = idle_memory(&hub, &address, hub_pid, IDLE, false).await?;
    let token = hub
        .output(&["devices", "add", "--name", "bench"])
        .await?
        .trim()
        .to_owned();
    pair(&hub, &agent, &address).await?;
    let (mut agent_process, _) = agent.start(&["agent", "run"]).await?;
    let (here, there) = (tempfile::tempdir()?, tempfile::tempdir()?);
    hub.output(&["project", "add", &here.path().to_string_lossy()])
        .await?;
    let mut device = Device::connect(&address, &token).await?;
    agent
        .output(&["project", "add", &there.path().to_string_lossy()])
        .await?;
    let added = device
        .until(|frame| frame["event"] == "project.added" && !frame["data"]["machine"].is_null())
        .await?;
    let remote_project = added["data"]["id"]
        .as_str()
        .context("project id")?
        .to_owned();
    let projects = device.call("projects.list", json!({})).await?;
    let local_project = projects
        .as_array()
        .and_then(|all| all.iter().find(|project| project["machine"].is_null()))
        .and_then(|project| project["id"].as_str())
        .context("no local project")?
        .to_owned();
    let local = device.session(&local_project).await?;
    let remote = device.session(&remote_project).await?;

    let pace = 1_000_000_000 / PACED_RATE;
    // Alternated, so both meet the same machine: what the other processes happen to do.
    let (mut local_trips, mut remote_trips) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        local_trips.extend(device.turn(&local, PACED_TOKENS, pace).await?.trips);
        remote_trips.extend(device.turn(&remote, PACED_TOKENS, pace).await?.trips);
    }
    local_trips.sort_unstable();
    remote_trips.sort_unstable();
    let local_burst = device.turn(&local, BURST_TOKENS, 0).await?;
    let remote_burst = device.turn(&remote, BURST_TOKENS, 0).await?;

    let _ = agent_process.kill().await;
    let _ = hub_process.kill().await;
    Ok(RemoteBench {
        local_p50_ms: ms(percentile(&local_trips, 0.5)),
        local_p99_ms: ms(percentile(&local_trips, 0.99)),
        remote_p50_ms: ms(percentile(&remote_trips, 0.5)),
        remote_p99_ms: ms(percentile(&remote_trips, 0.99)),
        local_tokens_per_sec: local_burst.per_sec(),
        remote_tokens_per_sec: remote_burst.per_sec(),
        idle_links: IDLE,
        bytes_per_idle_link,
        bytes_per_idle_device,
    })
}

/// Pairs the agent with the hub, as `tether agent pair` does with a code `tether pair` shows.
async fn pair(hub: &Engine, agent: &Engine, address: &str) -> Result<()> {
    let mut approver = hub
        .command(&["pair", "--yes"])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(approver.stdout.take().context("stdout")?).lines();
    let mut code = None;
    for _ in 0..200 {
        let line = lines.next_line().await?.context("tether pair ended")?;
        if let Some(rest) = line.strip_prefix("Pairing code: ") {
            code = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    let code = code.context("no pairing code")?;
    agent
        .output(&[
            "agent",
            "pair",
            &format!("ws://{address}"),
            &code,
            "--name",
            "bench-box",
        ])
        .await?;
    approver.wait().await?;
    Ok(())
}

/// The hub's resident memory per idle connection: `count` machine links (each a machine
/// of its own, greeted), or as many device connections.
async fn idle_memory(
    hub: &Engine,
    address: &str,
    pid: u32,
    count: usize,
    machines: bool,
) -> Result<f64> {
    let mut tokens = Vec::with_capacity(count + 1);
    // One more, held first, so what the hub allocates once is not counted per connection.
    for n in 0..=count {
        let name = format!("idle-{machines}-{n}");
        let mut args = vec!["devices", "add", "--name", &name];
        if machines {
            args.push("--machine");
        }
        tokens.push(hub.output(&args).await?.trim().to_owned());
    }
    let mut held: Vec<Socket> = Vec::with_capacity(count + 1);
    let mut before = 0;
    for (n, token) in tokens.iter().enumerate() {
        held.push(match machines {
            true => machine_link(address, token).await?,
            false => connect(&format!("ws://{address}/ws"), token).await?,
        });
        if n == 0 {
            before = resident_bytes(pid)?;
        }
    }
    let after = resident_bytes(pid)?;
    drop(held);
    Ok(after.saturating_sub(before) as f64 / count as f64)
}

/// An idle machine link: upgraded, greeted with an empty `hello`.
async fn machine_link(address: &str, token: &str) -> Result<Socket> {
    let mut request = format!("ws://{address}/ws/machine").into_client_request()?;
    let headers = request.headers_mut();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    headers.insert(
        tether_protocol::machine::INSTANCE_HEADER,
        HeaderValue::from_str(token.get(..16).unwrap_or(token))?,
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let hello = json!({ "type": "hello", "version": "bench", "hostname": "idle", "claude_version": null, "projects": [], "runs": [] });
    socket.send(Message::text(hello.to_string())).await?;
    Ok(socket)
}

impl RemoteBench {
    /// The p99 a remote session adds over a local one.
    fn added_p99_ms(&self) -> f64 {
        self.remote_p99_ms - self.local_p99_ms
    }

    pub fn targets(&self) -> Vec<Target> {
        vec![Target {
            name: "a remote session adds ≤ 2 ms at p99 (1,000 tokens/s, loopback)",
            measured: format!("{:.2} ms", self.added_p99_ms()),
            met: self.added_p99_ms() <= 2.0,
        }]
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Remote machines: a session on an agent next to one on the hub\n\n\
             | | on the hub | on an agent | added |\n|---|---|---|---|"
        );
        let _ = writeln!(
            out,
            "| token trip p50 at {PACED_RATE}/s | {:.2} ms | {:.2} ms | {:.2} ms |",
            self.local_p50_ms,
            self.remote_p50_ms,
            self.remote_p50_ms - self.local_p50_ms
        );
        let _ = writeln!(
            out,
            "| token trip p99 at {PACED_RATE}/s | {:.2} ms | {:.2} ms | {:.2} ms |",
            self.local_p99_ms,
            self.remote_p99_ms,
            self.added_p99_ms()
        );
        let _ = writeln!(
            out,
            "| tokens per second, as fast as claude prints | {:.0} | {:.0} | {:.2}× |",
            self.local_tokens_per_sec,
            self.remote_tokens_per_sec,
            self.remote_tokens_per_sec / self.local_tokens_per_sec
        );
        let _ = writeln!(
            out,
            "| hub memory per idle connection ({} each) | {:.1} KiB (device) | {:.1} KiB (machine link) | {:.2}× |\n",
            self.idle_links,
            self.bytes_per_idle_device / 1024.0,
            self.bytes_per_idle_link / 1024.0,
            self.bytes_per_idle_link / self.bytes_per_idle_device.max(1.0)
        );
        out
    }
}
