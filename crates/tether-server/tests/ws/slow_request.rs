//! One slow request does not stall its connection: with a `claude` that never reads its
//! input, a `messages.send` waits out the write deadline, while the same connection's
//! pings, subscribes and other requests are served; responses still come in request order.

use std::time::Duration;

use serde_json::{Value, json};

use crate::claude::{ClaudeBench, stand_in_claude};
use crate::common::MAX_FRAMES;

/// A stand-in `claude` that injects a fault: it never reads its input.
const DEAF_CLAUDE: &str = "#!/bin/sh\nexec sleep 600\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pings_subscribes_and_other_requests_are_served_while_a_request_is_slow() {
    let (_bin, fake) = stand_in_claude(DEAF_CLAUDE);
    let bench = ClaudeBench::start_with(Vec::new(), |config| {
        config.claude.path = Some(fake.clone());
        config.claude.write_timeout = Duration::from_millis(1500);
    })
    .await;
    let mut seat = bench.seat().await;
    let client = &mut seat.client;

    // More than a pipe holds: the write waits for a reader that never comes.
    let text = "x".repeat(200_000);
    client
        .send_json(
            json!({ "type": "request", "id": 1, "method": "messages.send",
                           "params": { "session_id": seat.session, "text": text } }),
        )
        .await;
    client.send_json(json!({ "type": "ping" })).await;
    client
        .send_json(json!({ "type": "subscribe", "id": "owner", "channels": ["user:owner"] }))
        .await;
    client
        .send_json(
            json!({ "type": "request", "id": 2, "method": "sessions.create",
                           "params": { "project_id": bench.project_id } }),
        )
        .await;

    let mut seen: Vec<String> = Vec::new();
    for _ in 0..MAX_FRAMES {
        let frame = client.next_json().await;
        let what = describe(&frame);
        let done = what == "response 2";
        seen.push(what);
        if done {
            break;
        }
    }
    let at = |what: &str| {
        seen.iter()
            .position(|seen| seen == what)
            .unwrap_or_else(|| panic!("no {what} in {seen:?}"))
    };
    let slow = at("response 1");
    assert!(
        at("pong") < slow,
        "the ping is answered while the send waits: {seen:?}"
    );
    assert!(at("subscribed") < slow, "so is the subscribe: {seen:?}");
    assert!(
        at("session.created") < slow,
        "the other request runs meanwhile: {seen:?}"
    );
    assert_eq!(
        at("response 2"),
        slow + 1,
        "responses keep request order: {seen:?}"
    );
}

/// A frame in a word or two: its type, with the response id or event name.
fn describe(frame: &Value) -> String {
    match frame["type"].as_str() {
        Some("response") => {
            if frame["id"] == 1 {
                assert_eq!(frame["error"]["code"], "unavailable", "{frame}");
            } else {
                assert!(frame["error"].is_null(), "{frame}");
            }
            format!("response {}", frame["id"])
        }
        Some("event") => frame["event"].as_str().unwrap_or_default().to_owned(),
        other => other.unwrap_or_default().to_owned(),
    }
}
