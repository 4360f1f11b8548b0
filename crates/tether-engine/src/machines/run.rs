//! A run of `claude` on a machine, as its session's actor holds it: output lines in order,
//! input lines out (queued at the hub while the machine is offline), and its end.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use tokio::sync::mpsc;

use super::{Machines, RunOutput};
use crate::supervisor::process::StderrTail;

/// The raw wait status of a process killed by SIGKILL.
const KILLED: i32 = 9;

/// What a run said next.
pub(crate) enum RunLine {
    Stdout(String),
    Stderr(String),
    /// The run ended (or its machine's hub forgot it).
    Ended,
}

/// A session's run on a machine.
pub struct RemoteRun {
    id: String,
    machine: String,
    output: mpsc::Receiver<RunOutput>,
    /// How it ended, once it has: its raw wait status, and whether it was lost.
    ended: Option<(ExitStatus, bool)>,
    stderr: StderrTail,
}

impl RemoteRun {
    pub(super) fn new(id: String, machine: String, output: mpsc::Receiver<RunOutput>) -> Self {
        Self {
            id,
            machine,
            output,
            ended: None,
            stderr: StderrTail::default(),
        }
    }

    pub fn machine(&self) -> &str {
        &self.machine
    }

    /// Whether the run ended because its machine no longer had it (the agent restarted).
    pub fn lost(&self) -> bool {
        self.ended.is_some_and(|(_, lost)| lost)
    }

    /// The next line of output, or its end.
    pub(crate) async fn next(&mut self) -> RunLine {
        if self.ended.is_some() {
            return std::future::pending().await;
        }
        match self.output.recv().await {
            Some(RunOutput::Line {
                stderr: false,
                line,
            }) => RunLine::Stdout(line),
            Some(RunOutput::Line { stderr: true, line }) => RunLine::Stderr(line),
            Some(RunOutput::Exited { code, lost }) => {
                let status = code.map_or(KILLED, |code| (code & 0xff) << 8);
                self.ended = Some((ExitStatus::from_raw(status), lost));
                RunLine::Ended
            }
            None => {
                self.ended = Some((ExitStatus::from_raw(KILLED), false));
                RunLine::Ended
            }
        }
    }

    /// Queues one line for the run's input.
    pub fn write(&mut self, machines: &Machines, line: &str) -> io::Result<()> {
        if self.ended.is_none() && machines.input(&self.id, line) {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the run on the machine has ended, or too much input waits for it",
            ))
        }
    }

    /// Whether the run still waits for its machine: nothing of it has reached the machine.
    pub fn is_waiting(&self, machines: &Machines) -> bool {
        self.ended.is_none() && machines.is_waiting(&self.id)
    }

    pub fn note_stderr(&mut self, line: String) {
        self.stderr.note(line);
    }

    pub fn stderr_tail(&self) -> String {
        self.stderr.text()
    }

    /// Ends the run: the machine stops its `claude` and everything it started. Returns how
    /// it ended if it already had.
    pub fn stop(self, machines: &Machines) -> Option<ExitStatus> {
        machines.stop(&self.id);
        self.ended.map(|(status, _)| status)
    }
}
