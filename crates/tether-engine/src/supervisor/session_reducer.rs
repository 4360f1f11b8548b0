//! The session reducer: a session's conversation, rebuilt step by step from CLI lines, prompts,
//! decisions and status changes. Every step returns the events that announce it, and the state
//! changes only by applying them, so a client that applies the events ends in this same state.

use std::collections::HashMap;

pub use self::prompts::{Image, Prompt};
use self::tasks::TaskCall;
use super::stream_json::{CliLine, ControlRequest, TurnResult};
use tether_protocol::clock::unix_now;
use tether_protocol::events::{
    AgentsUpdated, ApprovalRequired, ApprovalResolved, Decision, SessionEnded, SessionEvent,
    SessionSummary, TodoUpdated, UsageUpdated,
};
use tether_protocol::model::{Approval, Message, Role, SessionInfo, SessionStatus, Todo};
use tether_protocol::session_view::SessionView;
use tether_store::SessionRecord;

/// The assistant message being streamed: which part each content block index feeds.
struct Streaming {
    message_id: String,
    parts: HashMap<u64, String>,
    open: Option<u64>,
}

/// A session's state, changed only by the events each step returns: every step decides its
/// events from the state as it is, and applies each through the clients' own reducer.
pub struct SessionReducer {
    view: SessionView,
    /// Task calls waiting for their results, by tool_use id.
    task_calls: HashMap<String, TaskCall>,
    streaming: Option<Streaming>,
    /// What earlier `claude` processes of this session cost: each process reports its own total.
    cost_of_earlier_processes: f64,
    user_messages: u64,
}

impl SessionReducer {
    pub fn new(info: SessionInfo) -> Self {
        Self::from_view(SessionView::new(info))
    }

    fn from_view(view: SessionView) -> Self {
        let user_messages = view
            .messages
            .iter()
            .filter(|message| message.role == Role::User)
            .count() as u64;
        Self {
            view,
            task_calls: HashMap::new(),
            streaming: None,
            cost_of_earlier_processes: 0.0,
            user_messages,
        }
    }

    /// A session saved by an earlier run, continuing where its saved state ends.
    pub fn restore(record: SessionRecord, messages: Vec<Message>) -> Self {
        Self::from_view(SessionView {
            messages,
            todos: record.todos,
            ..SessionView::new(record.info)
        })
    }

    /// The session as clients see it.
    pub fn view(&self) -> &SessionView {
        &self.view
    }

    pub fn info(&self) -> &SessionInfo {
        &self.view.session
    }

    /// Applies `event` and adds it to `events`.
    fn push(&mut self, events: &mut Vec<SessionEvent>, event: SessionEvent) {
        self.view.apply(&event);
        events.push(event);
    }

    /// Announces the summary as `change` leaves it.
    fn update_info(
        &mut self,
        events: &mut Vec<SessionEvent>,
        change: impl FnOnce(&mut SessionInfo),
    ) {
        let mut session = self.view.session.clone();
        change(&mut session);
        self.push(
            events,
            SessionEvent::SessionUpdated(SessionSummary { session }),
        );
    }

    /// One event that `change` makes of the summary.
    fn updated(&mut self, change: impl FnOnce(&mut SessionInfo)) -> Vec<SessionEvent> {
        let mut events = Vec::new();
        self.update_info(&mut events, change);
        events
    }

    /// A new `claude` process starts: its cost count starts at zero.
    pub fn process_started(&mut self) {
        self.cost_of_earlier_processes = self.view.session.total_cost_usd;
        self.streaming = None;
        // The calls of an earlier process will never get their results.
        self.task_calls.clear();
    }

    /// Moves the session to `status`, with an error to show or none.
    pub fn set_status(
        &mut self,
        status: SessionStatus,
        error: Option<String>,
    ) -> Vec<SessionEvent> {
        let info = &self.view.session;
        if info.status == status && info.last_error == error {
            return Vec::new();
        }
        self.updated(|info| {
            info.status = status;
            info.last_error = error;
            info.last_active_at = unix_now();
        })
    }

    /// Uses `model` from now on.
    pub fn set_model(&mut self, model: Option<String>) -> Vec<SessionEvent> {
        self.updated(|info| info.model = model)
    }

    /// Names the session (none: it has no name).
    pub fn set_title(&mut self, title: Option<String>) -> Vec<SessionEvent> {
        self.updated(|info| info.title = title)
    }

    /// Uses the permission mode `mode` from now on.
    pub fn set_permission_mode(&mut self, mode: String) -> Vec<SessionEvent> {
        self.updated(|info| info.permission_mode = mode)
    }

    /// Replaces the todo list.
    pub fn set_todos(&mut self, todos: Vec<Todo>) -> Vec<SessionEvent> {
        let mut events = Vec::new();
        self.push(
            &mut events,
            SessionEvent::TodoUpdated(TodoUpdated { todos }),
        );
        events
    }

    /// The agents the CLI offers, as it listed them.
    pub fn set_agents(&mut self, agents: Vec<serde_json::Value>) -> Vec<SessionEvent> {
        let mut events = Vec::new();
        self.push(
            &mut events,
            SessionEvent::AgentsUpdated(AgentsUpdated { agents }),
        );
        events
    }

    /// The session was archived after `duration_ms` of this run.
    pub fn ended(&mut self, duration_ms: u64) -> Vec<SessionEvent> {
        let info = &self.view.session;
        let ended = SessionEnded {
            total_cost_usd: info.total_cost_usd,
            usage: info.usage.clone(),
            duration_ms,
        };
        let mut events = Vec::new();
        self.push(&mut events, SessionEvent::SessionEnded(ended));
        events
    }

    /// The pending approval `request_id`, if it still waits.
    pub fn approval(&self, request_id: &str) -> Option<&Approval> {
        self.view
            .approvals
            .iter()
            .find(|approval| approval.request_id == request_id)
    }

    /// Applies one CLI line.
    pub fn apply(&mut self, line: &CliLine) -> Vec<SessionEvent> {
        match line {
            CliLine::Init { session_id, model } => {
                // Every turn starts with init: a queued prompt's turn is running too.
                let settled = self.view.approvals.is_empty();
                self.updated(|info| {
                    info.claude_session_id = Some(session_id.clone());
                    info.model = Some(model.clone());
                    info.last_active_at = unix_now();
                    if settled {
                        info.status = SessionStatus::Running;
                        info.last_error = None;
                    }
                })
            }
            CliLine::Status {
                permission_mode: Some(mode),
            } => self.set_permission_mode(mode.clone()),
            CliLine::ApiRetry {
                attempt,
                max_retries,
                error_status,
                error,
            } => {
                let status = error_status
                    .map_or_else(|| "no response".to_owned(), |code| format!("HTTP {code}"));
                let note =
                    format!("API error ({status}, {error}); retry {attempt} of {max_retries}");
                self.set_status(SessionStatus::Running, Some(note))
            }
            CliLine::Stream(event) => self.stream(event),
            CliLine::Assistant {
                message_id, blocks, ..
            } => blocks
                .iter()
                .flat_map(|block| self.assistant_block(message_id, block))
                .collect(),
            CliLine::ToolResults(results) => results
                .iter()
                .flat_map(|result| {
                    let mut events = self.tool_result(result);
                    events.extend(self.todo_result(result));
                    events
                })
                .collect(),
            CliLine::Result(result) => self.turn_ended(result),
            CliLine::ControlRequest {
                request_id,
                request:
                    ControlRequest::CanUseTool {
                        tool_name,
                        input,
                        tool_use_id,
                        description,
                        suggestions,
                    },
            } => {
                let approval = Approval {
                    request_id: request_id.clone(),
                    tool_use_id: tool_use_id.clone(),
                    tool_name: tool_name.clone(),
                    input: input.clone(),
                    description: description.clone(),
                    suggestions: suggestions.clone(),
                };
                let mut events = Vec::new();
                self.push(
                    &mut events,
                    SessionEvent::ApprovalRequired(ApprovalRequired { approval }),
                );
                events.extend(self.set_status(SessionStatus::AwaitingApproval, None));
                events
            }
            CliLine::ControlCancel { request_id } => match self.approval(request_id) {
                Some(_) => self.resolved(request_id, Decision::Cancelled, None),
                None => Vec::new(),
            },
            CliLine::PermissionDenied { tool_name, message } => self.set_status(
                self.view.session.status,
                Some(format!("{tool_name} was denied: {message}")),
            ),
            CliLine::Status {
                permission_mode: None,
            }
            | CliLine::ControlRequest { .. }
            | CliLine::ControlResponse { .. }
            | CliLine::Other { .. } => Vec::new(),
        }
    }

    /// Settles every pending approval as cancelled (its turn or its process ended).
    pub fn cancel_approvals(&mut self) -> Vec<SessionEvent> {
        let pending: Vec<String> = (self.view.approvals.iter())
            .map(|approval| approval.request_id.clone())
            .collect();
        pending
            .iter()
            .flat_map(|request_id| self.resolved(request_id, Decision::Cancelled, None))
            .collect()
    }

    /// Settles an approval (the first answer wins), and resumes the turn's status once none
    /// waits.
    pub fn resolved(
        &mut self,
        request_id: &str,
        decision: Decision,
        by: Option<&str>,
    ) -> Vec<SessionEvent> {
        if self.approval(request_id).is_none() {
            // The first answer won already.
            return Vec::new();
        }
        let mut events = Vec::new();
        let resolved = ApprovalResolved {
            request_id: request_id.to_owned(),
            decision,
            by: by.map(str::to_owned),
        };
        self.push(&mut events, SessionEvent::ApprovalResolved(resolved));
        if self.view.approvals.is_empty()
            && self.view.session.status == SessionStatus::AwaitingApproval
        {
            events.extend(self.set_status(SessionStatus::Running, None));
        }
        events
    }

    fn turn_ended(&mut self, result: &TurnResult) -> Vec<SessionEvent> {
        self.streaming = None;
        let mut usage = self.view.session.usage.clone();
        usage.add(&result.usage);
        let mut events = Vec::new();
        let total_cost_usd = self.cost_of_earlier_processes + result.total_cost_usd;
        self.push(
            &mut events,
            SessionEvent::UsageUpdated(UsageUpdated {
                usage,
                total_cost_usd,
            }),
        );
        let aborted = result
            .terminal_reason
            .as_deref()
            .is_some_and(|reason| reason.starts_with("aborted"));
        let (status, error) = if aborted {
            (SessionStatus::Interrupted, None)
        } else if result.is_error {
            let why = result
                .text
                .clone()
                .or_else(|| result.errors.first().cloned())
                .unwrap_or_else(|| result.subtype.clone());
            (SessionStatus::Errored, Some(why))
        } else {
            (SessionStatus::Idle, None)
        };
        // Approvals cannot outlive their turn.
        events.extend(self.cancel_approvals());
        events.extend(self.set_status(status, error));
        events
    }
}

mod parts;
mod prompts;
mod tasks;
#[cfg(test)]
mod tests;
