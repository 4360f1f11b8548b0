//! A stalled stream stays open until released (then ends normally) or until the fake goes away (then is cut).

use std::time::Duration;

use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::client::{STEP, post_messages};

fn stall(chunks: &[&str]) -> Reply {
    Reply::Stall {
        chunks: chunks.iter().map(|c| (*c).to_owned()).collect(),
    }
}

#[tokio::test]
async fn release_finishes_a_stalled_stream() {
    let fake = FakeAnthropic::start(Script::new([stall(&["partial"])]))
        .await
        .unwrap();
    let mut exchange = post_messages(fake.addr(), "m").await;
    exchange.read_until(r#""text":"partial""#).await;
    assert!(
        exchange.quiet_for(Duration::from_millis(200)).await,
        "nothing more while stalled"
    );
    fake.release_stalls();
    let response = exchange.response().await;
    let events = response.events();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
}

#[tokio::test]
async fn release_right_after_the_request_is_seen_is_not_lost() {
    let fake = FakeAnthropic::start(Script::new([stall(&[])]))
        .await
        .unwrap();
    let exchange = post_messages(fake.addr(), "m").await;
    fake.wait_for_requests(1, STEP).await.unwrap();
    fake.release_stalls();
    let events = exchange.response().await.events();
    assert_eq!(events.last().unwrap()["type"], "message_stop");
}

#[tokio::test]
async fn dropping_the_fake_cuts_a_stalled_stream() {
    let fake = FakeAnthropic::start(Script::new([stall(&["partial"])]))
        .await
        .unwrap();
    let mut exchange = post_messages(fake.addr(), "m").await;
    exchange.read_until(r#""text":"partial""#).await;
    drop(fake);
    let (_read, response) = exchange.finish().await;
    assert!(!response.body.contains("message_stop"), "{}", response.body);
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let fake = FakeAnthropic::start(Script::new([stall(&["x"])]))
        .await
        .unwrap();
    let addr = fake.addr();
    let mut exchange = post_messages(addr, "m").await;
    exchange.read_until(r#""text":"x""#).await;
    tokio::time::timeout(STEP, fake.shutdown())
        .await
        .expect("shutdown is bounded");
    let (_read, response) = exchange.finish().await;
    assert!(!response.body.contains("message_stop"));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
