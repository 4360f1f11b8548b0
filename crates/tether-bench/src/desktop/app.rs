//! The release app as the bench runs it: its own process group (its web and network processes
//! join it), `tether`'s data directory and keyring service so devices pair with it, a fresh
//! profile for its window, and its whole group stopped however the bench ends.

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, Command};

use super::WAIT;
use crate::tether_process::Engine;

/// The running app; its whole group is killed when this is dropped.
pub struct App {
    process: Child,
    /// Its group, whose id is also the app's process id.
    pub group: Group,
}

impl App {
    /// Starts `app` with its [`env`].
    pub fn launch(
        app: &Path,
        engine: &Engine,
        settings: &Path,
        dir: &Path,
        display: &str,
    ) -> Result<Self> {
        let process = Command::new(app)
            .envs(env(engine, settings, dir, display))
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", app.display()))?;
        let group = Group(process.id().context("the app exited at once")?);
        Ok(Self { process, group })
    }

    /// Its log, line by line (once).
    pub fn log(&mut self) -> Result<Lines<BufReader<ChildStderr>>> {
        let stderr = self
            .process
            .stderr
            .take()
            .context("the app's log was taken")?;
        Ok(BufReader::new(stderr).lines())
    }

    /// Asks it to quit as a signal would (its sessions stop first), and waits for that.
    pub async fn quit(mut self) -> Result<()> {
        kill(self.group.pid()?, Signal::SIGTERM)?;
        let quit = tokio::time::timeout(WAIT, self.process.wait()).await;
        anyhow::ensure!(
            quit.is_ok(),
            "the app did not quit within {WAIT:?} of SIGTERM"
        );
        Ok(())
    }
}

/// What the app is started with: `display`, `engine`'s data directory and keyring service, the
/// `settings` file, any free port, and a fresh profile under `dir`.
pub fn env(
    engine: &Engine,
    settings: &Path,
    dir: &Path,
    display: &str,
) -> Vec<(&'static str, OsString)> {
    vec![
        ("DISPLAY", display.into()),
        ("TETHER_CONFIG", settings.into()),
        ("TETHER_PORT", "0".into()),
        ("TETHER_DATA_DIR", engine.data_dir().into()),
        ("TETHER_KEYRING_SERVICE", engine.service().into()),
        ("TETHER_LOG", "info".into()),
        ("XDG_STATE_HOME", dir.join("state").into()),
        ("XDG_CONFIG_HOME", dir.join("config").into()),
        ("XDG_DATA_HOME", dir.join("data").into()),
        ("XDG_CACHE_HOME", dir.join("cache").into()),
    ]
}

/// A process group (the process that leads it and those that joined it), killed whole when
/// dropped: whatever is left of it, after a quit or a failure, goes.
pub struct Group(pub u32);

impl Group {
    /// Its id, as a process id: the leader's.
    pub fn pid(&self) -> Result<Pid> {
        Ok(Pid::from_raw(i32::try_from(self.0)?))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Ok(pid) = self.pid() {
            let _ = killpg(pid, Signal::SIGKILL);
        }
    }
}
