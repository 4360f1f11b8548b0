//! The events of each channel kind, one typed variant per documented event. The hub encodes an
//! event's data once; its wire name, the channels it goes to and what it changes are methods
//! here, never string look-ups.

mod data;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

pub use self::data::{
    AgentsUpdated, ApprovalRequired, ApprovalResolved, Decision, MessageCreated, PairingBurned,
    PairingOutcome, PairingResolved, PairingStarted, PairingWrongCode, PartCreated, PartDelta,
    PartUpdated, SessionDeleted, SessionEnded, SessionSummary, StoreUpdated, TodoUpdated,
    UsageUpdated,
};
use super::ChannelKind;
use super::model::SessionInfo;
use crate::AuthorizedKey;
use crate::Device;
use crate::LanStatus;
use crate::PairingRequest;
use crate::Project;
use crate::RemoteStatus;
use crate::terminal::IndexProgress;

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
        "machine.updated" => MachineUpdated(crate::machine::Machine),
        "pairing.started" => PairingStarted(PairingStarted),
        "pairing.requested" => PairingRequested(PairingRequest),
        "pairing.resolved" => PairingResolved(PairingResolved),
        "pairing.wrong_code" => PairingWrongCode(PairingWrongCode),
        "pairing.burned" => PairingBurned(PairingBurned),
        "key.added" => KeyAdded(AuthorizedKey),
        "key.removed" => KeyRemoved(AuthorizedKey),
        "lan.updated" => LanUpdated(LanStatus),
        "remote.updated" => RemoteUpdated(RemoteStatus),
        "project.added" => ProjectAdded(Project),
        "project.removed" => ProjectRemoved(Project),
        "session.created" => SessionCreated(SessionSummary),
        "session.updated" => SessionUpdated(SessionSummary),
        "session.ended" => SessionEnded(SessionSummary),
        "session.deleted" => SessionDeleted(SessionDeleted),
        "store.updated" => StoreUpdated(StoreUpdated),
        "terminal.indexed" => TerminalIndexed(IndexProgress),
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
