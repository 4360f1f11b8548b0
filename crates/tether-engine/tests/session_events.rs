//! The session events are the whole truth: over generated runs of CLI lines, prompts,
//! decisions and setting changes, a client that takes a snapshot at any point and then
//! applies the events that follow, as read back from the wire, holds exactly what the
//! session holds (what `sessions.get` returns). Every event kind occurs in these runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use tether_engine::supervisor::session_reducer::{Prompt, SessionReducer};
use tether_engine::supervisor::stream_json::parse;
use tether_protocol::events::{Decision, SessionEvent, WireEvent};
use tether_protocol::model::{SessionInfo, SessionStatus, Todo};
use tether_protocol::session_view::SessionSnapshot;

/// One thing that happens to a session.
#[derive(Debug, Clone)]
enum Step {
    Line(Value),
    Prompt(String),
    Status(SessionStatus, Option<String>),
    Model(Option<String>),
    Mode(String),
    Todos(Vec<Todo>),
    Agents(Vec<Value>),
    /// Answers the pending approval at this index (modulo how many wait).
    Decide(usize, Decision),
    CancelApprovals,
    ProcessStarted,
    Ended(u64),
}

fn small_text() -> impl Strategy<Value = String> {
    "[a-z ]{0,12}"
}

fn message_id() -> impl Strategy<Value = String> {
    (0..3u8).prop_map(|n| format!("msg_{n}"))
}

fn tool_id() -> impl Strategy<Value = String> {
    (0..4u8).prop_map(|n| format!("toolu_{n}"))
}

fn request_id() -> impl Strategy<Value = String> {
    (0..3u8).prop_map(|n| format!("req_{n}"))
}

fn status() -> impl Strategy<Value = SessionStatus> {
    prop_oneof![
        Just(SessionStatus::Starting),
        Just(SessionStatus::Idle),
        Just(SessionStatus::Running),
        Just(SessionStatus::Interrupted),
        Just(SessionStatus::Stalled),
        Just(SessionStatus::Errored),
    ]
}

fn decision() -> impl Strategy<Value = Decision> {
    prop_oneof![
        Just(Decision::Allow),
        Just(Decision::AllowAlways),
        Just(Decision::Deny),
        Just(Decision::Cancelled),
    ]
}

fn todo() -> impl Strategy<Value = Todo> {
    (
        small_text(),
        prop_oneof![Just("pending"), Just("completed")],
    )
        .prop_map(|(content, status)| Todo {
            id: None,
            content,
            status: status.to_owned(),
            active_form: None,
        })
}

/// A tool call as the model makes it, including the calls the todo list follows.
fn tool_call() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        Just(("Bash".to_owned(), json!({ "command": "echo hi" }))),
        prop::collection::vec(todo(), 0..3)
            .prop_map(|todos| ("TodoWrite".to_owned(), json!({ "todos": todos }))),
        small_text().prop_map(|subject| ("TaskCreate".to_owned(), json!({ "subject": subject }))),
        (0..3u8, prop_oneof![Just("completed"), Just("deleted")]).prop_map(|(id, status)| (
            "TaskUpdate".to_owned(),
            json!({ "taskId": id.to_string(), "status": status })
        )),
    ]
}

/// Any CLI line the transcript reads, with ids from small pools so that they meet.
fn line() -> impl Strategy<Value = Value> {
    prop_oneof![
        (message_id(), small_text()).prop_map(|(id, model)| json!({
            "type": "system", "subtype": "init", "session_id": id, "model": model
        })),
        prop_oneof![Just("default"), Just("acceptEdits")].prop_map(|mode| json!({
            "type": "system", "subtype": "status", "status": null, "permissionMode": mode
        })),
        (1..3u32).prop_map(|attempt| json!({
            "type": "system", "subtype": "api_retry", "attempt": attempt, "max_retries": 3,
            "retry_delay_ms": 10, "error_status": 529, "error": "overloaded"
        })),
        message_id().prop_map(|id| json!({
            "type": "stream_event", "event": { "type": "message_start", "message": { "id": id } }
        })),
        (0..3u64).prop_map(|index| json!({
            "type": "stream_event",
            "event": { "type": "content_block_start", "index": index,
                       "content_block": { "type": "text", "text": "" } }
        })),
        (0..3u64, tool_id()).prop_map(|(index, id)| json!({
            "type": "stream_event",
            "event": { "type": "content_block_start", "index": index,
                       "content_block": { "type": "tool_use", "id": id, "name": "Bash", "input": {} } }
        })),
        (0..3u64, small_text()).prop_map(|(index, text)| json!({
            "type": "stream_event",
            "event": { "type": "content_block_delta", "index": index,
                       "delta": { "type": "text_delta", "text": text } }
        })),
        (message_id(), small_text()).prop_map(|(id, text)| json!({
            "type": "assistant",
            "message": { "id": id, "content": [{ "type": "text", "text": text }] }
        })),
        (message_id(), tool_id(), tool_call()).prop_map(|(id, tool, (name, input))| json!({
            "type": "assistant",
            "message": { "id": id, "content": [
                { "type": "tool_use", "id": tool, "name": name, "input": input }
            ] }
        })),
        (tool_id(), small_text(), any::<bool>(), 0..3u8).prop_map(|(id, text, is_error, task)| {
            json!({
                "type": "user",
                "message": { "role": "user", "content": [
                    { "type": "tool_result", "tool_use_id": id, "content": text, "is_error": is_error }
                ] },
                "tool_use_result": { "task": { "id": task.to_string() }, "success": !is_error }
            })
        }),
        (prop_oneof![Just("completed"), Just("aborted_streaming")], any::<bool>(), 0..100u32)
            .prop_map(|(reason, is_error, cost)| json!({
                "type": "result", "subtype": if is_error { "error_during_execution" } else { "success" },
                "is_error": is_error, "result": "done", "terminal_reason": reason,
                "total_cost_usd": f64::from(cost) / 100.0,
                "usage": { "input_tokens": cost, "output_tokens": 1 }
            })),
        (request_id(), tool_id()).prop_map(|(id, tool)| json!({
            "type": "control_request", "request_id": id,
            "request": { "subtype": "can_use_tool", "tool_name": "Bash",
                         "input": { "command": "ls" }, "tool_use_id": tool,
                         "permission_suggestions": [] }
        })),
        request_id().prop_map(|id| json!({ "type": "control_cancel_request", "request_id": id })),
        Just(json!({ "type": "brand_new" })),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => line().prop_map(Step::Line),
        1 => small_text().prop_map(Step::Prompt),
        1 => (status(), prop::option::of(small_text())).prop_map(|(s, e)| Step::Status(s, e)),
        1 => prop::option::of(small_text()).prop_map(Step::Model),
        1 => prop_oneof![Just("plan"), Just("default")].prop_map(|m| Step::Mode(m.to_owned())),
        1 => prop::collection::vec(todo(), 0..3).prop_map(Step::Todos),
        1 => prop::collection::vec(small_text().prop_map(|name| json!({ "name": name })), 0..3)
            .prop_map(Step::Agents),
        1 => (0..3usize, decision()).prop_map(|(index, decision)| Step::Decide(index, decision)),
        1 => Just(Step::CancelApprovals),
        1 => Just(Step::ProcessStarted),
        1 => (0..10_000u64).prop_map(Step::Ended),
    ]
}

/// Runs one step; returns its events.
fn run(transcript: &mut SessionReducer, step: &Step) -> Vec<SessionEvent> {
    match step.clone() {
        Step::Line(line) => transcript.apply(&parse(&line.to_string()).unwrap()),
        Step::Prompt(text) => {
            let prompt = Prompt {
                text,
                images: Vec::new(),
            };
            let (_, mut events) = transcript.user_message(&prompt);
            events.extend(transcript.prompt_sent());
            events
        }
        Step::Status(status, error) => transcript.set_status(status, error),
        Step::Model(model) => transcript.set_model(model),
        Step::Mode(mode) => transcript.set_permission_mode(mode),
        Step::Todos(todos) => transcript.set_todos(todos),
        Step::Agents(agents) => transcript.set_agents(agents),
        Step::Decide(index, decision) => {
            let pending = &transcript.view().approvals;
            if pending.is_empty() {
                return Vec::new();
            }
            let request_id = pending[index % pending.len()].request_id.clone();
            transcript.resolved(&request_id, decision, Some("phone"))
        }
        Step::CancelApprovals => transcript.cancel_approvals(),
        Step::ProcessStarted => {
            transcript.process_started();
            Vec::new()
        }
        Step::Ended(duration_ms) => transcript.ended(duration_ms),
    }
}

/// The event as a client receives it: its name and its data's JSON text, read back.
fn over_the_wire(event: &SessionEvent) -> SessionEvent {
    let data = event.data().unwrap();
    SessionEvent::decode(event.name(), data.get()).unwrap()
}

fn new_transcript() -> SessionReducer {
    SessionReducer::new(SessionInfo::new(
        "s1".into(),
        "p1".into(),
        None,
        "default".into(),
        0,
    ))
}

/// What `sessions.get` would answer now.
fn snapshot(transcript: &SessionReducer) -> SessionSnapshot {
    SessionSnapshot::new(transcript.view().clone(), None)
}

/// Runs `steps`, with a client that takes a snapshot after `joins_after` of them and applies
/// every later event. Returns the event kinds seen.
fn check(steps: &[Step], joins_after: usize) -> Result<BTreeSet<&'static str>, TestCaseError> {
    let mut transcript = new_transcript();
    let mut client = None;
    let mut kinds = BTreeSet::new();
    for (index, step) in steps.iter().enumerate() {
        if index == joins_after {
            client = Some(snapshot(&transcript).view());
        }
        for event in run(&mut transcript, step) {
            kinds.insert(event.wire_name());
            let received = over_the_wire(&event);
            prop_assert_eq!(&received, &event, "the wire carries the whole event");
            if let Some(client) = client.as_mut() {
                client.apply(&received);
            }
        }
    }
    let client = client.unwrap_or_else(|| snapshot(&transcript).view());
    let held = SessionSnapshot::new(client, None);
    prop_assert_eq!(held, snapshot(&transcript));
    Ok(kinds)
}

fn runs() -> impl Strategy<Value = (Vec<Step>, usize)> {
    prop::collection::vec(step(), 0..80).prop_flat_map(|steps| {
        let len = steps.len();
        (Just(steps), 0..=len)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_client_applying_the_events_holds_what_the_session_holds((steps, joins_after) in runs()) {
        check(&steps, joins_after)?;
    }
}

#[test]
fn the_generated_runs_produce_every_session_event_kind() {
    let all = [
        "message.created",
        "part.created",
        "part.delta",
        "part.updated",
        "usage.updated",
        "tool.approval_required",
        "tool.approval_resolved",
        "todo.updated",
        "agents.updated",
        "session.updated",
        "session.ended",
    ];
    let mut runner = TestRunner::deterministic();
    let mut seen = BTreeSet::new();
    for _ in 0..200 {
        let (steps, joins_after) = runs().new_tree(&mut runner).unwrap().current();
        seen.extend(check(&steps, joins_after).unwrap());
    }
    let missing: Vec<_> = all.iter().filter(|kind| !seen.contains(*kind)).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}
