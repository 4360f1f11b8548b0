//! Where the CLI keeps its transcripts: `$CLAUDE_CONFIG_DIR` when the `claude` Tether runs
//! gets one, `~/.claude` otherwise, so Tether reads what its own sessions write too.

use std::path::PathBuf;

use crate::config::ClaudeSettings;
use crate::supervisor::environment;

/// The CLI's configuration folder, as the `claude` that Tether starts would use it.
pub fn config_dir(settings: &ClaudeSettings) -> Option<PathBuf> {
    let env = environment::for_claude(std::env::vars(), &[], settings);
    if let Some(dir) = env.get("CLAUDE_CONFIG_DIR").filter(|dir| !dir.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    env.get("HOME")
        .filter(|home| !home.is_empty())
        .map(|home| PathBuf::from(home).join(".claude"))
}

/// `<config>/projects`: one folder per working directory, one `<session-id>.jsonl` in each.
pub fn projects_dir(config: &std::path::Path) -> PathBuf {
    config.join("projects")
}

/// `<config>/sessions`: one `<pid>.json` per running `claude`.
pub fn running_dir(config: &std::path::Path) -> PathBuf {
    config.join("sessions")
}
