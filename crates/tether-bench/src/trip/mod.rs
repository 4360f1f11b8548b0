//! A token's trip: what Tether adds between the real `claude` printing a token and each device
//! receiving it. The real `claude` streams an answer from the fake API, a fixed number of
//! deltas a fixed time apart, in several sessions at once, each followed by every device. A
//! tap between `claude` and Tether (see `tap`) notes when it handed each token over; each
//! device notes when the token's frame arrived. The difference is Tether's whole cost:
//! reading the line, parsing, the transcript, the saved log, the fan-out and the socket.

pub mod reader;
mod report;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::proc_stat;
use crate::remote::device::Device;
use crate::stats::{ms, percentile};
use crate::tap;
use crate::tether_process::Engine;

/// Deltas in the measured answer, and the pause after each (the fake API's pace).
const CHUNKS: usize = 500;
const DELAY_MS: u64 = 20;
/// Sessions × devices.
const CASES: [(usize, usize); 3] = [(1, 1), (4, 4), (16, 10)];

#[derive(Debug, Serialize)]
pub struct TripCase {
    pub sessions: usize,
    pub devices: usize,
    /// Tokens delivered: every token of every session to every device.
    pub delivered: usize,
    /// What Tether added, from the tap's handing over to the device's frame, in ms.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    /// The engine process's CPU time over the turn, per delivered token, in µs.
    pub engine_cpu_us_per_token: f64,
}

#[derive(Debug, Serialize)]
pub struct TripBench {
    pub chunks: usize,
    pub delay_ms: u64,
    pub cases: Vec<TripCase>,
}

pub async fn run(tether: &Path, bench: &Path) -> Result<TripBench> {
    let claude = PathBuf::from(
        std::env::var_os("TETHER_CLAUDE")
            .context("TETHER_CLAUDE must name the real claude: run through make bench")?,
    );
    let mut cases = Vec::new();
    for (sessions, devices) in CASES {
        eprintln!("a token's trip: {sessions} sessions × {devices} devices");
        cases.push(case(tether, bench, &claude, sessions, devices).await?);
    }
    Ok(TripBench {
        chunks: CHUNKS,
        delay_ms: DELAY_MS,
        cases,
    })
}

async fn case(
    tether: &Path,
    bench: &Path,
    claude: &Path,
    sessions: usize,
    devices: usize,
) -> Result<TripCase> {
    let fake = FakeAnthropic::start(Script::default()).await?;
    let dir = tempfile::tempdir()?;
    let (taps, home, project) = (
        dir.path().join("taps"),
        dir.path().join("home"),
        dir.path().join("project"),
    );
    for folder in [&taps, &home, &project] {
        std::fs::create_dir(folder)?;
    }
    let tapped = dir.path().join("claude");
    std::fs::write(&tapped, format!("#!/bin/sh\nexec {bench:?} tap \"$@\"\n"))?;
    std::fs::set_permissions(&tapped, std::fs::Permissions::from_mode(0o755))?;
    let mut env: Vec<(String, String)> = (fake.claude_env(&home).into_iter())
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
    env.push((tap::CLAUDE_ENV.into(), claude.to_string_lossy().into()));
    env.push((tap::TAPS_ENV.into(), taps.to_string_lossy().into()));
    let env: String = env
        .iter()
        .map(|(key, value)| format!("{key} = {value:?}\n"))
        .collect();
    let config = dir.path().join("tether.toml");
    std::fs::write(
        &config,
        format!("[claude]\npath = {tapped:?}\n[claude.env]\n{env}"),
    )?;
    let engine = Engine::new(tether, &tapped, "trip")?.with_config(config);
    let (mut process, listening) = engine.start(&["serve", "--port", "0"]).await?;
    let address = listening
        .strip_prefix("listening on ws://")
        .context("no listening line")?
        .to_owned();
    let pid = process.id().context("tether exited")?;
    let mut tokens = Vec::with_capacity(devices);
    for n in 0..devices {
        let name = format!("trip-{n}");
        tokens.push(
            (engine.output(&["devices", "add", "--name", &name]).await?)
                .trim()
                .to_owned(),
        );
    }
    engine
        .output(&["project", "add", &project.to_string_lossy()])
        .await?;
    let mut control = Device::connect(&address, &tokens[0]).await?;
    let projects = control.call("projects.list", json!({})).await?;
    let project_id = projects[0]["id"].as_str().context("no project")?.to_owned();
    let mut ids = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let created = control
            .call("sessions.create", json!({ "project_id": project_id }))
            .await?;
        ids.push(created["id"].as_str().context("session id")?.to_owned());
    }
    let mut followers = Vec::with_capacity(devices);
    for token in &tokens {
        followers.push(reader::follow(&address, token, &ids).await?);
    }

    // A first turn starts every session's `claude`; the second is measured.
    for n in 0..sessions {
        fake.push(Reply::Text {
            chunks: vec![format!("tokw{n} ")],
        });
    }
    let (followers, _) = turn(&mut control, &ids, followers, "tokw", sessions).await?;
    for n in 0..sessions {
        fake.push(Reply::Slow {
            chunks: (0..CHUNKS).map(|i| format!("tokm{n}_{i} ")).collect(),
            delay_ms: DELAY_MS,
        });
    }
    let cpu_before = proc_stat::cpu_seconds(pid)?;
    let (_, arrivals) = turn(&mut control, &ids, followers, "tokm", sessions * CHUNKS).await?;
    let cpu = proc_stat::cpu_seconds(pid)? - cpu_before;

    let handed = handed_over(&taps)?;
    let mut added = Vec::with_capacity(devices * sessions * CHUNKS);
    for arrived in &arrivals {
        for (token, at) in arrived {
            let from = handed
                .get(token)
                .with_context(|| format!("no tap noted {token}"))?;
            added.push(at.saturating_sub(*from));
        }
    }
    added.sort_unstable();
    let _ = process.kill().await;
    fake.shutdown().await;
    Ok(TripCase {
        sessions,
        devices,
        delivered: added.len(),
        p50_ms: ms(percentile(&added, 0.5)),
        p99_ms: ms(percentile(&added, 0.99)),
        p999_ms: ms(percentile(&added, 0.999)),
        engine_cpu_us_per_token: cpu * 1e6 / added.len().max(1) as f64,
    })
}

/// One turn of every session: each device reads until it has `expected` tokens starting with
/// `prefix`, while `control` sends the prompts. The devices come back with when each arrived.
pub async fn turn(
    control: &mut Device,
    sessions: &[String],
    followers: Vec<crate::client::Socket>,
    prefix: &'static str,
    expected: usize,
) -> Result<(Vec<crate::client::Socket>, Vec<HashMap<String, u64>>)> {
    let readers: Vec<_> = followers
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                let arrived = reader::tokens(&mut socket, prefix, expected).await?;
                Ok::<_, anyhow::Error>((socket, arrived))
            })
        })
        .collect();
    for id in sessions {
        control
            .call("messages.send", json!({ "session_id": id, "text": "go" }))
            .await?;
    }
    let mut followers = Vec::new();
    let mut arrivals = Vec::new();
    for reader in readers {
        let (socket, arrived) = reader.await??;
        followers.push(socket);
        arrivals.push(arrived);
    }
    Ok((followers, arrivals))
}

/// When the taps handed each token to Tether.
fn handed_over(taps: &Path) -> Result<HashMap<String, u64>> {
    let mut handed = HashMap::new();
    for entry in std::fs::read_dir(taps)? {
        for line in std::fs::read_to_string(entry?.path())?.lines() {
            if let Some((token, at)) = line.split_once(' ') {
                handed.entry(token.to_owned()).or_insert(at.parse()?);
            }
        }
    }
    Ok(handed)
}
