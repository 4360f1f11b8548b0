//! Error replies are plain JSON with the scripted status; other paths get `{}` and are recorded.

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::client::{post_messages, send};

#[tokio::test]
async fn error_reply_has_status_and_anthropic_error_body() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::error(529, "overloaded_error", "Overloaded"),
        Reply::error(401, "authentication_error", "invalid x-api-key"),
    ]))
    .await
    .unwrap();
    for (status, kind, message) in [
        (529, "overloaded_error", "Overloaded"),
        (401, "authentication_error", "invalid x-api-key"),
    ] {
        let response = post_messages(fake.addr(), "m").await.response().await;
        assert_eq!(response.status, status);
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert!(response.header("request-id").is_some());
        let body: Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(
            body,
            json!({"type": "error", "error": {"type": kind, "message": message}})
        );
    }
}

#[tokio::test]
async fn other_paths_answer_empty_json_and_are_recorded() {
    let fake = FakeAnthropic::start(Script::new([Reply::text(["kept"])]))
        .await
        .unwrap();
    let head = send(fake.addr(), "HEAD", "/api/hello", None)
        .await
        .response()
        .await;
    assert_eq!(head.status, 200);
    let get = send(fake.addr(), "GET", "/v1/models", None)
        .await
        .response()
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.body, "{}");
    let count = json!({"model": "m", "messages": []});
    send(
        fake.addr(),
        "POST",
        "/v1/messages/count_tokens",
        Some(&count),
    )
    .await
    .response()
    .await;

    let seen: Vec<(String, String)> = fake
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        seen,
        [
            ("HEAD".to_owned(), "/api/hello".to_owned()),
            ("GET".to_owned(), "/v1/models".to_owned()),
            ("POST".to_owned(), "/v1/messages/count_tokens".to_owned()),
        ]
    );
    assert!(fake.message_requests().is_empty());
    assert_eq!(fake.pending_replies(), 1, "only model turns use the script");
}
