//! The data of each event, as its frame's `data` carries it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::Device;
use crate::model::{Approval, Message, Part, SessionInfo, Todo, Usage};

/// `message.created`: a user message arrives whole; an assistant message starts empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MessageCreated {
    pub message: Message,
}

/// `part.created`: a new part of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PartCreated {
    pub message_id: String,
    pub part: Part,
}

/// `part.delta`: the next piece of a text part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PartDelta {
    pub message_id: String,
    pub part_id: String,
    pub text: String,
}

/// `part.updated`: a part's final form (a tool call gets its result here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PartUpdated {
    pub message_id: String,
    pub part: Part,
}

/// `usage.updated`: tokens and cost summed over the session, after each turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageUpdated {
    pub usage: Usage,
    pub total_cost_usd: f64,
}

/// `tool.approval_required`: a tool call waits for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ApprovalRequired {
    pub approval: Approval,
}

/// How an approval was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    AllowAlways,
    Deny,
    /// Its turn or its process ended first.
    Cancelled,
}

/// `tool.approval_resolved`: the first answer to an approval, and who gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ApprovalResolved {
    pub request_id: String,
    pub decision: Decision,
    pub by: Option<String>,
}

/// `todo.updated`: the session's todo list, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TodoUpdated {
    pub todos: Vec<Todo>,
}

/// `agents.updated`: the agents the CLI offers, as it lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AgentsUpdated {
    #[ts(type = "Array<unknown>")]
    pub agents: Vec<Value>,
}

/// `{session}`: a session's summary, on its own channel and in session lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionSummary {
    pub session: SessionInfo,
}

/// `session.ended` on the session's channel: what it cost in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionEnded {
    pub total_cost_usd: f64,
    pub usage: Usage,
    #[ts(type = "number")]
    pub duration_ms: u64,
}

/// `pairing.started`: when the new code expires (never the code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PairingStarted {
    #[ts(type = "number")]
    pub expires_at: u64,
}

/// How a pairing request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PairingOutcome {
    Approved,
    Denied,
    /// The device stopped waiting.
    Withdrawn,
    /// The device could not be saved; it is told to try again.
    Failed,
}

/// `pairing.resolved`: a waiting device's request ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PairingResolved {
    pub id: String,
    pub outcome: PairingOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub device: Option<Device>,
}

/// `pairing.wrong_code`: a wrong code was tried from `address`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PairingWrongCode {
    pub address: Option<String>,
    pub tries: u32,
    pub tries_left: u32,
}

/// `pairing.burned`: too many wrong codes in all; the code no longer works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PairingBurned {
    pub address: Option<String>,
}

/// `session.deleted`: an archived session was removed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionDeleted {
    pub session_id: String,
}

/// `store.updated`: saving broke (the problem in words) or works again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StoreUpdated {
    pub problem: Option<String>,
}
