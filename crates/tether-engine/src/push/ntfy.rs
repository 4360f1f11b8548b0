//! ntfy, the second channel: the same session moves published to a topic URL (ntfy.sh or a
//! self-hosted server), for setups without a trusted origin and for people who use the ntfy
//! app. The title, priority, tags and a click link that opens the session go in headers; the
//! body is the same words as a push, nothing of the prompt, the answer or a command.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use super::moments::Payload;
use crate::engine::Engine;
use tether_protocol::push::NotifyKind;

/// The keyring entry of the topic's access token.
pub const TOKEN: &str = "push-ntfy-token";

/// How long one publish may take.
const DEADLINE: Duration = Duration::from_secs(10);

/// Why a publish did not go.
#[derive(Debug, thiserror::Error)]
pub enum NtfyError {
    #[error("push.ntfy_url is not set (or is not a URL)")]
    NoTopic,
    #[error("push.ntfy_url must be https:// for its access token to be sent")]
    Cleartext,
    #[error(
        "notifications are off here: their HTTPS client could not be made (push.extra_ca_file?)"
    )]
    Off,
    #[error("the ntfy server refused it ({0}){hint}", hint = if *.0 == StatusCode::UNAUTHORIZED || *.0 == StatusCode::FORBIDDEN { ": the topic needs an access token (tether ntfy token)" } else { "" })]
    Refused(StatusCode),
    #[error("the ntfy server could not be reached: {0}")]
    Unreachable(reqwest::Error),
    #[error("the ntfy server did not answer within {DEADLINE:?}")]
    TimedOut,
}

/// Where to publish, and the access token when the topic needs one.
#[derive(Clone)]
pub struct Topic {
    pub url: url::Url,
    pub token: Option<String>,
}

impl Topic {
    /// The topic `push.ntfy_url` names, with the keyring's token; a token goes only over
    /// HTTPS (or to this computer).
    pub async fn configured(engine: &Engine) -> Result<Self, NtfyError> {
        let url = engine.config().push.ntfy_url.as_deref();
        let url = url
            .and_then(|url| url::Url::parse(url).ok())
            .ok_or(NtfyError::NoTopic)?;
        let token = engine.push().ntfy_token().await;
        if token.is_some() && url.scheme() != "https" && !on_this_computer(&url) {
            return Err(NtfyError::Cleartext);
        }
        Ok(Self { url, token })
    }
}

fn on_this_computer(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// The headers of a publish for `payload`; `click`: the URL that opens the session.
pub fn headers(payload: &Payload, click: Option<&str>, token: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let priority = match payload.kind {
        NotifyKind::Approval => "high",
        NotifyKind::Failed => "default",
        NotifyKind::Finished => "low",
    };
    let tag = match payload.kind {
        NotifyKind::Approval => "raised_hand",
        NotifyKind::Failed => "warning",
        NotifyKind::Finished => "white_check_mark",
    };
    let mut put = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    put("x-title", payload.title);
    put("x-priority", priority);
    put("x-tags", tag);
    if let Some(click) = click {
        put("x-click", click);
    }
    if let Some(token) = token
        && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}"))
    {
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    headers
}

/// The address devices open (the public URL when set), at `session_id`.
pub fn click(engine: &Engine, session_id: &str) -> Option<String> {
    let url = engine.pairing_url()?;
    Some(match session_id {
        "" => url,
        session_id => format!("{url}#/session/{session_id}"),
    })
}

/// Publishes `payload` to `topic`.
pub async fn publish(
    client: &reqwest::Client,
    topic: &Topic,
    payload: &Payload,
    click: Option<&str>,
) -> Result<(), NtfyError> {
    let request = client
        .post(topic.url.clone())
        .headers(headers(payload, click, topic.token.as_deref()))
        .body(payload.body.clone());
    match tokio::time::timeout(DEADLINE, request.send()).await {
        Ok(Ok(response)) if response.status().is_success() => Ok(()),
        Ok(Ok(response)) => Err(NtfyError::Refused(response.status())),
        Ok(Err(error)) => Err(NtfyError::Unreachable(error.without_url())),
        Err(_) => Err(NtfyError::TimedOut),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publish_names_the_project_and_never_the_prompt() {
        let payload = Payload::new(NotifyKind::Approval, "s1", "garden");
        let headers = headers(
            &payload,
            Some("https://desk.example/#/session/s1"),
            Some("tk_secret"),
        );
        assert_eq!(headers["x-title"], "Claude is waiting for you");
        assert_eq!(headers["x-priority"], "high");
        assert_eq!(headers["x-click"], "https://desk.example/#/session/s1");
        assert_eq!(headers[AUTHORIZATION], "Bearer tk_secret");
        assert!(headers[AUTHORIZATION].is_sensitive(), "never logged");
        assert_eq!(payload.body, "A tool needs your approval in garden.");
    }
}
