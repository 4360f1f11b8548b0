//! How the desktop app looks for new versions of itself.

use serde::{Deserialize, Serialize};

/// Where the desktop app finds new releases and whose signature they must carry. Read from
/// the settings file only: whoever can write that file already chooses which `claude` runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    /// The release feed (`latest.json`); when unset, the one the build was made with, if any.
    /// Must be `https://` in release builds.
    pub endpoint: Option<String>,
    /// The minisign public key (base64, as `tauri signer generate` writes it) releases must
    /// be signed with; when unset, Tether's release key.
    pub pubkey: Option<String>,
    /// Whether to check once when the app starts (a found update is only offered, never
    /// installed without the user's word).
    pub check_at_start: bool,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        Self {
            endpoint: None,
            pubkey: None,
            check_at_start: true,
        }
    }
}
