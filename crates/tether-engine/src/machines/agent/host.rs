//! This computer as its agent describes it: its host name and its `claude`'s version.

use std::time::Duration;

use crate::engine::Engine;

/// How long `claude --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// This computer's host name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "machine".to_owned())
}

/// `claude --version`, if claude is found and answers.
pub(super) async fn claude_version(engine: &Engine) -> Option<String> {
    let program = crate::supervisor::binary::locate(engine.config().claude.path.as_deref()).ok()?;
    let run = tokio::process::Command::new(program)
        .arg("--version")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(VERSION_TIMEOUT, run)
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !text.is_empty()).then_some(text)
}
