//! A database that opens but cannot be read at start is reported (readiness 503 with the
//! problem, a clear log line) instead of serving an empty engine, and the file is left
//! exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::process::Stdio;

use serde_json::Value;
use tether_fake_anthropic::{FakeAnthropic, Script};
use tokio::io::AsyncReadExt;

use crate::common::watcher::{open_session, stop};
use crate::common::{Setup, http, serve};

mod common;

async fn readyz(address: &str) -> (u16, Value) {
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    http(address, &request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_database_is_reported_not_shown_empty_and_left_untouched() {
    let fake = FakeAnthropic::start(Script::new([])).await.unwrap();
    let setup = Setup::new(&fake);
    let folder = tempfile::tempdir().unwrap();
    let (server, address) = setup.serve().await;
    open_session(&setup, &address, setup.data.path(), folder.path()).await;
    assert_eq!(readyz(&address).await.0, 200);
    stop(server).await;

    // A saved session whose usage is no longer JSON: the file opens, its sessions do not read.
    let file = setup.data.path().join("tether.db");
    let db = rusqlite::Connection::open(&file).unwrap();
    assert_eq!(
        db.execute("UPDATE sessions SET usage = 'not json'", [])
            .unwrap(),
        1
    );
    drop(db);
    let before = std::fs::read(&file).unwrap();

    let mut command = setup.tether();
    command.stderr(Stdio::piped());
    let (mut server, address) = serve(command).await;
    let (status, body) = readyz(&address).await;
    assert_eq!(status, 503, "{body}");
    let problem = body["checks"]["store"]["problem"]
        .as_str()
        .unwrap_or_default();
    assert!(
        problem.contains("sessions cannot be read") && problem.contains("`usage`"),
        "the problem names the cause: {body}"
    );
    let mut stderr = server.stderr.take().unwrap();
    stop(server).await;
    let mut log = String::new();
    stderr.read_to_string(&mut log).await.unwrap();
    assert!(
        log.lines()
            .any(|line| line.contains("ERROR") && line.contains("cannot be read")),
        "a clear log line: {log}"
    );
    assert!(
        std::fs::read(&file).unwrap() == before,
        "the database file is left exactly as it was"
    );
}
