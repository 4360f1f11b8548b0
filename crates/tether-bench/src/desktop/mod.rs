//! The desktop app as a person leaves it running: the release build in a window under Xvfb,
//! with three sessions open (their `claude` running) and two devices connected. It measures
//! launch to the window's first paint, each process's resident memory after start and after a
//! long idle, and their CPU time and wake-ups over the idle's second half. The app's launch,
//! log and processes are here too for the trip bench, which drives its window (`driven`).

pub mod app;
pub mod app_log;
pub mod display;
pub mod driven;
mod figures;
mod processes;
mod report;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use self::app::App;
use self::figures::{RoleFigures, Waker};
use self::processes::Snapshot;
use crate::remote::device::Device;
use crate::tether_process::Engine;
use crate::trip;

const SESSIONS: usize = 3;
const DEVICES: usize = 2;
/// The longest the app may take to start, and to quit.
const WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Serialize)]
pub struct DesktopBench {
    pub sessions: usize,
    pub devices: usize,
    /// From starting the app to its log saying the window painted its first frame, in ms.
    pub launch_to_paint_ms: f64,
    /// The same, as the app measured it from its own start (without loading the program).
    pub app_paint_ms: f64,
    /// Of that, the page's part: from its first request to its first paint.
    pub page_paint_ms: f64,
    /// How long it was left idle, and the last part of that measured for CPU and wake-ups.
    pub idle_secs: u64,
    pub measured_secs: u64,
    pub roles: Vec<RoleFigures>,
    pub wakers: Vec<Waker>,
}

/// Runs the release app `app`, paired through `tether`, idle for `idle`.
pub async fn run(app: &Path, tether: &Path, idle: Duration) -> Result<DesktopBench> {
    let claude = PathBuf::from(
        std::env::var_os("TETHER_CLAUDE")
            .context("TETHER_CLAUDE must name the real claude: run through make bench")?,
    );
    let fake = FakeAnthropic::start(Script::default()).await?;
    let dir = tempfile::tempdir()?;
    let engine = Engine::new(tether, &claude, "desktop")?;
    let (_xvfb, display) = display::start().await?;

    let settings = settings(dir.path(), &fake, &claude)?;
    let launched = Instant::now();
    let mut running = App::launch(app, &engine, &settings, dir.path(), &display)?;
    let (address, painted) = app_log::read_start(running.log()?, launched).await?;
    let group = running.group.0;

    let followers = open_sessions(&engine, &fake, &address, dir.path()).await?;
    // The devices stay connected: each reads (and so answers the engine's pings) until the end.
    let held: Vec<_> = (followers.into_iter())
        .map(|mut socket| tokio::spawn(async move { while socket.next().await.is_some() {} }))
        .collect();

    eprintln!("the desktop app: idle for {} s", idle.as_secs());
    let after_start = Snapshot::take(group)?;
    tokio::time::sleep(idle / 2).await;
    let from = Snapshot::take(group)?;
    tokio::time::sleep(idle - idle / 2).await;
    let to = Snapshot::take(group)?;

    for device in held {
        device.abort();
    }
    running.quit().await?;
    fake.shutdown().await;
    Ok(DesktopBench {
        sessions: SESSIONS,
        devices: DEVICES,
        launch_to_paint_ms: painted.seen_ms,
        app_paint_ms: painted.app_ms,
        page_paint_ms: painted.page_ms,
        idle_secs: idle.as_secs(),
        measured_secs: to.at.duration_since(from.at).as_secs(),
        roles: figures::roles(&after_start, &from, &to),
        wakers: figures::wakers(&from, &to),
    })
}

/// A settings file that runs `claude` against `fake`, with a home of its own.
fn settings(dir: &Path, fake: &FakeAnthropic, claude: &Path) -> Result<PathBuf> {
    let home = dir.join("claude-home");
    std::fs::create_dir_all(&home)?;
    let env: String = (fake.claude_env(&home).into_iter())
        .map(|(key, value)| format!("{key} = {value:?}\n"))
        .collect();
    let file = dir.join("tether.toml");
    std::fs::write(
        &file,
        format!("[claude]\npath = {claude:?}\n[claude.env]\n{env}"),
    )?;
    Ok(file)
}

/// Pairs the devices, opens a project and its sessions, and runs a first turn in each, so
/// every session's `claude` is running; returns the devices, each following every session.
async fn open_sessions(
    engine: &Engine,
    fake: &FakeAnthropic,
    address: &str,
    dir: &Path,
) -> Result<Vec<crate::client::Socket>> {
    let project = dir.join("project");
    std::fs::create_dir_all(&project)?;
    let mut tokens = Vec::with_capacity(DEVICES);
    for n in 0..DEVICES {
        let name = format!("desktop-{n}");
        let token = engine.output(&["devices", "add", "--name", &name]).await?;
        tokens.push(token.trim().to_owned());
    }
    engine
        .output(&["project", "add", &project.to_string_lossy()])
        .await?;
    let mut control = Device::connect(address, &tokens[0]).await?;
    let projects = control.call("projects.list", json!({})).await?;
    let project_id = projects[0]["id"].as_str().context("no project")?.to_owned();
    let mut ids = Vec::with_capacity(SESSIONS);
    for _ in 0..SESSIONS {
        let created = control
            .call("sessions.create", json!({ "project_id": project_id }))
            .await?;
        ids.push(created["id"].as_str().context("session id")?.to_owned());
    }
    let mut followers = Vec::with_capacity(DEVICES);
    for token in &tokens {
        followers.push(trip::reader::follow(address, token, &ids).await?);
    }
    for n in 0..SESSIONS {
        fake.push(Reply::Text {
            chunks: vec![format!("tokd{n} ")],
        });
    }
    let (followers, _) = trip::turn(&mut control, &ids, followers, "tokd", SESSIONS).await?;
    Ok(followers)
}
