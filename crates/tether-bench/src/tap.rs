//! `tether-bench tap`: the `claude` the trip bench gives Tether. It runs the real `claude` with
//! the same arguments, stdin and stderr, passes each stdout line on, and notes the moment it
//! handed over each token (`tok…` text deltas): the moment Tether could first read it.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::stand_in_claude::wall_ns;

/// The real `claude`, and the folder the taps note their tokens in.
pub const CLAUDE_ENV: &str = "TETHER_BENCH_CLAUDE";
pub const TAPS_ENV: &str = "TETHER_BENCH_TAPS";

/// Where a token's text begins in a text delta's line.
const TEXT: &str = r#""type":"text_delta","text":""#;

pub fn run(args: &[String]) -> Result<()> {
    let claude = std::env::var_os(CLAUDE_ENV).context("TETHER_BENCH_CLAUDE is not set")?;
    let taps = std::path::PathBuf::from(std::env::var_os(TAPS_ENV).context("no taps folder")?);
    let mut notes = File::create(taps.join(format!("tap-{}", std::process::id())))?;
    let mut child = Command::new(claude)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("claude's stdout")?);
    let mut out = std::io::stdout().lock();
    let mut line = String::new();
    // Bounded by claude's output: it ends when claude closes its stdout.
    while lines.read_line(&mut line)? > 0 {
        // Noted before it is written: a full pipe (Tether reading slowly) is Tether's time.
        let handed = wall_ns();
        out.write_all(line.as_bytes())?;
        out.flush()?;
        if let Some(token) = token_after(&line, TEXT) {
            // One write per token, so a tap killed with its session loses nothing noted.
            notes.write_all(format!("{token} {handed}\n").as_bytes())?;
        }
        line.clear();
    }
    let status = child.wait()?;
    std::process::exit(status.code().unwrap_or(1));
}

/// The bench's token (`tok…`) in the JSON string that follows `marker` in `text`, if any.
pub fn token_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    let (_, rest) = text.split_once(marker)?;
    let token = rest.split('"').next()?.trim();
    token.starts_with("tok").then_some(token)
}
