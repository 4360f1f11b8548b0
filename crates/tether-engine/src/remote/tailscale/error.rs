//! Why Tailscale Serve could not be used, each with its fix, and which of them a command's
//! output stands for.

use super::{DEADLINE, Output};

/// Why Tailscale Serve could not be used, each with its fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TailscaleError {
    #[error(
        "the tailscale command was not found ({0}): install Tailscale (https://tailscale.com/download), sign in, and try again"
    )]
    Missing(String),
    #[error(
        "tailscaled is not running: start it (sudo systemctl start tailscaled), then try again"
    )]
    NotRunning,
    #[error("this computer is not signed in to Tailscale: run `tailscale up`, then try again")]
    LoggedOut,
    #[error("Tailscale is stopped on this computer: run `tailscale up`, then try again")]
    Stopped,
    #[error(
        "this computer waits for the tailnet admin's approval (https://login.tailscale.com/admin/machines)"
    )]
    NotApproved,
    #[error(
        "HTTPS certificates are off for your tailnet: turn on MagicDNS and HTTPS Certificates at https://login.tailscale.com/admin/dns, then try again"
    )]
    HttpsDisabled,
    #[error("Serve is not enabled on your tailnet: enable it at {0}, then try again")]
    ServeDisabled(String),
    #[error(
        "Tailscale lets only root change Serve here: run `sudo tailscale set --operator=$USER` once, then try again"
    )]
    AccessDenied,
    #[error(
        "Tailscale Serve already forwards https://{host}/ to {target}: turn that off (tailscale serve --https=443 off) to serve Tether there"
    )]
    Taken { host: String, target: String },
    #[error("tailscale did not answer within {} seconds", DEADLINE.as_secs())]
    TimedOut,
    #[error("tailscale {0} failed; `tailscale status` and `tailscale serve status` say why")]
    Failed(&'static str),
}

/// The error a failed (or refused) command's output stands for.
pub(super) fn classify(what: &'static str, output: &Output) -> TailscaleError {
    let both = format!("{}\n{}", output.stdout, output.stderr);
    let lower = both.to_ascii_lowercase();
    if lower.contains("not enabled on your tailnet") {
        let url = both
            .split_whitespace()
            .find(|word| word.starts_with("https://login.tailscale.com/"))
            .unwrap_or("https://login.tailscale.com/admin/settings/features");
        return TailscaleError::ServeDisabled(url.to_owned());
    }
    if lower.contains("access denied") || lower.contains("--operator") {
        return TailscaleError::AccessDenied;
    }
    if lower.contains("failed to connect to local tailscale") || lower.contains("tailscaled") {
        return TailscaleError::NotRunning;
    }
    if lower.contains("logged out") || lower.contains("needslogin") {
        return TailscaleError::LoggedOut;
    }
    if lower.contains("tailscale is stopped") {
        return TailscaleError::Stopped;
    }
    if lower.contains("not yet approved") {
        return TailscaleError::NotApproved;
    }
    if lower.contains("does not support getting tls certs") {
        return TailscaleError::HttpsDisabled;
    }
    if output.success.is_none() {
        return TailscaleError::TimedOut;
    }
    TailscaleError::Failed(what)
}
