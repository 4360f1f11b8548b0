//! Every method's parameters, as the RPC table declares them. Unknown fields are refused.

use std::net::IpAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Position;
use crate::model::Todo;

/// The public URL to serve devices at, or none to turn it off.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoteSetParams {
    /// `https://HOST[:PORT]`: no path, query or credentials.
    pub public_url: Option<String>,
}

/// Whether Tailscale Serve forwards the machine's tailnet name to the engine.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoteTailscaleParams {
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeviceCreateParams {
    pub name: String,
    /// A token for a computer running `tether agent` rather than for a device.
    #[serde(default)]
    #[ts(optional)]
    pub machine: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeviceRenameParams {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DeviceIdParams {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct KeyAddParams {
    /// OpenSSH's one-line form, as in `id_ed25519.pub` or `authorized_keys`.
    pub public_key: String,
    #[ts(optional)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct KeyRemoveParams {
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectAddParams {
    pub path: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ProjectIdParams {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionCreateParams {
    pub project_id: String,
    /// The machine the project is on (checked against it); by default the project's own.
    #[serde(default)]
    #[ts(optional)]
    pub machine: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub model: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub permission_mode: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionListParams {
    #[serde(default)]
    #[ts(optional)]
    pub project_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ModelParams {
    pub session_id: String,
    pub model: String,
}

/// A session's new name (none, or only spaces: it has none).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RenameParams {
    pub session_id: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ModeParams {
    pub session_id: String,
    pub mode: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PairingRequestParams {
    pub request_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LanEnableParams {
    /// The interface address; by default the configured one, else the one that routes out.
    #[ts(optional)]
    pub address: Option<IpAddr>,
    /// By default the configured port.
    #[ts(optional)]
    pub port: Option<u16>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SendParams {
    pub session_id: String,
    pub text: String,
    /// The client's id for this prompt (1–64 characters), so resending it after a
    /// reconnect never sends it twice.
    #[ts(optional)]
    pub client_id: Option<String>,
    /// Images sent with the prompt (at most 20): checked from their bytes, never their
    /// declared type. `text` may be blank when there is one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<ImageUpload>>")]
    pub images: Vec<ImageUpload>,
}

/// An image as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ImageUpload {
    /// `image/png`, `image/jpeg`, `image/gif` or `image/webp`; it must be what the data is.
    pub media_type: String,
    /// The image, base64-encoded (standard alphabet, padded): at most 5 MB of base64 and
    /// 8000 pixels on each side, as the Anthropic API takes.
    pub data: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TodosParams {
    pub session_id: String,
    pub todos: Vec<Todo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ApproveParams {
    pub session_id: String,
    pub request_id: String,
    /// Also add the CLI's suggested rules, so it stops asking for the same thing.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub always: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RejectParams {
    pub session_id: String,
    pub request_id: String,
    #[serde(default)]
    #[ts(optional)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AgentParams {
    pub session_id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    pub channel: String,
    pub since: Position,
    /// 1 to `MAX_HISTORY_PAGE` events (the most by default).
    #[serde(default = "most_history")]
    #[ts(optional, as = "Option<usize>")]
    pub limit: usize,
}

/// The most events one `events.history` page holds.
pub const MAX_HISTORY_PAGE: usize = 1000;

fn most_history() -> usize {
    MAX_HISTORY_PAGE
}

/// No parameters.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Methods that act on one session name it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionParams {
    pub session_id: String,
}

/// `sessions.get`: the whole session, or with `parts` its last page: the latest messages
/// holding at most that many parts (at least the last message, however many it holds).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionGetParams {
    pub session_id: String,
    #[serde(default)]
    #[ts(optional)]
    pub parts: Option<u32>,
}

/// `sessions.read`: the page of messages before `before` (from a snapshot or an earlier page).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SessionReadParams {
    pub session_id: String,
    #[ts(type = "number")]
    pub before: u64,
    /// At most this many parts (default 500, at most 5000; at least one message).
    #[serde(default)]
    #[ts(optional)]
    pub parts: Option<u32>,
}

/// `terminal.list`: the sessions of one folder, or of all.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TerminalListParams {
    #[serde(default)]
    #[ts(optional)]
    pub folder: Option<String>,
    /// At most this many (default 200, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// One transcript, by its session id.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TerminalParams {
    pub id: String,
}

/// `terminal.read`: the page of history before `before`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TerminalReadParams {
    pub id: String,
    #[ts(type = "number")]
    pub before: u64,
    /// At most this many turns (default 20, at most 200).
    #[serde(default)]
    #[ts(optional)]
    pub turns: Option<u32>,
}

/// `terminal.continue`: carry on in Tether, or in a fork when the terminal still writes it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct TerminalContinueParams {
    pub id: String,
    #[serde(default)]
    #[ts(optional)]
    pub fork: Option<bool>,
}
