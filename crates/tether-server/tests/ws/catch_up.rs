//! Catch-up beyond memory: a subscribe replays from the saved log what the memory ring no longer
//! holds, and `events.history` pages through gaps larger than one subscribe replays.

use serde_json::{Value, json};
use tether_engine::hub::HistoryLimits;
use tether_protocol::ChannelName;

use crate::common::TestServer;

/// A server whose memory keeps only 8 events per channel, with `count` events published on
/// `project:p` and saved; returns it with a token and the channel's epoch.
async fn published(count: u64) -> (TestServer, String, String) {
    let server = TestServer::start_with(|config| {
        config.history = HistoryLimits {
            max_events: 8,
            ..HistoryLimits::default()
        };
    })
    .await;
    let (_, token) = server.token("phone").await;
    let channel = ChannelName::parse("project:p").unwrap();
    let hub = server.engine.hub();
    for n in 1..=count {
        server.publish(&channel, "project.updated", &json!({ "n": n }));
    }
    server.engine.store().flush().await.unwrap();
    let epoch = hub.position(&channel).unwrap().epoch;
    (server, token, epoch)
}

fn data_of(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|event| event["data"]["n"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_subscribe_replays_from_the_store_what_memory_no_longer_holds() {
    let (server, token, epoch) = published(100).await;
    let mut client = server.connect(&token).await;
    client.send_json(json!({ "type": "subscribe", "channels": ["project:p"], "since": { "project:p": { "epoch": epoch, "offset": 10 } } })).await;
    let subscribed = client.next_json().await;
    assert_eq!(subscribed["channels"][0]["recovered"], true);
    assert_eq!(subscribed["channels"][0]["offset"], 100);
    let mut replayed = Vec::new();
    for _ in 10..100 {
        replayed.push(client.next_json().await);
    }
    let offsets: Vec<u64> = replayed
        .iter()
        .map(|event| event["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, (11..=100).collect::<Vec<_>>());
    assert_eq!(data_of(&replayed), (11..=100).collect::<Vec<_>>());
}

#[tokio::test]
async fn larger_gaps_page_through_events_history_then_subscribe_exactly() {
    let (server, token, epoch) = published(700).await;
    let mut client = server.connect(&token).await;
    client.send_json(json!({ "type": "subscribe", "channels": ["project:p"], "since": { "project:p": { "epoch": epoch, "offset": 0 } } })).await;
    assert_eq!(
        client.next_json().await["channels"][0]["recovered"],
        false,
        "more than one subscribe replays: page instead"
    );
    let mut paged = Vec::new();
    let mut since = 0;
    for page in 1..=3 {
        let history = client
            .call(page, "events.history", json!({ "channel": "project:p", "since": { "epoch": epoch, "offset": since }, "limit": 300 }))
            .await["result"]
            .clone();
        assert_eq!(
            (history["recovered"].as_bool(), history["head"].as_u64()),
            (Some(true), Some(700))
        );
        paged.extend(history["events"].as_array().unwrap().iter().cloned());
        since = history["next"].as_u64().unwrap();
    }
    assert_eq!(since, 700);
    assert_eq!(data_of(&paged), (1..=700).collect::<Vec<_>>());
    client.send_json(json!({ "type": "subscribe", "channels": ["project:p"], "since": { "project:p": { "epoch": epoch, "offset": since } } })).await;
    let subscribed = client.next_json().await;
    assert_eq!(subscribed["channels"][0]["recovered"], true);

    let stranger = client
        .call(
            9,
            "events.history",
            json!({ "channel": "project:p", "since": { "epoch": "another", "offset": 0 } }),
        )
        .await;
    assert_eq!(
        stranger["result"]["recovered"], false,
        "another stream's offsets mean nothing here"
    );
    assert_eq!(stranger["result"]["events"], json!([]));
    let unknown = client
        .call(
            8,
            "events.history",
            json!({ "channel": "project:nobody", "since": { "epoch": epoch, "offset": 0 } }),
        )
        .await;
    assert_eq!(unknown["result"]["recovered"], false);
    let nobody = ChannelName::parse("project:nobody").unwrap();
    assert_eq!(
        server.engine.hub().position(&nobody),
        None,
        "asking created nothing"
    );
    for (params, code) in [
        (
            json!({ "channel": "user:someone", "since": { "epoch": epoch, "offset": 0 } }),
            "forbidden",
        ),
        (
            json!({ "channel": "project:p", "since": { "epoch": epoch, "offset": 0 }, "limit": 0 }),
            "invalid_params",
        ),
        (
            json!({ "channel": "nonsense", "since": { "epoch": epoch, "offset": 0 } }),
            "invalid_channel",
        ),
    ] {
        let refused = client.call(10, "events.history", params).await;
        assert_eq!(refused["error"]["code"], code, "{refused}");
    }
}
