//! How devices get in and what they may reach: pairing codes, the LAN listener, project folders.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::DEFAULT_LAN_PORT;
use tether_protocol::durations::seconds;

/// How devices pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairingSettings {
    /// How long a pairing code, and a device's wait for the desktop's answer, last.
    #[serde(rename = "code_ttl_secs", with = "seconds")]
    pub code_ttl: Duration,
    /// Wrong codes after which the current code is burned.
    pub max_wrong_codes: u32,
    /// Pairing attempts, and SSH sign-in challenges, one network address may make per minute
    /// (each counted on its own).
    pub attempts_per_minute: u32,
}

impl Default for PairingSettings {
    fn default() -> Self {
        Self {
            code_ttl: Duration::from_secs(120),
            max_wrong_codes: 5,
            attempts_per_minute: 10,
        }
    }
}

/// The LAN listener: HTTPS and WSS with the app's own certificate, beside the loopback one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanSettings {
    /// Whether to serve on the local network at start.
    pub enabled: bool,
    /// The interface address to listen on; when unset, the one that routes to the network.
    pub address: Option<IpAddr>,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Whether `/metrics` is served on the LAN too (it always is on loopback).
    pub metrics: bool,
}

impl Default for LanSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            address: None,
            port: DEFAULT_LAN_PORT,
            metrics: false,
        }
    }
}

/// What paired devices may do with projects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSettings {
    /// Folders inside which devices may add projects (and continue terminal sessions); none
    /// by default, so only the desktop adds them.
    pub device_roots: Vec<PathBuf>,
}
