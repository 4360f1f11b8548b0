//! Hub tests: offsets, replay, `recovered: false`, slow consumers and bounded memory.

use std::time::Duration;

use futures_util::FutureExt;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::*;
use tether_protocol::CloseReason;
use tether_protocol::events::{AccountEvent, EncodedEvent, StoreUpdated};

fn channel(name: &str) -> ChannelName {
    ChannelName::parse(name).unwrap()
}

/// A hub whose history is its memory alone: its store cannot open the damaged database file
/// it finds (replay from a working store is tested over real sockets, in tests/ws/catch_up.rs).
fn test_hub(limits: HistoryLimits) -> (Hub, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(tether_store::FILE_NAME), [0x5a; 4096]).unwrap();
    let store = Store::open(dir.path(), Default::default());
    assert!(store.health().problem.is_some());
    (Hub::new(limits, store), dir)
}

/// Publishes an event of any name and data.
fn publish(hub: &Hub, channel: &ChannelName, event: &str, data: &impl Serialize) -> Option<u64> {
    hub.publish(channel, &EncodedEvent::new(channel, event, data).ok()?)
}

fn outbox(id: u64, capacity: usize) -> (Outbox, Inbox) {
    let limits = QueueLimits {
        items: capacity,
        bytes: usize::MAX,
    };
    Outbox::new(id, limits, Closer::child_of(&CancellationToken::new()))
}

/// Every frame queued so far, flattened, as JSON.
fn drain(queue: &mut Inbox) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Some(Some(item)) = queue.recv().now_or_never() {
        match item {
            Outbound::Frame(text) | Outbound::Event { frame: text, .. } => {
                frames.push(serde_json::from_str(text.as_str()).unwrap())
            }
            Outbound::Batch(batch) => frames.extend(
                batch
                    .iter()
                    .map(|text| serde_json::from_str::<Value>(text.as_str()).unwrap()),
            ),
        }
    }
    frames
}

fn offsets(frames: &[Value]) -> Vec<u64> {
    frames
        .iter()
        .filter(|f| f["type"] == "event")
        .map(|f| f["offset"].as_u64().unwrap())
        .collect()
}

fn join(name: &str, since: Option<Position>) -> Join {
    Join {
        channel: channel(name),
        since,
    }
}

#[test]
fn offsets_rise_by_one_per_channel_and_reach_subscribers_in_order() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let (sub, mut queue) = outbox(1, 64);
    assert!(hub.subscribe(&sub, None, &[join("session:a", None)]));
    for n in 0..5 {
        assert_eq!(
            publish(
                &hub,
                &channel("session:a"),
                "part.delta",
                &json!({ "n": n })
            )
            .unwrap(),
            n + 1
        );
    }
    assert_eq!(
        publish(&hub, &channel("session:b"), "x", &json!(null)).unwrap(),
        1,
        "channels count separately"
    );
    let frames = drain(&mut queue);
    assert_eq!(frames[0]["type"], "subscribed");
    assert_eq!(frames[0]["channels"][0]["offset"], 0);
    assert!(
        frames[0]["channels"][0].get("recovered").is_none(),
        "no since, no recovered flag"
    );
    assert_eq!(offsets(&frames), [1, 2, 3, 4, 5]);
    assert_eq!(frames[3]["data"]["n"], 2);
    assert_eq!(frames[1]["channel"], "session:a");
    assert_eq!(frames[1]["event"], "part.delta");
}

#[test]
fn since_replays_exactly_the_gap_before_live_events() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let name = channel("session:a");
    for n in 1..=10 {
        publish(&hub, &name, "e", &n).unwrap();
    }
    let epoch = hub.position(&name).unwrap().epoch;
    let (sub, mut queue) = outbox(1, 64);
    let since = Position {
        epoch: epoch.clone(),
        offset: 7,
    };
    assert!(hub.subscribe(
        &sub,
        Some(RequestId::Number(3)),
        &[join("session:a", Some(since))]
    ));
    publish(&hub, &name, "e", &11).unwrap();
    let frames = drain(&mut queue);
    assert_eq!(frames[0]["id"], 3);
    let state = &frames[0]["channels"][0];
    assert_eq!(
        (
            state["recovered"].as_bool(),
            state["offset"].as_u64(),
            state["epoch"].as_str()
        ),
        (Some(true), Some(10), Some(epoch.as_str()))
    );
    assert_eq!(
        offsets(&frames),
        [8, 9, 10, 11],
        "gap first, then live, no duplicates"
    );
}

#[test]
fn caught_up_clients_recover_with_nothing_to_replay() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let name = channel("project:p");
    publish(&hub, &name, "e", &1).unwrap();
    let position = hub.position(&name).unwrap();
    let (sub, mut queue) = outbox(1, 8);
    hub.subscribe(&sub, None, &[join("project:p", Some(position))]);
    let frames = drain(&mut queue);
    assert_eq!(frames[0]["channels"][0]["recovered"], true);
    assert!(offsets(&frames).is_empty());
}

#[test]
fn gaps_that_cannot_be_filled_report_recovered_false_and_replay_nothing() {
    let limits = HistoryLimits {
        max_events: 5,
        max_replay: 3,
        ..HistoryLimits::default()
    };
    let (hub, _dir) = test_hub(limits);
    let name = channel("session:a");
    for n in 1..=10 {
        publish(&hub, &name, "e", &n).unwrap();
    }
    let epoch = hub.position(&name).unwrap().epoch;
    let cases = [
        (
            "another epoch",
            Position {
                epoch: "0000000000000000".into(),
                offset: 9,
            },
        ),
        (
            "older than the ring",
            Position {
                epoch: epoch.clone(),
                offset: 2,
            },
        ),
        (
            "more than one replay may carry",
            Position {
                epoch: epoch.clone(),
                offset: 6,
            },
        ),
        (
            "from the future",
            Position {
                epoch: epoch.clone(),
                offset: 11,
            },
        ),
    ];
    for (case, since) in cases {
        let (sub, mut queue) = outbox(1, 64);
        hub.subscribe(&sub, None, &[join("session:a", Some(since))]);
        let frames = drain(&mut queue);
        assert_eq!(frames[0]["channels"][0]["recovered"], false, "{case}");
        assert!(
            offsets(&frames).is_empty(),
            "{case}: a partial replay would be a silent gap"
        );
    }
    let (sub, mut queue) = outbox(1, 64);
    hub.subscribe(
        &sub,
        None,
        &[join("session:a", Some(Position { epoch, offset: 7 }))],
    );
    assert_eq!(
        offsets(&drain(&mut queue)),
        [8, 9, 10],
        "within every bound it recovers"
    );
}

#[tokio::test(start_paused = true)]
async fn history_expires_by_age() {
    let (hub, _dir) = test_hub(HistoryLimits {
        max_age: Duration::from_secs(60),
        ..HistoryLimits::default()
    });
    let name = channel("session:a");
    publish(&hub, &name, "e", &1).unwrap();
    let epoch = hub.position(&name).unwrap().epoch;
    tokio::time::advance(Duration::from_secs(61)).await;
    let (sub, mut queue) = outbox(1, 8);
    hub.subscribe(
        &sub,
        None,
        &[join("session:a", Some(Position { epoch, offset: 0 }))],
    );
    assert_eq!(drain(&mut queue)[0]["channels"][0]["recovered"], false);
}

#[test]
fn history_is_bounded_by_bytes() {
    let (hub, _dir) = test_hub(HistoryLimits {
        max_bytes: 2_000,
        ..HistoryLimits::default()
    });
    let name = channel("session:a");
    for _ in 0..100 {
        publish(&hub, &name, "e", &"x".repeat(500)).unwrap();
    }
    let epoch = hub.position(&name).unwrap().epoch;
    let (sub, mut queue) = outbox(1, 8);
    hub.subscribe(
        &sub,
        None,
        &[join("session:a", Some(Position { epoch, offset: 96 }))],
    );
    let frames = drain(&mut queue);
    assert_eq!(
        frames[0]["channels"][0]["recovered"], false,
        "four 500-byte events do not fit in 2,000 bytes"
    );
}

#[test]
fn a_full_queue_cuts_off_only_that_subscriber() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let name = channel("session:a");
    let (slow, _never_read) = outbox(1, 4);
    let (fast, mut fast_queue) = outbox(2, 1024);
    hub.subscribe(&slow, None, &[join("session:a", None)]);
    hub.subscribe(&fast, None, &[join("session:a", None)]);
    for n in 0..100 {
        publish(&hub, &name, "e", &n).unwrap();
    }
    assert!(slow.closer().is_closed());
    assert_eq!(slow.closer().reason(), CloseReason::SlowConsumer);
    assert!(!fast.closer().is_closed());
    assert_eq!(
        offsets(&drain(&mut fast_queue)),
        (1..=100).collect::<Vec<_>>()
    );
}

#[test]
fn channels_nobody_uses_are_dropped_so_memory_stays_bounded() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let (sub, _queue) = outbox(1, 4096);
    for n in 0..1000 {
        let name = format!("session:s{n}");
        hub.subscribe(&sub, None, &[join(&name, None)]);
        hub.unsubscribe(1, [&channel(&name)]);
    }
    assert_eq!(hub.channel_count(), 0);
    publish(&hub, &channel("session:kept"), "e", &1).unwrap();
    hub.unsubscribe(1, [&channel("session:kept")]);
    assert_eq!(
        hub.channel_count(),
        1,
        "a channel with history keeps its epoch and offsets"
    );
}

#[test]
fn resubscribing_does_not_double_deliver() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let (sub, mut queue) = outbox(1, 64);
    hub.subscribe(&sub, None, &[join("session:a", None)]);
    hub.subscribe(&sub, None, &[join("session:a", None)]);
    publish(&hub, &channel("session:a"), "e", &1).unwrap();
    assert_eq!(offsets(&drain(&mut queue)), [1]);
}

#[test]
fn resubscribing_with_since_replays_only_what_was_never_queued() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let name = channel("session:a");
    for n in 1..=3 {
        publish(&hub, &name, "e", &n).unwrap();
    }
    let epoch = hub.position(&name).unwrap().epoch;
    let (sub, mut queue) = outbox(1, 64);
    hub.subscribe(&sub, None, &[join("session:a", None)]);
    publish(&hub, &name, "e", &4).unwrap();
    publish(&hub, &name, "e", &5).unwrap();
    // The client, having seen only offset 2 before, asks again while 4 and 5 are already queued.
    hub.subscribe(
        &sub,
        None,
        &[join("session:a", Some(Position { epoch, offset: 2 }))],
    );
    publish(&hub, &name, "e", &6).unwrap();
    let frames = drain(&mut queue);
    assert_eq!(
        offsets(&frames),
        [4, 5, 3, 6],
        "3 is replayed once; 4 and 5 are not sent twice"
    );
    assert_eq!(hub.subscriber_count(&name), 1);
}

#[test]
fn a_queue_over_its_byte_budget_is_cut_off() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let limits = QueueLimits {
        items: 1000,
        bytes: 4_000,
    };
    let (sub, _queue) = Outbox::new(1, limits, Closer::child_of(&CancellationToken::new()));
    hub.subscribe(&sub, None, &[join("session:a", None)]);
    for _ in 0..8 {
        publish(&hub, &channel("session:a"), "e", &"x".repeat(1_000)).unwrap();
    }
    assert_eq!(sub.closer().reason(), CloseReason::SlowConsumer);
    assert!(sub.closer().is_closed());
    assert_eq!(hub.subscriber_count(&channel("session:a")), 0);
}

#[tokio::test]
async fn one_item_larger_than_the_budget_still_reaches_a_client_that_keeps_up() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let (sub, mut queue) = Outbox::new(
        1,
        QueueLimits {
            items: 8,
            bytes: 100,
        },
        Closer::child_of(&CancellationToken::new()),
    );
    hub.subscribe(&sub, None, &[join("session:a", None)]);
    drain(&mut queue);
    publish(&hub, &channel("session:a"), "e", &"x".repeat(1_000)).unwrap();
    assert!(!sub.closer().is_closed());
    assert_eq!(offsets(&drain(&mut queue)), [1]);
}

#[tokio::test]
async fn followers_get_the_typed_events_and_a_lagging_one_hears_so() {
    let (hub, _dir) = test_hub(HistoryLimits::default());
    let name = channel("user:owner");
    let mut follower = hub.watch(&name);
    let event = AccountEvent::StoreUpdated(StoreUpdated { problem: None });
    hub.publish(&name, &event).unwrap();
    assert_eq!(
        *follower.recv().await.unwrap(),
        ChannelEvent::Account(event.clone())
    );
    for _ in 0..=WATCH_CAPACITY {
        hub.publish(&name, &event).unwrap();
    }
    assert!(matches!(
        follower.recv().await,
        Err(broadcast::error::RecvError::Lagged(_))
    ));
}
