//! How devices get in and what they may reach: pairing codes, the LAN listener, the public URL,
//! project folders.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
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

/// Reaching the engine from anywhere: a proxy on the user's own network (Tailscale Serve,
/// Cloudflare Tunnel, Caddy) serves the loopback listener at a trusted HTTPS origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSettings {
    /// `https://HOST[:PORT]` the proxy serves the engine at; its Host and Origin are accepted
    /// on the loopback listener, and pairing links carry it. Off when unset.
    pub public_url: Option<String>,
    /// TCP peers whose forwarding header names the client of a request that came through the
    /// public URL (for limits, pairing prompts and a device's last address); anyone else's,
    /// and any request not through the public URL, count as the TCP peer.
    pub trusted_proxies: Vec<IpNet>,
    /// The header the proxy sets: only that one is read (a proxy passes the other through as
    /// the client wrote it).
    pub forwarded_header: ForwardedHeader,
    /// The `tailscale` command; when unset, the one on PATH.
    pub tailscale: Option<PathBuf>,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        let loopback = ["127.0.0.0/8", "::1/128"];
        Self {
            public_url: None,
            trusted_proxies: loopback.iter().filter_map(|net| net.parse().ok()).collect(),
            forwarded_header: ForwardedHeader::XForwardedFor,
            tailscale: None,
        }
    }
}

/// The header a proxy names the client in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`, which Tailscale Serve, Caddy, nginx and Cloudflare set.
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// What paired devices may do with projects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectSettings {
    /// Folders inside which devices may add projects (and continue terminal sessions); none
    /// by default, so only the desktop adds them.
    pub device_roots: Vec<PathBuf>,
}
