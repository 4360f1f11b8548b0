//! A project's git state, read-only, through the `git` binary: the user's own git, with their
//! configuration and index format, and no library to keep in step with either.

mod run;
/// `git status` read into branch, counts and changes.
pub mod status;

use std::path::Path;

use tether_protocol::files::{GitDiff, GitStatus};

use crate::files::confine;

pub use run::GitError;
use run::git;

/// The most of one diff shown, in bytes.
pub const MAX_DIFF_BYTES: usize = 1 << 20;

/// The most of `git status` read, in bytes.
const MAX_STATUS_BYTES: usize = 4 << 20;

/// The project's status; `NotRepository` when its folder is in none.
pub async fn status(root: &Path) -> Result<GitStatus, GitError> {
    let prefix = git(root, &["rev-parse", "--show-prefix"], 4096).await?;
    if prefix.code != Some(0) {
        return if prefix.stderr.contains("not a git repository") {
            Ok(GitStatus::NotRepository)
        } else {
            Err(GitError::Failed(prefix.stderr))
        };
    }
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_owned();
    let args = ["status", "--porcelain=v2", "--branch", "-z", "--", "."];
    let output = git(root, &args, MAX_STATUS_BYTES).await?;
    if output.code != Some(0) && !output.cut {
        return Err(GitError::Failed(output.stderr));
    }
    Ok(GitStatus::Repository(status::parse(
        &output.stdout,
        &prefix,
        output.cut,
    )))
}

/// The diff of `path` (relative to the project, its shape already checked): staged or in the
/// working tree; an untracked file's whole text, once its real location is known to be inside
/// the project.
pub async fn diff(root: &Path, path: &Path, staged: bool) -> Result<GitDiff, GitError> {
    let shown = path.to_string_lossy().into_owned();
    let Some(path) = path.to_str() else {
        return Err(GitError::Failed("the path is not UTF-8".into()));
    };
    let mut args = vec!["diff", "--no-color", "--no-ext-diff", "--no-textconv"];
    if staged {
        args.push("--cached");
    }
    args.extend(["--", path]);
    let mut output = git(root, &args, MAX_DIFF_BYTES).await?;
    if output.stdout.is_empty() && !staged {
        let untracked = ["ls-files", "--others", "--exclude-standard", "--", path];
        let inside = confine::resolve(root, path).is_ok();
        if inside && !git(root, &untracked, 4096).await?.stdout.is_empty() {
            let whole = [
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--no-index",
                "--",
                "/dev/null",
                path,
            ];
            output = git(root, &whole, MAX_DIFF_BYTES).await?;
        }
    }
    if !matches!(output.code, Some(0 | 1)) && !output.cut {
        return Err(GitError::Failed(output.stderr));
    }
    Ok(GitDiff {
        path: shown,
        diff: String::from_utf8_lossy(&output.stdout).into_owned(),
        truncated: output.cut,
    })
}
