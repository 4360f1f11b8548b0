//! One `tether` process for the benches that run the real binary: its own data directory and
//! keyring service, and the `claude` it runs.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Each connection's outbound queue, as large as a whole burst of the bench's: its devices
/// read every burst whole.
pub const OUTBOUND_QUEUE: [(&str, &str); 2] = [
    ("TETHER_LIMITS__OUTBOUND_QUEUE", "100000"),
    ("TETHER_LIMITS__OUTBOUND_QUEUE_BYTES", "268435456"),
];

/// One `tether` engine: its process, data directory and keyring service.
pub struct Engine {
    tether: PathBuf,
    data: tempfile::TempDir,
    service: String,
    claude: PathBuf,
    /// The settings file it starts with, if not its defaults.
    config: Option<PathBuf>,
}

impl Engine {
    pub fn new(tether: &Path, claude: &Path, name: &str) -> Result<Self> {
        Ok(Self {
            tether: tether.to_path_buf(),
            data: tempfile::tempdir()?,
            service: format!("tether-bench-{name}-{}", std::process::id()),
            claude: claude.to_path_buf(),
            config: None,
        })
    }

    /// The same engine, started with the settings file `config`.
    pub fn with_config(mut self, config: PathBuf) -> Self {
        self.config = Some(config);
        self
    }

    /// Where its data lives, and the keyring service holding its secrets.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.tether);
        if let Some(config) = &self.config {
            command.arg("--config").arg(config);
        }
        command
            .args(args)
            .env("TETHER_DATA_DIR", self.data.path())
            .env("TETHER_KEYRING_SERVICE", &self.service)
            .env("TETHER_CLAUDE", &self.claude)
            // Its warnings and errors only: the bench's own output stays readable.
            .env("TETHER_LOG", "warn")
            .envs(OUTBOUND_QUEUE)
            .env_remove("TETHER_CONFIG")
            .kill_on_drop(true);
        command
    }

    /// Runs a command to its end; its stdout.
    pub async fn output(&self, args: &[&str]) -> Result<String> {
        let out = self.command(args).output().await?;
        if !out.status.success() {
            bail!("tether {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Starts a long-running command and returns it with its first stdout line.
    pub async fn start(&self, args: &[&str]) -> Result<(Child, String)> {
        let mut child = self.command(args).stdout(Stdio::piped()).spawn()?;
        let stdout = child.stdout.take().context("stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next_line().await?.context("no first line")?;
        // The rest is read and dropped, so the pipe never fills.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok((child, first))
    }
}
