//! Resuming over a new connection: exact continuation, or `recovered: false`, never a silent gap.

use serde_json::json;
use tether_protocol::ChannelName;

use crate::common::TestServer;

#[tokio::test]
async fn a_reconnecting_client_gets_the_gap_then_live_events() {
    let server = TestServer::start().await;
    let (_, token) = server.token("phone").await;
    let channel = ChannelName::parse("session:s1").unwrap();
    let publish = |n: u64| server.publish(&channel, "part.delta", &json!({ "n": n }));

    let mut first = server.connect(&token).await;
    first
        .send_json(json!({ "type": "subscribe", "channels": ["session:s1"] }))
        .await;
    let epoch = first.next_json().await["channels"][0]["epoch"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 1..=5 {
        publish(n);
    }
    for n in 1..=5 {
        assert_eq!(first.next_json().await["offset"], n);
    }
    drop(first);
    for n in 6..=9 {
        publish(n);
    }

    let mut second = server.connect(&token).await;
    second.send_json(json!({ "type": "subscribe", "id": "r", "channels": ["session:s1"], "since": { "session:s1": { "epoch": epoch, "offset": 5 } } })).await;
    let subscribed = second.next_json().await;
    assert_eq!(subscribed["id"], "r");
    assert_eq!(subscribed["channels"][0]["recovered"], true);
    assert_eq!(subscribed["channels"][0]["offset"], 9);
    publish(10);
    for n in 6..=10 {
        let event = second.next_json().await;
        assert_eq!(
            (event["offset"].as_u64(), event["data"]["n"].as_u64()),
            (Some(n), Some(n))
        );
    }

    let mut stranger = server.connect(&token).await;
    stranger.send_json(json!({ "type": "subscribe", "channels": ["session:s1"], "since": { "session:s1": { "epoch": "another", "offset": 3 } } })).await;
    assert_eq!(
        stranger.next_json().await["channels"][0]["recovered"],
        false
    );
    publish(11);
    assert_eq!(
        stranger.next_json().await["offset"],
        11,
        "live events only: the client reloads through RPC"
    );
}

#[tokio::test]
async fn token_changes_are_announced_on_the_user_channel() {
    let server = TestServer::start().await;
    let (_, token) = server.token("watcher").await;
    let mut client = server.connect(&token).await;
    client
        .send_json(json!({ "type": "subscribe", "channels": ["user:owner"] }))
        .await;
    assert_eq!(client.next_json().await["type"], "subscribed");
    let (id, _) = server.token("new phone").await;
    let created = client.next_json().await;
    assert_eq!(
        (created["channel"].as_str(), created["event"].as_str()),
        (Some("user:owner"), Some("device.paired"))
    );
    assert_eq!(created["data"]["id"], id.as_str());
    assert!(
        created["data"].get("token").is_none(),
        "events never carry the secret"
    );
    server
        .engine
        .dispatch(
            &tether_engine::auth::Caller::Local,
            "devices.revoke",
            Some(json!({ "id": id })),
        )
        .await
        .unwrap();
    let revoked = client.next_json().await;
    assert_eq!(
        (revoked["event"].as_str(), revoked["offset"].as_u64()),
        (
            Some("device.revoked"),
            Some(created["offset"].as_u64().unwrap() + 1)
        )
    );
}
