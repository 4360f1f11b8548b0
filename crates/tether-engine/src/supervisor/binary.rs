//! Finding the `claude` binary: the setting, `TETHER_CLAUDE`, `PATH`, then the usual install places.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// No runnable `claude` was found.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the Claude Code CLI (`claude`) was not found; looked at: {}. Install it with \
     `npm install -g @anthropic-ai/claude-code`, or set `claude.path` or TETHER_CLAUDE",
    .looked.iter().map(|path| path.display().to_string()).collect::<Vec<_>>().join(", ")
)]
pub struct ClaudeNotFound {
    pub looked: Vec<PathBuf>,
}

/// The first runnable candidate, in order of precedence.
pub fn locate(configured: Option<&Path>) -> Result<PathBuf, ClaudeNotFound> {
    let from_env = std::env::var_os("TETHER_CLAUDE").map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("claude"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let usual = home
        .iter()
        .flat_map(|home| {
            [
                ".claude/local/claude",
                ".local/bin/claude",
                ".npm-global/bin/claude",
            ]
            .map(|rel| home.join(rel))
        })
        .chain(["/usr/local/bin/claude", "/usr/bin/claude"].map(PathBuf::from));
    let candidates: Vec<PathBuf> = configured
        .map(Path::to_path_buf)
        .into_iter()
        .chain(from_env)
        .chain(on_path)
        .chain(usual)
        .collect();
    candidates
        .iter()
        .find(|candidate| runnable(candidate))
        .cloned()
        .ok_or(ClaudeNotFound { looked: candidates })
}

fn runnable(path: &Path) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_wins_and_a_miss_names_every_place_looked() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("claude");
        std::fs::write(&fake, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(locate(Some(&fake)).unwrap(), fake);

        let not_executable = dir.path().join("plain");
        std::fs::write(&not_executable, "").unwrap();
        let missing = dir.path().join("missing");
        if let Err(error) = locate(Some(&missing)) {
            assert!(error.looked.contains(&missing));
            assert!(
                error
                    .to_string()
                    .contains("npm install -g @anthropic-ai/claude-code")
            );
        }
        assert!(!runnable(&not_executable) && !runnable(dir.path()));
    }
}
