//! One `claude` child: spawned in its own process group, stdout and stderr piped, stopped in
//! stages (end of input, SIGTERM, SIGKILL) so nothing it started outlives it.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// How many of the child's last stderr lines are kept for error reports.
const STDERR_LINES: usize = 20;

/// A child's last stderr lines, kept for error reports.
#[derive(Debug, Default)]
pub struct StderrTail(VecDeque<String>);

impl StderrTail {
    pub fn note(&mut self, line: String) {
        if self.0.len() == STDERR_LINES {
            self.0.pop_front();
        }
        self.0.push_back(line);
    }

    /// The lines, oldest first.
    pub fn text(&self) -> String {
        self.0.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// Reads lines from a pipe; bytes that are not UTF-8 are replaced, never fatal.
pub struct LineReader<R> {
    reader: BufReader<R>,
    buffer: Vec<u8>,
}

impl<R: tokio::io::AsyncRead + Unpin> LineReader<R> {
    fn new(pipe: R) -> Self {
        Self {
            reader: BufReader::new(pipe),
            buffer: Vec::new(),
        }
    }

    /// The next line without its newline; `None` at the end of the stream.
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        self.buffer.clear();
        if self.reader.read_until(b'\n', &mut self.buffer).await? == 0 {
            return Ok(None);
        }
        let line = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
        Ok(Some(String::from_utf8_lossy(line).into_owned()))
    }
}

/// What to run, where, and with what.
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// The whole environment (nothing else of the engine's is passed on).
    pub env: BTreeMap<String, String>,
}

/// The longest `stop` waits for what it killed to be gone, and how often it looks.
const SWEEP_WAIT: Duration = Duration::from_secs(1);
const SWEEP_POLL: Duration = Duration::from_millis(5);

/// The environment variable that marks every process one `claude` run started, even those that
/// left its process group (claude's tools start commands in groups of their own).
pub const RUN_MARKER: &str = "TETHER_RUN";

/// A running `claude`.
pub struct ClaudeProcess {
    child: Child,
    /// The value of `RUN_MARKER` this run's processes carry.
    marker: String,
    /// The group to signal; `None` once it has been swept after a stop.
    group: Option<Pid>,
    stdin: Option<ChildStdin>,
    pub stdout: LineReader<ChildStdout>,
    pub stderr: LineReader<ChildStderr>,
    stderr_tail: StderrTail,
}

impl ClaudeProcess {
    pub fn spawn(launch: &Launch) -> io::Result<Self> {
        let marker = format!("{:016x}", rand::random::<u64>());
        let mut child = Command::new(&launch.program)
            .args(&launch.args)
            .current_dir(&launch.cwd)
            .env_clear()
            .envs(&launch.env)
            .env(RUN_MARKER, &marker)
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
        let stdout = LineReader::new(child.stdout.take().ok_or_else(missing)?);
        let stderr = LineReader::new(child.stderr.take().ok_or_else(missing)?);
        let group = Pid::from_raw(i32::try_from(pid).map_err(io::Error::other)?);
        Ok(Self {
            child,
            marker,
            group: Some(group),
            stdin: Some(stdin),
            stdout,
            stderr,
            stderr_tail: StderrTail::default(),
        })
    }

    /// Writes one line (already ending in a newline) to the child's stdin, within `deadline`
    /// (past it, the child counts as hung).
    pub async fn write(&mut self, line: &str, deadline: Duration) -> io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::BrokenPipe, "stdin is closed"))?;
        let write = async {
            stdin.write_all(line.as_bytes()).await?;
            stdin.flush().await
        };
        tokio::time::timeout(deadline, write)
            .await
            .unwrap_or_else(|_| {
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "claude stopped reading its input",
                ))
            })
    }

    /// Keeps a stderr line for error reports.
    pub fn note_stderr(&mut self, line: String) {
        self.stderr_tail.note(line);
    }

    /// The last stderr lines, oldest first.
    pub fn stderr_tail(&self) -> String {
        self.stderr_tail.text()
    }

    /// Ends the child and everything in its process group: closes stdin and interrupts (the
    /// CLI ends its turn at once), after `grace` sends SIGTERM, after `grace` again SIGKILL;
    /// then SIGKILL sweeps whatever is left in the group (tool commands that ignored the rest)
    /// and every process carrying the run's marker, and it returns once all of them are gone (a
    /// SIGKILL lands a moment after it is sent), or after [`SWEEP_WAIT`] at most.
    pub async fn stop(mut self, grace: Duration) -> Option<ExitStatus> {
        drop(self.stdin.take());
        let mut status = None;
        for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGKILL] {
            self.signal_group(signal);
            if let Ok(Ok(exited)) = tokio::time::timeout(grace, self.child.wait()).await {
                status = Some(exited);
                break;
            }
        }
        self.signal_group(Signal::SIGKILL);
        let group = self.group.take();
        let marked = kill_marked(&self.marker);
        let deadline = tokio::time::Instant::now() + SWEEP_WAIT;
        while left_running(group, &marked) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(SWEEP_POLL).await;
        }
        status
    }

    /// Signals the whole group; the group may already be gone, which is fine.
    fn signal_group(&self, signal: Signal) {
        let Some(group) = self.group else { return };
        if let Err(error) = killpg(group, signal)
            && error != nix::errno::Errno::ESRCH
        {
            tracing::warn!(%error, ?signal, group = group.as_raw(), "could not signal the claude process group");
        }
    }

    /// The marker this run's processes carry in their environment.
    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// The child's process group id (equal to its pid).
    pub fn group(&self) -> i32 {
        self.group.map_or(0, Pid::as_raw)
    }
}

impl Drop for ClaudeProcess {
    /// A process dropped without `stop` (its task was cancelled) takes its group with it.
    fn drop(&mut self) {
        if self.group.is_some() {
            self.signal_group(Signal::SIGKILL);
            kill_marked(&self.marker);
        }
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
            let fields = stat_fields(stat);
            alive(&fields) && fields.get(2).and_then(|pgrp| pgrp.parse().ok()) == Some(group)
        })
        .count()
}

/// Whether anything of a stopped run still lives: a member of its group, or one of the marked
/// processes killed outside it.
fn left_running(group: Option<Pid>, marked: &[Pid]) -> bool {
    group.is_some_and(|group| live_group_members(group.as_raw()) > 0)
        || marked.iter().any(|pid| start_time(pid.as_raw()).is_some())
}

/// Kills every live process whose environment carries `RUN_MARKER=marker`; returns them.
/// Two passes, so a process forked during the first is caught by the second.
pub fn kill_marked(marker: &str) -> Vec<Pid> {
    let wanted = format!("{RUN_MARKER}={marker}");
    let mut killed = Vec::new();
    for _ in 0..2 {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return killed;
        };
        for pid in entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        {
            let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
                continue;
            };
            if environ
                .split(|byte| *byte == 0)
                .any(|entry| entry == wanted.as_bytes())
                && nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL).is_ok()
            {
                killed.push(Pid::from_raw(pid));
            }
        }
    }
    killed
}

/// Live (not zombie) processes whose working directory is `dir`: a session's `claude` and
/// whatever it started there.
pub fn processes_in(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            Some((
                entry.file_name().to_str()?.parse::<u32>().ok()?,
                entry.path(),
            ))
        })
        .filter(|(_, path)| std::fs::read_link(path.join("cwd")).is_ok_and(|cwd| cwd == dir))
        .filter(|(_, path)| {
            std::fs::read_to_string(path.join("stat")).is_ok_and(|stat| alive(&stat_fields(&stat)))
        })
        .map(|(pid, _)| pid)
        .collect()
}

/// The fields of a /proc/PID/stat line after "pid (comm)" (comm may hold spaces): state, ppid, pgrp, …
fn stat_fields(stat: &str) -> Vec<&str> {
    stat.rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect())
}

/// When process `pid` started (clock ticks since boot): with the pid, an identity that reuse cannot fake.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields = stat_fields(&stat);
    alive(&fields)
        .then(|| fields.get(19)?.parse().ok())
        .flatten()
}

/// Whether the process is running (its state is not Z, zombie).
fn alive(fields: &[&str]) -> bool {
    fields.first().is_some_and(|state| *state != "Z")
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

/// A `/bin/sh -c script` child in `dir`, for tests of process handling.
#[cfg(test)]
pub(crate) fn spawn_sh(script: &str, dir: &Path) -> ClaudeProcess {
    let launch = Launch {
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        cwd: dir.to_path_buf(),
        env: std::env::var("PATH")
            .map(|path| BTreeMap::from([("PATH".to_owned(), path)]))
            .unwrap_or_default(),
    };
    ClaudeProcess::spawn(&launch).expect("sh starts")
}

#[cfg(test)]
mod tests;
