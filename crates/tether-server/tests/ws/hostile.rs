//! A hostile crowd while a normal client streams: garbage frames, a frame far too large, a
//! flood, slowloris handshakes, and 5,000 connections opened and abandoned. The normal client
//! gets every event, in order and once (resuming by offset when it falls behind, as the apps
//! do); each attacker is disconnected (1009, 1008, 4002, or the header deadline); and a
//! newcomer is still served afterwards.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tether_protocol::ChannelName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Client, MAX_FRAMES, TestServer, WAIT, open, within};

/// Events the normal client must receive, published at a steady pace during the attack.
const EVENTS: u64 = 2_000;
/// Connections opened and abandoned, in waves of [`WAVE`].
const ABANDONED: usize = 5_000;
const WAVE: usize = 250;
/// Frames each of the garbage and flood attackers sends.
const ATTACK_FRAMES: usize = 2_000;
/// Slow handshakes held open at once.
const SLOWLORIS: usize = 50;
/// The most times the normal client may have to resume.
const MAX_RECONNECTS: usize = 100;

/// Keeps an event: the next offset, carrying the number published with it.
fn take(event: &serde_json::Value, offsets: &mut Vec<u64>) {
    let offset = event["offset"].as_u64().unwrap();
    assert_eq!(event["data"]["n"], offset - 1);
    offsets.push(offset);
}

/// Reads the events after the last offset held through `events.history`, page by page.
async fn page_through(client: &mut Client, epoch: &str, offsets: &mut Vec<u64>) {
    for page in 0..MAX_RECONNECTS {
        let last = offsets.last().copied().unwrap_or(0);
        let since = json!({ "epoch": epoch, "offset": last });
        let params = json!({ "channel": "session:steady", "since": since });
        let answer = client.call(2 + page as i64, "events.history", params).await;
        let history = &answer["result"];
        assert_eq!(history["recovered"], true, "the gap is kept: {answer}");
        for event in history["events"].as_array().unwrap() {
            take(event, offsets);
        }
        if history["next"] == history["head"] {
            return;
        }
    }
    panic!("more than {MAX_RECONNECTS} pages of history");
}

/// The next event on the normal client's subscription, or `None` once the server cut it off
/// for falling behind (4002).
async fn next_event_or_cut_off(client: &mut Client) -> Option<serde_json::Value> {
    for _ in 0..MAX_FRAMES {
        match client.next_message().await? {
            Message::Text(text) => {
                let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
                if frame["type"] == "event" {
                    return Some(frame);
                }
            }
            Message::Close(frame) => {
                let code = frame.map(|frame| u16::from(frame.code));
                assert_eq!(code, Some(4002), "only a slow-consumer cut-off is expected");
                return None;
            }
            _ => {}
        }
    }
    panic!("more than {MAX_FRAMES} frames without an event");
}

/// Sends `frames` as fast as the socket takes them, without reading, until the server closes;
/// then reads until its close frame and returns the close code (`None`: the connection was
/// reset before the close frame could be read). A server that never disconnects fails it.
async fn attack(mut client: Client, frames: impl Iterator<Item = Message>) -> Option<u16> {
    for frame in frames {
        if client.socket.send(frame).await.is_err() {
            break;
        }
    }
    let disconnected = async {
        for _ in 0..1_000_000 {
            match client.socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|frame| frame.code.into()),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
        panic!("the attacker was never disconnected");
    };
    within("the attacker's disconnection", disconnected).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_client_streams_without_loss_through_a_hostile_crowd() {
    let server = TestServer::start_with(|config| {
        // Short, so the slowloris handshakes end well within the test; long enough that the
        // normal client's own handshakes are never cut on a loaded machine.
        config.limits.handshake_timeout = Duration::from_secs(2);
    })
    .await;
    let (_, normal_token) = server.token("normal").await;
    let (_, hostile_token) = server.token("hostile").await;
    let channel = ChannelName::parse("session:steady").unwrap();

    // The normal client behaves as the apps do: cut off for falling behind (4002), it
    // reconnects, pages through what it missed (`events.history`) and subscribes again from
    // the last offset it holds.
    let request = server.request(&normal_token);
    let (subscribed_tx, subscribed_rx) = oneshot::channel();
    let listener = tokio::spawn(async move {
        let mut subscribed_tx = Some(subscribed_tx);
        let mut offsets: Vec<u64> = Vec::new();
        let mut epoch: Option<String> = None;
        let mut reconnects = 0;
        while offsets.len() < EVENTS as usize {
            assert!(
                reconnects < MAX_RECONNECTS,
                "reconnected {reconnects} times"
            );
            let mut normal = open(request.clone()).await.unwrap();
            if let Some(epoch) = &epoch {
                page_through(&mut normal, epoch, &mut offsets).await;
            }
            let mut subscribe =
                json!({ "type": "subscribe", "id": 1, "channels": ["session:steady"] });
            if let Some(epoch) = &epoch {
                let last = offsets.last().copied().unwrap_or(0);
                subscribe["since"] =
                    json!({ "session:steady": { "epoch": epoch, "offset": last } });
            }
            normal.send_json(subscribe).await;
            let subscribed = normal.next_json().await;
            assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
            let joined = &subscribed["channels"][0];
            if epoch.is_some() && joined["recovered"] != true {
                // More was published while it paged than one subscribe replays: page again,
                // on a fresh connection (this one is already receiving live events).
                reconnects += 1;
                continue;
            }
            epoch = joined["epoch"].as_str().map(str::to_owned);
            if let Some(ready) = subscribed_tx.take() {
                ready.send(()).unwrap();
            }
            while offsets.len() < EVENTS as usize {
                let Some(event) = next_event_or_cut_off(&mut normal).await else {
                    reconnects += 1;
                    break;
                };
                take(&event, &mut offsets);
            }
        }
        (offsets, reconnects)
    });
    subscribed_rx.await.unwrap();

    let mut crowd = JoinSet::new();
    // Garbage: not JSON, binary, unknown types; answered with errors (then cut off for not
    // reading them, or closed for the rate).
    let garbage = server.connect(&hostile_token).await;
    crowd.spawn(async move {
        let frames = (0..ATTACK_FRAMES).map(|i| match i % 3 {
            0 => Message::text(format!("{{not json {i}")),
            1 => Message::binary(vec![0xff; 64]),
            _ => Message::text(format!(r#"{{"type":"nonsense","id":{i}}}"#)),
        });
        ("garbage", attack(garbage, frames).await)
    });
    // One frame larger than allowed: 1009.
    let huge = server.connect(&hostile_token).await;
    let past_the_limit = server.engine.config().limits.max_message_bytes + 1;
    crowd.spawn(async move {
        let frame = Message::text("x".repeat(past_the_limit));
        ("huge", attack(huge, std::iter::once(frame)).await)
    });
    // A flood of valid requests: rate limited, then closed with 1008 (or cut off for not
    // reading the answers, 4002).
    let flood = server.connect(&hostile_token).await;
    crowd.spawn(async move {
        let frames = (0..ATTACK_FRAMES).map(|i| {
            Message::text(
                json!({ "type": "request", "id": i, "method": "sessions.list" }).to_string(),
            )
        });
        ("flood", attack(flood, frames).await)
    });
    // Slowloris: handshakes that never finish their headers; the deadline ends them.
    let address = server.addr;
    crowd.spawn(async move {
        let mut slow = Vec::new();
        for _ in 0..SLOWLORIS {
            let mut stream = TcpStream::connect(address).await.unwrap();
            stream
                .write_all(b"GET /ws HTTP/1.1\r\nHost: localhost\r\n")
                .await
                .unwrap();
            slow.push(stream);
        }
        let mut ended = 0;
        for mut stream in slow {
            let mut byte = [0_u8; 1];
            // The server answers (408 or a close) once the header deadline passes.
            let read =
                tokio::time::timeout(WAIT, tokio::io::AsyncReadExt::read(&mut stream, &mut byte))
                    .await;
            if read.is_ok() {
                ended += 1;
            }
        }
        ("slowloris", Some(u16::try_from(ended).unwrap()))
    });
    // Connections opened and abandoned, in waves: some mid-handshake, some silent.
    crowd.spawn(async move {
        let mut opened = 0;
        for _ in 0..ABANDONED / WAVE {
            let mut wave = Vec::with_capacity(WAVE);
            for i in 0..WAVE {
                let Ok(mut stream) = TcpStream::connect(address).await else {
                    continue;
                };
                if i % 2 == 0 {
                    let _ = stream.write_all(b"GET /ws HTTP/1.1\r\nHo").await;
                }
                wave.push(stream);
            }
            opened += wave.len();
            drop(wave);
        }
        ("abandoned", Some(u16::try_from(opened).unwrap()))
    });

    // The steady stream, two events a millisecond, published while all of that goes on.
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    for n in 0..EVENTS {
        if n % 2 == 0 {
            tick.tick().await;
        }
        server.publish(&channel, "part.delta", &json!({ "n": n }));
    }
    let (offsets, reconnects) = tokio::time::timeout(Duration::from_secs(120), listener)
        .await
        .expect("the normal client's stream stalled")
        .unwrap();
    assert_eq!(
        offsets,
        (1..=EVENTS).collect::<Vec<_>>(),
        "every event, in order, once ({reconnects} resumes)"
    );

    while let Some(outcome) = crowd.join_next().await {
        let (attacker, code) = outcome.unwrap();
        match attacker {
            // Each is disconnected with its reason; one still writing when the server closes
            // may see the connection reset instead of the close frame.
            "huge" => assert!(
                matches!(code, Some(1009) | None),
                "a frame past the limit closes with 1009, got {code:?}"
            ),
            "garbage" | "flood" => assert!(
                matches!(code, Some(1008 | 4002) | None),
                "{attacker}: closed for the rate (1008) or for not reading (4002), got {code:?}"
            ),
            "slowloris" => assert_eq!(code, Some(SLOWLORIS as u16), "every slow handshake ended"),
            _ => assert_eq!(
                code,
                Some(ABANDONED as u16),
                "every connection was accepted"
            ),
        }
    }

    // Everything the attackers held is let go.
    let mut left = usize::MAX;
    for _ in 0..1_000 {
        left = server.engine.connections().count();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(left, 0, "no connection is left registered");

    // Still serving: a newcomer connects and is answered.
    let mut newcomer = server.connect(&normal_token).await;
    let listed = newcomer.call(1, "sessions.list", json!({})).await;
    assert!(listed["error"].is_null(), "{listed}");
}
