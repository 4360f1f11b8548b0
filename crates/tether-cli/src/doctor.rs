//! `tether doctor`: checks what Tether needs (the claude binary, the OS keyring, the data
//! directory, the port, LAN access) and says what to fix.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use anyhow::bail;
use serde_json::{Value, json};
use tether_engine::Config;
use tether_engine::auth::{KeyringVault, SecretVault};
use tether_engine::supervisor::binary;
use tokio::process::Command;

use crate::control::ControlClient;

/// How long `claude --version` and the keyring probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// One check's outcome: what was found, and for a problem, what to do.
enum Finding {
    Good(String),
    Problem { found: String, fix: String },
}

fn problem(found: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding::Problem {
        found: found.into(),
        fix: fix.into(),
    }
}

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let mut engine = ControlClient::connect(&config.data_dir)
        .await
        .ok()
        .flatten();
    let findings = [
        ("claude", claude(config).await),
        ("keyring", keyring(config).await),
        ("data", data_dir(&config.data_dir)),
        ("port", port(config, engine.is_some()).await),
        ("lan", lan(config, engine.as_mut()).await),
    ];
    if let Some(engine) = engine {
        engine.close().await;
    }
    let mut problems = 0;
    for (name, finding) in &findings {
        match finding {
            Finding::Good(found) => println!("ok       {name:<8} {found}"),
            Finding::Problem { found, fix } => {
                problems += 1;
                println!("PROBLEM  {name:<8} {found}\n                  fix: {fix}");
            }
        }
    }
    if problems > 0 {
        bail!("{problems} problem(s) found");
    }
    Ok(())
}

async fn claude(config: &Config) -> Finding {
    let Ok(path) = binary::locate(config.claude.path.as_deref()) else {
        return problem(
            "the Claude Code CLI was found neither at claude.path, TETHER_CLAUDE, on PATH nor in \
             the usual places",
            "npm install -g @anthropic-ai/claude-code (or set claude.path), then run `claude` \
             once to sign in",
        );
    };
    let version = tokio::time::timeout(
        PROBE_TIMEOUT,
        Command::new(&path)
            .arg("--version")
            .kill_on_drop(true)
            .output(),
    )
    .await;
    match version {
        Ok(Ok(output)) if output.status.success() => {
            let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            Finding::Good(format!("{version} at {}", path.display()))
        }
        Ok(Ok(output)) => problem(
            format!(
                "{} --version failed: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            "reinstall it: npm install -g @anthropic-ai/claude-code",
        ),
        Ok(Err(error)) => problem(
            format!("{} cannot run: {error}", path.display()),
            "reinstall it: npm install -g @anthropic-ai/claude-code",
        ),
        Err(_) => problem(
            format!(
                "{} --version did not answer in {PROBE_TIMEOUT:?}",
                path.display()
            ),
            "run it by hand to see what it waits for",
        ),
    }
}

async fn keyring(config: &Config) -> Finding {
    let vault = KeyringVault::new(&config.keyring_service);
    let probe = tokio::task::spawn_blocking(move || vault.get("tether-doctor-probe"));
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Ok(Ok(_))) => Finding::Good(format!(
            "the OS keyring answers (service {:?})",
            config.keyring_service
        )),
        Ok(Ok(Err(error))) => problem(
            format!("the OS keyring cannot be used: {error}"),
            "run Tether in a desktop session with a Secret Service (GNOME Keyring or KWallet), \
             unlocked; on a server, start one for the session (see the README)",
        ),
        Ok(Err(error)) => problem(format!("the keyring probe failed: {error}"), "report it"),
        Err(_) => problem(
            format!("the OS keyring did not answer in {PROBE_TIMEOUT:?}"),
            "unlock the keyring (it may be waiting for a password prompt)",
        ),
    }
}

fn data_dir(dir: &Path) -> Finding {
    let shown = dir.display();
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Finding::Good(format!("{shown} (made at the first start)"));
        }
        Err(error) => return problem(format!("{shown}: {error}"), "check its permissions"),
    };
    if !meta.is_dir() {
        return problem(
            format!("{shown} is not a directory"),
            "move it away, or set data_dir",
        );
    }
    let mode = meta.permissions().mode() & 0o777;
    // The engine makes it 0700 whenever it starts; until then, say so.
    let private = if mode & 0o077 == 0 {
        "private".to_owned()
    } else {
        format!("readable by others now (mode {mode:o}; made 0700 when the engine starts)")
    };
    let probe = dir.join(".tether-doctor");
    match std::fs::write(&probe, b"probe") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Finding::Good(format!("{shown} is {private} and writable"))
        }
        Err(error) => problem(
            format!("{shown} cannot be written: {error}"),
            "free some disk space, or fix its owner and permissions",
        ),
    }
}

async fn port(config: &Config, engine_running: bool) -> Finding {
    let address = std::net::SocketAddr::new(config.bind, config.port);
    if engine_running {
        return Finding::Good(format!(
            "an engine runs with this data directory (settings say {address})"
        ));
    }
    match tokio::net::TcpListener::bind(address).await {
        Ok(_) => Finding::Good(format!("{address} is free")),
        Err(error) => problem(
            format!("{address} cannot be used: {error}"),
            "stop what listens there, or set `port` (0 picks a free one)",
        ),
    }
}

async fn lan(config: &Config, engine: Option<&mut ControlClient>) -> Finding {
    let Some(engine) = engine else {
        let at_start = if config.lan.enabled { "on" } else { "off" };
        return Finding::Good(format!(
            "no engine runs; LAN access will be {at_start} at start (lan.enabled)"
        ));
    };
    match engine.call("lan.status", json!({})).await {
        Ok(Ok(status)) => Finding::Good(describe_lan(&status)),
        Ok(Err(error)) => problem(
            format!("the engine cannot say: {}", error.message),
            "see the engine's log",
        ),
        Err(error) => problem(
            format!("the engine did not answer: {error:#}"),
            "see the engine's log",
        ),
    }
}

fn describe_lan(status: &Value) -> String {
    match (status["url"].as_str(), status["fingerprint"].as_str()) {
        (Some(url), Some(fingerprint)) => format!("on at {url} (TLS, certificate {fingerprint})"),
        _ => {
            "off: only this computer can connect (`tether lan on` to serve the network)".to_owned()
        }
    }
}
