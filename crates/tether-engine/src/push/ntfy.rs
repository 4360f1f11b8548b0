//! ntfy, the second channel: the same session moves published to a topic URL (ntfy.sh or a
//! self-hosted server), for setups without a trusted origin and for people who use the ntfy
//! app. The title, priority, tags and a click link that opens the session go in headers; the
//! body is the same words as a push, nothing of the prompt, the answer or a command.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use super::moments::Payload;
use tether_protocol::push::NotifyKind;

/// How long one publish may take.
const DEADLINE: Duration = Duration::from_secs(10);

/// Where to publish, and the access token when the topic needs one.
#[derive(Clone)]
pub struct Topic {
    pub url: url::Url,
    pub token: Option<String>,
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

/// Publishes `payload` to `topic`; answers whether the server took it.
pub async fn publish(
    client: &reqwest::Client,
    topic: &Topic,
    payload: &Payload,
    click: Option<&str>,
) -> bool {
    let request = client
        .post(topic.url.clone())
        .headers(headers(payload, click, topic.token.as_deref()))
        .body(payload.body.clone());
    match tokio::time::timeout(DEADLINE, request.send()).await {
        Ok(Ok(response)) if response.status().is_success() => true,
        Ok(Ok(response)) => {
            tracing::warn!(status = %response.status(), "ntfy refused a notification");
            false
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "ntfy could not be reached");
            false
        }
        Err(_) => {
            tracing::warn!("ntfy did not answer in time");
            false
        }
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
            Some("https://desk.example/#session=s1"),
            Some("tk_secret"),
        );
        assert_eq!(headers["x-title"], "Claude is waiting for you");
        assert_eq!(headers["x-priority"], "high");
        assert_eq!(headers["x-click"], "https://desk.example/#session=s1");
        assert_eq!(headers[AUTHORIZATION], "Bearer tk_secret");
        assert!(headers[AUTHORIZATION].is_sensitive(), "never logged");
        assert_eq!(payload.body, "A tool needs your approval in garden.");
    }
}
