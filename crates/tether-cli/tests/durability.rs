//! Durability through the real binary: a clean restart keeps every project, session, message
//! and cost, and clients continue exactly where they were; after `kill -9` mid-stream, every
//! client either continues exactly or is told to reload, never with a gap or a duplicate.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::hash::{BuildHasher, RandomState};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};
use tokio::process::Child;

use crate::common::{MAX_FRAMES, Setup, Socket, WAIT, call, connect, next_json, send};

mod common;

/// Stops `tether serve` as a service manager would (SIGTERM) and checks it exits cleanly.
async fn stop(mut server: Child) {
    let pid = Pid::from_raw(i32::try_from(server.id().unwrap()).unwrap());
    kill(pid, Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(WAIT, server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

/// Adds a project and creates a token through the running engine.
async fn project_and_token(setup: &Setup, folder: &std::path::Path) -> (String, String) {
    let added = setup
        .output(&["project", "add", folder.to_str().unwrap()])
        .await;
    let project = added.split_whitespace().next().unwrap().to_owned();
    let token = setup
        .output(&["token", "create", "--name", "durability"])
        .await;
    (project, token.trim().to_owned())
}

/// A client following one session channel, checking every event's offset as it comes.
struct Watcher {
    socket: Socket,
    channel: String,
    epoch: String,
    last: u64,
}

impl Watcher {
    /// Subscribes, resuming from `since` when given; a reported gap reloads through RPC and
    /// continues from the snapshot's position. Returns whether the resume was exact.
    async fn join(
        address: &str,
        token: &str,
        channel: &str,
        since: Option<(String, u64)>,
    ) -> (Self, bool) {
        let mut socket = connect(address, token).await;
        let mut subscribe = json!({ "type": "subscribe", "channels": [channel] });
        if let Some((epoch, offset)) = &since {
            subscribe["since"] = json!({ channel: { "epoch": epoch, "offset": offset } });
        }
        send(&mut socket, subscribe).await;
        let subscribed = next_json(&mut socket).await;
        assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
        let state = &subscribed["channels"][0];
        let recovered = state["recovered"] == true;
        let mut watcher = Self {
            socket,
            channel: channel.to_owned(),
            epoch: state["epoch"].as_str().unwrap().to_owned(),
            last: state["offset"].as_u64().unwrap(),
        };
        if let Some((epoch, offset)) = since {
            if recovered {
                assert_eq!(watcher.epoch, epoch, "an exact resume stays in its stream");
                watcher.last = offset;
            } else {
                let session = channel.trim_start_matches("session:");
                let snapshot = call(
                    &mut watcher.socket,
                    1,
                    "sessions.get",
                    json!({ "session_id": session }),
                )
                .await;
                watcher.epoch = snapshot["position"]["epoch"].as_str().unwrap().to_owned();
                watcher.last = snapshot["position"]["offset"].as_u64().unwrap();
            }
        }
        (watcher, recovered)
    }

    /// Checks an event frame: the next offset of this stream, nothing skipped or repeated.
    fn observe(&mut self, frame: &Value) -> bool {
        if frame["type"] != "event" || frame["channel"] != self.channel.as_str() {
            return false;
        }
        let offset = frame["offset"].as_u64().unwrap();
        assert_eq!(
            offset,
            self.last + 1,
            "gap or duplicate in {}: {frame}",
            self.epoch
        );
        self.last = offset;
        true
    }

    /// Reads until an event with offset `target` or later has arrived.
    async fn read_to(&mut self, target: u64) {
        for _ in 0..MAX_FRAMES {
            if self.last >= target {
                return;
            }
            let frame = next_json(&mut self.socket).await;
            self.observe(&frame);
        }
        panic!("offset {target} never arrived");
    }

    /// Reads until the session reports `status`; returns the events seen meanwhile.
    async fn read_until_status(&mut self, status: &str) -> Vec<Value> {
        let mut seen = Vec::new();
        for _ in 0..MAX_FRAMES {
            let frame = next_json(&mut self.socket).await;
            if self.observe(&frame) {
                seen.push(frame.clone());
                if frame["event"] == "session.updated"
                    && frame["data"]["session"]["status"] == status
                {
                    return seen;
                }
            }
        }
        panic!("the session never became {status}");
    }

    /// Reads whatever arrives until the server is gone, checking each event.
    async fn drain_until_closed(mut self) -> (String, u64) {
        use futures_util::StreamExt;
        for _ in 0..MAX_FRAMES {
            match tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("the socket neither closed nor sent")
            {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                    self.observe(&serde_json::from_str(&text).unwrap());
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return (self.epoch, self.last),
            }
        }
        panic!("more than {MAX_FRAMES} frames after the kill");
    }

    fn position(&self) -> (String, u64) {
        (self.epoch.clone(), self.last)
    }
}

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
    let (project, token) = project_and_token(&setup, folder.path()).await;
    let mut rpc = connect(&address, &token).await;
    let created = call(
        &mut rpc,
        1,
        "sessions.create",
        json!({ "project_id": project }),
    )
    .await;
    let session = created["id"].as_str().unwrap().to_owned();
    let channel = format!("session:{session}");
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

/// A small deterministic generator, seeded per run (the seed is printed on failure).
struct Dice(u64);

impl Dice {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_every_client_continues_exactly_or_reloads() {
    const ROUNDS: usize = 3;
    const CLIENTS: usize = 4;
    const CHUNKS: usize = 240;
    let seed = RandomState::new().hash_one(0) | 1;
    println!("chaos seed {seed}");
    let mut dice = Dice(seed);
    let chunks: Vec<String> = (0..CHUNKS).map(|n| format!("t{n} ")).collect();
    let slow = Reply::Slow {
        chunks,
        delay_ms: 4,
    };
    let fake = FakeAnthropic::start(Script::new(vec![slow; ROUNDS + 1]))
        .await
        .unwrap();
    let setup = Setup::new(&fake);
    let folder = tempfile::tempdir().unwrap();
    let (mut server, mut address) = setup.serve().await;
    let (project, token) = project_and_token(&setup, folder.path()).await;
    let mut rpc = connect(&address, &token).await;
    let created = call(
        &mut rpc,
        1,
        "sessions.create",
        json!({ "project_id": project }),
    )
    .await;
    let session = created["id"].as_str().unwrap().to_owned();
    let channel = format!("session:{session}");
    let mut positions: Vec<Option<(String, u64)>> = vec![None; CLIENTS];
    let mut reloads = 0;

    for round in 0..ROUNDS {
        let mut watchers = Vec::new();
        for since in positions.clone() {
            let (watcher, exact) = Watcher::join(&address, &token, &channel, since.clone()).await;
            reloads += usize::from(since.is_some() && !exact);
            watchers.push(watcher);
        }
        if round > 0 {
            let snapshot = call(
                &mut rpc,
                2,
                "sessions.get",
                json!({ "session_id": session }),
            )
            .await;
            assert_eq!(
                snapshot["session"]["status"], "interrupted",
                "the turn the crash cut is marked"
            );
        }
        let text = format!("round {round}");
        call(
            &mut rpc,
            3,
            "messages.send",
            json!({ "session_id": session, "text": text }),
        )
        .await;
        let start = watchers[0].last;
        // Storms: clients drop their sockets mid-stream and resume; each resume must be exact.
        for _ in 0..3 {
            let target = start + 5 + dice.below(60);
            watchers[0].read_to(target).await;
            let index = 1 + dice.below(CLIENTS as u64 - 1) as usize;
            watchers[index].read_to(target - dice.below(5)).await;
            let dropped = watchers.remove(index);
            let since = dropped.position();
            drop(dropped);
            let (watcher, exact) =
                Watcher::join(&address, &token, &channel, Some(since.clone())).await;
            assert!(
                exact,
                "a dropped socket resumes exactly while the server lives"
            );
            assert_eq!(watcher.position(), since);
            watchers.insert(index, watcher);
        }
        let kill_at = watchers[0].last + 1 + dice.below(40);
        watchers[0].read_to(kill_at).await;
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        for (index, watcher) in watchers.into_iter().enumerate() {
            positions[index] = Some(watcher.drain_until_closed().await);
        }
        (server, address) = setup.serve().await;
        rpc = connect(&address, &token).await;
    }

    assert_eq!(
        reloads,
        CLIENTS * (ROUNDS - 1),
        "seed {seed}: after each crash every client reloads"
    );
    let (mut watcher, exact) =
        Watcher::join(&address, &token, &channel, positions[0].clone()).await;
    assert!(!exact, "after the last crash too");
    call(
        &mut rpc,
        4,
        "messages.send",
        json!({ "session_id": session, "text": "after the crashes" }),
    )
    .await;
    watcher.read_until_status("idle").await;
    let last_request = fake.message_requests().pop().unwrap();
    let history = serde_json::to_string(last_request.messages()).unwrap();
    assert!(
        history.contains("round 0"),
        "the conversation resumed after the crashes"
    );
    stop(server).await;
}
