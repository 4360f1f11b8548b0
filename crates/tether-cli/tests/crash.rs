//! A crashed engine leaves its `claude` running; the next engine on the same data directory stops it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use tether_engine::supervisor::process::processes_in;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::{MAX_FRAMES, Setup, WAIT, connect, next_json};

mod common;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claude_left_by_a_crashed_engine_is_stopped_by_the_next_one() {
    let fake = FakeAnthropic::start(Script::new([Reply::Stall {
        chunks: vec!["busy".into()],
    }]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let project = tempfile::tempdir().unwrap();
    let project_path = project.path().canonicalize().unwrap();

    let (mut first, address) = setup.serve().await;
    let project_id = setup
        .output(&["project", "add", project.path().to_str().unwrap()])
        .await
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let token = setup
        .output(&["devices", "add", "--name", "crash"])
        .await
        .trim()
        .to_owned();
    let mut socket = connect(&address, &token).await;
    let create = json!({ "type": "request", "id": 1, "method": "sessions.create", "params": { "project_id": project_id } });
    socket
        .send(Message::text(create.to_string()))
        .await
        .unwrap();
    let session = next_json(&mut socket).await["result"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    socket
        .send(Message::text(
            json!({ "type": "subscribe", "channels": [format!("session:{session}")] }).to_string(),
        ))
        .await
        .unwrap();
    let send = json!({ "type": "request", "id": 2, "method": "messages.send", "params": { "session_id": session, "text": "work" } });
    socket.send(Message::text(send.to_string())).await.unwrap();
    let mut frames = 0;
    while next_json(&mut socket).await["event"] != "part.delta" {
        frames += 1;
        assert!(
            frames <= MAX_FRAMES,
            "more than {MAX_FRAMES} frames without the one awaited"
        );
    }

    first.kill().await.unwrap();
    first.wait().await.unwrap();
    assert!(
        !processes_in(&project_path).is_empty(),
        "the crash left claude running, waiting on its stalled stream"
    );

    // Killed before the next engine serves; gone a moment later (a SIGKILL lands when the
    // process next runs).
    let (mut second, _) = setup.serve().await;
    let gone = async {
        while !processes_in(&project_path).is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(WAIT, gone)
        .await
        .expect("the next engine stopped it");
    second.kill().await.unwrap();
}
