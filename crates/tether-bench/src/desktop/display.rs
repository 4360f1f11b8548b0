//! A private X server for the app's window, on a display it picks itself (`-displayfd`).

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts Xvfb; returns it (stopped when dropped) and its display, as `:N`.
pub async fn start() -> Result<(Child, String)> {
    let mut xvfb = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24"])
        .args(["-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start Xvfb (make bench installs it)")?;
    let stdout = xvfb.stdout.take().context("Xvfb's stdout")?;
    let mut display = String::new();
    let mut stdout = BufReader::new(stdout);
    tokio::time::timeout(Duration::from_secs(30), stdout.read_line(&mut display))
        .await
        .context("Xvfb did not report its display within 30 s")??;
    let display = display.trim();
    anyhow::ensure!(!display.is_empty(), "Xvfb did not report its display");
    Ok((xvfb, format!(":{display}")))
}
