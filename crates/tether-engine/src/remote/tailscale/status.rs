//! What `tailscale status --json` and `tailscale serve status --json` say, as far as Serve
//! needs: this machine's tailnet name once it may serve HTTPS, and what Serve forwards there.

use std::collections::HashMap;

use serde::Deserialize;

use super::{HTTPS_PORT, Machine, TailscaleError};

/// The parts of `tailscale status --json` that matter here.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Status {
    backend_state: String,
    #[serde(rename = "Self")]
    me: Option<Peer>,
    cert_domains: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Peer {
    #[serde(rename = "DNSName")]
    dns_name: String,
    cap_map: Option<HashMap<String, serde_json::Value>>,
}

/// The machine a `status --json` answer describes, or why it cannot serve.
pub(super) fn machine_of(json: &str) -> Result<Machine, TailscaleError> {
    let status: Status =
        serde_json::from_str(json).map_err(|_| TailscaleError::Failed("status"))?;
    match status.backend_state.as_str() {
        "Running" => {}
        "NeedsLogin" | "NoState" => return Err(TailscaleError::LoggedOut),
        "Stopped" => return Err(TailscaleError::Stopped),
        "NeedsMachineAuth" => return Err(TailscaleError::NotApproved),
        _ => return Err(TailscaleError::NotRunning),
    }
    let me = status.me.ok_or(TailscaleError::LoggedOut)?;
    let dns_name = me.dns_name.trim_end_matches('.').to_ascii_lowercase();
    let https = me.cap_map.is_some_and(|caps| caps.contains_key("https"));
    let certified = status.cert_domains.is_some_and(|domains| {
        domains
            .iter()
            .any(|domain| domain.eq_ignore_ascii_case(&dns_name))
    });
    if !https || !certified {
        return Err(TailscaleError::HttpsDisabled);
    }
    if !is_dns_name(&dns_name) {
        return Err(TailscaleError::Failed("status"));
    }
    Ok(Machine { dns_name })
}

/// Whether `name` is a plain DNS name (letters, digits, hyphens, dots), fit for a URL.
fn is_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The parts of `tailscale serve status --json` that matter here.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ServeConfig {
    #[serde(default)]
    web: HashMap<String, WebServer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WebServer {
    #[serde(default)]
    handlers: HashMap<String, Handler>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Handler {
    proxy: Option<String>,
    path: Option<String>,
    text: Option<String>,
}

/// What Serve forwards `https://NAME/` to now, if anything (a proxy target, or a description).
pub(super) fn forwarded_to(json: &str, name: &str) -> Option<String> {
    // Older versions print `null` for no config.
    let config: Option<ServeConfig> = serde_json::from_str(json).ok()?;
    let server = config?.web.remove(&format!("{name}:{HTTPS_PORT}"))?;
    let root = server.handlers.get("/")?;
    root.proxy
        .clone()
        .or_else(|| {
            root.path
                .as_ref()
                .map(|path| format!("the files at {path}"))
        })
        .or_else(|| root.text.as_ref().map(|_| "a text reply".to_owned()))
}
