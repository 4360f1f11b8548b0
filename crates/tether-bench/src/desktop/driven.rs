//! The release app started through tauri-driver, for what needs its page: a WebDriver session
//! on its window, the app's log (tauri-driver passes it on), and its whole group stopped
//! however the bench ends. The app quits as a signal would ask it first, so its sessions stop.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStderr, Command};

use super::WAIT;
use super::app::Group;
use crate::proc_stat;

/// How many pairs of ports are tried: tauri-driver takes ports, not port 0, and one picked
/// free may be taken before it binds it.
const START_TRIES: usize = 3;
/// How long tauri-driver has to take its port.
const LISTEN_WAIT: Duration = Duration::from_secs(20);
/// How often a wait (for the port, for the app to end) looks again.
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// The app under tauri-driver, with a WebDriver session on its window.
pub struct Driven {
    _driver: Child,
    group: Group,
    app: PathBuf,
    pub window: Client,
}

impl Driven {
    /// Starts `app` with `env` through tauri-driver; returns it and the log of the app (mixed
    /// with the driver's own).
    pub async fn launch(
        app: &Path,
        env: &[(&'static str, OsString)],
    ) -> Result<(Self, Lines<BufReader<ChildStderr>>)> {
        let app = (app.canonicalize())
            .with_context(|| format!("{} is missing: build it with the bench", app.display()))?;
        for _ in 0..START_TRIES {
            if let Some(started) = Self::try_launch(&app, env).await? {
                return Ok(started);
            }
        }
        bail!("tauri-driver did not serve in {START_TRIES} tries")
    }

    /// One try on a pair of free ports; `None` if tauri-driver did not serve on them.
    async fn try_launch(
        app: &Path,
        env: &[(&'static str, OsString)],
    ) -> Result<Option<(Self, Lines<BufReader<ChildStderr>>)>> {
        let (port, native) = (free_port()?, free_port()?);
        let mut driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native.to_string()])
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .context("cannot start tauri-driver (make bench installs it)")?;
        let group = Group(driver.id().context("tauri-driver exited at once")?);
        let log = BufReader::new(driver.stderr.take().context("tauri-driver's log")?).lines();
        if !listens(&mut driver, port).await {
            return Ok(None);
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert("tauri:options".into(), json!({ "application": app }));
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let served = format!("http://127.0.0.1:{port}");
        // tauri-driver stays up, and never answers, when WebKitWebDriver could not take its
        // port: only that is worth another pair of ports.
        let Ok(session) = tokio::time::timeout(WAIT, builder.connect(&served)).await else {
            return Ok(None);
        };
        let window = session.context("WebDriver could not start the app")?;
        let driven = Self {
            _driver: driver,
            group,
            app: app.to_owned(),
            window,
        };
        Ok(Some((driven, log)))
    }

    /// The app's process id (a member of the driver's group).
    pub fn app_pid(&self) -> Result<u32> {
        let members = proc_stat::group_members(self.group.0)?;
        (members.into_iter())
            .find(|pid| {
                std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == self.app)
            })
            .context("the app is not running")
    }

    /// Asks the app to quit as a signal would (its sessions stop first), and waits for that;
    /// the rest of the group goes when this is dropped.
    pub async fn quit(self) -> Result<()> {
        let pid = self.app_pid()?;
        kill(Pid::from_raw(i32::try_from(pid)?), Signal::SIGTERM)?;
        let ended = async {
            // Bounded by WAIT below.
            while proc_stat::running(pid) {
                tokio::time::sleep(LOOK_EVERY).await;
            }
        };
        tokio::time::timeout(WAIT, ended)
            .await
            .with_context(|| format!("the app did not quit within {WAIT:?} of SIGTERM"))
    }
}

/// Whether `driver` takes `port` within [`LISTEN_WAIT`] (it exits when the port was taken).
async fn listens(driver: &mut Child, port: u16) -> bool {
    let deadline = tokio::time::Instant::now() + LISTEN_WAIT;
    while tokio::time::Instant::now() < deadline {
        if driver.try_wait().ok().flatten().is_some() {
            return false;
        }
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(LOOK_EVERY).await;
    }
    false
}

/// A port free on 127.0.0.1 at this moment.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
