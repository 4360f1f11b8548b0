//! Frames over a real socket: bad input is answered and the connection survives; abuse closes it.

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::common::TestServer;

#[tokio::test]
async fn bad_frames_are_answered_and_the_connection_stays_open() {
    let server = TestServer::start().await;
    let (_, token) = server.token("t").await;
    let mut client = server.connect(&token).await;
    let cases = [
        ("not json", None, "invalid_frame"),
        (
            r#"{"type":"teleport","id":4}"#,
            Some(4),
            "unknown_frame_type",
        ),
        (r#"{"type":"request","id":5}"#, Some(5), "invalid_frame"),
        (
            r#"{"type":"request","id":6,"method":"no.such"}"#,
            Some(6),
            "method_not_found",
        ),
        (
            r#"{"type":"request","id":7,"method":"system.info","params":{"x":1}}"#,
            Some(7),
            "invalid_params",
        ),
        (
            r#"{"type":"subscribe","id":8,"channels":["bogus"]}"#,
            Some(8),
            "invalid_channel",
        ),
        (
            r#"{"type":"subscribe","id":9,"channels":["user:someone-else"]}"#,
            Some(9),
            "forbidden",
        ),
        (
            r#"{"type":"subscribe","id":10,"channels":["session:a"],"since":{"session:b":{"epoch":"e","offset":1}}}"#,
            Some(10),
            "invalid_channel",
        ),
    ];
    for (text, id, code) in cases {
        client.send_text(text).await;
        let response = client.next_json().await;
        assert_eq!(response["type"], "response", "{text}");
        assert_eq!(response["id"].as_i64(), id, "{text}");
        assert_eq!(response["error"]["code"], code, "{text}: {response}");
        assert!(
            response["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    client
        .socket
        .send(Message::binary(vec![1, 2, 3]))
        .await
        .unwrap();
    assert_eq!(
        client.next_json().await["error"]["code"],
        "unsupported_frame"
    );
    client.send_json(json!({ "type": "ping" })).await;
    assert_eq!(client.next_json().await["type"], "pong");
    let info = client.call(11, "system.info", json!({})).await;
    assert_eq!(info["result"]["protocol"], 1);
    assert_eq!(info["result"]["connections"], 1);
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    let server = TestServer::start_with(|config| {
        config.limits.max_message_bytes = 64 << 10;
        config.limits.max_frame_bytes = 16 << 10;
    })
    .await;
    let (_, token) = server.token("t").await;
    let mut client = server.connect(&token).await;
    let huge = format!(
        r#"{{"type":"request","id":1,"method":"system.info","params":"{}"}}"#,
        "x".repeat(100 << 10)
    );
    let _ = client.socket.send(Message::text(huge)).await;
    assert_eq!(client.close_code().await, 1009);
    let mut next = server.connect(&token).await;
    assert_eq!(
        next.call(1, "system.info", json!({})).await["result"]["connections"],
        1,
        "the server carries on"
    );
}

#[tokio::test]
async fn subscriptions_are_bounded_per_connection() {
    let server = TestServer::start_with(|config| config.limits.max_subscriptions = 3).await;
    let (_, token) = server.token("t").await;
    let mut client = server.connect(&token).await;
    client.send_json(json!({ "type": "subscribe", "id": 1, "channels": ["session:a", "session:b", "session:c"] })).await;
    assert_eq!(client.next_json().await["type"], "subscribed");
    client
        .send_json(json!({ "type": "subscribe", "id": 2, "channels": ["session:d"] }))
        .await;
    assert_eq!(
        client.next_json().await["error"]["code"],
        "too_many_subscriptions"
    );
    client
        .send_json(json!({ "type": "unsubscribe", "id": 3, "channels": ["session:a"] }))
        .await;
    let unsubscribed = client.next_json().await;
    assert_eq!(
        (unsubscribed["type"].as_str(), unsubscribed["id"].as_i64()),
        (Some("unsubscribed"), Some(3))
    );
    client
        .send_json(json!({ "type": "subscribe", "id": 4, "channels": ["session:d"] }))
        .await;
    assert_eq!(client.next_json().await["type"], "subscribed");
}

/// Sends `count` pings in one write, then reads one answer per ping: (pongs, rate_limited).
async fn flood(client: &mut crate::common::Client, count: usize) -> (usize, usize) {
    for _ in 0..count {
        client
            .socket
            .feed(Message::text(r#"{"type":"ping"}"#))
            .await
            .unwrap();
    }
    client.socket.flush().await.unwrap();
    let mut answers = (0, 0);
    for _ in 0..count {
        let answer = client.next_json().await;
        match (answer["type"].as_str(), answer["error"]["code"].as_str()) {
            (Some("pong"), _) => answers.0 += 1,
            (_, Some("rate_limited")) => answers.1 += 1,
            _ => panic!("unexpected {answer}"),
        }
    }
    answers
}

#[tokio::test]
async fn a_flood_is_rate_limited_then_closed_with_1008() {
    let server = TestServer::start_with(|config| {
        config.limits.frames_per_second = 1;
        config.limits.frame_burst = 5;
        config.limits.max_rate_violations = 60;
    })
    .await;
    let (_, token) = server.token("t").await;
    let mut client = server.connect(&token).await;
    let (pongs, limited) = flood(&mut client, 40).await;
    // The burst is served; at 1 frame/s, a slow machine may earn one or two more.
    assert!((5..=7).contains(&pongs), "{pongs} pongs");
    assert_eq!(pongs + limited, 40, "every frame is answered");
    for _ in 0..80 {
        let _ = client
            .socket
            .feed(Message::text(r#"{"type":"ping"}"#))
            .await;
    }
    let _ = client.socket.flush().await;
    assert_eq!(
        client.close_code().await,
        1008,
        "a client that keeps flooding is closed"
    );
}
