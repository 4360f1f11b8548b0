//! A token's trip: what Tether adds between the real `claude` printing a token and each device
//! receiving it. The real `claude` streams an answer from the fake API, a fixed number of
//! deltas a fixed time apart, in several sessions at once, each followed by every device. A
//! tap between `claude` and Tether (see `tap`) notes when it handed each token over; each
//! device notes when the token's frame arrived. The difference is Tether's whole cost:
//! reading the line, parsing, the transcript, the saved log, the fan-out and the socket. The
//! same is measured to the desktop window, over its IPC link (see `window`).

pub mod reader;
mod report;
mod setup;
mod window;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fantoccini::Client;
use serde::Serialize;
use serde_json::json;
use tether_fake_anthropic::Reply;

use self::setup::Setup;
use crate::proc_stat;
use crate::remote::device::Device;
use crate::stats::{ms, percentile};
use crate::tether_process::Engine;

/// Tokens in the measured answer, and the pause after each delta (the fake API's pace).
const CHUNKS: usize = 500;
/// Tokens per paragraph: a paragraph break streams as a delta of its own, as answers do.
const PARAGRAPH: usize = 40;
const DELAY_MS: u64 = 20;
/// Sessions × devices, each device on a WebSocket to `tether serve`.
const CASES: [(usize, usize); 3] = [(1, 1), (4, 4), (16, 10)];
/// Sessions × devices beside the desktop window, which shows the first session; its link's
/// trip is the one measured.
const WINDOW_CASES: [(usize, usize); 2] = [(1, 0), (16, 9)];

#[derive(Debug, Serialize)]
pub struct TripCase {
    pub sessions: usize,
    /// Devices on WebSockets, each following every session.
    pub devices: usize,
    /// Whether the desktop window shows the first session; its link's trip is then the one
    /// measured.
    pub window: bool,
    /// Tokens delivered: every token of every session to every follower.
    pub delivered: usize,
    /// What Tether added, from the tap's handing over to the frame's arrival, in ms.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    /// The CPU time over the turn of the process the engine runs in (`tether`, or the app),
    /// per delivered token, in µs.
    pub engine_cpu_us_per_token: f64,
}

#[derive(Debug, Serialize)]
pub struct TripBench {
    pub chunks: usize,
    pub paragraph: usize,
    pub delay_ms: u64,
    pub cases: Vec<TripCase>,
}

/// Every case: through `tether serve`, then through the desktop app `app`'s window.
pub async fn run(app: &Path, tether: &Path, bench: &Path) -> Result<TripBench> {
    let claude = PathBuf::from(
        std::env::var_os("TETHER_CLAUDE")
            .context("TETHER_CLAUDE must name the real claude: run through make bench")?,
    );
    let mut cases = Vec::new();
    for (sessions, devices) in CASES {
        eprintln!("a token's trip: {sessions} sessions × {devices} devices");
        let setup = Setup::new(bench, &claude).await?;
        cases.push(served(tether, &setup, sessions, devices).await?);
        setup.fake.shutdown().await;
    }
    for (sessions, devices) in WINDOW_CASES {
        eprintln!("a token's trip: {sessions} sessions × the window and {devices} devices");
        let setup = Setup::new(bench, &claude).await?;
        cases.push(window::case(app, tether, &setup, sessions, devices).await?);
        setup.fake.shutdown().await;
    }
    Ok(TripBench {
        chunks: CHUNKS,
        paragraph: PARAGRAPH,
        delay_ms: DELAY_MS,
        cases,
    })
}

/// A case through `tether serve`.
async fn served(tether: &Path, setup: &Setup, sessions: usize, devices: usize) -> Result<TripCase> {
    let engine = Engine::new(tether, &setup.tapped, "trip")?.with_config(setup.config.clone());
    let (mut process, listening) = engine.start(&["serve", "--port", "0"]).await?;
    let address = listening
        .strip_prefix("listening on ws://")
        .context("no listening line")?
        .to_owned();
    let pid = process.id().context("tether exited")?;
    let case = measure(&engine, setup, &address, pid, (sessions, devices), None).await;
    let _ = process.kill().await;
    case
}

/// A case on the engine at `address`, whose process is `pid`: `devices` paired through
/// `engine`'s CLI follow `sessions`, and `window`, if there is one, shows the first (its
/// link's trip is then the one measured).
async fn measure(
    engine: &Engine,
    setup: &Setup,
    address: &str,
    pid: u32,
    (sessions, devices): (usize, usize),
    window: Option<&Client>,
) -> Result<TripCase> {
    // One device at least: it sends the prompts.
    let mut tokens = Vec::with_capacity(devices.max(1));
    for n in 0..devices.max(1) {
        let name = format!("trip-{n}");
        tokens.push(
            (engine.output(&["devices", "add", "--name", &name]).await?)
                .trim()
                .to_owned(),
        );
    }
    engine
        .output(&["project", "add", &setup.project.to_string_lossy()])
        .await?;
    let mut control = Device::connect(address, &tokens[0]).await?;
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
    for token in &tokens[..devices] {
        followers.push(reader::follow(address, token, &ids).await?);
    }
    if let Some(window) = window {
        window::show(window, &ids[0]).await?;
        window::count_from(window, "tokw", 1).await?;
    }

    // A first turn starts every session's `claude`; the second is measured.
    for n in 0..sessions {
        setup.fake.push(Reply::Text {
            chunks: vec![format!("tokw{n} ")],
        });
    }
    let (followers, _) = turn(&mut control, &ids, followers, "tokw", sessions).await?;
    if let Some(window) = window {
        window::arrivals(window).await?;
    }
    for n in 0..sessions {
        setup.fake.push(Reply::Slow {
            chunks: answer(n),
            delay_ms: DELAY_MS,
        });
    }
    if let Some(window) = window {
        // The window shows one session (which answer it gets is the fake API's order).
        window::count_from(window, "tokm", CHUNKS).await?;
    }
    let cpu_before = proc_stat::cpu_seconds(pid)?;
    let (_, mut arrivals) = turn(&mut control, &ids, followers, "tokm", sessions * CHUNKS).await?;
    let mut delivered: usize = arrivals.iter().map(HashMap::len).sum();
    if let Some(window) = window {
        // The window's trip is the one measured; the devices' deliveries still cost CPU.
        let arrived = window::arrivals(window).await?;
        delivered += arrived.len();
        arrivals = vec![arrived];
    }
    let cpu = proc_stat::cpu_seconds(pid)? - cpu_before;

    let handed = handed_over(&setup.taps)?;
    let added = added(&handed, &arrivals)?;
    Ok(TripCase {
        sessions,
        devices,
        window: window.is_some(),
        delivered,
        p50_ms: ms(percentile(&added, 0.5)),
        p99_ms: ms(percentile(&added, 0.99)),
        p999_ms: ms(percentile(&added, 0.999)),
        engine_cpu_us_per_token: cpu * 1e6 / delivered.max(1) as f64,
    })
}

/// What Tether added to each arrival, from when its token was handed over; sorted.
fn added(handed: &HashMap<String, u64>, arrivals: &[HashMap<String, u64>]) -> Result<Vec<u64>> {
    let mut added = Vec::with_capacity(arrivals.iter().map(HashMap::len).sum());
    for arrived in arrivals {
        for (token, at) in arrived {
            let from = handed
                .get(token)
                .with_context(|| format!("no tap noted {token}"))?;
            added.push(at.saturating_sub(*from));
        }
    }
    added.sort_unstable();
    Ok(added)
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

/// Session `n`'s measured answer: its tokens, in paragraphs.
fn answer(n: usize) -> Vec<String> {
    (0..CHUNKS)
        .flat_map(|i| {
            let token = format!("tokm{n}_{i} ");
            let ends_paragraph = (i + 1) % PARAGRAPH == 0;
            std::iter::once(token).chain(ends_paragraph.then(|| "\n\n".to_owned()))
        })
        .collect()
}
