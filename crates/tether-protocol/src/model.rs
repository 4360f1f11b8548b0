//! What clients see of a session: its summary, messages and parts, approvals, todos and usage.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// The `claude` process is starting.
    Starting,
    /// Ready for a message.
    Idle,
    /// A turn is under way.
    Running,
    /// A tool call waits for someone to allow or deny it.
    AwaitingApproval,
    /// The last turn was interrupted.
    Interrupted,
    /// A turn produced no output for longer than the stall timeout.
    Stalled,
    /// The last turn or the process failed; the next message starts it again.
    Errored,
    /// Archived: no more messages.
    Ended,
}

impl SessionStatus {
    /// The status's name on the wire (`awaiting_approval`).
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Idle => "idle",
            Self::Running => "running",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Interrupted => "interrupted",
            Self::Stalled => "stalled",
            Self::Errored => "errored",
            Self::Ended => "ended",
        }
    }

    /// A turn is under way (or starting, or waiting on a person) in this status.
    pub fn is_mid_turn(self) -> bool {
        matches!(
            self,
            Self::Starting | Self::Running | Self::AwaitingApproval | Self::Stalled
        )
    }
}

/// Tokens used, summed over the session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Usage {
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    #[ts(type = "number")]
    pub cache_creation_input_tokens: u64,
    #[ts(type = "number")]
    pub cache_read_input_tokens: u64,
}

impl Usage {
    /// Adds a turn's usage as the CLI reports it.
    pub fn add(&mut self, turn: &Value) {
        let get = |key: &str| turn[key].as_u64().unwrap_or_default();
        self.input_tokens += get("input_tokens");
        self.output_tokens += get("output_tokens");
        self.cache_creation_input_tokens += get("cache_creation_input_tokens");
        self.cache_read_input_tokens += get("cache_read_input_tokens");
    }
}

/// A session's summary, as lists and `session.updated` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionInfo {
    pub id: String,
    pub project_id: String,
    pub status: SessionStatus,
    pub model: Option<String>,
    pub permission_mode: String,
    /// The CLI's own id for the conversation (what `--resume` takes), once known.
    pub claude_session_id: Option<String>,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub created_at: u64,
    /// When the status last changed (a prompt that starts a turn changes it), in seconds since
    /// the Unix epoch.
    #[ts(type = "number")]
    pub last_active_at: u64,
    pub total_cost_usd: f64,
    pub usage: Usage,
    /// The last failure, in words, while it is relevant.
    pub last_error: Option<String>,
    /// The Claude Code session (from its transcripts) this one carries on, if any.
    #[serde(default)]
    pub origin: Option<Origin>,
    /// The name its user gave it (`sessions.rename`), if any.
    #[serde(default)]
    pub title: Option<String>,
    /// The machine (its device id) it runs on; none for this computer.
    #[serde(default)]
    pub machine: Option<String>,
}

/// A Claude Code session that a Tether session carries on: resumed, or forked into a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Origin {
    /// The CLI's id of the session carried on (a transcript's id).
    pub transcript_id: String,
    /// Forked (`--fork-session`): the CLI gives the continuation an id of its own.
    pub fork: bool,
}

impl SessionInfo {
    /// A session just made: idle, with nothing used yet.
    pub fn new(
        id: String,
        project_id: String,
        model: Option<String>,
        permission_mode: String,
        created_at: u64,
    ) -> Self {
        Self {
            id,
            project_id,
            status: SessionStatus::Idle,
            model,
            permission_mode,
            claude_session_id: None,
            created_at,
            last_active_at: created_at,
            total_cost_usd: 0.0,
            usage: Usage::default(),
            last_error: None,
            origin: None,
            title: None,
            machine: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Message {
    pub id: String,
    pub role: Role,
    pub parts: Vec<Part>,
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Text {
        id: String,
        text: String,
    },
    /// The model's reasoning before it answers.
    Thinking {
        id: String,
        text: String,
    },
    /// An image attached to a prompt.
    Image {
        id: String,
        /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`.
        media_type: String,
        /// The image, base64-encoded.
        data: String,
    },
    ToolUse {
        /// The CLI's tool_use id; the result is paired with it.
        id: String,
        name: String,
        #[ts(type = "unknown")]
        input: Value,
        result: Option<ToolOutcome>,
    },
}

impl Part {
    pub fn id(&self) -> &str {
        match self {
            Self::Text { id, .. }
            | Self::Thinking { id, .. }
            | Self::Image { id, .. }
            | Self::ToolUse { id, .. } => id,
        }
    }
}

/// What a tool call returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ToolOutcome {
    #[ts(type = "unknown")]
    pub content: Value,
    pub is_error: bool,
}

/// A tool call waiting for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Approval {
    pub request_id: String,
    pub tool_use_id: Option<String>,
    pub tool_name: String,
    #[ts(type = "unknown")]
    pub input: Value,
    pub description: Option<String>,
    /// Rules the CLI proposes for "always allow".
    #[ts(type = "Array<unknown>")]
    pub suggestions: Vec<Value>,
}

/// One item of the session's todo list (from the TodoWrite or task tools; unknown fields are
/// ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Todo {
    /// The CLI's id for a task made by TaskCreate; TodoWrite items have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<String>,
    pub content: String,
    pub status: String,
    #[serde(
        rename = "activeForm",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[ts(optional)]
    pub active_form: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::SessionStatus;

    #[test]
    fn each_status_wire_name_is_its_serde_name() {
        use SessionStatus::*;
        for status in [
            Starting,
            Idle,
            Running,
            AwaitingApproval,
            Interrupted,
            Stalled,
            Errored,
            Ended,
        ] {
            let encoded = serde_json::to_value(status).unwrap_or_default();
            assert_eq!(encoded, status.wire_name(), "{status:?}");
        }
    }
}

/// A slash command the CLI offers a session (from its `initialize` answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SlashCommand {
    /// Without the slash, e.g. `compact`.
    pub name: String,
    pub description: String,
    /// What it takes after its name, e.g. `[focus]`; empty when nothing.
    pub argument_hint: String,
    /// Other names it answers to, e.g. `cost` for `usage`.
    pub aliases: Vec<String>,
    pub kind: CommandKind,
}

/// Where a slash command comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Built into Claude Code.
    Builtin,
    /// The project's own, from its `.claude/commands/`.
    Project,
    /// The user's own, from `~/.claude/commands/`.
    User,
    /// A skill, plugin or workflow.
    Skill,
}
