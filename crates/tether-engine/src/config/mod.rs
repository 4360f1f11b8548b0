//! Settings: defaults, overridden by a TOML file, then by `TETHER_*` environment variables.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use self::access::{
    ForwardedHeader, LanSettings, PairingSettings, ProjectSettings, RemoteSettings,
};
use tether_protocol::durations::millis;

pub use self::limits::Limits;
pub use self::push::PushSettings;
pub use self::updates::UpdateSettings;
use crate::hub::HistoryLimits;
use tether_store::RetentionLimits;

mod access;
mod limits;
mod push;
mod updates;

/// Everything the engine can be told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address the WebSocket server listens on. Loopback only: LAN access comes with TLS.
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Where the engine keeps its data and its local control socket.
    pub data_dir: PathBuf,
    /// The OS keyring service name under which tokens are kept.
    pub keyring_service: String,
    /// Extra `Origin` values allowed to open a WebSocket (exact `scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    /// Extra host names allowed in the `Host` header (DNS-rebinding protection).
    pub allowed_hosts: Vec<String>,
    /// A built chat UI to serve at `/` instead of the one built into the engine.
    pub ui_dir: Option<PathBuf>,
    pub limits: Limits,
    pub history: HistoryLimits,
    /// How much of the saved event log to keep.
    pub store: RetentionLimits,
    pub claude: ClaudeSettings,
    pub pairing: PairingSettings,
    /// Serving phones and tablets on the local network, over TLS (off unless turned on).
    pub lan: LanSettings,
    /// Serving phones and tablets from anywhere, through a proxy (off unless set).
    pub remote: RemoteSettings,
    /// Where devices may add projects.
    pub projects: ProjectSettings,
    /// How push notifications reach devices.
    pub push: PushSettings,
    /// How the desktop app updates itself (the headless `tether` ignores it).
    pub updates: UpdateSettings,
}

/// How Claude Code sessions are run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaudeSettings {
    /// The `claude` binary; when unset: TETHER_CLAUDE, then PATH, then the usual install places.
    pub path: Option<PathBuf>,
    /// Extra environment for every `claude` process (e.g. ANTHROPIC_BASE_URL).
    pub env: std::collections::BTreeMap<String, String>,
    /// Silence during a turn after which the session counts as stalled.
    #[serde(rename = "stall_timeout_ms", with = "millis")]
    pub stall_timeout: Duration,
    /// How long a running `claude` gets to answer a setting change (model, permission mode)
    /// before the change fails and the old value is kept.
    #[serde(rename = "answer_timeout_ms", with = "millis")]
    pub answer_timeout: Duration,
    /// How long one write to `claude`'s input may take before it counts as hung (it is then
    /// started again, resuming, and the write tried once more).
    #[serde(rename = "write_timeout_ms", with = "millis")]
    pub write_timeout: Duration,
    /// How long a stopping `claude` gets at each step (end of input, SIGTERM) before the next.
    #[serde(rename = "stop_grace_ms", with = "millis")]
    pub stop_grace: Duration,
    /// Whether paired devices may switch a session to `bypassPermissions` (the desktop always may).
    pub devices_may_bypass_permissions: bool,
    /// Whether only the desktop may approve Bash commands (devices may still deny them).
    pub bash_approvals_desktop_only: bool,
    /// Variables of the engine's own environment that `claude` also gets, by name (such as
    /// `SSH_AUTH_SOCK`, for `git` over SSH in its commands); see `supervisor::environment`.
    pub pass_env: Vec<String>,
    /// Sessions that may be open (not archived) at once; each runs its own `claude`.
    pub max_sessions: usize,
}

impl Default for ClaudeSettings {
    fn default() -> Self {
        Self {
            path: None,
            env: std::collections::BTreeMap::new(),
            stall_timeout: Duration::from_secs(120),
            answer_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            stop_grace: Duration::from_secs(2),
            devices_may_bypass_permissions: false,
            bash_approvals_desktop_only: false,
            pass_env: Vec::new(),
            max_sessions: 16,
        }
    }
}

/// Top-level settings read from `TETHER_*` variables; others (such as `TETHER_LOG`, and
/// `TETHER_CLAUDE`, the binary's path) are not. The `claude` and `updates` tables come from
/// the file.
const SETTINGS: [&str; 13] = [
    "bind",
    "port",
    "data_dir",
    "keyring_service",
    "allowed_origins",
    "allowed_hosts",
    "ui_dir",
    "limits",
    "history",
    "store",
    "pairing",
    "lan",
    "remote",
];

/// The port `tether serve` and the desktop app listen on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7410;

/// The port the LAN listener uses unless told otherwise.
pub const DEFAULT_LAN_PORT: u16 = 7411;

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
            data_dir: default_data_dir(),
            keyring_service: "tether".to_owned(),
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            ui_dir: None,
            limits: Limits::default(),
            history: HistoryLimits::default(),
            store: RetentionLimits::default(),
            claude: ClaudeSettings::default(),
            pairing: PairingSettings::default(),
            lan: LanSettings::default(),
            remote: RemoteSettings::default(),
            projects: ProjectSettings::default(),
            push: PushSettings::default(),
            updates: UpdateSettings::default(),
        }
    }
}

/// The platform's data directory for Tether (`~/.local/share/tether` on Linux).
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "tether").map_or_else(
        || PathBuf::from(".tether"),
        |dirs| dirs.data_dir().to_path_buf(),
    )
}

/// The settings file used when none is named: `TETHER_CONFIG`, else `tether.toml` in the
/// platform's config directory (`~/.config/tether/` on Linux) when it exists.
pub fn default_config_file() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("TETHER_CONFIG") {
        return Some(PathBuf::from(named));
    }
    directories::ProjectDirs::from("", "", "tether")
        .map(|dirs| dirs.config_dir().join("tether.toml"))
        .filter(|file| file.is_file())
}

/// A setting that is present but wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Parse(#[from] Box<figment::Error>),
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
}

impl Config {
    /// Defaults, then `file` (when given), then `TETHER_*` variables
    /// (nested keys with `__`, e.g. `TETHER_LIMITS__MAX_CONNECTIONS=64`), then validation.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::MissingFile(file.to_path_buf()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        let settings = Env::prefixed("TETHER_").filter(|key| {
            let top = key.as_str().split("__").next().unwrap_or_default();
            SETTINGS.iter().any(|name| top.eq_ignore_ascii_case(name))
        });
        let figment = figment.merge(settings.split("__"));
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the settings that serde cannot: ranges and the loopback-only rule.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, problem: &str| {
            Err(ConfigError::Invalid {
                field,
                problem: problem.to_owned(),
            })
        };
        if !self.bind.is_loopback() {
            return invalid(
                "bind",
                "only loopback addresses (127.0.0.1, ::1) are served; LAN access needs TLS and pairing",
            );
        }
        if self.keyring_service.trim().is_empty() {
            return invalid("keyring_service", "must not be empty");
        }
        let limits = &self.limits;
        let positive = [
            ("limits.max_message_bytes", limits.max_message_bytes),
            ("limits.max_frame_bytes", limits.max_frame_bytes),
            ("limits.read_buffer_bytes", limits.read_buffer_bytes),
            ("limits.write_buffer_bytes", limits.write_buffer_bytes),
            ("limits.outbound_queue", limits.outbound_queue),
            ("limits.outbound_queue_bytes", limits.outbound_queue_bytes),
            ("limits.max_connections", limits.max_connections),
            (
                "limits.max_unsigned_per_address",
                limits.max_unsigned_per_address,
            ),
            (
                "limits.max_connections_per_device",
                limits.max_connections_per_device,
            ),
            ("limits.max_subscriptions", limits.max_subscriptions),
            (
                "limits.max_requests_in_flight",
                limits.max_requests_in_flight,
            ),
            (
                "limits.frames_per_second",
                limits.frames_per_second as usize,
            ),
            ("limits.frame_burst", limits.frame_burst as usize),
            ("history.max_events", self.history.max_events),
            ("claude.max_sessions", self.claude.max_sessions),
            (
                "pairing.max_wrong_codes",
                self.pairing.max_wrong_codes as usize,
            ),
            (
                "pairing.attempts_per_minute",
                self.pairing.attempts_per_minute as usize,
            ),
            (
                "pairing.code_ttl_secs",
                self.pairing.code_ttl.as_secs() as usize,
            ),
        ];
        if let Some((field, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return invalid(field, "must be greater than 0");
        }
        if limits.max_frame_bytes > limits.max_message_bytes {
            return invalid(
                "limits.max_frame_bytes",
                "must not exceed limits.max_message_bytes",
            );
        }
        if limits.heartbeat_interval.is_zero()
            || limits.heartbeat_timeout <= limits.heartbeat_interval
        {
            return invalid(
                "limits.heartbeat_timeout_ms",
                "must be greater than limits.heartbeat_interval_ms, which must be greater than 0",
            );
        }
        let claude = &self.claude;
        if claude.stall_timeout.is_zero()
            || claude.stop_grace.is_zero()
            || claude.answer_timeout.is_zero()
            || claude.write_timeout.is_zero()
        {
            return invalid(
                "claude",
                "stall_timeout_ms, stop_grace_ms, answer_timeout_ms and write_timeout_ms must be greater than 0",
            );
        }
        if self.store.max_log_bytes == 0 || self.store.max_log_age.is_zero() {
            return invalid(
                "store",
                "max_log_bytes and max_log_age_secs must be greater than 0",
            );
        }
        if let Some(url) = &self.remote.public_url
            && let Err(error) = crate::remote::PublicUrl::parse(url)
        {
            return invalid("remote.public_url", &error.to_string());
        }
        if let Some(topic) = &self.push.ntfy_url {
            let url = url::Url::parse(topic).ok();
            if !url
                .is_some_and(|url| matches!(url.scheme(), "https" | "http") && url.host().is_some())
            {
                return invalid(
                    "push.ntfy_url",
                    "must be an https:// (or http://) topic URL",
                );
            }
        }
        if limits.handshake_timeout.is_zero() {
            return invalid("limits.handshake_timeout_ms", "must be greater than 0");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
