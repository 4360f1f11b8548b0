//! Push notifications to devices: what a device may be told, and its Web Push subscriptions
//! (as the browser's `PushSubscription.toJSON()` gives them).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a device may be notified of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotifyKind {
    /// A tool waits for approval.
    Approval,
    /// A turn finished.
    Finished,
    /// A session stopped with an error, or stalled.
    Failed,
}

impl NotifyKind {
    /// What a device is told of unless it chooses: what needs it.
    pub const DEFAULT: [NotifyKind; 2] = [NotifyKind::Approval, NotifyKind::Failed];
    /// `kinds` in their order here, each once.
    pub fn in_order(mut kinds: Vec<NotifyKind>) -> Vec<NotifyKind> {
        kinds.sort_by_key(|kind| *kind as u8);
        kinds.dedup();
        kinds
    }

    /// Every kind: what the desktop tells unless its user chooses.
    pub const ALL: [NotifyKind; 3] = [
        NotifyKind::Approval,
        NotifyKind::Finished,
        NotifyKind::Failed,
    ];
}

/// What the desktop's own notifications tell of (an archived session is always told).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DesktopNotify {
    pub kinds: Vec<NotifyKind>,
}

/// A subscription's keys, base64url: the browser's P-256 public key and its auth secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// Subscribes the calling device (again: its kinds are replaced).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PushSubscribeParams {
    /// The push service's `https://` URL for this browser.
    pub endpoint: String,
    pub keys: PushKeys,
    /// What to be told of; by default approvals and failures.
    #[ts(optional)]
    pub kinds: Option<Vec<NotifyKind>>,
    /// `expirationTime` as the browser gives it; ignored.
    #[serde(default, rename = "expirationTime")]
    #[ts(optional, type = "number | null")]
    pub expiration_time: Option<serde_json::Value>,
}

/// One of the calling device's subscriptions.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PushEndpointParams {
    pub endpoint: String,
}

/// A subscription as its device sees it (its keys stay in the engine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PushSubscription {
    pub endpoint: String,
    pub kinds: Vec<NotifyKind>,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub created_at: u64,
}

/// A test notification sent to the calling device's subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PushTested {
    /// How many subscriptions it was queued for.
    pub queued: u32,
}

/// What a device needs to subscribe, and its subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PushStatus {
    /// The engine's VAPID public key (base64url, uncompressed P-256): `applicationServerKey`.
    pub vapid_public_key: String,
    pub subscriptions: Vec<PushSubscription>,
}

/// The ntfy topic's access token, kept in the keyring (none: forget it).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NtfyTokenParams {
    pub token: Option<String>,
}
