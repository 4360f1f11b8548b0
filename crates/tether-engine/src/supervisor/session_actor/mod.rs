//! The session actor: one task owns one session's `claude` process, its transcript and its status.
//! Commands arrive from handles; CLI lines become state and events; a watchdog flags silence.

use self::changes::{Changes, sleep_until};
use self::sent::SentPrompts;
use self::slash::SlashMenu;
use std::io;
use std::path::PathBuf;

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

mod changes;
mod commands;
mod saving;
mod sent;
mod slash;

use super::child::{Child, Output};
use super::control;
use super::handle::{Command, SessionError};
use super::launch;
use super::orphans;
use super::process::ClaudeProcess;
use super::session_reducer::{Prompt, SessionReducer};
use super::slash_commands;
use super::stream_json::{self, CliLine, ControlRequest};
use crate::config::ClaudeSettings;
use crate::engine::Engine;
use tether_protocol::events::SessionEvent;
use tether_protocol::model::{SessionInfo, SessionStatus};
use tether_protocol::{ChannelKind, ChannelName};

/// The id of the `initialize` request sent to every new child.
const INIT_REQUEST: &str = "tether-init";

/// What happened next, for the actor to handle.
enum Next {
    Command(Option<Command>),
    Stdout(io::Result<Option<String>>),
    Stderr(io::Result<Option<String>>),
    Stalled,
    /// A setting change's answer is overdue.
    Unanswered,
    Stop,
}

pub(super) struct Actor {
    engine: Engine,
    settings: ClaudeSettings,
    cwd: PathBuf,
    reducer: SessionReducer,
    info: watch::Sender<SessionInfo>,
    process: Option<Child>,
    last_output: Instant,
    requests: u64,
    last_prompt: Option<Prompt>,
    /// The message each recent client prompt id became.
    sent: SentPrompts,
    /// Setting changes sent to the child, waiting for its answer.
    awaiting: Changes,
    started: Instant,
    /// False once the child's stderr has ended (it is not polled again).
    stderr_open: bool,
    slash: SlashMenu,
}

impl Actor {
    pub fn new(
        engine: Engine,
        cwd: PathBuf,
        reducer: SessionReducer,
        watch: watch::Sender<SessionInfo>,
    ) -> Self {
        let settings = engine.config().claude.clone();
        Self {
            engine,
            settings,
            cwd,
            reducer,
            info: watch,
            process: None,
            last_output: Instant::now(),
            requests: 0,
            last_prompt: None,
            sent: SentPrompts::default(),
            awaiting: Changes::default(),
            started: Instant::now(),
            stderr_open: false,
            slash: SlashMenu::default(),
        }
    }

    /// Marks a turn that an engine stop or crash cut short as interrupted, through the same
    /// event clients follow, so the session's log says what `sessions.get` says. A new or
    /// settled session is left as it is.
    pub fn settle_cut_turn(&mut self) {
        if self.reducer.info().status.is_mid_turn() {
            let note =
                "Tether stopped during this turn; send a message to continue the conversation";
            self.update(SessionStatus::Interrupted, Some(note.to_owned()));
        }
    }

    /// Runs until the session is archived, every handle is gone, or the engine stops; then
    /// stops the child and its process group.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>, stop: CancellationToken) {
        loop {
            let next = self.next(&mut commands, &stop).await;
            let keep_going = match next {
                Next::Command(Some(command)) => self.command(command).await,
                Next::Command(None) | Next::Stop => false,
                Next::Stdout(Ok(Some(line))) => {
                    self.line(&line).await;
                    true
                }
                Next::Stdout(_) => {
                    self.exited().await;
                    true
                }
                Next::Stderr(Ok(Some(line))) => {
                    tracing::debug!(session = %self.reducer.info().id, %line, "claude stderr");
                    if let Some(process) = self.process.as_mut() {
                        process.note_stderr(line);
                    }
                    true
                }
                Next::Stderr(_) => {
                    self.stderr_open = false;
                    true
                }
                Next::Stalled => {
                    let seconds = self.settings.stall_timeout.as_secs();
                    let note =
                        format!("no output from claude for {seconds} s; cancel to stop the turn");
                    self.update(SessionStatus::Stalled, Some(note));
                    self.engine.metrics().claude_stalls.add(1);
                    true
                }
                Next::Unanswered => {
                    self.unanswered();
                    true
                }
            };
            if !keep_going {
                break;
            }
        }
        self.stop_process().await;
    }

    async fn next(
        &mut self,
        commands: &mut mpsc::Receiver<Command>,
        stop: &CancellationToken,
    ) -> Next {
        // Only a turn that should be producing output is watched (not one waiting for a person).
        let watching = self.reducer.info().status == SessionStatus::Running
            && self.reducer.view().approvals.is_empty()
            && self.process.is_some();
        let deadline = self.last_output + self.settings.stall_timeout;
        let answer_due = self.awaiting.next_deadline();
        let Some(process) = self.process.as_mut() else {
            return tokio::select! {
                command = commands.recv() => Next::Command(command),
                () = stop.cancelled() => Next::Stop,
            };
        };
        tokio::select! {
            command = commands.recv() => Next::Command(command),
            output = process.next(self.stderr_open) => match output {
                Output::Stdout(line) => Next::Stdout(line),
                Output::Stderr(line) => Next::Stderr(line),
            },
            () = tokio::time::sleep_until(deadline), if watching => Next::Stalled,
            () = sleep_until(answer_due), if answer_due.is_some() => Next::Unanswered,
            () = stop.cancelled() => Next::Stop,
        }
    }

    /// Starts `claude` if it is not running, and asks it for its agents (`initialize`); the
    /// session is `starting` until its turn runs.
    async fn ensure_process(&mut self) -> Result<(), SessionError> {
        self.start_process(true).await
    }

    /// Starts `claude` if it is not running; `announce` says so in the session's status (a
    /// start only to list its commands leaves the status as it is: nothing runs).
    async fn start_process(&mut self, announce: bool) -> Result<(), SessionError> {
        if self.process.is_some() {
            return Ok(());
        }
        let info = self.reducer.info();
        let spec = launch::run_spec(info);
        let process = match &info.machine {
            Some(machine) if self.engine.devices().describe(machine).is_none() => {
                let why =
                    format!("the machine {machine} was removed; this session can no longer run");
                return Err(SessionError::Spawn(why));
            }
            Some(machine) => Child::Remote(self.engine.machines().start(machine, spec)),
            None => {
                let launch = launch::launch(&self.settings, &spec, &self.cwd)?;
                let process = ClaudeProcess::spawn(&launch)
                    .map_err(|error| SessionError::Spawn(error.to_string()))?;
                orphans::record(&self.engine.config().data_dir, &process);
                Child::Local(Box::new(process))
            }
        };
        let resume = info.claude_session_id.is_some();
        tracing::info!(session = %info.id, group = process.group(), machine = info.machine, resume, "claude started");
        if resume {
            self.engine.metrics().claude_restarts.add(1);
        }
        let waiting = process.waiting_for(self.engine.machines());
        self.process = Some(process);
        self.stderr_open = true;
        self.reducer.process_started();
        if announce {
            let note = waiting.map(|machine| crate::machines::queued_note(&self.engine, &machine));
            self.update(SessionStatus::Starting, note);
        }
        self.write(&control::request(
            INIT_REQUEST,
            json!({ "subtype": "initialize", "hooks": null }),
        ))
        .await;
        Ok(())
    }

    /// Writes a line to the child; false when it is gone.
    async fn write(&mut self, line: &str) -> bool {
        let machines = self.engine.machines();
        match self.process.as_mut() {
            Some(process) => process
                .write(machines, line, self.settings.write_timeout)
                .await
                .is_ok(),
            None => false,
        }
    }

    /// Sends a control request to a running child (a later child starts with the same settings).
    /// Returns the request's id when it reached a running child.
    async fn control(&mut self, body: Value) -> Option<String> {
        self.process.as_ref()?;
        self.requests += 1;
        let id = format!("tether-{}", self.requests);
        self.write(&control::request(&id, body)).await.then_some(id)
    }

    async fn line(&mut self, line: &str) {
        self.last_output = Instant::now();
        let parsed = match stream_json::parse(line) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::warn!(session = %self.reducer.info().id, %error, "unreadable line from claude");
                return;
            }
        };
        match &parsed {
            CliLine::ControlResponse {
                request_id,
                outcome: Ok(response),
            } if request_id == INIT_REQUEST => {
                let agents = response["agents"].as_array().cloned().unwrap_or_default();
                let events = self.reducer.set_agents(agents);
                self.publish(events);
                self.slash
                    .answered(slash_commands::from_initialize(response));
            }
            CliLine::ControlResponse {
                request_id,
                outcome,
            } => {
                if let Err(error) = outcome {
                    tracing::warn!(session = %self.reducer.info().id, request_id, error, "claude refused a control request");
                }
                self.answered(request_id, outcome);
            }
            CliLine::Other { kind, .. } => {
                tracing::debug!(session = %self.reducer.info().id, kind, "unhandled claude line");
            }
            CliLine::ControlRequest {
                request_id,
                request: ControlRequest::Other { subtype },
            } => {
                // Never leave the CLI waiting for an answer to a request Tether does not serve.
                let refusal = control::refuse(
                    request_id,
                    &format!("Tether does not handle {subtype:?} requests"),
                );
                self.write(&refusal).await;
            }
            _ => {}
        }
        if self.reducer.info().status == SessionStatus::Stalled {
            self.update(SessionStatus::Running, None);
        }
        let events = self.reducer.apply(&parsed);
        self.publish(events);
    }

    /// The child ended on its own: report it; the next message starts it again, resuming.
    async fn exited(&mut self) {
        let Some(process) = self.process.take() else {
            return;
        };
        self.settle_awaiting();
        let tail = process.stderr_tail();
        self.slash.failed(&format!(
            "claude exited before it listed its commands: {tail}"
        ));
        let group = process.group();
        let lost = process
            .lost()
            .then(|| process.machine().map(str::to_owned))
            .flatten();
        // Whatever it started (tool commands) is still in its group: end the group too.
        let status = process
            .stop(self.engine.machines(), self.settings.stop_grace)
            .await;
        if let Some(group) = group {
            orphans::forget(&self.engine.config().data_dir, group);
        }
        self.resolve_all_pending();
        if let Some(machine) = lost {
            let note = match self.engine.devices().describe(&machine) {
                Some(_) => "the machine restarted during this turn; send a message to continue \
                            the conversation"
                    .to_owned(),
                None => {
                    format!("the machine {machine} was removed; this session can no longer run")
                }
            };
            self.update(SessionStatus::Interrupted, Some(note));
            return;
        }
        let clean = status.is_some_and(|status| status.success());
        let busy = matches!(
            self.reducer.info().status,
            SessionStatus::Running | SessionStatus::AwaitingApproval | SessionStatus::Stalled
        );
        if clean && !busy {
            return;
        }
        let code = status.map_or_else(|| "unknown".to_owned(), |status| status.to_string());
        let detail = if tail.is_empty() {
            String::new()
        } else {
            format!(": {tail}")
        };
        let note =
            format!("claude exited ({code}){detail}; send a message to continue the conversation");
        tracing::warn!(session = %self.reducer.info().id, %note, "claude exited");
        self.update(SessionStatus::Errored, Some(note));
    }

    fn resolve_all_pending(&mut self) {
        let events = self.reducer.cancel_approvals();
        self.publish(events);
    }

    async fn stop_process(&mut self) {
        self.settle_awaiting();
        self.slash
            .failed("claude was stopped before it listed its commands");
        if let Some(process) = self.process.take() {
            let group = process.group();
            process
                .stop(self.engine.machines(), self.settings.stop_grace)
                .await;
            if let Some(group) = group {
                orphans::forget(&self.engine.config().data_dir, group);
            }
            tracing::info!(session = %self.reducer.info().id, group, "claude stopped");
        }
    }

    fn update(&mut self, status: SessionStatus, error: Option<String>) {
        let events = self.reducer.set_status(status, error);
        self.publish(events);
    }

    /// Publishes on the session's channel (summaries also go to its project and the owner),
    /// and saves what the events changed.
    fn publish(&mut self, events: Vec<SessionEvent>) {
        self.save(&events);
        let info = self.reducer.info();
        let hub = self.engine.hub();
        let channel = ChannelName::new(ChannelKind::Session, &info.id);
        let project = ChannelName::new(ChannelKind::Project, &info.project_id);
        for event in &events {
            if let Some(channel) = &channel {
                hub.publish(channel, event);
            }
            if let Some((for_project, for_owner)) = event.summary(info) {
                if let Some(project) = &project {
                    hub.publish(project, &for_project);
                }
                self.engine.announce(&for_owner);
            }
        }
        self.info.send_replace(info.clone());
    }
}
