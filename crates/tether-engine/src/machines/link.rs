//! One machine's link at the hub: at most one per machine, greeted by the agent's `hello`,
//! after which the hub resumes, starts or stops each of that machine's runs; then output
//! lines go to their sessions in order, once each.

use std::collections::BTreeMap;

use tokio::sync::mpsc;

use super::{Live, Machines, RunOutput, send, start_frame};
use crate::engine::Engine;
use crate::hub::Outbox;
use tether_protocol::events::AccountEvent;
use tether_protocol::machine::{AgentFrame, HubFrame, Machine, OutputLine, RunState, Stream};
use tether_protocol::{CloseReason, DeviceId, Project};

/// Output lines between acknowledgements, which let the agent forget them.
const ACK_EVERY: u64 = 64;

/// Why a machine's link was refused or is closed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LinkError {
    #[error(
        "the machine {0} is already connected from another agent: a second agent with its \
         identity is refused"
    )]
    AlreadyConnected(String),
    #[error("the machine's first frame must be `hello`")]
    NoHello,
}

/// A machine's live link; dropping it takes the machine offline.
pub struct MachineLink {
    engine: Engine,
    machine: String,
    /// The running agent this link is from.
    instance: String,
    connection: u64,
    outbox: Outbox,
    greeted: bool,
}

impl MachineLink {
    /// Registers the link of `machine`'s agent `instance` on connection `outbox`: it
    /// replaces a link of the same agent (which has gone stale), and another agent's is
    /// refused while one is live.
    pub fn open(
        engine: &Engine,
        machine: &DeviceId,
        instance: &str,
        outbox: &Outbox,
    ) -> Result<Self, LinkError> {
        let id = machine.as_str().to_owned();
        {
            let mut state = engine.machines().lock();
            if let Some(stale) = state.live.get(&id) {
                if stale.instance != instance {
                    return Err(LinkError::AlreadyConnected(id));
                }
                stale.outbox.closer().close(CloseReason::Normal);
            }
            state.live.insert(
                id.clone(),
                Live {
                    connection: outbox.id(),
                    instance: instance.to_owned(),
                    greeted: false,
                    outbox: outbox.clone(),
                    hostname: String::new(),
                    version: String::new(),
                    claude_version: None,
                },
            );
        }
        Ok(Self {
            engine: engine.clone(),
            machine: id,
            instance: instance.to_owned(),
            connection: outbox.id(),
            outbox: outbox.clone(),
            greeted: false,
        })
    }

    /// Handles one frame from the agent.
    pub async fn received(&mut self, frame: AgentFrame) -> Result<(), LinkError> {
        match frame {
            AgentFrame::Hello {
                version,
                hostname,
                claude_version,
                projects,
                runs,
            } => {
                self.hello(version, hostname, claude_version, runs);
                self.offered(projects);
                self.greeted = true;
                self.announce();
            }
            _ if !self.greeted => return Err(LinkError::NoHello),
            AgentFrame::Projects { projects } => self.offered(projects),
            AgentFrame::Output {
                run,
                offset,
                lines,
                input,
            } => self.lines(&run, offset, lines, input).await,
            AgentFrame::Exited {
                run,
                offset,
                code,
                lost,
            } => self.exited(&run, offset, code, lost).await,
            AgentFrame::Response { id, outcome } => {
                self.engine.machines().answered(&self.machine, id, outcome);
            }
        }
        Ok(())
    }

    /// Records who the machine is, and settles each of its runs: the agent resumes those it
    /// still has from what the hub last received (and gets the input it missed), starts
    /// those that waited for it, and stops those the hub no longer holds. A run the hub
    /// started on an earlier link that the agent no longer has was lost with it.
    fn hello(
        &mut self,
        version: String,
        hostname: String,
        claude_version: Option<String>,
        agent_runs: Vec<RunState>,
    ) {
        let agent_runs: BTreeMap<String, u64> = agent_runs
            .into_iter()
            .map(|state| (state.run, state.input))
            .collect();
        let machines = self.engine.machines();
        let mut lost = Vec::new();
        {
            let mut state = machines.lock();
            state.last_hello.insert(
                self.machine.clone(),
                (hostname.clone(), version.clone(), claude_version.clone()),
            );
            if let Some(live) = state.live.get_mut(&self.machine) {
                (live.hostname, live.version, live.claude_version) =
                    (hostname, version, claude_version);
                live.greeted = true;
            }
            let mine: Vec<String> = (state.runs.iter())
                .filter(|(_, (machine, _))| *machine == self.machine)
                .map(|(id, _)| id.clone())
                .collect();
            for id in mine {
                let Some((_, run)) = state.runs.get_mut(&id) else {
                    continue;
                };
                if let Some(&had) = agent_runs.get(&id) {
                    run.inputs.retain(|(seq, _)| *seq > had);
                    send(
                        &self.outbox,
                        &HubFrame::Resume {
                            run: id.clone(),
                            after: run.received,
                        },
                    );
                } else if run
                    .started_by
                    .as_ref()
                    .is_some_and(|by| *by != self.instance)
                {
                    // Started by an agent that has since restarted: gone with it.
                    if let Some((_, run)) = state.runs.remove(&id) {
                        lost.push(run.output);
                    }
                    continue;
                } else {
                    // Never started, or told to this same agent on a link that dropped first.
                    run.started_by = send(&self.outbox, &start_frame(&id, &run.spec))
                        .then(|| self.instance.clone());
                }
                for (seq, line) in &run.inputs {
                    send(&self.outbox, &super::input_frame(&id, *seq, line));
                }
            }
            for stray in agent_runs.keys().filter(|id| !state.runs.contains_key(*id)) {
                send(&self.outbox, &HubFrame::Stop { run: stray.clone() });
            }
        }
        for output in lost {
            // Full or gone: its session is ending anyway.
            let _ = output.try_send(RunOutput::Exited {
                code: None,
                lost: true,
            });
        }
    }

    /// The projects the machine offers, kept as projects on it.
    fn offered(&self, projects: Vec<Project>) {
        for added in self.engine.projects().offered(&self.machine, projects) {
            self.engine.announce(&AccountEvent::ProjectAdded(added));
        }
    }

    /// Passes a run's output lines to its session, in order and once: a line the hub
    /// already has (replayed after a reconnect) is skipped, and a gap (a dropped frame) asks
    /// the agent to resume from the last line received. Output of a run the hub no longer
    /// holds is answered with a stop.
    async fn lines(&self, run: &str, first: u64, lines: Vec<OutputLine>, input: u64) {
        let Some(session) = self.accept(run, first, input) else {
            return;
        };
        for (at, line) in (first..).zip(lines) {
            // Room first: a link closed while it waits loses nothing it counted as received.
            let Ok(room) = session.reserve().await else {
                return;
            };
            if self.advance(run, at) {
                room.send(RunOutput::Line {
                    stderr: line.stream == Stream::Stderr,
                    line: line.line,
                });
            }
        }
    }

    /// Ends a run once the hub has all its output; the agent may then forget it.
    async fn exited(&self, run: &str, offset: u64, code: Option<i32>, lost: bool) {
        let session = {
            let mut state = self.engine.machines().lock();
            match state.runs.get(run) {
                Some((machine, held)) if *machine == self.machine => {
                    if offset > held.received {
                        self.resume_from(run, held.received);
                        return;
                    }
                    state.runs.remove(run).map(|(_, held)| held.output)
                }
                _ => None,
            }
        };
        if let Some(session) = session {
            // A session that ended no longer listens.
            let _ = session.send(RunOutput::Exited { code, lost }).await;
        }
        send(
            &self.outbox,
            &HubFrame::Ack {
                run: run.to_owned(),
                offset,
            },
        );
    }

    /// The session a batch of `run`'s output starting at line `first` goes to, once the input
    /// the agent confirms is forgotten; `None` after a stop (not the hub's run) or a resume
    /// (a gap).
    fn accept(&self, run: &str, first: u64, input: u64) -> Option<mpsc::Sender<RunOutput>> {
        let mut state = self.engine.machines().lock();
        match state.runs.get_mut(run) {
            Some((machine, held)) if *machine == self.machine => {
                held.inputs.retain(|(seq, _)| *seq > input);
                if first > held.received + 1 {
                    self.resume_from(run, held.received);
                    return None;
                }
                Some(held.output.clone())
            }
            _ => {
                send(
                    &self.outbox,
                    &HubFrame::Stop {
                        run: run.to_owned(),
                    },
                );
                None
            }
        }
    }

    /// Counts line `at` of `run` as received if it is the next one; acknowledges every
    /// [`ACK_EVERY`] lines.
    fn advance(&self, run: &str, at: u64) -> bool {
        let mut state = self.engine.machines().lock();
        let Some((_, held)) = state.runs.get_mut(run) else {
            return false;
        };
        if at != held.received + 1 {
            return false;
        }
        held.received = at;
        if at.is_multiple_of(ACK_EVERY) {
            send(
                &self.outbox,
                &HubFrame::Ack {
                    run: run.to_owned(),
                    offset: at,
                },
            );
        }
        true
    }

    fn resume_from(&self, run: &str, after: u64) {
        send(
            &self.outbox,
            &HubFrame::Resume {
                run: run.to_owned(),
                after,
            },
        );
    }

    /// Tells the owner's devices how the machine stands.
    fn announce(&self) {
        if let Some(machine) = self.describe() {
            self.engine.announce(&AccountEvent::MachineUpdated(machine));
        }
    }

    fn describe(&self) -> Option<Machine> {
        let devices = self.engine.devices().list();
        let device = devices
            .iter()
            .find(|device| device.id.as_str() == self.machine)?;
        self.engine
            .machines()
            .list(std::slice::from_ref(device))
            .pop()
    }
}

impl Drop for MachineLink {
    fn drop(&mut self) {
        let machines: &Machines = self.engine.machines();
        {
            let mut state = machines.lock();
            if state
                .live
                .get(&self.machine)
                .is_some_and(|live| live.connection == self.connection)
            {
                state.live.remove(&self.machine);
                Machines::forget_requests(&mut state, &self.machine);
            }
        }
        self.announce();
    }
}
