//! Tailscale Serve, driven through the user's own `tailscale` command: it forwards
//! `https://MACHINE.TAILNET.ts.net/` (a certificate browsers trust, reachable only inside the
//! user's tailnet) to the engine's loopback port. Only our own port ever reaches its command
//! line; what it prints is classified into errors that say how to fix them, and never shown
//! raw (it may hold auth keys).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::process::Command;

/// How long one `tailscale` command may take (`serve` can wait for the admin console forever).
const DEADLINE: Duration = Duration::from_secs(10);

/// The HTTPS port Serve answers on.
const HTTPS_PORT: u16 = 443;

/// Why Tailscale Serve could not be used, each with its fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TailscaleError {
    #[error(
        "the tailscale command was not found ({0}): install Tailscale (https://tailscale.com/download), sign in, and try again"
    )]
    Missing(String),
    #[error(
        "tailscaled is not running: start it (sudo systemctl start tailscaled), then try again"
    )]
    NotRunning,
    #[error("this computer is not signed in to Tailscale: run `tailscale up`, then try again")]
    LoggedOut,
    #[error("Tailscale is stopped on this computer: run `tailscale up`, then try again")]
    Stopped,
    #[error(
        "this computer waits for the tailnet admin's approval (https://login.tailscale.com/admin/machines)"
    )]
    NotApproved,
    #[error(
        "HTTPS certificates are off for your tailnet: turn on MagicDNS and HTTPS Certificates at https://login.tailscale.com/admin/dns, then try again"
    )]
    HttpsDisabled,
    #[error("Serve is not enabled on your tailnet: enable it at {0}, then try again")]
    ServeDisabled(String),
    #[error(
        "Tailscale lets only root change Serve here: run `sudo tailscale set --operator=$USER` once, then try again"
    )]
    AccessDenied,
    #[error(
        "Tailscale Serve already forwards https://{host}/ to {target}: turn that off (tailscale serve --https=443 off) to serve Tether there"
    )]
    Taken { host: String, target: String },
    #[error("tailscale did not answer within {} seconds", DEADLINE.as_secs())]
    TimedOut,
    #[error("tailscale {0} failed; `tailscale status` and `tailscale serve status` say why")]
    Failed(&'static str),
}

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

/// What a command printed.
struct Output {
    success: bool,
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
        if !output.success {
            return Err(classify("status", &output));
        }
        machine_of(&output.stdout)
    }

    /// Forwards `https://NAME/` to `http://127.0.0.1:PORT`, in the background, unless Serve
    /// already forwards it somewhere else.
    pub async fn serve(&self, machine: &Machine, port: u16) -> Result<(), TailscaleError> {
        let target = format!("http://127.0.0.1:{port}");
        let status = self
            .run("serve status", &["serve", "status", "--json"])
            .await?;
        if !status.success {
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
        // Without the capability, `serve` prints how to enable it and exits 0.
        if !output.success || output.stdout.contains("not enabled on your tailnet") {
            return Err(classify("serve", &output));
        }
        Ok(())
    }

    /// Stops forwarding `https://NAME/`; nothing forwarded counts as done.
    pub async fn unserve(&self) -> Result<(), TailscaleError> {
        let https = format!("--https={HTTPS_PORT}");
        let output = self
            .run("serve off", &["serve", "--yes", &https, "off"])
            .await?;
        if output.success || output.stderr.contains("handler does not exist") {
            return Ok(());
        }
        Err(classify("serve off", &output))
    }

    async fn run(&self, what: &'static str, args: &[&str]) -> Result<Output, TailscaleError> {
        let child = Command::new(&self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(TailscaleError::Missing(self.program.display().to_string()));
            }
            Err(error) => {
                tracing::warn!(%error, what, "cannot run tailscale");
                return Err(TailscaleError::Failed(what));
            }
        };
        match tokio::time::timeout(DEADLINE, child.wait_with_output()).await {
            Err(_) => Err(TailscaleError::TimedOut),
            Ok(Err(error)) => {
                tracing::warn!(%error, what, "tailscale could not be read");
                Err(TailscaleError::Failed(what))
            }
            Ok(Ok(output)) => Ok(Output {
                success: output.status.success(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }),
        }
    }
}

/// The parts of `tailscale status --json` that matter here.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Status {
    backend_state: String,
    #[serde(rename = "Self")]
    me: Option<Peer>,
    cert_domains: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Peer {
    #[serde(rename = "DNSName")]
    dns_name: String,
    cap_map: Option<HashMap<String, serde_json::Value>>,
}

/// The machine a `status --json` answer describes, or why it cannot serve.
fn machine_of(json: &str) -> Result<Machine, TailscaleError> {
    let status: Status =
        serde_json::from_str(json).map_err(|_| TailscaleError::Failed("status"))?;
    match status.backend_state.as_str() {
        "Running" => {}
        "NeedsLogin" | "NoState" => return Err(TailscaleError::LoggedOut),
        "Stopped" => return Err(TailscaleError::Stopped),
        "NeedsMachineAuth" => return Err(TailscaleError::NotApproved),
        _ => return Err(TailscaleError::NotRunning),
    }
    let me = status.me.ok_or(TailscaleError::LoggedOut)?;
    let dns_name = me.dns_name.trim_end_matches('.').to_ascii_lowercase();
    let https = me.cap_map.is_some_and(|caps| caps.contains_key("https"));
    let certified = status.cert_domains.is_some_and(|domains| {
        domains
            .iter()
            .any(|domain| domain.eq_ignore_ascii_case(&dns_name))
    });
    if !https || !certified {
        return Err(TailscaleError::HttpsDisabled);
    }
    if !is_dns_name(&dns_name) {
        return Err(TailscaleError::Failed("status"));
    }
    Ok(Machine { dns_name })
}

/// Whether `name` is a plain DNS name (letters, digits, hyphens, dots), fit for a URL.
fn is_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The parts of `tailscale serve status --json` that matter here.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ServeConfig {
    #[serde(default)]
    web: HashMap<String, WebServer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WebServer {
    #[serde(default)]
    handlers: HashMap<String, Handler>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Handler {
    proxy: Option<String>,
    path: Option<String>,
    text: Option<String>,
}

/// What Serve forwards `https://NAME/` to now, if anything (a proxy target, or a description).
fn forwarded_to(json: &str, name: &str) -> Option<String> {
    // Older versions print `null` for no config.
    let config: Option<ServeConfig> = serde_json::from_str(json).ok()?;
    let server = config?.web.remove(&format!("{name}:{HTTPS_PORT}"))?;
    let root = server.handlers.get("/")?;
    root.proxy
        .clone()
        .or_else(|| {
            root.path
                .as_ref()
                .map(|path| format!("the files at {path}"))
        })
        .or_else(|| root.text.as_ref().map(|_| "a text reply".to_owned()))
}

/// The error a failed (or refused) command's output stands for.
fn classify(what: &'static str, output: &Output) -> TailscaleError {
    let both = format!("{}\n{}", output.stdout, output.stderr);
    let lower = both.to_ascii_lowercase();
    if lower.contains("not enabled on your tailnet") {
        let url = both
            .split_whitespace()
            .find(|word| word.starts_with("https://login.tailscale.com/"))
            .unwrap_or("https://login.tailscale.com/admin/settings/features");
        return TailscaleError::ServeDisabled(url.to_owned());
    }
    if lower.contains("access denied") || lower.contains("--operator") {
        return TailscaleError::AccessDenied;
    }
    if lower.contains("failed to connect to local tailscale") || lower.contains("tailscaled") {
        return TailscaleError::NotRunning;
    }
    if lower.contains("logged out") || lower.contains("needslogin") {
        return TailscaleError::LoggedOut;
    }
    if lower.contains("tailscale is stopped") {
        return TailscaleError::Stopped;
    }
    if lower.contains("not yet approved") {
        return TailscaleError::NotApproved;
    }
    if lower.contains("does not support getting tls certs") {
        return TailscaleError::HttpsDisabled;
    }
    TailscaleError::Failed(what)
}
