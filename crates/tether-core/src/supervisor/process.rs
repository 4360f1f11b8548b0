//! One `claude` child: spawned in its own process group, stdout and stderr piped, stopped in
//! stages (end of input, SIGTERM, SIGKILL) so nothing it started outlives it.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// How many of the child's last stderr lines are kept for error reports.
const STDERR_LINES: usize = 20;

/// What to run, where, and with what.
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// Added to the engine's own environment.
    pub env: BTreeMap<String, String>,
}

/// A running `claude`.
pub struct ClaudeProcess {
    child: Child,
    group: Pid,
    stdin: Option<ChildStdin>,
    pub stdout: Lines<BufReader<ChildStdout>>,
    pub stderr: Lines<BufReader<ChildStderr>>,
    stderr_tail: VecDeque<String>,
}

impl ClaudeProcess {
    pub fn spawn(launch: &Launch) -> io::Result<Self> {
        let mut child = Command::new(&launch.program)
            .args(&launch.args)
            .current_dir(&launch.cwd)
            .envs(&launch.env)
            .env_remove("CLAUDECODE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| io::Error::other("the child exited before it could be watched"))?;
        let missing = || io::Error::other("a pipe to the child is missing");
        let stdin = child.stdin.take().ok_or_else(missing)?;
        let stdout = BufReader::new(child.stdout.take().ok_or_else(missing)?).lines();
        let stderr = BufReader::new(child.stderr.take().ok_or_else(missing)?).lines();
        let group = Pid::from_raw(i32::try_from(pid).map_err(io::Error::other)?);
        Ok(Self {
            child,
            group,
            stdin: Some(stdin),
            stdout,
            stderr,
            stderr_tail: VecDeque::new(),
        })
    }

    /// Writes one line (already ending in a newline) to the child's stdin.
    pub async fn write(&mut self, line: &str) -> io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "stdin is closed"))?;
        stdin.write_all(line.as_bytes()).await?;
        stdin.flush().await
    }

    /// Keeps a stderr line for error reports.
    pub fn note_stderr(&mut self, line: String) {
        if self.stderr_tail.len() == STDERR_LINES {
            self.stderr_tail.pop_front();
        }
        self.stderr_tail.push_back(line);
    }

    /// The last stderr lines, oldest first.
    pub fn stderr_tail(&self) -> String {
        self.stderr_tail
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Waits for the child to exit on its own.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.child.wait().await
    }

    /// Ends the child and everything in its process group: closes stdin (the CLI then exits on
    /// its own), after `grace` sends SIGTERM to the group, after `grace` again SIGKILL.
    pub async fn stop(mut self, grace: Duration) -> Option<ExitStatus> {
        drop(self.stdin.take());
        if let Ok(Ok(status)) = tokio::time::timeout(grace, self.child.wait()).await {
            self.signal_group(Signal::SIGTERM);
            return Some(status);
        }
        self.signal_group(Signal::SIGTERM);
        if let Ok(Ok(status)) = tokio::time::timeout(grace, self.child.wait()).await {
            self.signal_group(Signal::SIGKILL);
            return Some(status);
        }
        self.signal_group(Signal::SIGKILL);
        self.child.wait().await.ok()
    }

    /// Signals the whole group; the group may already be gone, which is fine.
    fn signal_group(&self, signal: Signal) {
        if let Err(error) = killpg(self.group, signal)
            && error != nix::errno::Errno::ESRCH
        {
            tracing::warn!(%error, ?signal, group = self.group.as_raw(), "could not signal the claude process group");
        }
    }

    /// The child's process group id (equal to its pid).
    pub fn group(&self) -> i32 {
        self.group.as_raw()
    }
}

/// How many live (not zombie) processes belong to process group `group`, read from /proc.
pub fn live_group_members(group: i32) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter(|stat| {
            // After "pid (comm) ": state, ppid, pgrp. comm may hold spaces, so split after ')'.
            let fields: Vec<&str> = stat
                .rsplit_once(')')
                .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
            fields.len() > 2 && fields[0] != "Z" && fields[2].parse() == Ok(group)
        })
        .count()
}

/// The working directory must exist before a child is started in it.
pub fn check_cwd(cwd: &Path) -> io::Result<()> {
    if cwd.is_dir() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} is not a directory", cwd.display()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, cwd: &Path) -> Launch {
        Launch {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            cwd: cwd.to_path_buf(),
            env: BTreeMap::new(),
        }
    }

    #[tokio::test]
    async fn stop_ends_the_whole_group_even_when_it_ignores_eof_and_sigterm() {
        let dir = tempfile::tempdir().unwrap();
        // A child that ignores SIGTERM and leaves a grandchild behind in its group.
        let mut process = ClaudeProcess::spawn(&sh(
            "trap '' TERM; sleep 300 & echo started; while :; do sleep 1; done",
            dir.path(),
        ))
        .unwrap();
        assert_eq!(
            process.stdout.next_line().await.unwrap().as_deref(),
            Some("started")
        );
        let group = process.group();
        assert!(live_group_members(group) >= 2, "the shell and its sleep");
        process.stop(Duration::from_millis(200)).await;
        assert_eq!(
            live_group_members(group),
            0,
            "no process of the group survives"
        );
    }

    #[tokio::test]
    async fn lines_go_in_and_stderr_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut process = ClaudeProcess::spawn(&sh(
            "read line; echo \"got $line\"; echo oops >&2",
            dir.path(),
        ))
        .unwrap();
        process.write("hello\n").await.unwrap();
        assert_eq!(
            process.stdout.next_line().await.unwrap().as_deref(),
            Some("got hello")
        );
        let line = process.stderr.next_line().await.unwrap().unwrap();
        process.note_stderr(line);
        assert_eq!(process.stderr_tail(), "oops");
        assert!(process.wait().await.unwrap().success());
        assert!(check_cwd(&dir.path().join("missing")).is_err());
    }
}
