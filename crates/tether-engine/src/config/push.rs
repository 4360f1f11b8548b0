//! How push notifications reach devices.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Push notifications to paired devices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSettings {
    /// A PEM file of certificate authorities to trust for push services, besides the
    /// system's (a self-hosted push service's own).
    pub extra_ca_file: Option<PathBuf>,
}
