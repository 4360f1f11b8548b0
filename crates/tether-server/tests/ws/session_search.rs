//! Search across sessions with the real CLI: answers saved as they stream are found by their
//! words, their last ones at once, hits name their session and message, and FTS5 syntax typed
//! in is only text.

use serde_json::{Value, json};
use tether_fake_anthropic::Reply;

use crate::claude::ClaudeBench;
use crate::common::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_found_across_sessions_and_syntax_is_text() {
    let bench = ClaudeBench::start(vec![
        Reply::text(["The tokenizer ", "splits on whitespace."]),
        Reply::text(["Nothing about that here."]),
    ])
    .await;
    let mut first = bench.seat().await;
    first.turn("How does the tokenizer work?", "idle").await;
    // The answer's last words are found at once: a search first waits for what is saved.
    let mut searcher = bench.client().await;
    let last = search(&mut searcher, "whitespace").await;
    assert_eq!(
        last["result"][0]["session_id"],
        first.session.as_str(),
        "{last}"
    );
    let mut second = bench.seat().await;
    second.turn("Say (something) \"else\"", "idle").await;

    let found = search(&mut searcher, "tokeni").await;
    let hits = found["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(hits.len(), 2, "the prompt and the answer: {found}");
    assert!(
        hits.iter()
            .all(|hit| hit["session_id"] == first.session.as_str())
    );
    let answer = hits.iter().find(|hit| hit["role"] == "assistant").unwrap();
    let snapshot = first.call("sessions.get", json!({})).await;
    assert_eq!(
        snapshot["result"]["messages"][1]["id"], answer["message_id"],
        "{answer}"
    );
    let marked: Vec<&str> = answer["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|piece| piece["matched"] == true)
        .filter_map(|piece| piece["text"].as_str())
        .collect();
    assert_eq!(marked, ["tokenizer"], "{answer}");

    for typed in [
        "\"else",
        "(something",
        "NEAR(say else)",
        "* OR AND",
        "\")(\"",
        "",
    ] {
        let answer = search(&mut searcher, typed).await;
        assert!(answer["error"].is_null(), "{typed}: {answer}");
    }
    let quoted = search(&mut searcher, "\"else\"").await;
    assert_eq!(
        quoted["result"][0]["session_id"],
        second.session.as_str(),
        "{quoted}"
    );
    let long = search(&mut searcher, &"x".repeat(600)).await;
    assert_eq!(long["error"]["code"], "invalid_params", "{long}");
}

async fn search(client: &mut Client, query: &str) -> Value {
    client
        .call(1, "search.messages", json!({ "query": query }))
        .await
}
