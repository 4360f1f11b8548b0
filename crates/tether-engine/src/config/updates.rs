//! How the desktop app looks for new versions of itself.

use serde::{Deserialize, Serialize};

/// Where the desktop app finds new releases. Which key they must be signed with is built into
/// the app, never read from settings: an update is installed as root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    /// The release feed (`latest.json`); when unset, the one the build was made with, if any.
    /// Must be `https://` in release builds.
    pub endpoint: Option<String>,
    /// Whether to check once when the app starts (a found update is only offered, never
    /// installed without the user's word).
    pub check_at_start: bool,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        Self {
            endpoint: None,
            check_at_start: true,
        }
    }
}
