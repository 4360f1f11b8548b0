//! The machine's side of the link (`tether agent`): it runs `claude` for its hub in its own
//! projects, keeps each run's output numbered until the hub acknowledges it, and keeps
//! running while the link is down, so a returning hub resumes from what it last received.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::engine::Engine;
use crate::supervisor::launch::launch;
use crate::supervisor::orphans;
use crate::supervisor::process::ClaudeProcess;
use serde_json::Value;

use crate::auth::Caller;
use tether_protocol::machine::{
    AgentFrame, FORWARDED_METHODS, HubFrame, Outcome, RunSpec, RunState, Stream,
};
use tether_protocol::{ErrorCode, RpcError};

/// Output lines, and their bytes, one run keeps while its hub is away; past either, the run
/// is stopped rather than lose what its hub has not seen.
const MAX_LOG_LINES: usize = 100_000;
const MAX_LOG_BYTES: usize = 64 << 20;
/// The longest output line sent; a longer one is left out with a note (the hub refuses
/// frames past its message limit, 6 MiB by default).
const MAX_LINE_BYTES: usize = 4 << 20;
/// Input lines that may wait for one run's `claude`.
const INPUT_CAPACITY: usize = 256;
/// How long `claude --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// One run on this machine.
struct Run {
    /// The last input line written (by the hub's numbering).
    input: u64,
    lines: mpsc::Sender<String>,
    log: VecDeque<(u64, Stream, String)>,
    log_bytes: usize,
    last_offset: u64,
    /// Its exit code once it ended (`Some(None)`: killed by a signal).
    exited: Option<Option<i32>>,
    /// The link its output streams to as it comes (others get it on `resume`).
    live_on: Option<u64>,
    stop: CancellationToken,
}

/// The link output goes to now.
struct Link {
    id: u64,
    frames: mpsc::Sender<AgentFrame>,
    broken: CancellationToken,
}

#[derive(Default)]
struct State {
    runs: BTreeMap<String, Run>,
    link: Option<Link>,
    links: u64,
}

/// The agent: the runs it holds for its hub.
pub struct Agent {
    engine: Engine,
    /// This running agent's name for itself on its links.
    instance: String,
    state: Mutex<State>,
    tasks: TaskTracker,
}

impl Agent {
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            instance: format!("{:016x}", rand::random::<u64>()),
            state: Mutex::default(),
            tasks: TaskTracker::new(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// This running agent's name for itself, sent when it links (see `INSTANCE_HEADER`).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Each change is a few map and queue operations that cannot panic halfway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first frame of a link: who this machine is, its projects, the runs it holds.
    pub async fn hello(&self) -> AgentFrame {
        let runs = (self.lock().runs.iter())
            .filter(|(_, run)| run.exited.is_none() || !run.log.is_empty())
            .map(|(id, run)| RunState {
                run: id.clone(),
                input: run.input,
            })
            .collect();
        AgentFrame::Hello {
            version: crate::VERSION.to_owned(),
            hostname: hostname(),
            claude_version: claude_version(&self.engine).await,
            projects: self.projects(),
            runs,
        }
    }

    /// The projects this machine offers: its own (never those of machines it heard of).
    pub fn projects(&self) -> Vec<tether_protocol::Project> {
        (self.engine.projects().list().into_iter())
            .filter(|project| project.machine.is_none())
            .collect()
    }

    /// A new link: output goes to `frames` from now on (each run's once the hub resumes it);
    /// `broken` is cancelled when the link cannot keep up.
    pub fn connected(&self, frames: mpsc::Sender<AgentFrame>, broken: CancellationToken) {
        let mut state = self.lock();
        state.links += 1;
        let id = state.links;
        state.link = Some(Link { id, frames, broken });
    }

    /// Handles one frame from the hub.
    pub fn received(self: &std::sync::Arc<Self>, frame: HubFrame) {
        match frame {
            HubFrame::Start { run, spec } => self.start(run, &spec),
            HubFrame::Input { run, seq, line } => {
                let mut state = self.lock();
                if let Some(held) = state.runs.get_mut(&run)
                    && seq > held.input
                {
                    held.input = seq;
                    if held.lines.try_send(line).is_err() {
                        tracing::warn!(run, "claude is not reading its input; the run is stopped");
                        held.stop.cancel();
                    }
                }
            }
            HubFrame::Resume { run, after } => self.resume(&run, after),
            HubFrame::Ack { run, offset } => {
                let mut state = self.lock();
                if let Some(held) = state.runs.get_mut(&run) {
                    while held.log.front().is_some_and(|(at, ..)| *at <= offset) {
                        if let Some((_, _, line)) = held.log.pop_front() {
                            held.log_bytes -= line.len();
                        }
                    }
                    if held.exited.is_some() && offset >= held.last_offset {
                        state.runs.remove(&run);
                    }
                }
            }
            HubFrame::Stop { run } => {
                if let Some(held) = self.lock().runs.get(&run) {
                    held.stop.cancel();
                }
            }
            HubFrame::Request { id, method, params } => {
                let agent = std::sync::Arc::clone(self);
                self.tasks.spawn(async move {
                    let outcome = agent.answer(&method, params).await;
                    agent.send(AgentFrame::Response { id, outcome });
                });
            }
            HubFrame::Refused { error } => {
                tracing::warn!(%error, "the hub refused a frame");
            }
        }
    }

    /// Runs one of the read-only methods a hub may ask, for one of this machine's projects.
    async fn answer(&self, method: &str, params: Value) -> Outcome {
        if !FORWARDED_METHODS.contains(&method) {
            let why = format!("a hub may not ask a machine for {method:?}");
            return Outcome::Error(RpcError::new(ErrorCode::Forbidden, why));
        }
        let project = params
            .get("project_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !self.projects().iter().any(|offered| offered.id == project) {
            let why = format!("this machine offers no project {project:?}");
            return Outcome::Error(RpcError::new(ErrorCode::NotFound, why));
        }
        match crate::rpc::dispatch(&self.engine, &Caller::Local, method, Some(params)).await {
            Ok(result) => Outcome::Result(result),
            Err(error) => Outcome::Error(error),
        }
    }

    /// Sends a frame on the current link, if there is one.
    fn send(&self, frame: AgentFrame) {
        let state = self.lock();
        if let Some(link) = &state.link
            && link.frames.try_send(frame).is_err()
        {
            link.broken.cancel();
        }
    }

    /// Starts `claude` for the hub in one of this machine's projects.
    fn start(self: &std::sync::Arc<Self>, id: String, spec: &RunSpec) {
        if self.lock().runs.contains_key(&id) {
            return;
        }
        let (lines, input) = mpsc::channel(INPUT_CAPACITY);
        let stop = CancellationToken::new();
        let live_on = self.lock().link.as_ref().map(|link| link.id);
        let run = Run {
            input: 0,
            lines,
            log: VecDeque::new(),
            log_bytes: 0,
            last_offset: 0,
            exited: None,
            live_on,
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
                let agent = std::sync::Arc::clone(self);
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
        if line.len() > MAX_LINE_BYTES {
            let size = line.len() >> 20;
            line = format!(
                "a {size} MiB line of claude's output was too large for the link and was left out"
            );
            stream = Stream::Stderr;
        }
        let mut state = self.lock();
        let State { runs, link, .. } = &mut *state;
        let Some(run) = runs.get_mut(id) else { return };
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
        run.log.push_back((offset, stream, line.clone()));
        if let Some(link) = link.as_ref().filter(|link| Some(link.id) == run.live_on) {
            let frame = AgentFrame::Output {
                run: id.to_owned(),
                offset,
                stream,
                line,
            };
            if link.frames.try_send(frame).is_err() {
                link.broken.cancel();
            }
        }
    }

    /// Records a run's end, and tells the hub when it streams live.
    fn exited(&self, id: &str, code: Option<i32>) {
        let mut state = self.lock();
        let State { runs, link, .. } = &mut *state;
        let Some(run) = runs.get_mut(id) else { return };
        run.exited = Some(code);
        if let Some(link) = link.as_ref().filter(|link| Some(link.id) == run.live_on) {
            let frame = AgentFrame::Exited {
                run: id.to_owned(),
                offset: run.last_offset,
                code,
                lost: false,
            };
            if link.frames.try_send(frame).is_err() {
                link.broken.cancel();
            }
        }
    }

    /// Sends what the hub missed of a run, after `after`, then streams it live on this link.
    fn resume(&self, id: &str, after: u64) {
        let mut state = self.lock();
        let State { runs, link, .. } = &mut *state;
        let Some(link) = link.as_ref() else { return };
        let Some(run) = runs.get_mut(id) else {
            let lost = AgentFrame::Exited {
                run: id.to_owned(),
                offset: after,
                code: None,
                lost: true,
            };
            if link.frames.try_send(lost).is_err() {
                link.broken.cancel();
            }
            return;
        };
        let missed = (run.log.iter()).filter(|(offset, ..)| *offset > after);
        let mut frames: Vec<AgentFrame> = missed
            .map(|(offset, stream, line)| AgentFrame::Output {
                run: id.to_owned(),
                offset: *offset,
                stream: *stream,
                line: line.clone(),
            })
            .collect();
        if let Some(code) = run.exited {
            frames.push(AgentFrame::Exited {
                run: id.to_owned(),
                offset: run.last_offset,
                code,
                lost: false,
            });
        }
        run.live_on = Some(link.id);
        for frame in frames {
            if link.frames.try_send(frame).is_err() {
                link.broken.cancel();
                return;
            }
        }
    }

    /// Stops every run and waits for them (the agent is stopping).
    pub async fn shutdown(&self) {
        for run in self.lock().runs.values() {
            run.stop.cancel();
        }
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// This computer's host name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "machine".to_owned())
}

/// `claude --version`, if claude is found and answers.
async fn claude_version(engine: &Engine) -> Option<String> {
    let program = crate::supervisor::binary::locate(engine.config().claude.path.as_deref()).ok()?;
    let run = tokio::process::Command::new(program)
        .arg("--version")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(VERSION_TIMEOUT, run)
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !text.is_empty()).then_some(text)
}
