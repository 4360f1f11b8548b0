//! What the store keeps and gives back: event rows, channel positions, session records.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use tether_protocol::AuthorizedKey;
use tether_protocol::Device;
use tether_protocol::Project;
use tether_protocol::model::{Message, SessionInfo, Todo};

/// One published event, as the event log keeps it.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub channel: String,
    pub epoch: String,
    pub offset: u64,
    pub event: String,
    pub data: Box<RawValue>,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}

impl EventRow {
    /// Bytes the row adds to its channel's log, as retention counts them.
    pub fn size(&self) -> usize {
        self.event.len() + self.data.get().len()
    }
}

/// An event read back from the log.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub offset: u64,
    pub event: String,
    pub data: Box<RawValue>,
}

/// Where a channel's saved log stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRecord {
    pub name: String,
    pub epoch: String,
    /// The newest offset saved.
    pub head: u64,
    /// Events at or below this offset are no longer all kept (removed or never saved).
    pub floor: u64,
}

/// Saved events after an offset, and how far the saved log vouches for them.
#[derive(Debug, Clone)]
pub struct Backfill {
    pub channel: ChannelRecord,
    /// Events after the requested offset, up to `through`, in order. Token deltas of settled
    /// parts may have been compacted away: the event that settled the part carries it whole.
    pub events: Vec<StoredEvent>,
    /// Every event up to here that a client needs is in `events`.
    pub through: u64,
}

/// A device's Web Push subscription, as saved. Its endpoint and keys are capabilities: its
/// `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct PushRecord {
    pub device_id: tether_protocol::DeviceId,
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's auth secret, base64url.
    pub auth: String,
    pub kinds: Vec<tether_protocol::push::NotifyKind>,
    pub created_at: u64,
}

impl std::fmt::Debug for PushRecord {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PushRecord")
            .field("device_id", &self.device_id)
            .field("kinds", &self.kinds)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// A session as saved: its summary and its todo list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub info: SessionInfo,
    pub todos: Vec<Todo>,
}

/// Which saved row a write replaces: later writes of the same key supersede earlier ones.
/// Removals sort last, so they apply after any row of the same batch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowKey {
    Project(String),
    Session(String),
    Message {
        session_id: String,
        seq: u64,
    },
    /// A subscription's row and its removal share a key: the later write wins. Before
    /// `Device`, so a device's removal in the same batch takes its subscriptions with it.
    Push(String),
    /// A device's row and its removal share a key: the later write wins.
    Device(String),
    /// An SSH key's row and its removal share a key: the later write wins.
    Key(String),
    ProjectRemoved(String),
    SessionRemoved(String),
    ChannelRemoved(String),
    Setting(String),
}

/// A write of one saved row (or its removal).
#[derive(Debug, Clone)]
pub enum Row {
    Project(Project),
    Session(Box<SessionRecord>),
    Message {
        session_id: String,
        seq: u64,
        message: Message,
    },
    Device(Device),
    DeviceRemoved(tether_protocol::DeviceId),
    Key(AuthorizedKey),
    /// The key with this fingerprint is no longer authorized.
    KeyRemoved(String),
    /// The project's row goes; its sessions stay listed.
    ProjectRemoved(String),
    /// An archived session goes, with its messages and its event log.
    SessionRemoved(String),
    /// A channel's saved event log goes (a followed transcript nobody watches any more).
    ChannelRemoved(String),
    /// A desktop choice, as JSON; `None` forgets it.
    Setting {
        key: String,
        value: Option<String>,
    },
    Push(PushRecord),
    /// The subscription with this endpoint goes.
    PushRemoved(String),
}

impl Row {
    pub fn key(&self) -> RowKey {
        match self {
            Self::Project(project) => RowKey::Project(project.id.clone()),
            Self::Session(record) => RowKey::Session(record.info.id.clone()),
            Self::Message {
                session_id, seq, ..
            } => RowKey::Message {
                session_id: session_id.clone(),
                seq: *seq,
            },
            Self::Device(device) => RowKey::Device(device.id.to_string()),
            Self::DeviceRemoved(id) => RowKey::Device(id.to_string()),
            Self::Key(key) => RowKey::Key(key.fingerprint.clone()),
            Self::KeyRemoved(fingerprint) => RowKey::Key(fingerprint.clone()),
            Self::ProjectRemoved(id) => RowKey::ProjectRemoved(id.clone()),
            Self::SessionRemoved(id) => RowKey::SessionRemoved(id.clone()),
            Self::ChannelRemoved(channel) => RowKey::ChannelRemoved(channel.clone()),
            Self::Setting { key, .. } => RowKey::Setting(key.clone()),
            Self::Push(record) => RowKey::Push(record.endpoint.clone()),
            Self::PushRemoved(endpoint) => RowKey::Push(endpoint.clone()),
        }
    }
}
