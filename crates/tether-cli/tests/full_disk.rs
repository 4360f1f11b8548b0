//! A disk that fills up while sessions stream: readiness degrades with a clear problem, every
//! connected client keeps receiving every event, what was saved stays intact, and saving
//! resumes once there is room again.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::watcher::{Opened, Watcher, open_session};
use crate::common::{MAX_FRAMES, Setup, Socket, call, connect, http, next_json, send};

mod common;

/// `/readyz`: its status code and body.
async fn readyz(address: &str) -> (u16, Value) {
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    http(address, &request).await
}

/// Writes a file until the file system is full.
fn fill(path: &Path) {
    let mut filler = std::fs::File::create(path).unwrap();
    let block = vec![0u8; 16 << 10];
    for _ in 0..1024 {
        if filler
            .write_all(&block)
            .and_then(|()| filler.sync_all())
            .is_err()
        {
            return;
        }
    }
    panic!("the small disk never filled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_degrades_readiness_while_sessions_keep_streaming() {
    let chunks: Vec<String> = (0..200).map(|n| format!("word{n} ")).collect();
    let fake = FakeAnthropic::start(Script::new([
        Reply::text(chunks),
        Reply::text(["room again"]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let folder = tempfile::tempdir().unwrap();
    let (server, address) = setup.serve_on_small_disk("true").await;
    // The engine's view of its data directory, from outside its mount namespace.
    let data: PathBuf = format!(
        "/proc/{}/root{}",
        server.id().unwrap(),
        setup.data.path().display()
    )
    .into();
    let Opened {
        token,
        mut rpc,
        session,
        channel,
        ..
    } = open_session(&setup, &address, &data, folder.path()).await;
    let mut owner = connect(&address, &token).await;
    send(
        &mut owner,
        json!({ "type": "subscribe", "channels": ["user:owner"] }),
    )
    .await;
    assert_eq!(readyz(&address).await.0, 200);

    fill(&data.join("filler"));
    let (mut watcher, _) = Watcher::join(&address, &token, &channel, None).await;
    call(
        &mut rpc,
        2,
        "messages.send",
        json!({ "session_id": session, "text": "write a lot" }),
    )
    .await;
    // Every event reaches the client: the watcher checks each offset.
    let text: String = watcher
        .read_until_status("idle")
        .await
        .iter()
        .filter(|event| event["event"] == "part.delta")
        .map(|event| event["data"]["text"].as_str().unwrap())
        .collect();
    assert!(
        text.starts_with("word0 ") && text.ends_with("word199 "),
        "{text}"
    );
    let announced = store_updated(&mut owner).await;
    assert!(announced.contains("disk is full"), "{announced}");
    let (status, body) = readyz(&address).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["store"]["problem"], announced.as_str());
    assert!(body["checks"]["store"]["lost_events"].as_u64().unwrap() > 0);

    // A copy of the files as they are on the full disk (SQLite cannot open them through /proc).
    let copy = tempfile::tempdir().unwrap();
    for file in ["tether.db", "tether.db-wal"] {
        std::fs::copy(data.join(file), copy.path().join(file)).unwrap();
    }
    let saved = rusqlite::Connection::open(copy.path().join("tether.db")).unwrap();
    let check: String = saved
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok", "what was saved is intact");
    let projects: u64 = saved
        .query_row("SELECT COUNT(*) FROM projects", [], |row| row.get(0))
        .unwrap();
    assert_eq!(projects, 1);
    drop(saved);

    std::fs::remove_file(data.join("filler")).unwrap();
    call(
        &mut rpc,
        3,
        "messages.send",
        json!({ "session_id": session, "text": "and now?" }),
    )
    .await;
    watcher.read_until_status("idle").await;
    assert_eq!(store_updated(&mut owner).await, "", "saving works again");
    assert_eq!(readyz(&address).await.0, 200);
    drop(server);
}

/// Reads the owner's channel until the next `store.updated`; returns its problem ("" for none).
async fn store_updated(socket: &mut Socket) -> String {
    for _ in 0..MAX_FRAMES {
        let frame = next_json(socket).await;
        if frame["event"] == "store.updated" {
            return frame["data"]["problem"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
        }
    }
    panic!("no store.updated among {MAX_FRAMES} frames");
}
