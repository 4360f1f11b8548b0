//! The simple chat endpoint has the limits of `/ws`: a burst of prompts past the frame rate
//! is dropped with an error frame (each would be a paid turn), a sustained one closes the
//! connection (1008), and the server pings the client.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tether_fake_anthropic::Reply;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::claude::ClaudeBench;
use crate::common::{MAX_FRAMES, WAIT, within};

/// Prompts taken at once.
const BURST: u32 = 4;
/// Prompts over the rate in a row before the connection is closed.
const VIOLATIONS: u32 = 6;
/// Prompts the client sends as fast as it can.
const SENT: u32 = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_prompts_is_limited_like_ws_and_the_client_is_pinged() {
    let replies = vec![Reply::text(["ok"]); BURST as usize + 1];
    let bench = ClaudeBench::start_with(replies, |config| {
        config.limits.frames_per_second = 1;
        config.limits.frame_burst = BURST;
        config.limits.max_rate_violations = VIOLATIONS;
        config.limits.heartbeat_interval = Duration::from_millis(100);
    })
    .await;
    let url = format!("ws://{}/ws/chat/{}", bench.server.addr, bench.project_id);
    let mut request = url.into_client_request().unwrap();
    let bearer = HeaderValue::from_str(&format!("Bearer {}", bench.token)).unwrap();
    request.headers_mut().insert("authorization", bearer);
    let (mut socket, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
        .unwrap();

    let mut pinged = false;
    for _ in 0..MAX_FRAMES {
        let message = tokio::time::timeout(WAIT, socket.next()).await.unwrap();
        if let Some(Ok(Message::Ping(_))) = message {
            pinged = true;
            break;
        }
    }
    assert!(
        pinged,
        "the server pings /ws/chat clients as it pings /ws ones"
    );

    // The burst and two more: those two are dropped, and the client is told.
    for n in 0..BURST + 2 {
        socket
            .send(Message::text(format!("prompt {n}")))
            .await
            .unwrap();
    }
    let mut dropped = 0;
    let told = async {
        for _ in 0..MAX_FRAMES {
            if dropped == 2 {
                break;
            }
            if let Some(Ok(Message::Text(text))) = socket.next().await {
                let frame: Value = serde_json::from_str(&text).unwrap();
                if frame["type"] == "error" {
                    assert_eq!(frame["message"], "too many messages: this one was dropped");
                    dropped += 1;
                }
            }
        }
    };
    within("the dropped prompts' errors", told).await;
    assert_eq!(
        dropped, 2,
        "every prompt over the rate is dropped and said so"
    );

    // A sustained flood closes the connection.
    for n in BURST + 2..SENT {
        if socket
            .send(Message::text(format!("prompt {n}")))
            .await
            .is_err()
        {
            break;
        }
    }
    let mut closed = None;
    let ended = async {
        for _ in 0..MAX_FRAMES {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => {
                    closed = frame.map(|frame| u16::from(frame.code));
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    };
    within("the flood's close", ended).await;
    assert_eq!(
        closed,
        Some(1008),
        "a sustained flood closes the connection"
    );

    // Only the burst reached claude: one session, holding the prompts taken.
    let sessions = bench.server.engine.sessions().list();
    assert_eq!(sessions.len(), 1);
    let snapshot = bench
        .server
        .engine
        .dispatch(
            &tether_engine::auth::Caller::Local,
            "sessions.get",
            Some(json!({ "session_id": sessions[0].id })),
        )
        .await
        .unwrap();
    let prompts = snapshot["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["role"] == "user")
        .count();
    assert!(
        (BURST as usize..=BURST as usize + 1).contains(&prompts),
        "{prompts} prompts taken of {SENT}"
    );
}
