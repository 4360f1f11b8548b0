//! A clean restart of the real binary keeps every project, session, message and cost, and
//! clients continue exactly where they were; archived sessions read back and delete for good.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::watcher::{Opened, Watcher, open_session, stop};
use crate::common::{MAX_FRAMES, Setup, call, connect, next_json};

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_restart_keeps_history_and_clients_continue_exactly() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::text(["Hello ", "from ", "the first run"]),
        Reply::text(["still here"]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    let folder = tempfile::tempdir().unwrap();
    let (server, address) = setup.serve().await;
    let Opened {
        project,
        token,
        mut rpc,
        session,
        channel,
    } = open_session(&setup, &address, setup.data.path(), folder.path()).await;
    let (mut watcher, _) = Watcher::join(&address, &token, &channel, None).await;
    call(
        &mut rpc,
        2,
        "messages.send",
        json!({ "session_id": session, "text": "remember me" }),
    )
    .await;
    let first_run = watcher.read_until_status("idle").await;
    let before = call(
        &mut rpc,
        3,
        "sessions.get",
        json!({ "session_id": session }),
    )
    .await;
    assert!(before["session"]["total_cost_usd"].as_f64().unwrap() > 0.0);
    let left_at = watcher.position();
    stop(server).await;

    let (server, address) = setup.serve().await;
    let mut rpc = connect(&address, &token).await;
    let projects = call(&mut rpc, 1, "projects.list", json!({})).await;
    assert_eq!(projects[0]["id"], project.as_str());
    let sessions = call(&mut rpc, 2, "sessions.list", json!({})).await;
    assert_eq!(sessions[0]["id"], session.as_str());
    for field in [
        "status",
        "total_cost_usd",
        "usage",
        "claude_session_id",
        "model",
    ] {
        assert_eq!(
            sessions[0][field], before["session"][field],
            "{field} after the restart"
        );
    }
    let after = call(
        &mut rpc,
        3,
        "sessions.get",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(after["messages"], before["messages"]);

    let (mut resumed, exact) =
        Watcher::join(&address, &token, &channel, Some(left_at.clone())).await;
    assert!(
        exact,
        "a client resumes across a clean restart with recovered: true"
    );
    assert_eq!(
        resumed.position(),
        left_at,
        "and nothing was replayed twice"
    );
    let (mut replaying, exact) =
        Watcher::join(&address, &token, &channel, Some((left_at.0.clone(), 0))).await;
    assert!(exact, "the whole first run replays from the store");
    let mut replayed = Vec::new();
    for _ in 0..MAX_FRAMES {
        if replaying.last >= left_at.1 {
            break;
        }
        let frame = next_json(&mut replaying.socket).await;
        if replaying.observe(&frame) {
            replayed.push(frame);
        }
    }
    assert_eq!(
        replayed, first_run,
        "the replay is exactly what live clients saw"
    );

    call(
        &mut rpc,
        4,
        "messages.send",
        json!({ "session_id": session, "text": "what did I say?" }),
    )
    .await;
    resumed.read_until_status("idle").await;
    let last_request = fake.message_requests().pop().unwrap();
    assert!(
        serde_json::to_string(last_request.messages())
            .unwrap()
            .contains("remember me"),
        "the conversation resumed with its history"
    );

    let live = call(
        &mut rpc,
        5,
        "sessions.get",
        json!({ "session_id": session }),
    )
    .await;
    call(
        &mut rpc,
        6,
        "sessions.archive",
        json!({ "session_id": session }),
    )
    .await;
    let archived = call(
        &mut rpc,
        7,
        "sessions.get",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(archived["session"]["status"], "ended");
    assert_eq!(
        archived["messages"], live["messages"],
        "an archived session's history is read from the store"
    );
    call(
        &mut rpc,
        8,
        "sessions.delete",
        json!({ "session_id": session }),
    )
    .await;
    assert_eq!(
        call(&mut rpc, 9, "sessions.list", json!({})).await,
        json!([])
    );
    stop(server).await;
    let (server, address) = setup.serve().await;
    let mut rpc = connect(&address, &token).await;
    assert_eq!(
        call(&mut rpc, 1, "sessions.list", json!({})).await,
        json!([]),
        "deleted for good"
    );
    stop(server).await;
}
