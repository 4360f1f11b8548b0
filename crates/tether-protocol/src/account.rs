//! The account's things as clients see them: devices, SSH keys, pairing requests, projects
//! and LAN access.

use std::fmt;
use std::path::PathBuf;

use rand::Rng;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How long a device id is: 8 lowercase hex digits.
const ID_LEN: usize = 8;

/// A device's id, which its token names: 8 lowercase hex digits, safe to log and show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    pub fn random() -> Self {
        Self(format!("{:08x}", rand::rng().random::<u32>()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceId {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let valid = value.len() == ID_LEN
            && value
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if valid {
            Ok(Self(value))
        } else {
            Err(format!("{value:?} is not a device id (8 hex digits)"))
        }
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> Self {
        id.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What anyone may know about a device: never its token or the token's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Device {
    #[ts(type = "string")]
    pub id: DeviceId,
    pub name: String,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub paired_at: u64,
    /// When it last connected or made a request, in seconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub last_seen: Option<u64>,
    /// The network address it last came from.
    pub last_address: Option<String>,
    /// A computer running `tether agent` (it connects at `/ws/machine` only), not a phone
    /// or a script.
    #[serde(default)]
    pub machine: bool,
}

/// An SSH public key the desktop user allowed to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuthorizedKey {
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub name: String,
    /// The key in OpenSSH's one-line form.
    pub public_key: String,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub added_at: u64,
    #[ts(type = "number | null")]
    pub last_used: Option<u64>,
}

/// A device asking to pair, as the desktop is shown it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PairingRequest {
    pub id: String,
    /// The name the device gave.
    pub name: String,
    /// The network address it asked from.
    pub address: Option<String>,
    /// A computer asking to join as a machine (`tether agent pair`), not a device.
    #[serde(default)]
    pub machine: bool,
}

/// Whether the engine serves the LAN, and how a device reaches it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LanStatus {
    pub enabled: bool,
    /// `https://ADDRESS:PORT/` while enabled.
    pub url: Option<String>,
    /// The certificate's `SHA256:…` fingerprint, for clients to pin.
    pub fingerprint: Option<String>,
    /// When the certificate expires, in seconds since the Unix epoch (it is made anew when
    /// LAN access starts within a month of it).
    #[ts(type = "number | null")]
    pub expires_at: Option<u64>,
}

/// Who set the public URL the engine is reached at from anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RemoteSource {
    /// `remote.public_url` in the settings file.
    Settings,
    /// Chosen on the desktop (the Devices screen, or `tether remote set`).
    Desktop,
    /// Tailscale Serve, turned on from the desktop; the URL is the machine's tailnet name.
    Tailscale,
}

/// How devices reach the engine from anywhere: a proxy on the user's own network (Tailscale
/// Serve, Cloudflare Tunnel, Caddy) serves it at a trusted HTTPS origin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RemoteStatus {
    /// `https://HOST[:PORT]` while set: devices pair and connect through it.
    pub public_url: Option<String>,
    /// Who set it; none while it is off.
    pub source: Option<RemoteSource>,
}

/// A directory sessions may run in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Project {
    pub id: String,
    pub name: String,
    #[ts(type = "string")]
    pub path: PathBuf,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub added_at: u64,
    /// The machine (its device id) the folder is on; none for this computer.
    #[serde(default)]
    pub machine: Option<String>,
}
