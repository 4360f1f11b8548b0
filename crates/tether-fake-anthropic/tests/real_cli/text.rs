//! A plain text reply: every chunk arrives as a partial `text_delta` in order, and the result joins them.

use serde_json::Value;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::harness::{Sandbox, run_to_end};

#[tokio::test]
async fn text_chunks_stream_through_in_order() {
    let chunks = ["Hello", " from", " the", " fake", " API", "!"];
    let fake = FakeAnthropic::start(Script::new([Reply::text(chunks)]))
        .await
        .unwrap();
    let sandbox = Sandbox::new();
    let cmd = sandbox.print(&fake, "say hi", &["--include-partial-messages"]);
    let run = run_to_end(cmd).await;

    assert!(
        run.status.success(),
        "exit {:?}; stderr: {}",
        run.status,
        run.stderr
    );
    let deltas: Vec<&str> = run
        .lines
        .iter()
        .filter(|v| v["type"] == "stream_event" && v["event"]["type"] == "content_block_delta")
        .filter(|v| v["event"]["delta"]["type"] == "text_delta")
        .filter_map(|v| v["event"]["delta"]["text"].as_str())
        .collect();
    assert_eq!(deltas, chunks);

    let result = run.result();
    assert_eq!(result["result"], chunks.concat());
    assert_eq!(result["is_error"], false);
    assert!(result["total_cost_usd"].is_f64() || result["total_cost_usd"].is_u64());

    let requests = fake.message_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let request = &requests[0];
    assert_eq!(request.stream(), Some(true));
    assert_eq!(request.header("x-api-key"), Some("sk-test"));
    // The prompt is the last text of the only user message; 2.1.330 also appends a `role:"system"`
    // message (the environment block) to `messages`.
    let users: Vec<&Value> = request
        .messages()
        .iter()
        .filter(|m| m["role"] == "user")
        .collect();
    assert_eq!(users.len(), 1, "{:#?}", request.messages());
    let prompt = users[0]["content"]
        .as_array()
        .and_then(|c| c.last())
        .expect("user content");
    assert_eq!(prompt["text"], "say hi");
    assert_eq!(
        request.header("x-claude-code-session-id"),
        result["session_id"].as_str()
    );
    // The model the CLI asked for is echoed back in message_start and shows up in its output.
    let model = request.model().expect("request names a model");
    let assistant = run
        .lines
        .iter()
        .find(|v| v["type"] == "assistant")
        .expect("assistant line");
    assert_eq!(assistant["message"]["model"], Value::from(model));
    assert_eq!(
        fake.requests().len(),
        1,
        "no requests besides the model turn"
    );
}
