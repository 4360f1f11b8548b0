//! A session's conversation as clients see it, rebuilt from CLI lines. Every change returns the
//! events that announce it, so a client that applies the events ends in this same state.

use std::collections::HashMap;

use serde_json::{Value, json};

use self::tasks::TaskCall;
use super::cli_line::{CliLine, ControlRequest, TurnResult};
use super::model::{Approval, Message, Part, Role, SessionInfo, SessionStatus, Todo};
use crate::clock::unix_now;
use crate::store::SessionRecord;

/// An event to publish on the session's channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    pub event: &'static str,
    pub data: Value,
}

fn emit(event: &'static str, data: Value) -> Emit {
    Emit { event, data }
}

/// The assistant message being streamed: which part each content block index feeds.
struct Streaming {
    message_id: String,
    parts: HashMap<u64, String>,
    open: Option<u64>,
}

pub struct Transcript {
    pub info: SessionInfo,
    pub messages: Vec<Message>,
    pub approvals: Vec<Approval>,
    pub todos: Vec<Todo>,
    /// Task calls waiting for their results, by tool_use id.
    task_calls: HashMap<String, TaskCall>,
    streaming: Option<Streaming>,
    /// What earlier `claude` processes of this session cost: each process reports its own total.
    cost_of_earlier_processes: f64,
    user_messages: u64,
}

impl Transcript {
    pub fn new(info: SessionInfo) -> Self {
        Self {
            info,
            messages: Vec::new(),
            approvals: Vec::new(),
            todos: Vec::new(),
            task_calls: HashMap::new(),
            streaming: None,
            cost_of_earlier_processes: 0.0,
            user_messages: 0,
        }
    }

    /// A session saved by an earlier run, continuing where its saved state ends.
    pub fn restore(record: SessionRecord, messages: Vec<Message>) -> Self {
        let user_messages = messages
            .iter()
            .filter(|message| message.role == Role::User)
            .count() as u64;
        Self {
            messages,
            todos: record.todos,
            user_messages,
            ..Self::new(record.info)
        }
    }

    /// A new `claude` process starts: its cost count starts at zero.
    pub fn process_started(&mut self) {
        self.cost_of_earlier_processes = self.info.total_cost_usd;
        self.streaming = None;
        // The calls of an earlier process will never get their results.
        self.task_calls.clear();
    }

    /// Records a message the user sent; returns its id and the events.
    pub fn user_message(&mut self, text: &str) -> (String, Vec<Emit>) {
        self.user_messages += 1;
        let id = format!("user-{}", self.user_messages);
        let part = Part::Text {
            id: format!("{id}:0"),
            text: text.to_owned(),
        };
        let message = Message {
            id: id.clone(),
            role: Role::User,
            parts: vec![part],
        };
        let events = vec![emit("message.created", json!({ "message": message }))];
        self.messages.push(message);
        self.info.last_active_at = unix_now();
        (id, events)
    }

    /// Moves the session to `status`, with an error to show or none.
    pub fn set_status(&mut self, status: SessionStatus, error: Option<String>) -> Vec<Emit> {
        if self.info.status == status && self.info.last_error == error {
            return Vec::new();
        }
        self.info.status = status;
        self.info.last_error = error;
        self.info.last_active_at = unix_now();
        vec![self.session_updated()]
    }

    pub fn session_updated(&self) -> Emit {
        emit("session.updated", json!({ "session": self.info }))
    }

    /// Takes a pending approval out (the first answer wins).
    pub fn take_approval(&mut self, request_id: &str) -> Option<Approval> {
        let index = self
            .approvals
            .iter()
            .position(|approval| approval.request_id == request_id)?;
        Some(self.approvals.remove(index))
    }

    /// Applies one CLI line.
    pub fn apply(&mut self, line: &CliLine) -> Vec<Emit> {
        match line {
            CliLine::Init { session_id, model } => {
                // Every turn starts with init: a queued prompt's turn is running too.
                self.info.claude_session_id = Some(session_id.clone());
                self.info.model = Some(model.clone());
                self.info.last_active_at = unix_now();
                if self.approvals.is_empty() {
                    self.info.status = SessionStatus::Running;
                    self.info.last_error = None;
                }
                vec![self.session_updated()]
            }
            CliLine::Status {
                permission_mode: Some(mode),
            } => {
                self.info.permission_mode.clone_from(mode);
                vec![self.session_updated()]
            }
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
                let mut events = vec![emit(
                    "tool.approval_required",
                    json!({ "approval": approval }),
                )];
                self.approvals.push(approval);
                events.extend(self.set_status(SessionStatus::AwaitingApproval, None));
                events
            }
            CliLine::ControlCancel { request_id } => match self.take_approval(request_id) {
                Some(_) => self.resolved(request_id, "cancelled", None),
                None => Vec::new(),
            },
            CliLine::PermissionDenied { tool_name, message } => self.set_status(
                self.info.status,
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
    pub fn cancel_approvals(&mut self) -> Vec<Emit> {
        let pending = std::mem::take(&mut self.approvals);
        pending
            .iter()
            .flat_map(|approval| self.resolved(&approval.request_id, "cancelled", None))
            .collect()
    }

    /// Announces that an approval was settled, and resumes the turn's status.
    pub fn resolved(&mut self, request_id: &str, decision: &str, by: Option<&str>) -> Vec<Emit> {
        let mut events = vec![emit(
            "tool.approval_resolved",
            json!({ "request_id": request_id, "decision": decision, "by": by }),
        )];
        if self.approvals.is_empty() && self.info.status == SessionStatus::AwaitingApproval {
            events.extend(self.set_status(SessionStatus::Running, None));
        }
        events
    }

    fn turn_ended(&mut self, result: &TurnResult) -> Vec<Emit> {
        self.streaming = None;
        self.info.total_cost_usd = self.cost_of_earlier_processes + result.total_cost_usd;
        self.info.usage.add(&result.usage);
        let mut events = vec![emit(
            "usage.updated",
            json!({ "usage": self.info.usage, "total_cost_usd": self.info.total_cost_usd }),
        )];
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
mod tasks;
#[cfg(test)]
mod tests;
