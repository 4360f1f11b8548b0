//! Start-up: the time from launching a server to its accepting connections. Tether is the real
//! headless binary (`tether serve`) on a fresh data directory, the peers their bench scripts.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::clock::now_ns;
use crate::servers::{Kind, Programs};
use crate::stats::{median, ms};

const RUNS: usize = 5;

#[derive(Debug, Serialize)]
pub struct Startup {
    pub server: Kind,
    pub median_ms: f64,
}

pub async fn run(programs: &Programs, tether: &Path) -> Result<Vec<Startup>> {
    let mut results = Vec::new();
    for kind in Kind::ALL {
        let mut timings = Vec::with_capacity(RUNS);
        for run in 0..RUNS {
            let data = tempfile::tempdir()?;
            let command = match kind {
                Kind::Tether => {
                    let config = data.path().join("tether.toml");
                    std::fs::write(&config, "")?;
                    let mut command = Command::new(tether);
                    command
                        .arg("--config")
                        .arg(&config)
                        .args(["serve", "--port", "0"])
                        .env("TETHER_DATA_DIR", data.path().join("data"))
                        .env(
                            "TETHER_KEYRING_SERVICE",
                            format!("tether-bench-start-{}-{run}", std::process::id()),
                        );
                    command
                }
                Kind::Node | Kind::Bun => programs.command(kind),
            };
            timings.push(time_to_ready(command, kind).await?);
        }
        results.push(Startup {
            server: kind,
            median_ms: ms(median(timings)),
        });
    }
    Ok(results)
}

/// Launches `command` and times it until its first line says it accepts connections.
async fn time_to_ready(mut command: Command, kind: Kind) -> Result<u64> {
    let start = now_ns();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let line = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        BufReader::new(stdout).lines().next_line(),
    )
    .await
    .context("no readiness line within a minute")??
    .context("exited before it was ready")?;
    let elapsed = now_ns() - start;
    if !(line.starts_with("ready ") || line.starts_with("listening on ")) {
        bail!(
            "the {} server said {line:?} instead of being ready",
            kind.name()
        );
    }
    let _ = child.kill().await;
    Ok(elapsed)
}
