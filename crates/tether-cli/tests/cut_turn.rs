//! A turn cut short by the engine stopping (SIGTERM) or crashing (kill -9) is marked
//! interrupted by an event in the session's log, published before the restarted engine serves
//! anyone: the position `sessions.get` gives holds exactly the status it reports, and a client
//! that resumes from where it was hears of the change.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::watcher::{Opened, Watcher, open_session, stop};
use crate::common::{MAX_FRAMES, Setup, WAIT, call, connect, next_json};

mod common;

/// How often the saved status is looked at.
const POLL: Duration = Duration::from_millis(10);

/// How the first engine ends.
#[derive(Debug, Clone, Copy)]
enum End {
    Stop,
    Kill,
}

/// The status of the last `session.updated` among `events`.
fn last_status(events: &[Value]) -> Option<String> {
    events
        .iter()
        .rev()
        .find(|event| event["event"] == "session.updated")
        .and_then(|event| event["data"]["session"]["status"].as_str())
        .map(str::to_owned)
}

/// Waits until the saved session `id` in `database` has `status`.
async fn saved_status(database: &Path, id: &str, status: &str) {
    let saved =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let now: String = saved
            .query_row("SELECT status FROM sessions WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .unwrap();
        if now == status {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
    panic!("the session was never saved as {status}");
}

async fn a_cut_turn_is_an_event(end: End) {
    let stall = Reply::Stall {
        chunks: vec!["half an answer".to_owned()],
    };
    let fake = FakeAnthropic::start(Script::new([stall])).await.unwrap();
    let setup = Setup::new(&fake);
    let folder = tempfile::tempdir().unwrap();
    let (mut server, address) = setup.serve().await;
    let Opened {
        token,
        mut rpc,
        session,
        channel,
        ..
    } = open_session(&setup, &address, setup.data.path(), folder.path()).await;
    let (mut watcher, _) = Watcher::join(&address, &token, &channel, None).await;
    let prompt = json!({ "session_id": session, "text": "go on and on" });
    call(&mut rpc, 2, "messages.send", prompt).await;
    let streamed = watcher.read_until_status("running").await;
    assert_eq!(last_status(&streamed).as_deref(), Some("running"));
    // A crash loses what was not saved yet: the turn is cut once `running` is on disk.
    saved_status(&setup.data.path().join("tether.db"), &session, "running").await;
    match end {
        End::Stop => stop(server).await,
        End::Kill => {
            server.start_kill().unwrap();
            server.wait().await.unwrap();
        }
    }
    let was_at = watcher.drain_until_closed().await;

    let (server, address) = setup.serve().await;
    let mut rpc = connect(&address, &token).await;
    let snapshot = call(
        &mut rpc,
        1,
        "sessions.get",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(
        snapshot["session"]["status"], "interrupted",
        "{end:?}: {snapshot}"
    );
    let epoch = snapshot["position"]["epoch"].as_str().unwrap().to_owned();
    let offset = snapshot["position"]["offset"].as_u64().unwrap();

    // The log up to the snapshot's position ends in the status the snapshot reports.
    let (mut replay, exact) = Watcher::join(&address, &token, &channel, Some((epoch, 0))).await;
    assert!(exact, "{end:?}: the log replays from its start");
    let mut logged = Vec::new();
    for _ in 0..MAX_FRAMES {
        if replay.last >= offset {
            break;
        }
        let frame = next_json(&mut replay.socket).await;
        if replay.observe(&frame) {
            logged.push(frame);
        }
    }
    assert_eq!(
        last_status(&logged).as_deref(),
        Some("interrupted"),
        "{end:?}: the position sessions.get gives holds its status"
    );

    // A client that resumes from where it was hears of it (or reloads, after a crash lost
    // the log's unsaved tail), and never keeps showing `running`.
    let (mut resumed, exact) = Watcher::join(&address, &token, &channel, Some(was_at)).await;
    assert!(
        exact || matches!(end, End::Kill),
        "a clean stop loses nothing"
    );
    if exact {
        let heard = resumed.read_until_status("interrupted").await;
        assert_eq!(resumed.last, offset, "{end:?}: {heard:?}");
    }
    stop(server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_cut_by_a_clean_stop_is_published_as_interrupted() {
    a_cut_turn_is_an_event(End::Stop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_cut_by_kill_9_is_published_as_interrupted() {
    a_cut_turn_is_an_event(End::Kill).await;
}
