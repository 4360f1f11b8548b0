//! Remote machines when things go wrong: the link cut or stalled mid-stream, the agent or
//! the hub killed mid-turn, and prompts for a machine that is offline.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use std::path::Path;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tether_engine::supervisor::process::processes_in;
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::WAIT;
use crate::common::machines::{Device, Fleet, assistant_text, event_on, run_agent, status_on};

/// Waits until no process runs in `folder` (the machine's claude and its tools are gone).
async fn nothing_runs_in(folder: &Path) {
    let folder = folder.canonicalize().unwrap();
    let gone = async {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(10));
        while !processes_in(&folder).is_empty() {
            tick.tick().await;
        }
    };
    tokio::time::timeout(WAIT, gone)
        .await
        .expect("nothing left running in the project");
}

/// Waits until the `claude` whose home is `home` has saved `text` in a transcript. A run killed
/// before that leaves nothing to resume (as on any machine): the tests that resume one wait.
async fn transcript_holds(home: &Path, text: &str) {
    let projects = home.join("projects");
    let saved = async {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(10));
        while !transcripts_hold(&projects, text) {
            tick.tick().await;
        }
    };
    tokio::time::timeout(WAIT, saved)
        .await
        .expect("claude saving its transcript");
}

/// Whether a transcript in a project folder under `projects` holds `text`.
fn transcripts_hold(projects: &Path, text: &str) -> bool {
    let Ok(folders) = std::fs::read_dir(projects) else {
        return false;
    };
    (folders.filter_map(Result::ok))
        .filter_map(|folder| std::fs::read_dir(folder.path()).ok())
        .flat_map(|files| files.filter_map(Result::ok))
        .filter(|file| file.path().extension().is_some_and(|ext| ext == "jsonl"))
        .any(|file| std::fs::read_to_string(file.path()).is_ok_and(|saved| saved.contains(text)))
}

/// Stops a `tether` process with SIGTERM and waits for it.
async fn stop(child: &mut tokio::process::Child) {
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    kill(pid, Signal::SIGTERM).unwrap();
    tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
}

/// The offline `machine.updated` for `machine`.
fn offline(machine: &str) -> impl Fn(&Value) -> bool + use<'_> {
    move |frame| {
        frame["event"] == "machine.updated"
            && frame["data"]["id"] == machine
            && frame["data"]["online"] == false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_cut_or_stalled_mid_stream_loses_and_doubles_nothing() {
    let chunks: Vec<String> = (0..60).map(|n| format!("w{n} ")).collect();
    let fake = FakeAnthropic::start(Script::new([Reply::Slow {
        chunks: chunks.clone(),
        delay_ms: 30,
    }]))
    .await
    .unwrap();
    let mut fleet = Fleet::start(&fake, true).await;
    let session = fleet.session().await;
    fleet.send(&session, "Count for me").await;
    let delta = event_on(&session, "part.delta");
    let mut frames = Vec::new();
    for round in 0..2 {
        // A few words in, the network drops (then holds) the link; the agent dials again.
        for _ in 0..5 {
            frames.push(fleet.device.until(&delta).await);
        }
        let proxy = fleet.proxy.as_ref().unwrap();
        let before = proxy.connections();
        if round == 0 {
            proxy.cut();
        } else {
            proxy.stall();
        }
        let relinked = async {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(10));
            while proxy.connections() == before {
                tick.tick().await;
            }
        };
        tokio::time::timeout(WAIT, relinked)
            .await
            .expect("the agent dialed again");
    }
    let rest = fleet
        .device
        .collect_until(status_on(&session, "idle"))
        .await;
    frames.extend(rest.into_iter().filter(|frame| delta(frame)));
    let streamed: String = frames
        .iter()
        .map(|frame| frame["data"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(streamed, chunks.concat(), "every word once, in order");
    let offsets: Vec<u64> = frames
        .iter()
        .map(|frame| frame["offset"].as_u64().unwrap())
        .collect();
    assert!(
        offsets.windows(2).all(|pair| pair[0] < pair[1]),
        "{offsets:?}"
    );
    assert_eq!(
        assistant_text(&mut fleet.device, &session).await,
        chunks.concat()
    );
    assert_eq!(
        fake.message_requests().len(),
        1,
        "the prompt reached claude once"
    );
    fleet.agent_process.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_killed_mid_turn_shows_interrupted_and_resumes_when_it_returns() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::Stall {
            chunks: vec!["started".into()],
        },
        Reply::text(["Back ", "again."]),
    ]))
    .await
    .unwrap();
    let mut fleet = Fleet::start(&fake, false).await;
    let session = fleet.session().await;
    fleet.send(&session, "Begin the long job").await;
    fleet.device.until(event_on(&session, "part.delta")).await;
    transcript_holds(fleet.agent.claude_home(), "Begin the long job").await;

    fleet.agent_process.kill().await.unwrap();
    fleet.agent_process.wait().await.unwrap();
    let machine = fleet.machine.clone();
    fleet.device.until(offline(&machine)).await;
    fleet.agent_process = run_agent(&fleet.agent).await;
    let cut = fleet.device.until(status_on(&session, "interrupted")).await;
    let note = cut["data"]["session"]["last_error"].as_str().unwrap();
    assert!(note.contains("machine restarted"), "{note}");
    fake.release_stalls();
    nothing_runs_in(fleet.folder.path()).await;

    fleet.send(&session, "Carry on").await;
    fleet.device.until(status_on(&session, "idle")).await;
    let text = assistant_text(&mut fleet.device, &session).await;
    assert!(text.ends_with("Back again."), "{text}");
    let last = fake.message_requests().pop().unwrap();
    assert!(
        serde_json::to_string(&last.body)
            .unwrap()
            .contains("Begin the long job"),
        "the new run resumed the conversation"
    );
    fleet.agent_process.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_mid_turn_stops_the_run_and_the_session_resumes_on_the_next_message() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::Stall {
            chunks: vec!["started".into()],
        },
        Reply::text(["Resumed."]),
    ]))
    .await
    .unwrap();
    let mut fleet = Fleet::start(&fake, true).await;
    let session = fleet.session().await;
    fleet.send(&session, "Begin").await;
    fleet.device.until(event_on(&session, "part.delta")).await;
    transcript_holds(fleet.agent.claude_home(), "Begin").await;

    fleet.hub_process.kill().await.unwrap();
    fleet.hub_process.wait().await.unwrap();
    let (hub_process, address) = fleet.hub.serve().await;
    fleet.hub_process = hub_process;
    let proxy = fleet.proxy.as_ref().unwrap();
    proxy.set_upstream(&address);
    proxy.cut();
    // The returning agent is told to stop the run the new hub does not hold.
    nothing_runs_in(fleet.folder.path()).await;
    fake.release_stalls();

    let token = fleet
        .hub
        .output(&["devices", "add", "--name", "tablet"])
        .await;
    let mut device = Device::connect(&address, token.trim()).await;
    device.subscribe(&format!("session:{session}")).await;
    let got = device
        .call("sessions.get", json!({ "session_id": session }))
        .await;
    assert_eq!(
        got["session"]["status"], "interrupted",
        "{}",
        got["session"]
    );
    device
        .call(
            "messages.send",
            json!({ "session_id": session, "text": "Again" }),
        )
        .await;
    device.until(status_on(&session, "idle")).await;
    assert!(
        assistant_text(&mut device, &session)
            .await
            .ends_with("Resumed.")
    );
    fleet.agent_process.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_for_an_offline_machine_waits_at_the_hub_and_is_delivered_once() {
    let fake = FakeAnthropic::start(Script::new([Reply::text(["Delivered."])]))
        .await
        .unwrap();
    let mut fleet = Fleet::start(&fake, false).await;
    let kept = fleet.session().await;
    let withdrawn = fleet.session().await;
    stop(&mut fleet.agent_process).await;
    let machine = fleet.machine.clone();
    fleet.device.until(offline(&machine)).await;

    let params = json!({ "session_id": kept, "text": "Only once", "client_id": "c-1" });
    let sent = fleet.device.call("messages.send", params.clone()).await;
    let queued = fleet.device.until(status_on(&kept, "starting")).await;
    let note = queued["data"]["session"]["last_error"].as_str().unwrap();
    assert!(note.starts_with("Queued: build-box is offline"), "{note}");
    let again = fleet.device.call("messages.send", params).await;
    assert_eq!(again, sent, "the same client id is the same message");

    fleet.send(&withdrawn, "Never mind").await;
    fleet
        .device
        .call("messages.cancel", json!({ "session_id": withdrawn }))
        .await;
    fleet
        .device
        .until(status_on(&withdrawn, "interrupted"))
        .await;

    fleet.agent_process = run_agent(&fleet.agent).await;
    fleet.device.until(status_on(&kept, "idle")).await;
    assert_eq!(assistant_text(&mut fleet.device, &kept).await, "Delivered.");
    let prompts: Vec<String> = fake
        .message_requests()
        .iter()
        .map(|request| serde_json::to_string(&request.body).unwrap())
        .collect();
    assert_eq!(prompts.len(), 1, "one turn reached claude");
    assert!(prompts[0].contains("Only once") && !prompts[0].contains("Never mind"));
    fleet.agent_process.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_machine_ends_its_sessions_saying_so() {
    let fake = FakeAnthropic::start(Script::new([])).await.unwrap();
    let mut fleet = Fleet::start(&fake, false).await;
    let session = fleet.session().await;
    stop(&mut fleet.agent_process).await;
    let machine = fleet.machine.clone();
    fleet.device.until(offline(&machine)).await;
    fleet.send(&session, "Waits for the machine").await;
    fleet.device.until(status_on(&session, "starting")).await;

    fleet
        .device
        .call("devices.revoke", json!({ "id": machine }))
        .await;
    let ended = fleet.device.until(status_on(&session, "interrupted")).await;
    let note = ended["data"]["session"]["last_error"].as_str().unwrap();
    assert!(note.contains("was removed"), "{note}");
    let refused = fleet
        .device
        .ask(
            "messages.send",
            json!({ "session_id": session, "text": "Again" }),
        )
        .await;
    assert_eq!(refused["error"]["code"], "unavailable", "{refused}");
    assert!(fake.message_requests().is_empty(), "nothing reached claude");
}
