//! The agent's runs of `claude`: started in one of this machine's projects, their lines moved
//! between the process and the run's log, and their end recorded.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{Agent, INPUT_CAPACITY, MAX_LINE_BYTES, MAX_LOG_BYTES, MAX_LOG_LINES, Run};
use crate::supervisor::launch::launch;
use crate::supervisor::orphans;
use crate::supervisor::process::ClaudeProcess;
use tether_protocol::machine::{RunSpec, Stream};

impl Agent {
    /// Starts `claude` for the hub in one of this machine's projects.
    pub(super) fn start(self: &Arc<Self>, id: String, spec: &RunSpec) {
        if self.lock().runs.contains_key(&id) {
            return;
        }
        let (lines, input) = mpsc::channel(INPUT_CAPACITY);
        let stop = CancellationToken::new();
        let live_on = Some(self.lock().link);
        let run = Run {
            input: 0,
            lines,
            log: VecDeque::new(),
            log_bytes: 0,
            last_offset: 0,
            exited: None,
            live_on,
            streamed: 0,
            told_exit: false,
            forget: false,
            stop: stop.clone(),
        };
        self.lock().runs.insert(id.clone(), run);
        match self.spawn(spec) {
            Ok(process) => {
                tracing::info!(
                    run = id,
                    group = process.group(),
                    "claude started for the hub"
                );
                orphans::record(&self.engine.config().data_dir, &process);
                let agent = Arc::clone(self);
                self.tasks
                    .spawn(async move { agent.pump(id, process, input, stop).await });
            }
            Err(error) => {
                tracing::warn!(run = id, %error, "could not start claude for the hub");
                self.emit(&id, Stream::Stderr, error);
                self.exited(&id, Some(1));
            }
        }
    }

    fn spawn(&self, spec: &RunSpec) -> Result<ClaudeProcess, String> {
        let project = (self.engine.projects().get(&spec.project_id).ok())
            .filter(|project| project.machine.is_none())
            .ok_or_else(|| format!("this machine has no project {:?}", spec.project_id))?;
        let cwd: PathBuf = project.path;
        let settings = &self.engine.config().claude;
        let launch = launch(settings, spec, &cwd).map_err(|error| error.to_string())?;
        ClaudeProcess::spawn(&launch).map_err(|error| format!("could not start claude: {error}"))
    }

    /// Moves lines between a run's `claude` and its log until it ends or is stopped.
    async fn pump(
        &self,
        id: String,
        mut process: ClaudeProcess,
        mut input: mpsc::Receiver<String>,
        stop: CancellationToken,
    ) {
        let settings = &self.engine.config().claude;
        let mut stderr_open = true;
        loop {
            tokio::select! {
                Some(line) = input.recv() => {
                    if let Err(error) = process.write(&line, settings.write_timeout).await {
                        tracing::warn!(run = id, %error, "claude did not take its input");
                    }
                }
                line = process.stdout.next_line() => match line {
                    Ok(Some(line)) => self.emit(&id, Stream::Stdout, line),
                    _ => break,
                },
                line = process.stderr.next_line(), if stderr_open => match line {
                    Ok(Some(line)) => self.emit(&id, Stream::Stderr, line),
                    _ => stderr_open = false,
                },
                () = stop.cancelled() => break,
            }
        }
        let group = process.group();
        let status = process.stop(settings.stop_grace).await;
        orphans::forget(&self.engine.config().data_dir, group);
        tracing::info!(run = id, ?status, "claude ended");
        self.exited(&id, status.and_then(|status| status.code()));
    }

    /// Keeps an output line, and sends it at once when its run streams live.
    fn emit(&self, id: &str, mut stream: Stream, mut line: String) {
        // Sent as a JSON string, where each quote and backslash takes two bytes.
        if line.len() > MAX_LINE_BYTES / 2
            && line.len() + line.bytes().filter(|b| matches!(b, b'"' | b'\\')).count()
                > MAX_LINE_BYTES
        {
            let size = line.len() >> 20;
            line = format!(
                "a {size} MiB line of claude's output was too large for the link and was left out"
            );
            stream = Stream::Stderr;
        }
        let mut state = self.lock();
        let Some(run) = state.runs.get_mut(id) else {
            return;
        };
        run.last_offset += 1;
        let offset = run.last_offset;
        if run.log.len() >= MAX_LOG_LINES || run.log_bytes + line.len() > MAX_LOG_BYTES {
            tracing::warn!(
                run = id,
                "the hub has been away too long to keep this run's output; it is stopped"
            );
            run.stop.cancel();
        }
        run.log_bytes += line.len();
        run.log.push_back((offset, stream, line));
        drop(state);
        self.ready.notify_one();
    }

    /// Records a run's end; its link tells the hub after its last line.
    fn exited(&self, id: &str, code: Option<i32>) {
        let mut state = self.lock();
        match state.runs.get_mut(id) {
            Some(run) if run.forget => {
                state.runs.remove(id);
            }
            Some(run) => run.exited = Some(code),
            None => {}
        }
        drop(state);
        self.ready.notify_one();
    }
}
