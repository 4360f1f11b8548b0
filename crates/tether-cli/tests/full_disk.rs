//! A disk that fills up while sessions stream: readiness degrades with a clear problem, every
//! connected client keeps receiving every event, what was saved stays intact, and saving
//! resumes once there is room again.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Command;

use crate::common::{MAX_FRAMES, Setup, WAIT, call, connect, next_json, send};

mod common;

/// Polls of `/readyz` while waiting for the store to save again (it retries within 2 s).
const READY_POLLS: usize = 100;

/// `/readyz`: its status code and body.
async fn readyz(address: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    (status, serde_json::from_str(body).unwrap())
}

/// Runs a `tether` command against the engine whose data directory is seen at `data`.
async fn tether(setup: &Setup, data: &Path, args: &[&str]) -> String {
    let mut command: Command = setup.tether();
    let output = command.env("TETHER_DATA_DIR", data).args(args).output();
    let output = tokio::time::timeout(WAIT, output).await.unwrap().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
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
    let added = tether(
        &setup,
        &data,
        &["project", "add", folder.path().to_str().unwrap()],
    )
    .await;
    let project = added.split_whitespace().next().unwrap().to_owned();
    let token = tether(&setup, &data, &["token", "create", "--name", "disk"]).await;
    let token = token.trim();
    let mut rpc = connect(&address, token).await;
    let session = call(
        &mut rpc,
        1,
        "sessions.create",
        json!({ "project_id": project }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = readyz(&address).await;
    assert_eq!(status, 200);

    fill(&data.join("filler"));
    let mut watcher = connect(&address, token).await;
    send(
        &mut watcher,
        json!({ "type": "subscribe", "channels": [format!("session:{session}")] }),
    )
    .await;
    let mut last = next_json(&mut watcher).await["channels"][0]["offset"]
        .as_u64()
        .unwrap();
    call(
        &mut rpc,
        2,
        "messages.send",
        json!({ "session_id": session, "text": "write a lot" }),
    )
    .await;
    let mut text = String::new();
    for _ in 0..MAX_FRAMES {
        let frame = next_json(&mut watcher).await;
        assert_eq!(
            frame["offset"].as_u64(),
            Some(last + 1),
            "every event reaches the client: {frame}"
        );
        last += 1;
        if frame["event"] == "part.delta" {
            text.push_str(frame["data"]["text"].as_str().unwrap());
        }
        if frame["event"] == "session.updated" && frame["data"]["session"]["status"] == "idle" {
            break;
        }
    }
    assert!(
        text.starts_with("word0 ") && text.ends_with("word199 "),
        "{text}"
    );
    let (status, body) = readyz(&address).await;
    assert_eq!(status, 503, "{body}");
    let problem = body["checks"]["store"]["problem"].as_str().unwrap();
    assert!(problem.contains("disk is full"), "{problem}");
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
    let mut ready = false;
    for _ in 0..READY_POLLS {
        if readyz(&address).await.0 == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the store saves again once there is room");
    call(
        &mut rpc,
        3,
        "messages.send",
        json!({ "session_id": session, "text": "and now?" }),
    )
    .await;
    for _ in 0..MAX_FRAMES {
        let frame = next_json(&mut watcher).await;
        assert_eq!(frame["offset"].as_u64(), Some(last + 1));
        last += 1;
        if frame["event"] == "session.updated" && frame["data"]["session"]["status"] == "idle" {
            break;
        }
    }
    drop(server);
}
