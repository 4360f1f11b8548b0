//! Replies are served first in, first out; `push` appends; an empty script answers "ok".

use std::time::Duration;

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::client::post_messages;

async fn text_of_next_turn(fake: &FakeAnthropic) -> String {
    let events = post_messages(fake.addr(), "m")
        .await
        .response()
        .await
        .events();
    events
        .iter()
        .filter_map(|e| e["delta"]["text"].as_str())
        .collect()
}

#[tokio::test]
async fn replies_are_served_in_order_then_ok() {
    let fake = FakeAnthropic::start(Script::new([Reply::text(["one"]), Reply::text(["two"])]))
        .await
        .unwrap();
    assert_eq!(fake.pending_replies(), 2);
    assert_eq!(text_of_next_turn(&fake).await, "one");
    fake.push(Reply::text(["three"]));
    assert_eq!(text_of_next_turn(&fake).await, "two");
    assert_eq!(text_of_next_turn(&fake).await, "three");
    assert_eq!(fake.pending_replies(), 0);
    assert_eq!(text_of_next_turn(&fake).await, "ok");
    assert_eq!(fake.message_requests().len(), 4);
}

#[tokio::test]
async fn message_ids_count_up() {
    let fake = FakeAnthropic::start(Script::default()).await.unwrap();
    for want in ["msg_fake000001", "msg_fake000002"] {
        let events = post_messages(fake.addr(), "m")
            .await
            .response()
            .await
            .events();
        assert_eq!(events[0]["message"]["id"], want);
    }
}

#[tokio::test]
async fn waiting_for_requests_is_bounded() {
    let fake = FakeAnthropic::start(Script::default()).await.unwrap();
    let err = fake
        .wait_for_requests(1, Duration::from_millis(20))
        .await
        .unwrap_err();
    assert_eq!((err.wanted, err.got), (1, 0));

    let pending = post_messages(fake.addr(), "m").await;
    let seen = fake
        .wait_for_requests(1, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    pending.response().await;
}
