//! RFC 6455 conformance of the server's socket settings: the Autobahn cases, run by `kosoku`,
//! against an echo endpoint built with the same `configure_socket` as `/ws`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::routing::get;
use serde::Deserialize;
use tether_engine::config::Limits;
use tether_server::configure_socket;
use tokio::net::TcpListener;

#[derive(Deserialize)]
struct Case {
    behavior: String,
    #[serde(rename = "behaviorClose")]
    behavior_close: String,
}

async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(_) | Message::Binary(_) => message,
            // The library answers pings and closes itself; reading on lets it flush the close reply.
            Message::Close(_) | Message::Ping(_) | Message::Pong(_) => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs kosoku from the project venv: `make test` installs it and runs this"]
async fn autobahn_cases_pass_outside_compression() {
    // The same buffers and frame handling as /ws; only the size limits are raised to the
    // suite's 16 MiB messages (the production limits' 1009 is tested in tests/ws/frames.rs).
    let limits = Limits {
        max_message_bytes: 64 << 20,
        max_frame_bytes: 32 << 20,
        ..Limits::default()
    };
    let app = Router::new().route(
        "/",
        get(move |upgrade: WebSocketUpgrade| async move {
            configure_socket(upgrade, &limits).on_upgrade(echo)
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let reports = tempfile::tempdir().unwrap();
    let run = tokio::process::Command::new("kosoku")
        .arg(addr.to_string())
        .args(["-p", "2", "-x", "12.*", "-x", "13.*", "-o"])
        .arg(reports.path())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("kosoku took more than 5 minutes")
        .expect("kosoku is not on PATH: run through `make test`, which installs it into .venv");
    server.abort();

    // kosoku's exit code is unreliable (it has aborted after writing its reports): judge index.json.
    let index =
        std::fs::read_to_string(reports.path().join("index.json")).unwrap_or_else(|error| {
            panic!(
                "no index.json ({error}); kosoku said: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let agents: BTreeMap<String, BTreeMap<String, Case>> = serde_json::from_str(&index).unwrap();
    let cases = agents
        .into_values()
        .next()
        .expect("index.json names no server");
    let failed: Vec<String> = cases
        .iter()
        .filter(|(_, case)| {
            !matches!(
                case.behavior.as_str(),
                "OK" | "NON-STRICT" | "INFORMATIONAL"
            ) || !matches!(case.behavior_close.as_str(), "OK" | "INFORMATIONAL")
        })
        .map(|(id, case)| format!("{id}: {} / {}", case.behavior, case.behavior_close))
        .collect();
    let mut tally = BTreeMap::<&str, usize>::new();
    for case in cases.values() {
        *tally.entry(case.behavior.as_str()).or_default() += 1;
    }
    eprintln!(
        "autobahn: {} cases (12.* and 13.*, compression, excluded): {tally:?}",
        cases.len()
    );
    assert!(cases.len() >= 300, "only {} cases ran", cases.len());
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}
