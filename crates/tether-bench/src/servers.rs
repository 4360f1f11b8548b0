//! The three servers under measurement, each a child process that reads the same stream-json
//! lines and answers the same stdin commands: Tether (`tether-bench serve`), Node with the npm
//! `ws` package and Bun's own WebSockets (bench/peers/).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::serve::Go;

/// How long a server may take to say it is ready, or done.
const WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Tether,
    Node,
    Bun,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Tether, Kind::Node, Kind::Bun];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Tether => "Tether",
            Kind::Node => "Node ws",
            Kind::Bun => "Bun",
        }
    }
}

/// Where the servers' programs are.
pub struct Programs {
    pub bench: PathBuf,
    pub node: PathBuf,
    pub bun: PathBuf,
    pub peers: PathBuf,
    pub lines: PathBuf,
}

impl Programs {
    /// The command that starts a `kind` server on the bench's lines file.
    pub fn command(&self, kind: Kind) -> Command {
        let mut command = match kind {
            Kind::Tether => {
                let mut command = Command::new(&self.bench);
                command.arg("serve");
                command
            }
            Kind::Node => {
                let mut command = Command::new(&self.node);
                command.arg(self.peers.join("node-ws.mjs"));
                command
            }
            Kind::Bun => {
                let mut command = Command::new(&self.bun);
                command.arg(self.peers.join("bun.mjs"));
                command
            }
        };
        command.arg(&self.lines).kill_on_drop(true);
        command
    }
}

pub struct Server {
    pub kind: Kind,
    pub port: u16,
    pub token: String,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Server {
    pub async fn start(programs: &Programs, kind: Kind) -> Result<Self> {
        let mut child = programs
            .command(kind)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting the {} server", kind.name()))?;
        let stdin = child.stdin.take().context("stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let ready = next_line(&mut stdout, kind).await?;
        let parts: Vec<&str> = ready.split(' ').collect();
        let ["ready", port, token] = parts[..] else {
            bail!(
                "the {} server said {ready:?} instead of `ready PORT TOKEN`",
                kind.name()
            );
        };
        let (port, token) = (port.parse()?, token.to_owned());
        Ok(Self {
            kind,
            port,
            token,
            child,
            stdin,
            stdout,
        })
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    /// Starts publishing as `go` says.
    pub async fn go(&mut self, go: &Go) -> Result<()> {
        self.stdin.write_all(go.command().as_bytes()).await?;
        Ok(self.stdin.flush().await?)
    }

    /// Waits until the server has published everything it was told to; returns how many
    /// events so far it could not save (Tether saves every event; the peers none).
    pub async fn done(&mut self) -> Result<u64> {
        let line = next_line(&mut self.stdout, self.kind).await?;
        match line.split_once(' ') {
            _ if line == "done" => Ok(0),
            Some(("done", unsaved)) => Ok(unsaved.parse()?),
            _ => bail!(
                "the {} server said {line:?} instead of `done`",
                self.kind.name()
            ),
        }
    }

    /// The server process's resident memory now, in bytes.
    pub fn resident_bytes(&self) -> Result<u64> {
        let pid = self.child.id().context("the server has exited")?;
        resident_bytes(pid)
    }

    pub async fn stop(mut self) {
        drop(self.stdin);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let _ = self.child.kill().await;
    }
}

async fn next_line(stdout: &mut Lines<BufReader<ChildStdout>>, kind: Kind) -> Result<String> {
    tokio::time::timeout(WAIT, stdout.next_line())
        .await
        .with_context(|| format!("the {} server did not answer in time", kind.name()))??
        .with_context(|| format!("the {} server exited", kind.name()))
}

/// `VmRSS` of a process, in bytes.
pub fn resident_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .context("no VmRSS")?
        .trim()
        .parse()?;
    Ok(kib * 1024)
}

/// Finds a program on PATH or under `dir`'s node_modules/.bin.
pub fn find(program: &str, dir: &Path) -> Result<PathBuf> {
    let local = dir.join("node_modules/.bin").join(program);
    if local.exists() {
        return Ok(local);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.exists())
        .with_context(|| format!("{program} is not installed: run make bench"))
}
