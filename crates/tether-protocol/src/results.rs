//! Every method's result that is not a model type of its own, as the RPC table declares them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use ts_rs::TS;

use crate::Device;

/// `{}`: the method did what it was asked, and has nothing more to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Done {}

/// The user message a prompt became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MessageSent {
    pub message_id: String,
}

/// The answer to `tools.approve`: the suggested rules left out of an "always allow".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Approved {
    pub refused_rules: Vec<RefusedRule>,
}

/// A device with its token: the only time the token is ever shown (no `Debug`, so it cannot
/// end up in a log by accident). The answer to `devices.create`, and to an approved pairing.
#[derive(Serialize, Deserialize, TS)]
pub struct PairedDevice {
    pub device: Device,
    pub token: String,
}

/// A device in `devices.list`, with whether it is connected now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ListedDevice {
    #[serde(flatten)]
    #[ts(flatten)]
    pub device: Device,
    pub online: bool,
    #[ts(type = "number")]
    pub connections: usize,
}

/// What the desktop shows to pair a device.
#[derive(Serialize, Deserialize, TS)]
pub struct PairingOffer {
    /// The code to type, e.g. `7KQF-3M9D`.
    pub code: String,
    /// When the code stops working, in seconds since the Unix epoch.
    #[ts(type = "number")]
    pub expires_at: u64,
    /// The page to open, with the code after `#` (not the certificate's fingerprint: the page
    /// cannot read the certificate of its own connection, so it could not check one).
    pub link: Option<String>,
    /// The LAN certificate's fingerprint, when LAN access is on.
    pub fingerprint: Option<String>,
    /// `link` as a QR code, an SVG document.
    pub qr_svg: Option<String>,
}

/// The result of `system.info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SystemInfo {
    pub version: String,
    pub protocol: u32,
    #[ts(type = "number")]
    pub uptime_ms: u64,
    /// Live WebSocket connections.
    #[ts(type = "number")]
    pub connections: usize,
    /// How the store is doing: a problem while it cannot save, its commit figures.
    pub store: HealthReport,
}

/// What `/readyz` and `system.info` show of the store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct HealthReport {
    /// What is wrong, in words, while something is; the store then keeps serving what it can.
    pub problem: Option<String>,
    /// Events shown to clients that the log could not save since the engine started.
    #[ts(type = "number")]
    pub lost_events: u64,
    #[ts(type = "number")]
    pub commits: u64,
    #[ts(type = "number")]
    pub events_saved: u64,
    pub commit_ms_mean: f64,
    pub commit_ms_max: f64,
}

/// A page of a channel's history, for `events.history`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct History {
    pub channel: String,
    pub epoch: String,
    /// The channel's newest offset now.
    pub head: u64,
    /// False when the events after `since` are no longer all kept (or `since` is of another
    /// stream): reload through RPC instead.
    pub recovered: bool,
    /// Event frames after `since`, oldest first (token deltas of settled parts may be compacted
    /// away: the `part.updated` that follows carries the part whole).
    #[ts(type = "Array<unknown>")]
    pub events: Vec<Box<RawValue>>,
    /// Page on with this offset as `since`; equal to `head` when nothing more is missed.
    pub next: u64,
}

/// A suggested rule left out of an "always allow", and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RefusedRule {
    #[ts(type = "unknown")]
    pub rule: Value,
    pub why: String,
}
