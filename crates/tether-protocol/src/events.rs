//! The events of each channel kind, one typed variant per documented event. The hub encodes an
//! event's data once; its wire name, the channels it goes to and what it changes are methods
//! here, never string look-ups.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use ts_rs::TS;

use super::ChannelKind;
use super::model::{Approval, Message, Part, SessionInfo, Todo, Usage};
use crate::AuthorizedKey;
use crate::Device;
use crate::LanStatus;
use crate::PairingRequest;
use crate::Project;

/// An event as the hub publishes it: a wire name and its data, encoded once.
pub trait WireEvent {
    /// The kind of channel this event is published on.
    fn kind(&self) -> ChannelKind;
    /// The event's name on the wire (`part.delta`).
    fn name(&self) -> &str;
    /// The event's data, encoded as the `data` of its frame.
    fn data(&self) -> serde_json::Result<Box<RawValue>>;

    /// The event as in-process followers receive it, if it has a typed form.
    fn typed(&self) -> Option<ChannelEvent>;
}

/// Any channel's event, typed, as in-process followers (the desktop's tray and notifications,
/// `/ws/chat`) receive it: never as wire text.
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelEvent {
    Session(SessionEvent),
    Project(ProjectEvent),
    Account(AccountEvent),
}

impl ChannelEvent {
    /// The event named `name` with this encoded `data`, on a channel of `kind`.
    pub fn decode(kind: ChannelKind, name: &str, data: &str) -> Result<Self, EventError> {
        Ok(match kind {
            ChannelKind::Session => Self::Session(SessionEvent::decode(name, data)?),
            ChannelKind::Project => Self::Project(ProjectEvent::decode(name, data)?),
            ChannelKind::User => Self::Account(AccountEvent::decode(name, data)?),
        })
    }
}

/// An event whose data is already encoded: one relayed from elsewhere, as the hub received it.
#[derive(Debug, Clone)]
pub struct EncodedEvent {
    kind: ChannelKind,
    name: String,
    data: Box<RawValue>,
}

impl EncodedEvent {
    /// The event `name` with `data`, for `channel`.
    pub fn new(
        channel: &super::ChannelName,
        name: &str,
        data: &impl Serialize,
    ) -> serde_json::Result<Self> {
        Ok(Self {
            kind: channel.kind(),
            name: name.to_owned(),
            data: serde_json::value::to_raw_value(data)?,
        })
    }
}

impl WireEvent for EncodedEvent {
    fn kind(&self) -> ChannelKind {
        self.kind
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn data(&self) -> serde_json::Result<Box<RawValue>> {
        Ok(self.data.clone())
    }

    /// Relayed text reads as a typed event when it is one.
    fn typed(&self) -> Option<ChannelEvent> {
        ChannelEvent::decode(self.kind, &self.name, self.data.get()).ok()
    }
}

/// Declares a channel's event enum: each variant's wire name and data type. The enum
/// serializes as `{event, data}` (and so do its generated TypeScript types); the hub takes
/// the name and the data apart through [`WireEvent`], and `decode` puts them together again.
macro_rules! wire_events {
    (
        $(#[$meta:meta])*
        $name:ident on $kind:ident as $typed:ident {
            $( $(#[$variant_meta:meta])* $wire:literal => $variant:ident($data:ty), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
        #[serde(tag = "event", content = "data")]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $wire)] $variant($data), )*
        }

        impl WireEvent for $name {
            fn kind(&self) -> ChannelKind {
                ChannelKind::$kind
            }

            fn name(&self) -> &str {
                self.wire_name()
            }

            fn data(&self) -> serde_json::Result<Box<RawValue>> {
                match self {
                    $( Self::$variant(data) => serde_json::value::to_raw_value(data), )*
                }
            }

            fn typed(&self) -> Option<ChannelEvent> {
                Some(ChannelEvent::$typed(self.clone()))
            }
        }

        impl $name {
            /// The event's name on the wire.
            pub fn wire_name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $wire, )*
                }
            }

            /// The event named `name` with this encoded `data`, as a frame or the saved log
            /// carries it.
            pub fn decode(name: &str, data: &str) -> Result<Self, EventError> {
                let read = |error| EventError::Data(name.to_owned(), error);
                match name {
                    $( $wire => serde_json::from_str(data).map(Self::$variant).map_err(read), )*
                    _ => Err(EventError::Unknown(name.to_owned())),
                }
            }
        }
    };
}

/// An event that could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("unknown event {0:?}")]
    Unknown(String),
    #[error("event {0:?} has unreadable data: {1}")]
    Data(String, serde_json::Error),
}

wire_events! {
    /// What happens in one session, on `session:{id}`.
    SessionEvent on Session as Session {
        "message.created" => MessageCreated(MessageCreated),
        "part.created" => PartCreated(PartCreated),
        "part.delta" => PartDelta(PartDelta),
        "part.updated" => PartUpdated(PartUpdated),
        "usage.updated" => UsageUpdated(UsageUpdated),
        "tool.approval_required" => ApprovalRequired(ApprovalRequired),
        "tool.approval_resolved" => ApprovalResolved(ApprovalResolved),
        "todo.updated" => TodoUpdated(TodoUpdated),
        "agents.updated" => AgentsUpdated(AgentsUpdated),
        "session.updated" => SessionUpdated(SessionSummary),
        "session.ended" => SessionEnded(SessionEnded),
    }
}

wire_events! {
    /// A project's session summaries, on `project:{id}`.
    ProjectEvent on Project as Project {
        "session.updated" => SessionUpdated(SessionSummary),
        "session.ended" => SessionEnded(SessionSummary),
    }
}

wire_events! {
    /// Account-wide changes, on `user:owner`.
    AccountEvent on User as Account {
        "device.paired" => DevicePaired(Device),
        "device.renamed" => DeviceRenamed(Device),
        "device.revoked" => DeviceRevoked(Device),
        "pairing.started" => PairingStarted(PairingStarted),
        "pairing.requested" => PairingRequested(PairingRequest),
        "pairing.resolved" => PairingResolved(PairingResolved),
        "pairing.wrong_code" => PairingWrongCode(PairingWrongCode),
        "pairing.burned" => PairingBurned(PairingBurned),
        "key.added" => KeyAdded(AuthorizedKey),
        "key.removed" => KeyRemoved(AuthorizedKey),
        "lan.updated" => LanUpdated(LanStatus),
        "project.added" => ProjectAdded(Project),
        "project.removed" => ProjectRemoved(Project),
        "session.created" => SessionCreated(SessionSummary),
        "session.updated" => SessionUpdated(SessionSummary),
        "session.ended" => SessionEnded(SessionSummary),
        "session.deleted" => SessionDeleted(SessionDeleted),
        "store.updated" => StoreUpdated(StoreUpdated),
    }
}

impl SessionEvent {
    /// Whether this event changes the session's summary or todo list (saved with it), rather
    /// than only a message.
    pub fn changes_summary(&self) -> bool {
        matches!(
            self,
            Self::SessionUpdated(_)
                | Self::SessionEnded(_)
                | Self::UsageUpdated(_)
                | Self::TodoUpdated(_)
        )
    }

    /// The message this event creates or changes, if any.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Self::MessageCreated(created) => Some(&created.message.id),
            Self::PartCreated(PartCreated { message_id, .. })
            | Self::PartDelta(PartDelta { message_id, .. })
            | Self::PartUpdated(PartUpdated { message_id, .. }) => Some(message_id),
            _ => None,
        }
    }

    /// The summary of this event for the session's project and the owner's session lists,
    /// given the session as it now is: only status changes and the end are told there.
    pub fn summary(&self, session: &SessionInfo) -> Option<(ProjectEvent, AccountEvent)> {
        let summary = SessionSummary {
            session: session.clone(),
        };
        match self {
            Self::SessionUpdated(_) => Some((
                ProjectEvent::SessionUpdated(summary.clone()),
                AccountEvent::SessionUpdated(summary),
            )),
            Self::SessionEnded(_) => Some((
                ProjectEvent::SessionEnded(summary.clone()),
                AccountEvent::SessionEnded(summary),
            )),
            _ => None,
        }
    }
}

impl AccountEvent {
    /// `pairing.resolved`: how the pairing request `id` ended.
    pub fn pairing_resolved(id: &str, outcome: PairingOutcome, device: Option<Device>) -> Self {
        Self::PairingResolved(PairingResolved {
            id: id.to_owned(),
            outcome,
            device,
        })
    }
}

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
