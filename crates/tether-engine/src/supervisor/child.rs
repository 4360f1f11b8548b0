//! A session's `claude`, wherever it runs: a child of this engine, or a run on a machine
//! through its agent. The session actor treats both alike: lines in, lines out, an end.

use std::io;
use std::process::ExitStatus;
use std::time::Duration;

use super::process::ClaudeProcess;
use crate::machines::RunLine;
use crate::machines::{Machines, RemoteRun};

/// What a child printed next.
pub(super) enum Output {
    Stdout(io::Result<Option<String>>),
    Stderr(io::Result<Option<String>>),
}

pub(super) enum Child {
    /// Boxed: a local child's pipes and buffers are five times a remote run's handle.
    Local(Box<ClaudeProcess>),
    Remote(RemoteRun),
}

impl Child {
    /// The next line on either stream (stderr only while `stderr_open`); stdout's end is
    /// the child's.
    pub async fn next(&mut self, stderr_open: bool) -> Output {
        match self {
            Self::Local(process) => tokio::select! {
                line = process.stdout.next_line() => Output::Stdout(line),
                line = process.stderr.next_line(), if stderr_open => Output::Stderr(line),
            },
            Self::Remote(run) => match run.next().await {
                RunLine::Stdout(line) => Output::Stdout(Ok(Some(line))),
                RunLine::Stderr(line) => Output::Stderr(Ok(Some(line))),
                RunLine::Ended => Output::Stdout(Ok(None)),
            },
        }
    }

    /// Writes one line (ending in a newline); a remote run queues it for its machine.
    pub async fn write(
        &mut self,
        machines: &Machines,
        line: &str,
        deadline: Duration,
    ) -> io::Result<()> {
        match self {
            Self::Local(process) => process.write(line, deadline).await,
            Self::Remote(run) => run.write(machines, line),
        }
    }

    pub fn note_stderr(&mut self, line: String) {
        match self {
            Self::Local(process) => process.note_stderr(line),
            Self::Remote(run) => run.note_stderr(line),
        }
    }

    pub fn stderr_tail(&self) -> String {
        match self {
            Self::Local(process) => process.stderr_tail(),
            Self::Remote(run) => run.stderr_tail(),
        }
    }

    /// Ends the child and whatever it started; how it exited, when known.
    pub async fn stop(self, machines: &Machines, grace: Duration) -> Option<ExitStatus> {
        match self {
            Self::Local(process) => process.stop(grace).await,
            Self::Remote(run) => run.stop(machines),
        }
    }

    /// The local child's process group.
    pub fn group(&self) -> Option<i32> {
        match self {
            Self::Local(process) => Some(process.group()),
            Self::Remote(_) => None,
        }
    }

    /// The machine a remote run waits for, while nothing of it has reached the machine.
    pub fn waiting_for(&self, machines: &Machines) -> Option<String> {
        match self {
            Self::Remote(run) if run.is_waiting(machines) => Some(run.machine().to_owned()),
            _ => None,
        }
    }

    /// The machine a remote run is on.
    pub fn machine(&self) -> Option<&str> {
        match self {
            Self::Local(_) => None,
            Self::Remote(run) => Some(run.machine()),
        }
    }

    /// Whether a remote run ended because its machine restarted without it.
    pub fn lost(&self) -> bool {
        matches!(self, Self::Remote(run) if run.lost())
    }
}
