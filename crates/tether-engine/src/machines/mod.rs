//! Remote machines, at the hub: each machine's link, what it said of itself, and the runs of
//! `claude` the hub's sessions hold there. A session on a machine is an ordinary session
//! whose child is a [`RemoteRun`]: its actor, transcript, events and approvals are the
//! hub's, and only the process lives on the machine.

mod agent;
mod link;
mod run;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use self::agent::{Agent, hostname};
pub use self::link::{LinkError, MachineLink};
pub use self::run::RemoteRun;
pub(crate) use self::run::RunLine;
use crate::hub::{Outbound, Outbox};
use tether_protocol::machine::{HubFrame, Machine, Outcome, RunSpec};
use tether_protocol::methods::Method;
use tether_protocol::{Device, ErrorCode, RpcError};

/// Requests to machines that may wait for an answer at once, over all machines.
const MAX_PENDING: usize = 256;
/// How long a machine may take to answer a request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Input lines kept per run until the machine says it has them.
const MAX_INPUTS: usize = 1024;
/// Output lines that may wait for a session's actor before the link waits for it.
const OUTPUT_CAPACITY: usize = 256;

/// What a run's session hears from the machine.
#[derive(Debug)]
pub(crate) enum RunOutput {
    Line {
        stderr: bool,
        line: String,
    },
    /// The run ended: with its exit code, by a signal (`None`), or `lost` with the machine.
    Exited {
        code: Option<i32>,
        lost: bool,
    },
}

/// A run as the hub holds it.
struct Run {
    spec: RunSpec,
    /// The agent told to start it, if one was: a later link from another agent lost it.
    started_by: Option<String>,
    /// Input lines not yet confirmed, by number.
    inputs: VecDeque<(u64, String)>,
    next_input: u64,
    /// The last output line received.
    received: u64,
    output: mpsc::Sender<RunOutput>,
}

/// A machine's live link.
struct Live {
    connection: u64,
    /// The running agent the link is from.
    instance: String,
    /// Whether its `hello` has come: runs are started on it only from then on.
    greeted: bool,
    outbox: Outbox,
    hostname: String,
    version: String,
    claude_version: Option<String>,
}

#[derive(Default)]
struct State {
    live: BTreeMap<String, Live>,
    /// Hello details of machines seen since the engine started, kept once they leave.
    last_hello: BTreeMap<String, (String, String, Option<String>)>,
    runs: BTreeMap<String, (String, Run)>,
    /// Requests waiting for a machine's answer, by id: the machine, and who waits.
    pending: BTreeMap<u64, (String, oneshot::Sender<Outcome>)>,
    next_request: u64,
}

/// Every machine's link and runs, at the hub.
#[derive(Default)]
pub struct Machines {
    state: Mutex<State>,
}

impl Machines {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change is a few map operations that cannot panic halfway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the machine has a live link from an agent other than `instance`.
    pub fn is_taken(&self, machine: &str, instance: &str) -> bool {
        (self.lock().live.get(machine)).is_some_and(|live| live.instance != instance)
    }

    /// The machines among `devices`, as devices see them.
    pub fn list(&self, devices: &[Device]) -> Vec<Machine> {
        let state = self.lock();
        devices
            .iter()
            .filter(|device| device.machine)
            .map(|device| {
                let id = device.id.as_str();
                let live = state.live.get(id);
                let hello = live
                    .map(|live| {
                        (
                            live.hostname.clone(),
                            live.version.clone(),
                            live.claude_version.clone(),
                        )
                    })
                    .or_else(|| state.last_hello.get(id).cloned());
                Machine {
                    id: id.to_owned(),
                    name: device.name.clone(),
                    online: live.is_some(),
                    last_seen: device.last_seen,
                    hostname: hello.as_ref().map(|hello| hello.0.clone()),
                    version: hello.as_ref().map(|hello| hello.1.clone()),
                    claude_version: hello.and_then(|hello| hello.2),
                }
            })
            .collect()
    }

    /// Starts a run of `claude` for a session on `machine`: sent at once when the machine is
    /// online, else when it connects. Input written meanwhile waits with it.
    pub(crate) fn start(&self, machine: &str, spec: RunSpec) -> RemoteRun {
        let id = format!("{:016x}", rand::random::<u64>());
        let (output, received) = mpsc::channel(OUTPUT_CAPACITY);
        let mut state = self.lock();
        let mut run = Run {
            spec,
            started_by: None,
            inputs: VecDeque::new(),
            next_input: 1,
            received: 0,
            output,
        };
        if let Some(live) = state.live.get(machine).filter(|live| live.greeted) {
            run.started_by =
                send(&live.outbox, &start_frame(&id, &run.spec)).then(|| live.instance.clone());
        }
        state.runs.insert(id.clone(), (machine.to_owned(), run));
        RemoteRun::new(id, machine.to_owned(), received)
    }

    /// Queues a line for a run's input, and sends it when the machine is online. False when
    /// the run is gone or too many lines wait.
    pub(crate) fn input(&self, run: &str, line: &str) -> bool {
        let mut state = self.lock();
        let State { live, runs, .. } = &mut *state;
        let Some((machine, run_state)) = runs.get_mut(run) else {
            return false;
        };
        if run_state.inputs.len() >= MAX_INPUTS {
            return false;
        }
        let seq = run_state.next_input;
        run_state.next_input += 1;
        run_state.inputs.push_back((seq, line.to_owned()));
        if let Some(live) = live.get(machine.as_str()).filter(|live| live.greeted)
            && run_state.started_by.is_some()
        {
            send(&live.outbox, &input_frame(run, seq, line));
        }
        true
    }

    /// Whether a run waits for its machine to come online (nothing of it has started).
    pub(crate) fn is_waiting(&self, run: &str) -> bool {
        let state = self.lock();
        state
            .runs
            .get(run)
            .is_some_and(|(_, run)| run.started_by.is_none())
    }

    /// Ends every run of a revoked machine, each as lost; its sessions say so.
    pub fn revoked(&self, machine: &str) {
        let mut state = self.lock();
        state.last_hello.remove(machine);
        let gone: Vec<String> = (state.runs.iter())
            .filter(|(_, (on, _))| on == machine)
            .map(|(id, _)| id.clone())
            .collect();
        for id in gone {
            if let Some((_, run)) = state.runs.remove(&id) {
                // Full or gone: its session is ending anyway.
                let _ = run.output.try_send(RunOutput::Exited {
                    code: None,
                    lost: true,
                });
            }
        }
    }

    /// Ends a run: the machine is told to stop it when it hears (a run that never started
    /// is only forgotten). Its session stops listening.
    pub(crate) fn stop(&self, run: &str) {
        let mut state = self.lock();
        if let Some((machine, stopped)) = state.runs.remove(run)
            && stopped.started_by.is_some()
            && let Some(live) = state.live.get(&machine)
        {
            send(
                &live.outbox,
                &HubFrame::Stop {
                    run: run.to_owned(),
                },
            );
        }
    }
}

impl Machines {
    /// Asks `machine` to run `M` (one of the forwarded, read-only methods) for one of its
    /// projects: `unavailable` when it is offline or does not answer in time.
    pub async fn forward<M: Method>(
        &self,
        machine: &str,
        params: M::Params,
    ) -> Result<M::Result, RpcError> {
        let unavailable = |why: String| RpcError::new(ErrorCode::Unavailable, why);
        let params = serde_json::to_value(params)
            .map_err(|error| RpcError::new(ErrorCode::Internal, error.to_string()))?;
        let (answer, answered) = oneshot::channel();
        let id = {
            let mut state = self.lock();
            if state.pending.len() >= MAX_PENDING {
                return Err(RpcError::new(
                    ErrorCode::Overloaded,
                    "too many requests wait for machines; try again",
                ));
            }
            let State {
                live,
                pending,
                next_request,
                ..
            } = &mut *state;
            let Some(live) = live.get(machine).filter(|live| live.greeted) else {
                return Err(unavailable(format!(
                    "the machine {machine} is offline; its files show once it connects"
                )));
            };
            *next_request += 1;
            let id = *next_request;
            let request = HubFrame::Request {
                id,
                method: M::NAME.to_owned(),
                params,
            };
            if !send(&live.outbox, &request) {
                return Err(unavailable(format!("the link to {machine} is full")));
            }
            pending.insert(id, (machine.to_owned(), answer));
            id
        };
        // Forgotten however the wait ends: answered, timed out, or its caller gone.
        let _waiting = Waiting { machines: self, id };
        let outcome = tokio::time::timeout(ANSWER_TIMEOUT, answered).await;
        match outcome {
            Ok(Ok(Outcome::Result(result))) => serde_json::from_value(result).map_err(|error| {
                RpcError::new(
                    ErrorCode::Internal,
                    format!("the machine answered {} unexpectedly: {error}", M::NAME),
                )
            }),
            Ok(Ok(Outcome::Error(error))) => Err(error),
            Ok(Err(_)) => Err(unavailable(format!(
                "the machine {machine} went offline before it answered"
            ))),
            Err(_) => Err(unavailable(format!(
                "the machine {machine} did not answer within {} s",
                ANSWER_TIMEOUT.as_secs()
            ))),
        }
    }

    /// Passes `machine`'s answer to whoever waits for it.
    pub(crate) fn answered(&self, machine: &str, id: u64, outcome: Outcome) {
        let mut state = self.lock();
        if state
            .pending
            .get(&id)
            .is_some_and(|(asked, _)| asked == machine)
            && let Some((_, waiting)) = state.pending.remove(&id)
        {
            let _ = waiting.send(outcome);
        }
    }

    /// Forgets what waits for `machine` (its link is gone): each wait ends unanswered.
    fn forget_requests(state: &mut State, machine: &str) {
        state.pending.retain(|_, (asked, _)| asked != machine);
    }
}

/// What a session shows while its prompt waits for its machine.
pub(crate) fn queued_note(engine: &crate::engine::Engine, machine: &str) -> String {
    let name = engine
        .devices()
        .describe(machine)
        .map_or_else(|| machine.to_owned(), |(name, _)| name);
    format!("Queued: {name} is offline; this is sent when it connects (cancel to withdraw it)")
}

/// A request waiting for a machine's answer, forgotten when the wait ends.
struct Waiting<'a> {
    machines: &'a Machines,
    id: u64,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.machines.lock().pending.remove(&self.id);
    }
}

fn start_frame(run: &str, spec: &RunSpec) -> HubFrame {
    HubFrame::Start {
        run: run.to_owned(),
        spec: spec.clone(),
    }
}

fn input_frame(run: &str, seq: u64, line: &str) -> HubFrame {
    HubFrame::Input {
        run: run.to_owned(),
        seq,
        line: line.to_owned(),
    }
}

/// Queues a frame on a machine's link; false when its queue is full (it is closed then, and
/// the machine catches up when it connects again).
fn send(outbox: &Outbox, frame: &HubFrame) -> bool {
    outbox.push(Outbound::Frame(frame.encode()))
}

#[cfg(test)]
mod tests;
