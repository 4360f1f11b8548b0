//! Faults with the real CLI: interrupts, crashes, stalls, API errors. Each leaves the session usable.

use std::time::Duration;

use serde_json::json;
use tether_fake_anthropic::Reply;

use crate::claude::{
    ClaudeBench, last_error, processes_in, stand_in_claude, status_is, streamed_text,
};

fn stall(chunk: &str) -> Reply {
    Reply::Stall {
        chunks: vec![chunk.to_owned()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_interrupts_the_turn_and_the_session_goes_on() {
    // 20 s of words: the interrupt lands long before the last, however slow the machine.
    const WORDS: usize = 200;
    let slow = Reply::Slow {
        chunks: (0..WORDS).map(|n| format!("word{n} ")).collect(),
        delay_ms: 100,
    };
    let bench = ClaudeBench::start(vec![slow, Reply::text(["after"])]).await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "talk" })).await;
    seat.until(|e| e["event"] == "part.delta").await;
    let cancelled = seat.call("messages.cancel", json!({})).await;
    assert!(cancelled["error"].is_null(), "{cancelled}");
    let events = seat.until(status_is("interrupted")).await;
    assert!(
        streamed_text(&events).split_whitespace().count() < WORDS,
        "the turn stopped early"
    );
    assert!(
        !processes_in(&bench.project_path()).is_empty(),
        "an interrupt is not a kill: the same claude goes on"
    );
    assert_eq!(streamed_text(&seat.turn("again", "idle").await), "after");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_claude_is_reported_and_the_next_message_resumes_the_conversation() {
    let bench = ClaudeBench::start(vec![
        Reply::text(["remembered"]),
        stall("half"),
        Reply::text(["back"]),
    ])
    .await;
    let mut seat = bench.seat().await;
    seat.turn("remember this", "idle").await;
    seat.call("messages.send", json!({ "text": "stall" })).await;
    seat.until(|e| e["event"] == "part.delta").await;
    for pid in processes_in(&bench.project_path()) {
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
    }
    let note = last_error(&seat.until(status_is("errored")).await);
    assert!(note.contains("claude exited"), "{note}");
    bench.fake.release_stalls();

    assert_eq!(
        streamed_text(&seat.turn("still there?", "idle").await),
        "back"
    );
    let last = bench.fake.message_requests().pop().unwrap();
    let history = serde_json::to_string(last.messages()).unwrap();
    assert!(
        history.contains("remember this") && history.contains("remembered"),
        "--resume carried the conversation: {history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_turn_is_flagged_stalled_and_cancel_stops_it() {
    let bench = ClaudeBench::start_with(vec![stall("thinking"), Reply::text(["fine"])], |config| {
        config.claude.stall_timeout = Duration::from_millis(1500);
    })
    .await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "hang" })).await;
    // Wait for output first: a cold start can be slower than the short stall timeout.
    seat.until(|e| e["event"] == "part.delta").await;
    let stalled = seat.until(status_is("stalled")).await;
    assert!(last_error(&stalled).contains("no output"));
    seat.call("messages.cancel", json!({})).await;
    seat.until(status_is("interrupted")).await;
    assert_eq!(
        processes_in(&bench.project_path()),
        Vec::<u32>::new(),
        "a stalled claude is stopped"
    );
    bench.fake.release_stalls();
    assert_eq!(streamed_text(&seat.turn("retry", "idle").await), "fine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_become_clear_session_errors_and_the_session_stays_usable() {
    let bench = ClaudeBench::start(vec![
        Reply::error(401, "authentication_error", "invalid x-api-key"),
        Reply::error(500, "api_error", "fake internal error"),
        Reply::text(["recovered"]),
    ])
    .await;
    let mut seat = bench.seat().await;
    for expected in ["Invalid API key", "500"] {
        let note = last_error(&seat.turn("hi", "errored").await);
        assert!(note.contains(expected), "{note}");
    }
    seat.call("messages.retry", json!({})).await;
    assert_eq!(
        streamed_text(&seat.until(status_is("idle")).await),
        "recovered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_reported_while_they_happen() {
    let replies = vec![
        Reply::error(529, "overloaded_error", "busy"),
        Reply::text(["made it"]),
    ];
    let bench = ClaudeBench::start_with(replies, |config| {
        config
            .claude
            .env
            .insert("CLAUDE_CODE_MAX_RETRIES".into(), "1".into());
    })
    .await;
    let mut seat = bench.seat().await;
    let events = seat.turn("hi", "idle").await;
    let notes: Vec<&str> = events
        .iter()
        .filter_map(|e| e["data"]["session"]["last_error"].as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|note| note.contains("retry 1 of 1") && note.contains("529")),
        "{notes:?}"
    );
    assert_eq!(streamed_text(&events), "made it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_api_key_is_said_plainly() {
    let bench = ClaudeBench::start_with(Vec::new(), |config| {
        config
            .claude
            .env
            .insert("ANTHROPIC_API_KEY".into(), String::new());
    })
    .await;
    let mut seat = bench.seat().await;
    let note = last_error(&seat.turn("hi", "errored").await);
    assert!(
        note.contains("Not logged in") || note.contains("login"),
        "{note}"
    );
    assert!(
        bench.fake.message_requests().is_empty(),
        "nothing was sent without a key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_shutdown_leaves_no_claude_behind() {
    let mut bench = ClaudeBench::start(vec![stall("busy")]).await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "work" })).await;
    seat.until(|e| e["event"] == "part.delta").await;
    assert!(!processes_in(&bench.project_path()).is_empty());
    bench.server.shutdown().await;
    assert_eq!(processes_in(&bench.project_path()), Vec::<u32>::new());
}

/// A stand-in `claude` that injects faults: garbage and an unknown line type before a valid turn.
const GARBLED_CLAUDE: &str = r#"#!/bin/sh
while read -r line; do
  case "$line" in
    *'"type":"user"'*)
      echo 'this is not json'
      echo '{"type":"brand_new_kind","payload":{"x":1}}'
      echo '{"type":"system","subtype":"init","session_id":"garbled-1","model":"m"}'
      echo '{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_g"}}}'
      echo '{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}}'
      echo '{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"still fine"}}}'
      echo '{"type":"result","subtype":"success","is_error":false,"result":"still fine","total_cost_usd":0.01,"usage":{"input_tokens":1,"output_tokens":2}}'
      ;;
  esac
done
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_unknown_output_lines_are_skipped_not_fatal() {
    let (_bin, fake) = stand_in_claude(GARBLED_CLAUDE);
    let bench =
        ClaudeBench::start_with(Vec::new(), |config| config.claude.path = Some(fake.clone())).await;
    let mut seat = bench.seat().await;
    let events = seat.turn("hi", "idle").await;
    assert_eq!(streamed_text(&events), "still fine");
    assert_eq!(
        seat.turn("again", "idle").await.last().unwrap()["data"]["session"]["usage"]["output_tokens"],
        4
    );
}

/// A stand-in `claude` that injects a fault: it reads everything, keeps its output open and
/// never answers.
const SILENT_CLAUDE: &str = "#!/bin/sh\nwhile read -r line; do :; done\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_change_claude_never_answers_fails_in_time_and_keeps_the_old_value() {
    let (_bin, fake) = stand_in_claude(SILENT_CLAUDE);
    let bench = ClaudeBench::start_with(Vec::new(), |config| {
        config.claude.path = Some(fake.clone());
        config.claude.answer_timeout = Duration::from_millis(300);
    })
    .await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "hello?" }))
        .await;
    seat.until(status_is("running")).await;
    for (method, params, field, old) in [
        (
            "sessions.set_model",
            json!({ "model": "claude-opus-4-1" }),
            "model",
            json!(null),
        ),
        (
            "sessions.set_permission_mode",
            json!({ "mode": "plan" }),
            "permission_mode",
            json!("default"),
        ),
    ] {
        let changed = seat.call(method, params).await;
        assert_eq!(changed["error"]["code"], "unavailable", "{changed}");
        let why = changed["error"]["message"].as_str().unwrap();
        assert!(why.contains("did not answer within 300ms"), "{why}");
        let now = seat.call("sessions.get", json!({})).await;
        assert_eq!(now["result"]["session"][field], old, "{now}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_with_an_approval_pending_interrupts_and_resolves_it() {
    let bash = Reply::tool_use(
        "toolu_fake0002",
        "Bash",
        json!({ "command": "echo hi > hi.txt", "description": "Write" }),
    );
    let bench = ClaudeBench::start(vec![bash, Reply::text(["next"])]).await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "write" })).await;
    seat.until(|e| e["event"] == "tool.approval_required").await;
    assert!(seat.call("messages.cancel", json!({})).await["error"].is_null());
    let events = seat.until(status_is("interrupted")).await;
    let resolved = events
        .iter()
        .find(|e| e["event"] == "tool.approval_resolved")
        .expect("the approval is settled");
    assert_eq!(resolved["data"]["decision"], "cancelled");
    assert!(
        seat.call("tools.list", json!({})).await["result"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(!bench.project_path().join("hi.txt").exists());
    assert_eq!(streamed_text(&seat.turn("go on", "idle").await), "next");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_also_ends_what_a_tool_left_running() {
    let command = "(trap '' INT TERM HUP; exec sleep 300) > /dev/null 2>&1 & echo started";
    let bash = Reply::tool_use(
        "toolu_fake0003",
        "Bash",
        json!({ "command": command, "description": "Start a stubborn process" }),
    );
    let bench = ClaudeBench::start(vec![bash, Reply::text(["started it"])]).await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "start it" }))
        .await;
    let asked = seat.until(|e| e["event"] == "tool.approval_required").await;
    let request_id = asked.last().unwrap()["data"]["approval"]["request_id"].clone();
    seat.call("tools.approve", json!({ "request_id": request_id }))
        .await;
    seat.until(status_is("idle")).await;
    let before = processes_in(&bench.project_path());
    assert!(before.len() >= 2, "claude and the tool's sleep: {before:?}");
    seat.call("sessions.archive", json!({})).await;
    assert_eq!(
        processes_in(&bench.project_path()),
        Vec::<u32>::new(),
        "nothing it started survives"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_folder_that_vanished_is_named_as_the_cause() {
    let bench = ClaudeBench::start(Vec::new()).await;
    let mut seat = bench.seat().await;
    std::fs::remove_dir_all(bench.project.path()).unwrap();
    let sent = seat.call("messages.send", json!({ "text": "hi" })).await;
    assert_eq!(sent["error"]["code"], "unavailable", "{sent}");
    assert!(
        sent["error"]["message"]
            .as_str()
            .unwrap()
            .contains("project folder is gone"),
        "{sent}"
    );
}
