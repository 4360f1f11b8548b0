//! `/metrics`: Prometheus text of the connections by kind, frames and bytes both ways, queued
//! bytes, the event log's commits and the fan-out of events; open on loopback like `/healthz`,
//! behind the same Host check.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use tether_engine::auth::Caller;

use crate::common::{TestServer, next_event, raw_http, raw_http_with_head};

/// How many times the metrics are read while waiting for a commit to show.
const TRIES: usize = 500;

fn scrape_request(port: u16, host: &str) -> String {
    format!("GET /metrics HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n")
}

/// The engine's metrics at `addr`, as Prometheus text.
pub async fn metrics_text(addr: SocketAddr) -> String {
    let (status, _, text) =
        raw_http_with_head(addr, &scrape_request(addr.port(), "localhost")).await;
    assert_eq!(status, 200, "{text}");
    text
}

/// The value of the sample named exactly `sample` (name and labels).
pub fn sample(text: &str, sample: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' '))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no sample {sample} in:\n{text}"))
}

#[tokio::test]
async fn metrics_count_connections_frames_commits_and_fanout() {
    let server = TestServer::start().await;
    let port = server.addr.port();
    let request = scrape_request(port, "localhost");
    let scrape = || raw_http_with_head(server.addr, &request);

    let (status, head, idle) = scrape().await;
    assert_eq!(status, 200, "{idle}");
    assert!(
        head.contains("text/plain; version=0.0.4"),
        "Prometheus text: {head}"
    );
    assert_eq!(sample(&idle, "tether_connections{kind=\"device\"}"), 0);
    assert_eq!(sample(&idle, "tether_outbound_queued_bytes"), 0);
    assert!(idle.contains("# TYPE tether_event_log_commit_seconds histogram"));

    let (_, token) = server.token("phone").await;
    let mut phone = server.connect(&token).await; // past its welcome
    let listed = phone.call(1, "sessions.list", json!({})).await;
    assert!(listed["error"].is_null(), "{listed}");
    let (_, _, busy) = scrape().await;
    assert_eq!(sample(&busy, "tether_connections{kind=\"device\"}"), 1);
    assert_eq!(sample(&busy, "tether_frames_received_total"), 1);
    let frame_bytes = json!({ "id": 1, "type": "request", "method": "sessions.list", "params": {} })
        .to_string()
        .len() as u64;
    assert!(
        sample(&busy, "tether_bytes_received_total") >= frame_bytes * 9 / 10,
        "about the request's size ({frame_bytes} bytes):\n{busy}"
    );

    // Adding a project (from the desktop) publishes an event: the log commits it, and it
    // reaches the phone, which follows the account's channel.
    phone
        .send_json(json!({ "type": "subscribe", "id": 2, "channels": ["user:owner"] }))
        .await;
    assert_eq!(phone.next_json().await["type"], "subscribed");
    let project = tempfile::tempdir().unwrap();
    let params = json!({ "path": project.path() });
    server
        .engine
        .dispatch(&Caller::Local, "projects.add", Some(params))
        .await
        .unwrap();
    next_event(&mut phone, "project.added").await;
    // Counted just after each write, so read until they show.
    let (mut committed, mut delivered, mut sent) = (0, 0, 0);
    for _ in 0..TRIES {
        let (_, _, text) = scrape().await;
        committed = sample(&text, "tether_event_log_commit_seconds_count");
        delivered = sample(&text, "tether_fanout_seconds_count");
        sent = sample(&text, "tether_frames_sent_total");
        if committed > 0 && delivered > 0 && sent >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sent >= 4, "welcome, two answers and the event: {sent}");
    assert!(committed > 0, "a commit was timed");
    assert_eq!(delivered, 1, "the event's way to the phone was timed");
}

#[tokio::test]
async fn metrics_keep_the_host_check() {
    let server = TestServer::start().await;
    let (status, body) = raw_http(
        server.addr,
        &scrape_request(server.addr.port(), "attacker.example"),
    )
    .await;
    assert_eq!(status, 403, "{body}");
}
