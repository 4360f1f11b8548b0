//! Runs the `git` binary read-only in a project: no optional locks (the user's own git is
//! never blocked), no fsmonitor hook, no pager, no prompt, every path taken literally (no
//! pathspec magic such as `:/` reaching outside the project); bounded in time and output.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// How long one git command may take.
const WITHIN: Duration = Duration::from_secs(10);

/// Why git gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git is not installed on the desktop")]
    Missing,
    #[error("git did not answer within {WITHIN:?}")]
    Slow,
    #[error("git failed: {0}")]
    Failed(String),
}

/// What one run printed.
pub struct Output {
    pub stdout: Vec<u8>,
    /// The output was cut at the limit.
    pub cut: bool,
    pub code: Option<i32>,
    pub stderr: String,
}

/// Runs `git ARGS` in `folder`, keeping at most `limit` bytes of its output.
pub async fn git(folder: &Path, args: &[&str], limit: usize) -> Result<Output, GitError> {
    let mut child = Command::new("git")
        .args([
            "--no-optional-locks",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.quotepath=off",
        ])
        .args(args)
        .current_dir(folder)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_LITERAL_PATHSPECS", "1")
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => GitError::Failed(error.to_string()),
        })?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(GitError::Failed("no output".into()));
    };
    let read = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        let (mut stdout, mut stderr) = (stdout.take(limit + 1), stderr.take(8 << 10));
        let output = async {
            let read = stdout.read_to_end(&mut out).await;
            if out.len() as u64 > limit {
                // The rest is not wanted: stop git rather than wait for it.
                let _ = child.start_kill();
            }
            read
        };
        // Past what is kept, the rest of stderr is read and dropped, so git never blocks on it.
        let errors = async {
            let kept = stderr.read_to_end(&mut err).await?;
            tokio::io::copy(&mut stderr.into_inner(), &mut tokio::io::sink()).await?;
            Ok::<_, std::io::Error>(kept)
        };
        let (a, b) = tokio::join!(output, errors);
        a.and(b)
            .map_err(|error| GitError::Failed(error.to_string()))?;
        let cut = out.len() as u64 > limit;
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let status = child
            .wait()
            .await
            .map_err(|error| GitError::Failed(error.to_string()))?;
        Ok(Output {
            stdout: out,
            cut,
            code: status.code(),
            stderr: String::from_utf8_lossy(&err).trim().to_owned(),
        })
    };
    tokio::time::timeout(WITHIN, read)
        .await
        .map_err(|_| GitError::Slow)?
}
