//! A session as a client holds it, and the one reducer that applies its events. The engine's
//! transcript changes only through this reducer, so a client that applies the same events in
//! offset order holds exactly what `sessions.get` returns.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::Position;
use super::events::{
    AgentsUpdated, ApprovalRequired, ApprovalResolved, MessageCreated, PartCreated, PartDelta,
    PartUpdated, SessionEnded, SessionEvent, SessionSummary, TodoUpdated, UsageUpdated,
};
use super::model::{Approval, Message, Part, SessionInfo, Todo};

/// Everything a client draws of one session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub session: SessionInfo,
    pub messages: Vec<Message>,
    pub approvals: Vec<Approval>,
    pub todos: Vec<Todo>,
    pub agents: Vec<Value>,
}

impl SessionView {
    /// A session with no conversation yet.
    pub fn new(session: SessionInfo) -> Self {
        Self {
            session,
            messages: Vec::new(),
            approvals: Vec::new(),
            todos: Vec::new(),
            agents: Vec::new(),
        }
    }

    /// Applies one event. An event about a message or part this view does not hold changes
    /// nothing (the engine never sends one).
    pub fn apply(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::MessageCreated(MessageCreated { message }) => {
                if self.message(&message.id).is_none() {
                    self.messages.push(message.clone());
                }
            }
            SessionEvent::PartCreated(PartCreated { message_id, part }) => {
                if let Some(message) = self.message(message_id) {
                    message.parts.push(part.clone());
                }
            }
            SessionEvent::PartDelta(PartDelta {
                message_id,
                part_id,
                text,
            }) => {
                if let Some(Part::Text { text: whole, .. }) = self.part(message_id, part_id) {
                    whole.push_str(text);
                }
            }
            SessionEvent::PartUpdated(PartUpdated { message_id, part }) => {
                if let Some(known) = self.part(message_id, part.id()) {
                    *known = part.clone();
                }
            }
            SessionEvent::UsageUpdated(UsageUpdated {
                usage,
                total_cost_usd,
            })
            | SessionEvent::SessionEnded(SessionEnded {
                usage,
                total_cost_usd,
                ..
            }) => {
                self.session.usage = usage.clone();
                self.session.total_cost_usd = *total_cost_usd;
            }
            SessionEvent::ApprovalRequired(ApprovalRequired { approval }) => {
                self.approvals.push(approval.clone());
            }
            SessionEvent::ApprovalResolved(ApprovalResolved { request_id, .. }) => {
                self.approvals
                    .retain(|approval| approval.request_id != *request_id);
            }
            SessionEvent::TodoUpdated(TodoUpdated { todos }) => self.todos.clone_from(todos),
            SessionEvent::AgentsUpdated(AgentsUpdated { agents }) => {
                self.agents.clone_from(agents);
            }
            SessionEvent::SessionUpdated(SessionSummary { session }) => {
                self.session.clone_from(session);
            }
        }
    }

    fn message(&mut self, id: &str) -> Option<&mut Message> {
        self.messages.iter_mut().find(|message| message.id == id)
    }

    fn part(&mut self, message_id: &str, part_id: &str) -> Option<&mut Part> {
        let message = self.message(message_id)?;
        message.parts.iter_mut().find(|part| part.id() == part_id)
    }
}

/// A session's full state, for `sessions.get` and reloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionSnapshot {
    pub session: SessionInfo,
    pub messages: Vec<Message>,
    pub approvals: Vec<Approval>,
    pub todos: Vec<Todo>,
    /// The agents the CLI offers (from its `initialize` answer), once known.
    #[ts(type = "Array<unknown>")]
    pub agents: Vec<Value>,
    /// Where the session's channel stood when this was taken: subscribe with it as `since`
    /// and the events that follow apply on top of this snapshot, none twice.
    pub position: Option<Position>,
    /// When `messages` is the last page only (`sessions.get` with `parts`): pass as `before`
    /// to `sessions.read` for the page before; absent when every message is here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub before: Option<u64>,
}

/// Messages that come before a later page (`sessions.read`, `terminal.read`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MessagePage {
    pub messages: Vec<Message>,
    /// Pass as `before` for the page before this one; none at the start.
    #[ts(type = "number | null")]
    pub before: Option<u64>,
}

impl SessionSnapshot {
    /// `view` as it stood at `position`.
    pub fn new(view: SessionView, position: Option<Position>) -> Self {
        let SessionView {
            session,
            messages,
            approvals,
            todos,
            agents,
        } = view;
        Self {
            session,
            messages,
            approvals,
            todos,
            agents,
            position,
            before: None,
        }
    }

    /// What a client draws of this snapshot, before applying the events after `position`.
    pub fn view(&self) -> SessionView {
        SessionView {
            session: self.session.clone(),
            messages: self.messages.clone(),
            approvals: self.approvals.clone(),
            todos: self.todos.clone(),
            agents: self.agents.clone(),
        }
    }
}
