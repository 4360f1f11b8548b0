//! What the CLI tests share: starting `tether serve` and waiting for its listening line.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The longest any single wait in these tests may take.
pub const WAIT: Duration = Duration::from_secs(60);

/// The most frames any loop in these tests reads while waiting for one.
pub const MAX_FRAMES: usize = 100_000;

/// Runs `tether … serve --port 0` and returns it with the address from its first stdout line.
pub async fn serve(mut tether: Command) -> (Child, String) {
    let mut child = tether
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tether starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let first = tokio::time::timeout(WAIT, BufReader::new(stdout).lines().next_line())
        .await
        .expect("no listening line in time")
        .expect("stdout is readable")
        .expect("tether serve printed nothing");
    let address = first
        .strip_prefix("listening on ws://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    (child, address.to_owned())
}
