//! Fan-out: many clients get every event in order; a slow one is cut off and catches up by offset.

use serde_json::{Value, json};
use tether_protocol::ChannelName;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{Client, MAX_FRAMES, TestServer};

async fn subscribe(client: &mut Client, channel: &str, since: Option<Value>) -> Value {
    let mut frame = json!({ "type": "subscribe", "id": 1, "channels": [channel] });
    if let Some(since) = since {
        frame["since"] = json!({ channel: since });
    }
    client.send_json(frame).await;
    let subscribed = client.next_json().await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
    subscribed["channels"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_clients_each_receive_every_event_in_order() {
    const CLIENTS: usize = 200;
    const EVENTS: u64 = 100;
    // One token for the whole crowd: let it hold them all.
    let server =
        TestServer::start_with(|config| config.limits.max_connections_per_device = CLIENTS).await;
    let (_, token) = server.token("crowd").await;
    let channel = ChannelName::parse("session:broadcast").unwrap();
    let mut clients = JoinSet::new();
    let (ready_tx, mut ready) = mpsc::channel(CLIENTS);
    for _ in 0..CLIENTS {
        let (request, ready_tx) = (server.request(&token), ready_tx.clone());
        let connecting = server.connect_with(request);
        let mut client = connecting.await.unwrap();
        clients.spawn(async move {
            subscribe(&mut client, "session:broadcast", None).await;
            ready_tx.send(()).await.unwrap();
            let mut offsets = Vec::new();
            while offsets.len() < EVENTS as usize {
                let event = client.next_json().await;
                assert_eq!(event["data"]["n"], event["offset"].as_u64().unwrap() - 1);
                offsets.push(event["offset"].as_u64().unwrap());
            }
            offsets
        });
    }
    for _ in 0..CLIENTS {
        ready.recv().await.unwrap();
    }
    for n in 0..EVENTS {
        server.publish(&channel, "part.delta", &json!({ "n": n }));
    }
    let expected: Vec<u64> = (1..=EVENTS).collect();
    let mut complete = 0;
    while let Some(offsets) = clients.join_next().await {
        assert_eq!(offsets.unwrap(), expected);
        complete += 1;
    }
    assert_eq!(complete, CLIENTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_is_cut_off_while_others_continue_then_resumes_by_offset() {
    const EVENTS: u64 = 400;
    let server = TestServer::start_with(|config| {
        config.limits.outbound_queue = 16;
        config.history.max_bytes = 64 << 20;
        config.history.max_replay = 1000;
    })
    .await;
    let (_, token) = server.token("t").await;
    let channel = ChannelName::parse("session:big").unwrap();
    let payload = "x".repeat(64 << 10);

    let mut slow = server.connect(&token).await;
    let position = subscribe(&mut slow, "session:big", None).await;
    let mut fast = server.connect(&token).await;
    subscribe(&mut fast, "session:big", None).await;
    let (seen_tx, mut seen) = mpsc::channel(1);
    let reader = tokio::spawn(async move {
        for expected in 1..=EVENTS {
            assert_eq!(fast.next_json().await["offset"].as_u64(), Some(expected));
            seen_tx.send(expected).await.unwrap();
        }
    });
    // The slow client reads nothing until the hub has cut it off, then drains what reached it.
    let (cut_tx, cut) = tokio::sync::oneshot::channel();
    let slow_reader = tokio::spawn(async move {
        cut.await.unwrap();
        let mut last = 0;
        for _ in 0..MAX_FRAMES {
            match slow.next_message().await {
                Some(Message::Text(text)) => {
                    let event: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(
                        event["offset"].as_u64(),
                        Some(last + 1),
                        "in order, no gap before the cut"
                    );
                    last += 1;
                }
                Some(Message::Close(frame)) => return (last, frame.map(|f| u16::from(f.code))),
                Some(_) => {}
                None => panic!("no close frame"),
            }
        }
        panic!("more than {MAX_FRAMES} frames without the one awaited");
    });
    let mut cut_tx = Some(cut_tx);
    for n in 1..=EVENTS {
        server.publish(&channel, "part.delta", &json!({ "n": n, "text": payload }));
        assert_eq!(
            seen.recv().await,
            Some(n),
            "the fast client keeps up with every event"
        );
        if server.engine.hub().subscriber_count(&channel) == 1
            && let Some(cut_tx) = cut_tx.take()
        {
            cut_tx.send(()).unwrap();
        }
    }
    reader.await.unwrap();
    assert!(
        cut_tx.is_none(),
        "the slow client was cut off before the end"
    );
    let (last, code) = slow_reader.await.unwrap();
    assert_eq!(code, Some(4002));
    assert!(last < EVENTS);
    // Counted once the server has finished with the connection.
    for _ in 0..1_000 {
        if server.engine.metrics().slow_consumers.get() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        server.engine.metrics().slow_consumers.get(),
        1,
        "the cut-off is counted for /metrics"
    );

    let mut resumed = server.connect(&token).await;
    let since = json!({ "epoch": position["epoch"], "offset": last });
    let state = subscribe(&mut resumed, "session:big", Some(since)).await;
    assert_eq!(
        (state["recovered"].as_bool(), state["offset"].as_u64()),
        (Some(true), Some(EVENTS))
    );
    for expected in last + 1..=EVENTS {
        assert_eq!(resumed.next_json().await["offset"].as_u64(), Some(expected));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_off_client_that_keeps_writing_still_reads_why_it_was_closed() {
    let server = TestServer::start_with(|config| config.limits.outbound_queue = 8).await;
    let (_, token) = server.token("t").await;
    let channel = ChannelName::parse("session:cut").unwrap();
    let mut client = server.connect(&token).await;
    subscribe(&mut client, "session:cut", None).await;
    // It reads nothing while far more is published than its queue holds, and is cut off.
    let payload = "x".repeat(256 << 10);
    for n in 0..64 {
        if server.engine.hub().subscriber_count(&channel) == 0 {
            break;
        }
        server.publish(&channel, "part.delta", &json!({ "n": n, "text": payload }));
    }
    assert_eq!(server.engine.hub().subscriber_count(&channel), 0, "cut off");
    // Then it writes to the socket the server is closing: the server must still read it
    // rather than reset the connection, which would destroy the close frame unread.
    client
        .send_json(json!({ "type": "request", "id": 1, "method": "system.info" }))
        .await;
    assert_eq!(client.close_code().await, 4002);
}
