//! A long session read in pages: `sessions.get` with `parts` gives the last page and where the
//! one before ends; `sessions.read` walks back to the start, and the pages together are the
//! whole conversation, live and once archived. Cursors out of range read what there is.

use serde_json::{Value, json};
use tether_fake_anthropic::Reply;

use crate::claude::{ClaudeBench, Seat};

fn ids(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every message id, read page by page from the end, `parts` at a time.
async fn paged(seat: &mut Seat, parts: u32) -> Vec<String> {
    let last = seat.call("sessions.get", json!({ "parts": parts })).await;
    assert!(last["error"].is_null(), "{last}");
    let mut all = ids(&last["result"]["messages"]);
    let mut before = last["result"]["before"].clone();
    for _ in 0..50 {
        let Some(cursor) = before.as_u64() else {
            return all;
        };
        let page = seat
            .call("sessions.read", json!({ "before": cursor, "parts": parts }))
            .await;
        assert!(page["error"].is_null(), "{page}");
        let parts_held: usize = (page["result"]["messages"].as_array().unwrap().iter())
            .map(|message| message["parts"].as_array().unwrap().len())
            .sum();
        let count = page["result"]["messages"].as_array().unwrap().len();
        assert!(
            count == 1 || parts_held <= parts as usize,
            "a page holds at most {parts} parts unless one message holds more: {page}"
        );
        let mut earlier = ids(&page["result"]["messages"]);
        earlier.append(&mut all);
        all = earlier;
        before = page["result"]["before"].clone();
    }
    panic!("the pages never reached the start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_from_the_end_make_the_whole_conversation_live_and_archived() {
    let bench = ClaudeBench::start(vec![
        Reply::text(["one"]),
        Reply::text(["two"]),
        Reply::text(["three"]),
    ])
    .await;
    let mut seat = bench.seat().await;
    for prompt in ["first", "second", "third"] {
        seat.turn(prompt, "idle").await;
    }
    let whole = seat.call("sessions.get", json!({})).await;
    assert!(
        whole["result"].get("before").is_none(),
        "the whole session has no page before: {whole}"
    );
    let every = ids(&whole["result"]["messages"]);
    assert!(every.len() >= 6, "{whole}");

    let last = seat.call("sessions.get", json!({ "parts": 2 })).await;
    let shown = ids(&last["result"]["messages"]);
    assert!(shown.len() < every.len(), "{last}");
    assert_eq!(shown[..], every[every.len() - shown.len()..]);
    assert_eq!(
        last["result"]["before"],
        json!(every.len() - shown.len()),
        "{last}"
    );
    assert_eq!(paged(&mut seat, 2).await, every);
    assert_eq!(paged(&mut seat, 1).await, every);

    // At least one message, whatever the bound; a cursor past the end reads from the end.
    let none = seat.call("sessions.get", json!({ "parts": 0 })).await;
    assert_eq!(ids(&none["result"]["messages"]).len(), 1, "{none}");
    let beyond = seat
        .call("sessions.read", json!({ "before": u64::MAX }))
        .await;
    assert_eq!(ids(&beyond["result"]["messages"]), every, "{beyond}");
    assert!(beyond["result"]["before"].is_null(), "{beyond}");
    let unknown = seat
        .call("sessions.read", json!({ "before": 1, "parts": "many" }))
        .await;
    assert_eq!(unknown["error"]["code"], "invalid_params", "{unknown}");

    let archived = seat.call("sessions.archive", json!({})).await;
    assert!(archived["error"].is_null(), "{archived}");
    assert_eq!(paged(&mut seat, 2).await, every);
}
