//! The in-process link the desktop window uses: the same protocol as a WebSocket, as the
//! trusted local caller, with the same size limit, and one `Closed` at the end.

use serde_json::{Value, json};
use tether_server::local_link::{Delivery, LinkError, LocalLink};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::common::{TestServer, WAIT};

/// A link whose deliveries land in a queue the test reads.
fn open(
    server: &TestServer,
    stop: &CancellationToken,
) -> (LocalLink, mpsc::UnboundedReceiver<Delivery>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let link = LocalLink::open(&server.engine, stop, move |delivery| {
        let _ = tx.send(delivery);
    });
    (link, rx)
}

async fn next(deliveries: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(WAIT, deliveries.recv())
        .await
        .expect("a delivery in time")
        .expect("the link delivers until it closes")
}

async fn next_frame(deliveries: &mut mpsc::UnboundedReceiver<Delivery>) -> Value {
    match next(deliveries).await {
        Delivery::Frame(text) => serde_json::from_str(&text).unwrap(),
        closed => panic!("expected a frame, got {closed:?}"),
    }
}

#[tokio::test]
async fn the_window_speaks_the_protocol_as_the_local_caller() {
    let server = TestServer::start().await;
    let stop = CancellationToken::new();
    let (link, mut deliveries) = open(&server, &stop);
    let welcome = next_frame(&mut deliveries).await;
    assert_eq!(
        (
            welcome["type"].as_str(),
            welcome["connection"]["device"].as_str()
        ),
        (Some("welcome"), Some("local"))
    );

    let subscribe = json!({ "type": "subscribe", "id": 1, "channels": ["user:owner"] });
    link.sender().send(subscribe.to_string()).await.unwrap();
    assert_eq!(next_frame(&mut deliveries).await["type"], "subscribed");
    // Only the local caller may start pairing; the event it announces arrives on the channel.
    let start = json!({ "type": "request", "id": 2, "method": "pairing.start" });
    link.sender().send(start.to_string()).await.unwrap();
    let mut saw = (false, false);
    for _ in 0..4 {
        let frame = next_frame(&mut deliveries).await;
        saw.0 |= frame["type"] == "response" && frame["result"]["code"].is_string();
        saw.1 |= frame["event"] == "pairing.started";
        if saw == (true, true) {
            break;
        }
    }
    assert_eq!(saw, (true, true), "pairing started, and announced");

    link.sender().send("not json".to_owned()).await.unwrap();
    assert_eq!(
        next_frame(&mut deliveries).await["error"]["code"],
        "invalid_frame",
        "bad input is answered, not fatal"
    );

    link.close();
    assert_eq!(
        next(&mut deliveries).await,
        Delivery::Closed {
            code: 1001,
            reason: "going_away".to_owned()
        }
    );
    assert!(
        tokio::time::timeout(WAIT, deliveries.recv())
            .await
            .unwrap()
            .is_none(),
        "nothing after Closed"
    );
    assert_eq!(
        link.sender().send("{}".to_owned()).await,
        Err(LinkError::Closed)
    );
}

#[tokio::test]
async fn an_oversized_frame_closes_the_link_with_1009_and_a_stop_closes_the_rest() {
    let server = TestServer::start_with(|config| config.limits.max_message_bytes = 1024).await;
    let stop = CancellationToken::new();
    let (big, mut big_deliveries) = open(&server, &stop);
    let (_other, mut other_deliveries) = open(&server, &stop);
    next_frame(&mut big_deliveries).await;
    next_frame(&mut other_deliveries).await;

    big.sender().send("x".repeat(2048)).await.unwrap();
    match next(&mut big_deliveries).await {
        Delivery::Closed { code, .. } => assert_eq!(code, 1009),
        frame => panic!("expected Closed, got {frame:?}"),
    }

    stop.cancel();
    match next(&mut other_deliveries).await {
        Delivery::Closed { code, .. } => assert_eq!(code, 1001),
        frame => panic!("expected Closed, got {frame:?}"),
    }
}
