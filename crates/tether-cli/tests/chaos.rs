//! `kill -9` of the real binary mid-stream, over rounds with reconnect storms: every client
//! either continues exactly or is told to reload, never with a gap or a duplicate. `make chaos`
//! runs more rounds and clients (`TETHER_CHAOS_ROUNDS`, `TETHER_CHAOS_CLIENTS`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::watcher::{Opened, Watcher, open_session, stop};
use crate::common::{Setup, call, connect};

mod common;

/// A count from the environment (for `make chaos`), or the default.
fn scale(variable: &str, default: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_every_client_continues_exactly_or_reloads() {
    // Each round's turn is long (12 s) so that the kill, about 100 events in, always lands
    // mid-turn however slow the machine; the turn after the crashes is short.
    const CHUNKS: usize = 3_000;
    let rounds = scale("TETHER_CHAOS_ROUNDS", 3).max(1);
    let clients = scale("TETHER_CHAOS_CLIENTS", 4).max(2);
    let seed = rand::random::<u64>();
    println!("chaos seed {seed}: {rounds} rounds, {clients} clients");
    let mut dice = StdRng::seed_from_u64(seed);
    let chunks: Vec<String> = (0..CHUNKS).map(|n| format!("t{n} ")).collect();
    let slow = Reply::Slow {
        chunks,
        delay_ms: 4,
    };
    let mut replies = vec![slow; rounds];
    replies.push(Reply::text(["resumed after the crashes"]));
    let fake = FakeAnthropic::start(Script::new(replies)).await.unwrap();
    let setup = Setup::new(&fake);
    // Every client and the control connection share one token: room for them all, and for
    // sockets still closing.
    let mut settings = std::fs::read_to_string(setup.config()).unwrap();
    settings += &format!(
        "[limits]\nmax_connections_per_device = {}\n",
        2 * clients + 4
    );
    std::fs::write(setup.config(), settings).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let (mut server, mut address) = setup.serve().await;
    let Opened {
        token,
        mut rpc,
        session,
        channel,
        ..
    } = open_session(&setup, &address, setup.data.path(), folder.path()).await;
    let mut positions: Vec<Option<(String, u64)>> = vec![None; clients];
    let mut reloads = 0;

    for round in 0..rounds {
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
            let target = start + 5 + dice.random_range(0..60);
            watchers[0].read_to(target).await;
            let index = 1 + dice.random_range(0..clients - 1);
            watchers[index]
                .read_to(target - dice.random_range(0..5))
                .await;
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
        let kill_at = watchers[0].last + 1 + dice.random_range(0..40);
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
        clients * (rounds - 1),
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
