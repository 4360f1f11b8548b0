//! Claude Code as a person runs it in a terminal (the real CLI against the fake API, on the
//! Claude Code folder a test's engine reads), and what the fake saw of a conversation.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;
use tether_fake_anthropic::{FakeAnthropic, RecordedRequest};
use tokio::process::Command;

use super::{Setup, WAIT};

/// `claude` as a person runs it in a terminal in `folder`, against the fake API.
pub fn terminal_claude(
    setup: &Setup,
    fake: &FakeAnthropic,
    folder: &Path,
    args: &[&str],
) -> Command {
    let claude = std::env::var("TETHER_CLAUDE").expect("TETHER_CLAUDE names the claude binary");
    let mut command = Command::new(claude);
    command
        .args(args)
        .current_dir(folder)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", setup.claude_home())
        .envs(fake.claude_env(setup.claude_home()))
        // The task tools, for a todo list.
        .env("CLAUDE_CODE_ENABLE_TODO_TOOLS", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs a terminal `claude -p PROMPT` to its end; returns its session id.
pub async fn terminal_turn(
    setup: &Setup,
    fake: &FakeAnthropic,
    folder: &Path,
    args: &[&str],
) -> String {
    let mut args = args.to_vec();
    args.extend([
        "--output-format",
        "json",
        "--allowedTools",
        "Bash Edit TaskCreate",
    ]);
    let run = terminal_claude(setup, fake, folder, &args).output();
    let output = tokio::time::timeout(WAIT, run).await.unwrap().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    result["session_id"].as_str().unwrap().to_owned()
}

/// The text of every message sent to the model in a recorded request.
pub fn sent_texts(request: &RecordedRequest) -> String {
    request.body.as_ref().unwrap()["messages"].to_string()
}

/// Lets devices add projects inside `root` (`projects.device_roots`).
pub fn allow_device_roots(setup: &Setup, root: &Path) {
    let mut settings = std::fs::read_to_string(setup.config()).unwrap();
    settings += &format!("[projects]\ndevice_roots = [{root:?}]\n");
    std::fs::write(setup.config(), settings).unwrap();
}
