//! Sessions started in a terminal: the real `claude`, run directly as a person would, writes
//! its transcripts; `tether serve` on the same Claude Code folder lists them, shows them in the
//! same parts as its own sessions, follows one a terminal is still writing, refuses to write
//! into it from a second place (forking instead), and continues a finished one with its
//! earlier turns. (A phone doing the same in a browser: terminal_browser.rs.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::process::Stdio;

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::common::terminal::{allow_device_roots, sent_texts, terminal_claude, terminal_turn};
use crate::common::watcher::Watcher;
use crate::common::{MAX_FRAMES, Setup, Socket, WAIT, call, connect, next_json, send};

mod common;

/// The answer to a request that must fail: its error.
async fn refused(socket: &mut Socket, id: u64, method: &str, params: Value) -> Value {
    send(
        socket,
        json!({ "type": "request", "id": id, "method": method, "params": params }),
    )
    .await;
    for _ in 0..MAX_FRAMES {
        let frame = next_json(socket).await;
        if frame["type"] == "response" && frame["id"] == id {
            assert!(!frame["error"].is_null(), "{method} should fail: {frame}");
            return frame["error"].clone();
        }
    }
    panic!("no answer to {method}");
}

/// Lists terminal sessions once the index has read every transcript: waits for
/// `terminal.indexed` on the owner's channel while the list says it is not done.
async fn indexed_list(socket: &mut Socket, wanted: usize) -> Vec<Value> {
    send(
        socket,
        json!({ "type": "subscribe", "channels": ["user:owner"] }),
    )
    .await;
    for id in 100..100 + MAX_FRAMES as u64 {
        let list = call(socket, id, "terminal.list", json!({})).await;
        let sessions = list["sessions"].as_array().unwrap().clone();
        if list["progress"]["done"] == true && sessions.len() >= wanted {
            return sessions;
        }
        for _ in 0..MAX_FRAMES {
            let frame = next_json(socket).await;
            if frame["event"] == "terminal.indexed" {
                break;
            }
        }
    }
    panic!("the index never listed {wanted} sessions");
}

fn texts(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|message| message["parts"].as_array().unwrap().clone())
        .map(|part| match part["kind"].as_str().unwrap() {
            "text" => part["text"].as_str().unwrap().to_owned(),
            _ => format!(
                "{} -> {}",
                part["name"].as_str().unwrap(),
                part["result"]["content"]
            ),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_sessions_are_listed_shown_followed_forked_and_continued() {
    let roots = tempfile::tempdir().unwrap();
    let folder = roots.path().canonicalize().unwrap().join("webapp");
    std::fs::create_dir(&folder).unwrap();
    let notes = folder.join("notes.txt");
    std::fs::write(&notes, "hello world\n").unwrap();
    let fake = FakeAnthropic::start(Script::new([
        Reply::tool_use(
            "toolu_1",
            "Bash",
            json!({ "command": "echo hi", "description": "Say hi" }),
        ),
        Reply::tool_use(
            "toolu_2",
            "Edit",
            json!({ "file_path": notes, "old_string": "hello", "new_string": "goodbye" }),
        ),
        Reply::tool_use(
            "toolu_3",
            "TaskCreate",
            json!({ "subject": "Water the plants", "description": "Daily", "activeForm": "Watering" }),
        ),
        Reply::text(["Done."]),
        Reply::text(["Second answer."]),
        Reply::Stall {
            chunks: vec!["Still working.".to_owned()],
        },
        Reply::text(["Forked answer."]),
        Reply::text(["Carried on."]),
    ]))
    .await
    .unwrap();
    let setup = Setup::new(&fake);
    allow_device_roots(&setup, roots.path());

    // A person works in a terminal: two turns, the second resuming the first.
    let id = terminal_turn(&setup, &fake, &folder, &["-p", "do the things"]).await;
    let again = terminal_turn(
        &setup,
        &fake,
        &folder,
        &["-p", "and again", "--resume", &id],
    )
    .await;
    assert_eq!(again, id, "a resume keeps the session id");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "goodbye world\n");

    let (_server, address) = setup.serve().await;
    let token = setup
        .output(&["devices", "add", "--name", "phone"])
        .await
        .trim()
        .to_owned();
    let mut rpc = connect(&address, &token).await;

    // Listed, with what a person recognises it by.
    let listed = indexed_list(&mut rpc, 1).await;
    let session = &listed[0];
    assert_eq!(session["id"], id.as_str());
    assert_eq!(session["folder"], folder.to_str().unwrap());
    assert_eq!(session["title"], "do the things");
    assert_eq!(
        session["messages"], 7,
        "two prompts, five answers: {session}"
    );
    assert_eq!(session["live"], false);
    assert!(session["model"].is_string(), "{session}");
    assert!(session["last_at"].as_u64() >= session["first_at"].as_u64());
    let folders = call(&mut rpc, 2, "terminal.folders", json!({})).await;
    let first = &folders["folders"][0];
    assert_eq!(first["path"], folder.to_str().unwrap());
    assert_eq!(
        (first["sessions"].as_u64(), first["missing"].as_bool()),
        (Some(1), Some(false))
    );

    // Shown in the same parts as Tether's own sessions.
    let opened = call(&mut rpc, 3, "terminal.open", json!({ "id": id })).await;
    let edited = format!(
        "Edit -> \"The file {} has been updated successfully.\"",
        notes.display()
    );
    assert_eq!(
        texts(&opened["snapshot"]["messages"]),
        [
            "do the things",
            "Bash -> \"hi\"",
            edited.as_str(),
            "TaskCreate -> \"Task #1 created successfully: Water the plants\"",
            "Done.",
            "and again",
            "Second answer."
        ]
    );
    let todos = &opened["snapshot"]["todos"];
    assert_eq!(todos[0]["content"], "Water the plants", "{todos}");
    assert_eq!(opened["before"], Value::Null, "one page holds it all");
    assert_eq!(opened["snapshot"]["session"]["status"], "idle");
    let position = &opened["snapshot"]["position"];
    let channel = format!("session:{id}");
    let since = (
        position["epoch"].as_str().unwrap().to_owned(),
        position["offset"].as_u64().unwrap(),
    );
    let (mut watcher, exact) = Watcher::join(&address, &token, &channel, Some(since)).await;
    assert!(exact);

    // The terminal goes on in the same conversation; the phone follows it.
    let before_live = fake.requests().len();
    let _live = terminal_claude(
        &setup,
        &fake,
        &folder,
        &[
            "-p",
            "keep going",
            "--resume",
            &id,
            "--output-format",
            "json",
        ],
    )
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    fake.wait_for_requests(before_live + 1, WAIT).await.unwrap();
    let running = watcher.read_until_status("running").await;
    let listed = call(&mut rpc, 4, "terminal.list", json!({})).await;
    assert_eq!(listed["sessions"][0]["live"], true);

    // Not written into from two places: continuing is refused, forking works.
    let refusal = refused(&mut rpc, 5, "terminal.continue", json!({ "id": id })).await;
    assert_eq!(refusal["code"], "conflict", "{refusal}");
    assert!(refusal["message"].as_str().unwrap().contains("fork"));
    let fork = call(
        &mut rpc,
        6,
        "terminal.continue",
        json!({ "id": id, "fork": true }),
    )
    .await;
    assert_eq!(fork["origin"], json!({ "transcript_id": id, "fork": true }));
    let fork_id = fork["id"].as_str().unwrap().to_owned();
    let (mut fork_watcher, _) =
        Watcher::join(&address, &token, &format!("session:{fork_id}"), None).await;
    call(
        &mut rpc,
        7,
        "messages.send",
        json!({ "session_id": fork_id, "text": "fork it" }),
    )
    .await;
    fork_watcher.read_until_status("idle").await;
    let forked = call(
        &mut rpc,
        8,
        "sessions.get",
        json!({ "session_id": fork_id }),
    )
    .await;
    let fork_claude_id = forked["session"]["claude_session_id"].as_str().unwrap();
    assert_ne!(fork_claude_id, id, "a fork has an id of its own");
    assert_eq!(texts(&forked["messages"]), ["fork it", "Forked answer."]);
    let fork_request = fake.message_requests().last().cloned().unwrap();
    assert!(
        sent_texts(&fork_request).contains("do the things"),
        "the fork carries the history"
    );

    // The terminal's turn ends: its answer reaches the phone once, in order, then idle.
    fake.release_stalls();
    let finished = watcher.read_until_status("idle").await;
    let seen: Vec<&Value> = running.iter().chain(finished.iter()).collect();
    let prompts = seen
        .iter()
        .filter(|frame| frame["event"] == "message.created")
        .filter(|frame| frame["data"]["message"]["parts"][0]["text"] == "keep going")
        .count();
    assert_eq!(prompts, 1, "{seen:?}");
    let answer = seen
        .iter()
        .any(|frame| frame.to_string().contains("Still working."));
    assert!(answer, "{seen:?}");

    // Finished in the terminal: now it continues in Tether, with its earlier turns.
    let carried = call(&mut rpc, 9, "terminal.continue", json!({ "id": id })).await;
    assert_eq!(carried["claude_session_id"], id.as_str());
    assert_eq!(
        carried["origin"],
        json!({ "transcript_id": id, "fork": false })
    );
    let carried_id = carried["id"].as_str().unwrap().to_owned();
    let (mut carried_watcher, _) =
        Watcher::join(&address, &token, &format!("session:{carried_id}"), None).await;
    call(
        &mut rpc,
        10,
        "messages.send",
        json!({ "session_id": carried_id, "text": "carry on" }),
    )
    .await;
    carried_watcher.read_until_status("idle").await;
    let request = fake.message_requests().last().cloned().unwrap();
    let history = sent_texts(&request);
    for earlier in ["do the things", "and again", "keep going", "carry on"] {
        assert!(
            history.contains(earlier),
            "{earlier} missing from {history}"
        );
    }
    let again = call(&mut rpc, 11, "terminal.continue", json!({ "id": id })).await;
    assert_eq!(
        again["id"],
        carried_id.as_str(),
        "continuing twice finds the same session"
    );
    let listed = call(&mut rpc, 12, "terminal.list", json!({ "folder": folder })).await;
    let continued = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|session| session["id"] == id.as_str())
        .unwrap();
    assert_eq!(continued["tether_session_id"], carried_id.as_str());
    let unknown = refused(
        &mut rpc,
        13,
        "terminal.open",
        json!({ "id": "not-indexed" }),
    )
    .await;
    assert_eq!(unknown["code"], "not_found");
}
