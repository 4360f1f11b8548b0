//! The desktop app as a person leaves it running: the release build in a window under Xvfb,
//! with three sessions open (their `claude` running) and two devices connected. It measures
//! launch to the window's first paint, each process's resident memory after start and after a
//! long idle, and their CPU time and wake-ups over the idle's second half.

mod display;
mod figures;
mod processes;
mod report;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, Command};

use self::figures::{RoleFigures, Waker};
use self::processes::Snapshot;
use crate::remote::device::Device;
use crate::tether_process::Engine;
use crate::trip;

const SESSIONS: usize = 3;
const DEVICES: usize = 2;
/// The longest the app may take to start, and to quit.
const WAIT: Duration = Duration::from_secs(60);
/// The most log lines read while it starts.
const MAX_LINES: usize = 100_000;
/// What the app logs once its engine listens, and once its window has painted.
const LISTENING: &str = "engine listening address=";
const PAINTED: &str = "the window painted its first frame";

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

    let launched = Instant::now();
    let mut process = launch(
        app,
        &engine,
        &settings(dir.path(), &fake, &claude)?,
        dir.path(),
    )
    .env("DISPLAY", &display)
    .spawn()
    .with_context(|| format!("cannot start {}", app.display()))?;
    let group = process.id().context("the app exited")?;
    let log = BufReader::new(process.stderr.take().context("the app's log")?).lines();
    let (address, painted) = read_start(log, launched).await?;

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
    quit(&mut process, group).await?;
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

/// The app's command: `engine`'s data directory and keyring service, so `tether` pairs devices
/// with it, the `settings` file, any free port, and a fresh profile for its window under `dir`.
fn launch(app: &Path, engine: &Engine, settings: &Path, dir: &Path) -> Command {
    let mut command = Command::new(app);
    command
        .env("TETHER_CONFIG", settings)
        .env("TETHER_PORT", "0")
        .env("TETHER_DATA_DIR", engine.data_dir())
        .env("TETHER_KEYRING_SERVICE", engine.service())
        .env("TETHER_LOG", "info")
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .stderr(Stdio::piped())
        // Its web and network processes join its group, so they are found and stopped with it.
        .process_group(0)
        .kill_on_drop(true);
    command
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

/// When the window painted its first frame, in ms.
#[derive(Clone, Copy)]
struct Painted {
    /// Since the app was launched, as its log line arrived here.
    seen_ms: f64,
    /// Since the app's `main`, and since its page began to load, as the app logged them.
    app_ms: f64,
    page_ms: f64,
}

impl Painted {
    /// The app's line saying the window painted, seen `seen_ms` after the launch.
    fn read(line: &str, seen_ms: f64) -> Result<Self> {
        let field = |name: &str| {
            let (_, rest) = line.split_once(&format!("{name}="))?;
            rest.split_whitespace().next()?.parse::<f64>().ok()
        };
        Ok(Self {
            seen_ms,
            app_ms: field("after_ms").context("a paint line without after_ms")?,
            page_ms: field("page_ms").context("a paint line without page_ms")?,
        })
    }
}

/// Reads the app's log until its engine listens and its window has painted, for [`WAIT`] at
/// most; the engine's address, and when the window painted. The rest of the log is then read
/// and dropped, so the pipe never fills.
async fn read_start(
    mut log: Lines<BufReader<ChildStderr>>,
    launched: Instant,
) -> Result<(String, Painted)> {
    let deadline = tokio::time::Instant::from_std(launched + WAIT);
    let (mut address, mut painted) = (None, None);
    let mut seen = Vec::new();
    for _ in 0..MAX_LINES {
        let next = tokio::time::timeout_at(deadline, log.next_line()).await;
        let Ok(line) = next else {
            bail!(
                "the app did not listen and paint in time; its log:\n{}",
                seen.join("\n")
            );
        };
        let line = line?.context("the app ended")?;
        if let Some((_, rest)) = line.split_once(LISTENING) {
            address = rest.split_whitespace().next().map(str::to_owned);
        }
        if line.contains(PAINTED) {
            let seen_ms = launched.elapsed().as_secs_f64() * 1e3;
            painted = Some(Painted::read(&line, seen_ms)?);
        }
        seen.push(line);
        if let (Some(address), Some(painted)) = (&address, painted) {
            let address = address.clone();
            tokio::spawn(async move { while let Ok(Some(_)) = log.next_line().await {} });
            return Ok((address, painted));
        }
    }
    bail!("the app logged {MAX_LINES} lines without listening and painting")
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

/// Asks the app to quit as a signal would (its sessions stop first); stops its whole group
/// if it has not quit within [`WAIT`].
async fn quit(process: &mut Child, group: u32) -> Result<()> {
    use nix::sys::signal::{Signal, kill, killpg};
    use nix::unistd::Pid;
    let pid = Pid::from_raw(i32::try_from(group)?);
    kill(pid, Signal::SIGTERM)?;
    let quit = tokio::time::timeout(WAIT, process.wait()).await;
    // Whatever of its group is left (a window's helper outliving it) goes too.
    let _ = killpg(pid, Signal::SIGKILL);
    anyhow::ensure!(
        quit.is_ok(),
        "the app did not quit within {WAIT:?} of SIGTERM"
    );
    Ok(())
}
