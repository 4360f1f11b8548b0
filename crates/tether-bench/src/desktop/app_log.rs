//! The app's log as the bench reads it: the address its engine listens on, and when its window
//! painted its first frame; the rest is drained, so the pipe never fills.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use tokio::io::{BufReader, Lines};
use tokio::process::ChildStderr;

use super::WAIT;

/// The most log lines read while the app starts.
const MAX_LINES: usize = 100_000;
/// What the app logs once its engine listens, and once its window has painted.
const LISTENING: &str = "engine listening address=";
const PAINTED: &str = "the window painted its first frame";

/// When the window painted its first frame, in ms.
#[derive(Clone, Copy)]
pub struct Painted {
    /// Since the app was launched, as its log line arrived here.
    pub seen_ms: f64,
    /// Since the app's `main`, and since its page began to load, as the app logged them.
    pub app_ms: f64,
    pub page_ms: f64,
}

impl Painted {
    /// The app's line saying the window painted, seen `seen_ms` after the launch.
    fn read(line: &str, seen_ms: f64) -> Result<Self> {
        let field = |name: &str| {
            let (_, rest) = line.split_once(&format!("{name}="))?;
            rest.split_whitespace().next()?.parse::<f64>().ok()
        };
        Ok(Self {
            seen_ms,
            app_ms: field("after_ms").context("a paint line without after_ms")?,
            page_ms: field("page_ms").context("a paint line without page_ms")?,
        })
    }
}

/// Reads the app's log until its engine listens and its window has painted, for [`WAIT`] at
/// most; the engine's address, and when the window painted. The rest of the log is then read
/// and dropped, so the pipe never fills.
pub async fn read_start(
    mut log: Lines<BufReader<ChildStderr>>,
    launched: Instant,
) -> Result<(String, Painted)> {
    let deadline = tokio::time::Instant::from_std(launched + WAIT);
    let (mut address, mut painted) = (None, None);
    let mut seen = Vec::new();
    for _ in 0..MAX_LINES {
        let next = tokio::time::timeout_at(deadline, log.next_line()).await;
        let Ok(line) = next else {
            bail!(
                "the app did not listen and paint in time; its log:\n{}",
                seen.join("\n")
            );
        };
        let line = line?.context("the app ended")?;
        if let Some((_, rest)) = line.split_once(LISTENING) {
            address = rest.split_whitespace().next().map(str::to_owned);
        }
        if line.contains(PAINTED) {
            let seen_ms = launched.elapsed().as_secs_f64() * 1e3;
            painted = Some(Painted::read(&line, seen_ms)?);
        }
        seen.push(line);
        if let (Some(address), Some(painted)) = (&address, painted) {
            let address = address.clone();
            let mut rest = log.into_inner();
            tokio::spawn(async move { tokio::io::copy(&mut rest, &mut tokio::io::sink()).await });
            return Ok((address, painted));
        }
    }
    bail!("the app logged {MAX_LINES} lines without listening and painting")
}
