//! The machine's side of the link (`tether agent`): it runs `claude` for its hub in its own
//! projects, keeps each run's output numbered until the hub acknowledges it, and keeps
//! running while the link is down, so a returning hub resumes from what it last received.
//! The link pulls what to send ([`Agent::next_frames`]) as fast as the hub takes it, so a hub
//! that reads slowly slows the link, never breaks it.

mod answers;
mod host;
mod runs;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use self::host::hostname;
use crate::engine::Engine;
use tether_protocol::machine::{AgentFrame, HubFrame, OutputLine, RunState, Stream};

/// Output lines, and their bytes, one run keeps while its hub is away; past either, the run
/// is stopped rather than lose what its hub has not seen.
const MAX_LOG_LINES: usize = 100_000;
const MAX_LOG_BYTES: usize = 64 << 20;
/// The longest output line sent, as encoded; a longer one is left out with a note (the hub
/// refuses frames past its message limit, 6 MiB by default).
const MAX_LINE_BYTES: usize = 4 << 20;
/// The most lines of one run in one frame, and the bytes past which a frame takes no more.
const BATCH: usize = 256;
const BATCH_BYTES: usize = 1 << 20;
/// Input lines that may wait for one run's `claude`.
const INPUT_CAPACITY: usize = 256;

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
    /// The link its output streams to (a new link gets it once the hub resumes it).
    live_on: Option<u64>,
    /// The last line handed to that link.
    streamed: u64,
    /// Whether that link was told of its end.
    told_exit: bool,
    /// The hub stopped it and wants to hear nothing more of it: forgotten once it ends.
    forget: bool,
    stop: CancellationToken,
}

#[derive(Default)]
struct State {
    runs: BTreeMap<String, Run>,
    /// The current link's number (links are numbered from 1).
    link: u64,
    /// Frames for the current link other than output: answers, and a lost run's end.
    queued: VecDeque<AgentFrame>,
}

/// The agent: the runs it holds for its hub.
pub struct Agent {
    engine: Engine,
    /// This running agent's name for itself on its links.
    instance: String,
    state: Mutex<State>,
    /// Woken when there is something new to send.
    ready: Notify,
    tasks: TaskTracker,
}

impl Agent {
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            instance: format!("{:016x}", rand::random::<u64>()),
            state: Mutex::default(),
            ready: Notify::new(),
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

    /// The first frame of a link: who this machine is, the `projects` it offers (as read by
    /// the link, which sends them again when they change) and the runs it holds.
    pub async fn hello(&self, projects: Vec<tether_protocol::Project>) -> AgentFrame {
        // Every run it holds, ended ones too: the hub has yet to hear how those ended.
        let runs = (self.lock().runs.iter())
            .map(|(id, run)| RunState {
                run: id.clone(),
                input: run.input,
            })
            .collect();
        AgentFrame::Hello {
            version: crate::VERSION.to_owned(),
            hostname: hostname(),
            claude_version: host::claude_version(&self.engine).await,
            projects,
            runs,
        }
    }

    /// The projects this machine offers: its own (never those of machines it heard of).
    pub fn projects(&self) -> Vec<tether_protocol::Project> {
        (self.engine.projects().list().into_iter())
            .filter(|project| project.machine.is_none())
            .collect()
    }

    /// A new link, after its `hello`: what it sends comes from [`Agent::next_frames`] with
    /// the number returned (each run's output once the hub resumes it).
    pub fn connected(&self) -> u64 {
        let mut state = self.lock();
        state.link += 1;
        state.queued.clear();
        state.link
    }

    /// The next frames for link `link`, waiting until there are some: answers first, then
    /// each run's output it has not had (one frame of up to [`BATCH`] lines a run), and a
    /// run's end after its last line.
    pub async fn next_frames(&self, link: u64) -> Vec<AgentFrame> {
        loop {
            let frames = self.take(link);
            if !frames.is_empty() {
                return frames;
            }
            self.ready.notified().await;
        }
    }

    fn take(&self, link: u64) -> Vec<AgentFrame> {
        let mut state = self.lock();
        if state.link != link {
            return Vec::new();
        }
        let mut frames: Vec<AgentFrame> = state.queued.drain(..).collect();
        for (id, run) in state
            .runs
            .iter_mut()
            .filter(|(_, run)| run.live_on == Some(link))
        {
            let streamed = run.streamed;
            let (mut lines, mut bytes) = (Vec::new(), 0);
            for (offset, stream, line) in run.log.iter().filter(|(at, ..)| *at > streamed) {
                if lines.len() == BATCH || (bytes > 0 && bytes + line.len() > BATCH_BYTES) {
                    break;
                }
                bytes += line.len();
                run.streamed = *offset;
                lines.push(OutputLine {
                    stream: *stream,
                    line: line.clone(),
                });
            }
            if !lines.is_empty() {
                frames.push(AgentFrame::Output {
                    run: id.clone(),
                    offset: streamed + 1,
                    lines,
                    input: run.input,
                });
            }
            if let Some(code) = run.exited
                && run.streamed >= run.last_offset
                && !run.told_exit
            {
                run.told_exit = true;
                frames.push(AgentFrame::Exited {
                    run: id.clone(),
                    offset: run.last_offset,
                    code,
                    lost: false,
                });
            }
        }
        frames
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
                let mut state = self.lock();
                match state.runs.get(&run) {
                    // The hub no longer wants to hear of a run that has ended: forgotten.
                    Some(held) if held.exited.is_some() => {
                        state.runs.remove(&run);
                    }
                    Some(_) => {
                        if let Some(held) = state.runs.get_mut(&run) {
                            held.forget = true;
                            held.stop.cancel();
                        }
                    }
                    None => {}
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

    /// Queues a frame for the current link.
    fn send(&self, frame: AgentFrame) {
        self.lock().queued.push_back(frame);
        self.ready.notify_one();
    }

    /// Streams a run to the current link from line `after` on (what the hub has), its end
    /// included; a run this agent no longer has is reported lost.
    fn resume(&self, id: &str, after: u64) {
        let mut state = self.lock();
        let link = state.link;
        match state.runs.get_mut(id) {
            Some(run) => {
                run.live_on = Some(link);
                run.streamed = after;
                run.told_exit = false;
            }
            None => state.queued.push_back(AgentFrame::Exited {
                run: id.to_owned(),
                offset: after,
                code: None,
                lost: true,
            }),
        }
        drop(state);
        self.ready.notify_one();
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
