//! The SSE the fake streams for text, tool_use and slow replies, and the whole message for `"stream": false`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::client::{post_messages, send};

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

#[tokio::test]
async fn text_reply_is_a_complete_message_stream() {
    let fake = FakeAnthropic::start(Script::new([Reply::text(["Hel", "lo"])]))
        .await
        .unwrap();
    let response = post_messages(fake.addr(), "claude-test-model")
        .await
        .response()
        .await;

    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    assert_eq!(response.header("request-id"), Some("req_fake000001"));
    let events = response.events();
    assert_eq!(
        types(&events),
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let message = &events[0]["message"];
    assert_eq!(message["id"], "msg_fake000001");
    assert_eq!(message["model"], "claude-test-model");
    assert_eq!(message["usage"]["output_tokens"], 1);
    assert_eq!(
        events[2]["delta"],
        json!({"type": "text_delta", "text": "Hel"})
    );
    assert_eq!(events[5]["delta"]["stop_reason"], "end_turn");
    // Every `event:` line names the type of the `data:` that follows it.
    let names: Vec<&str> = response
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(names, types(&events));

    let recorded = fake.requests();
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].is_messages());
    assert_eq!(recorded[0].query.as_deref(), Some("beta=true"));
    assert_eq!(recorded[0].header("X-Api-Key"), Some("sk-test"));
    assert_eq!(recorded[0].model(), Some("claude-test-model"));
    assert_eq!(recorded[0].stream(), Some(true));
    assert_eq!(recorded[0].messages().len(), 1);
}

#[tokio::test]
async fn tool_use_input_arrives_in_pieces_that_rejoin() {
    let input = json!({"command": "echo hi > hi.txt && cat hi.txt"});
    let fake = FakeAnthropic::start(Script::new([Reply::ToolUse {
        text: Some("Running it.".into()),
        id: "toolu_fake0001".into(),
        name: "Bash".into(),
        input: input.clone(),
    }]))
    .await
    .unwrap();
    let events = post_messages(fake.addr(), "m")
        .await
        .response()
        .await
        .events();

    let starts: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "content_block_start")
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(starts[0]["content_block"]["type"], "text");
    assert_eq!(
        starts[1]["content_block"],
        json!({"type": "tool_use", "id": "toolu_fake0001", "name": "Bash", "input": {}})
    );
    let pieces: Vec<&str> = events
        .iter()
        .filter(|e| e["index"] == 1 && e["delta"]["type"] == "input_json_delta")
        .filter_map(|e| e["delta"]["partial_json"].as_str())
        .collect();
    assert!(pieces.len() >= 2, "{pieces:?}");
    let rejoined: Value = serde_json::from_str(&pieces.concat()).unwrap();
    assert_eq!(rejoined, input);
    let stop = events
        .iter()
        .find(|e| e["type"] == "message_delta")
        .unwrap();
    assert_eq!(stop["delta"]["stop_reason"], "tool_use");
}

#[tokio::test]
async fn slow_reply_pauses_after_each_delta() {
    let delay = Duration::from_millis(100);
    let fake = FakeAnthropic::start(Script::new([Reply::Slow {
        chunks: vec!["a".into(), "b".into()],
        delay_ms: 100,
    }]))
    .await
    .unwrap();
    let started = Instant::now();
    let events = post_messages(fake.addr(), "m")
        .await
        .response()
        .await
        .events();
    assert!(started.elapsed() >= 2 * delay, "{:?}", started.elapsed());
    assert_eq!(events.last().unwrap()["type"], "message_stop");
}

#[tokio::test]
async fn a_non_streaming_request_gets_the_whole_message_as_json() {
    let fake = FakeAnthropic::start(Script::new([Reply::text(["Hel", "lo"])]))
        .await
        .unwrap();
    let body = json!({"model": "claude-x", "stream": false, "messages": []});
    let response = send(fake.addr(), "POST", "/v1/messages?beta=true", Some(&body))
        .await
        .response()
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let message: Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(message["type"], "message");
    assert_eq!(message["model"], "claude-x");
    assert_eq!(
        message["content"],
        json!([{"type": "text", "text": "Hello"}])
    );
    assert_eq!(message["stop_reason"], "end_turn");
}
