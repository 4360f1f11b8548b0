//! How push notifications reach devices.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use tether_protocol::push::NotifyKind;

/// Push notifications to paired devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSettings {
    /// A PEM file of certificate authorities to trust for push services, besides the
    /// system's (a self-hosted push service's own).
    pub extra_ca_file: Option<PathBuf>,
    /// An ntfy topic URL (ntfy.sh or your own server) the same moves are published to; its
    /// access token, when it needs one, is kept in the keyring (`push-ntfy-token`).
    pub ntfy_url: Option<String>,
    /// What is published to ntfy.
    pub ntfy_kinds: Vec<NotifyKind>,
}

impl Default for PushSettings {
    fn default() -> Self {
        Self {
            extra_ca_file: None,
            ntfy_url: None,
            ntfy_kinds: NotifyKind::DEFAULT.to_vec(),
        }
    }
}
