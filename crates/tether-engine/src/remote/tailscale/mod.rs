//! Tailscale Serve, driven through the user's own `tailscale` command: it forwards
//! `https://MACHINE.TAILNET.ts.net/` (a certificate browsers trust, reachable only inside the
//! user's tailnet) to the engine's loopback port. Only our own address ever reaches its command
//! line; what it prints is classified into errors that say how to fix them, and never shown
//! raw (it may hold auth keys).

mod error;
mod status;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

pub use self::error::TailscaleError;
use self::error::classify;
use self::status::{forwarded_to, machine_of};

/// How long one `tailscale` command may take (`serve` can wait for the admin console forever).
const DEADLINE: Duration = Duration::from_secs(10);

/// The HTTPS port Serve answers on.
const HTTPS_PORT: u16 = 443;

/// The most of a command's output read (its status is a few kilobytes).
const MAX_OUTPUT: u64 = 1 << 20;

/// This machine on its tailnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// `MACHINE.TAILNET.ts.net`, without the trailing dot.
    pub dns_name: String,
}

/// The user's `tailscale` command.
pub struct Tailscale {
    program: PathBuf,
}

/// What a command printed, and whether it ended well (`None`: it did not end in time).
struct Output {
    success: Option<bool>,
    stdout: String,
    stderr: String,
}

impl Tailscale {
    /// `configured` (the `remote.tailscale` setting), else `tailscale` on PATH.
    pub fn new(configured: Option<&Path>) -> Self {
        Self {
            program: configured.map_or_else(|| PathBuf::from("tailscale"), Path::to_path_buf),
        }
    }

    /// This machine's tailnet name, once Tailscale runs, is signed in and may serve HTTPS.
    pub async fn machine(&self) -> Result<Machine, TailscaleError> {
        let output = self.run("status", &["status", "--json"]).await?;
        if output.success != Some(true) {
            return Err(classify("status", &output));
        }
        machine_of(&output.stdout)
    }

    /// Forwards `https://NAME/` to the engine at `engine`, in the background, unless Serve
    /// already forwards it somewhere else.
    pub async fn serve(&self, machine: &Machine, engine: SocketAddr) -> Result<(), TailscaleError> {
        let target = format!("http://{engine}");
        let status = self
            .run("serve status", &["serve", "status", "--json"])
            .await?;
        if status.success != Some(true) {
            return Err(classify("serve status", &status));
        }
        if let Some(other) = forwarded_to(&status.stdout, &machine.dns_name)
            && other != target
        {
            return Err(TailscaleError::Taken {
                host: machine.dns_name.clone(),
                target: other,
            });
        }
        let https = format!("--https={HTTPS_PORT}");
        let output = self
            .run("serve", &["serve", "--bg", "--yes", &https, &target])
            .await?;
        // Without the capability, `serve` prints how to enable it and exits 0, or waits.
        if output.success != Some(true) || output.stdout.contains("not enabled on your tailnet") {
            return Err(classify("serve", &output));
        }
        Ok(())
    }

    /// Stops forwarding `https://NAME/` (only that path: other forwards on the port stay);
    /// nothing forwarded counts as done.
    pub async fn unserve(&self) -> Result<(), TailscaleError> {
        let https = format!("--https={HTTPS_PORT}");
        let args = ["serve", "--yes", &https, "--set-path=/", "off"];
        let output = self.run("serve off", &args).await?;
        if output.success == Some(true) || output.stderr.contains("handler does not exist") {
            return Ok(());
        }
        Err(classify("serve off", &output))
    }

    /// Runs the command; one that has not ended within [`DEADLINE`] is killed, and what it
    /// printed by then is kept (Serve prints how to enable it, then waits).
    async fn run(&self, what: &'static str, args: &[&str]) -> Result<Output, TailscaleError> {
        let spawned = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(TailscaleError::Missing(self.program.display().to_string()));
            }
            Err(error) => {
                tracing::warn!(%error, what, "cannot run tailscale");
                return Err(TailscaleError::Failed(what));
            }
        };
        let stdout = tokio::spawn(read_all(child.stdout.take()));
        let stderr = tokio::spawn(read_all(child.stderr.take()));
        let success = match tokio::time::timeout(DEADLINE, child.wait()).await {
            Ok(Ok(status)) => Some(status.success()),
            Ok(Err(error)) => {
                tracing::warn!(%error, what, "tailscale could not be waited for");
                return Err(TailscaleError::Failed(what));
            }
            Err(_) => {
                let _ = child.kill().await;
                None
            }
        };
        Ok(Output {
            success,
            stdout: stdout.await.unwrap_or_default(),
            stderr: stderr.await.unwrap_or_default(),
        })
    }
}

/// Everything `pipe` gives until it closes (at most [`MAX_OUTPUT`] bytes), as text.
async fn read_all(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut bytes = Vec::new();
    if let Some(pipe) = pipe {
        let _ = pipe.take(MAX_OUTPUT).read_to_end(&mut bytes).await;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
