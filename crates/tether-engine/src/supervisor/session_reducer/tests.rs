//! The transcript on a scripted turn: state and events agree, deltas rebuild the text.

use serde_json::{Value, json};

use super::*;
use crate::supervisor::stream_json::parse;
use tether_protocol::events::WireEvent as _;
use tether_protocol::model::Part;

/// An event as a client reads it.
struct Wire {
    event: &'static str,
    data: Value,
}

fn wired(events: Vec<SessionEvent>) -> Vec<Wire> {
    events
        .iter()
        .map(|event| Wire {
            event: event.wire_name(),
            data: serde_json::from_str(event.data().unwrap().get()).unwrap(),
        })
        .collect()
}

fn transcript() -> SessionReducer {
    SessionReducer::new(SessionInfo::new(
        "s1".into(),
        "p1".into(),
        None,
        "default".into(),
        0,
    ))
}

fn feed(transcript: &mut SessionReducer, lines: &[&str]) -> Vec<Wire> {
    wired(
        lines
            .iter()
            .flat_map(|line| transcript.apply(&parse(line).unwrap()))
            .collect(),
    )
}

fn names(events: &[Wire]) -> Vec<&str> {
    events.iter().map(|event| event.event).collect()
}

const TEXT_TURN: [&str; 9] = [
    r#"{"type":"system","subtype":"init","session_id":"cli-1","model":"claude-opus-5-5"}"#,
    r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1"}}}"#,
    r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}}"#,
    r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi from"}}}"#,
    r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the fake"}}}"#,
    r#"{"type":"assistant","message":{"id":"msg_1","content":[{"type":"text","text":"hi from the fake"}]}}"#,
    r#"{"type":"stream_event","event":{"type":"content_block_stop","index":0}}"#,
    r#"{"type":"stream_event","event":{"type":"message_stop"}}"#,
    r#"{"type":"result","subtype":"success","is_error":false,"result":"hi from the fake","total_cost_usd":0.5,"usage":{"input_tokens":12,"output_tokens":7}}"#,
];

#[test]
fn a_text_turn_streams_deltas_then_settles_and_counts_usage() {
    let mut transcript = transcript();
    transcript.set_status(SessionStatus::Running, None);
    let events = feed(&mut transcript, &TEXT_TURN);
    assert_eq!(
        names(&events),
        [
            "session.updated",
            "message.created",
            "part.created",
            "part.delta",
            "part.delta",
            "part.updated",
            "usage.updated",
            "session.updated"
        ]
    );
    let deltas: String = events
        .iter()
        .filter(|e| e.event == "part.delta")
        .map(|e| e.data["text"].as_str().unwrap())
        .collect();
    assert_eq!(deltas, "hi from the fake");
    assert_eq!(
        transcript.view().messages[0].parts,
        [Part::Text {
            id: "msg_1:0".into(),
            text: "hi from the fake".into()
        }]
    );
    assert_eq!(
        transcript.info().claude_session_id.as_deref(),
        Some("cli-1")
    );
    assert_eq!(
        (
            transcript.info().status,
            transcript.info().usage.output_tokens
        ),
        (SessionStatus::Idle, 7)
    );
    assert_eq!(
        events.last().unwrap().data["session"]["total_cost_usd"],
        0.5
    );
}

#[test]
fn costs_add_up_across_processes() {
    let mut transcript = transcript();
    feed(&mut transcript, &TEXT_TURN);
    transcript.process_started();
    feed(
        &mut transcript,
        &[
            r#"{"type":"result","subtype":"success","is_error":false,"total_cost_usd":0.25,"usage":{"input_tokens":1,"output_tokens":1}}"#,
        ],
    );
    assert_eq!(transcript.info().total_cost_usd, 0.75);
    assert_eq!(transcript.info().usage.input_tokens, 13);
}

#[test]
fn tool_use_approval_and_result_are_paired_by_id() {
    let mut transcript = transcript();
    transcript.set_status(SessionStatus::Running, None);
    let events = feed(
        &mut transcript,
        &[
            r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_2"}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}}}"#,
            r#"{"type":"assistant","message":{"id":"msg_2","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"echo hi"}}]}}"#,
            r#"{"type":"control_request","request_id":"req-9","request":{"subtype":"can_use_tool","tool_name":"Bash","input":{"command":"echo hi"},"tool_use_id":"toolu_1","permission_suggestions":[]}}"#,
        ],
    );
    assert_eq!(
        names(&events),
        [
            "message.created",
            "part.created",
            "part.updated",
            "tool.approval_required",
            "session.updated"
        ]
    );
    assert_eq!(transcript.info().status, SessionStatus::AwaitingApproval);
    assert!(transcript.approval("req-9").is_some());
    let resolved = wired(transcript.resolved("req-9", Decision::Allow, Some("phone")));
    assert!(
        transcript.approval("req-9").is_none(),
        "the first answer wins"
    );
    assert_eq!(
        names(&resolved),
        ["tool.approval_resolved", "session.updated"]
    );
    assert_eq!(transcript.info().status, SessionStatus::Running);
    let events = feed(
        &mut transcript,
        &[
            r#"{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_1","type":"tool_result","content":"hi","is_error":false}]}}"#,
        ],
    );
    assert_eq!(
        events[0].data["part"]["result"],
        json!({"content": "hi", "is_error": false})
    );
}

#[test]
fn interruptions_errors_and_todos() {
    let mut transcript = transcript();
    feed(
        &mut transcript,
        &[
            r#"{"type":"control_request","request_id":"r","request":{"subtype":"can_use_tool","tool_name":"Bash","input":{}}}"#,
        ],
    );
    let events = feed(
        &mut transcript,
        &[
            r#"{"type":"result","subtype":"error_during_execution","is_error":true,"result":null,"terminal_reason":"aborted_tools","total_cost_usd":0.1,"usage":{}}"#,
        ],
    );
    assert!(
        names(&events).contains(&"tool.approval_resolved"),
        "a pending approval ends with its turn"
    );
    assert_eq!(transcript.info().status, SessionStatus::Interrupted);
    feed(
        &mut transcript,
        &[
            r#"{"type":"result","subtype":"success","is_error":true,"result":"Invalid API key · Fix external API key","total_cost_usd":0,"usage":{}}"#,
        ],
    );
    assert_eq!(
        (
            transcript.info().status,
            transcript.info().last_error.as_deref()
        ),
        (
            SessionStatus::Errored,
            Some("Invalid API key · Fix external API key")
        )
    );
    let todos = feed(
        &mut transcript,
        &[
            r#"{"type":"assistant","message":{"id":"m","content":[{"type":"tool_use","id":"t","name":"TodoWrite","input":{"todos":[{"content":"Write tests","status":"in_progress","activeForm":"Writing tests"}]}}]}}"#,
        ],
    );
    assert!(names(&todos).contains(&"todo.updated"));
    assert_eq!(
        transcript.view().todos[0].active_form.as_deref(),
        Some("Writing tests")
    );
}

#[test]
fn an_aborted_message_resending_every_block_changes_nothing_already_settled() {
    let mut transcript = transcript();
    feed(
        &mut transcript,
        &[
            r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"m"}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"let me look"}}}"#,
            r#"{"type":"assistant","message":{"id":"m","content":[{"type":"text","text":"let me look"}]}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_x","name":"Read","input":{}}}}"#,
        ],
    );
    let events = feed(
        &mut transcript,
        &[
            r#"{"type":"assistant","message":{"id":"m","content":[{"type":"text","text":"let me look"},{"type":"tool_use","id":"toolu_x","name":"Read","input":{"file_path":"a"}}]},"aborted":true}"#,
        ],
    );
    assert_eq!(
        names(&events),
        ["part.updated"],
        "only the tool input is news"
    );
    let parts = &transcript.view().messages[0].parts;
    assert_eq!(parts.len(), 2);
    assert!(
        matches!(&parts[1], Part::ToolUse { id, input, .. } if id == "toolu_x" && input["file_path"] == "a"),
        "the tool part keeps its kind"
    );
}

/// The lines of one task tool call and its result, as the CLI writes them.
fn task_call(id: &str, name: &str, input: &str, result: &str, details: &str) -> [String; 2] {
    [
        format!(
            r#"{{"type":"assistant","message":{{"id":"m-{id}","content":[{{"type":"tool_use","id":"{id}","name":"{name}","input":{input}}}]}}}}"#
        ),
        format!(
            r#"{{"type":"user","message":{{"role":"user","content":[{{"type":"tool_result","tool_use_id":"{id}","content":"{result}"}}]}},"tool_use_result":{details}}}"#
        ),
    ]
}

#[test]
fn task_tools_keep_the_todo_list_once_their_results_say_they_worked() {
    let mut transcript = transcript();
    let lines = [
        task_call(
            "t1",
            "TaskCreate",
            r#"{"subject":"Greet","description":"d","activeForm":"Greeting"}"#,
            "Task #1 created successfully: Greet",
            r#"{"task":{"id":"1","subject":"Greet"}}"#,
        ),
        task_call(
            "t2",
            "TaskCreate",
            r#"{"subject":"Count","description":"d"}"#,
            "Task #2 created successfully: Count",
            r#"{"task":{"id":"2","subject":"Count"}}"#,
        ),
        task_call(
            "t3",
            "TaskUpdate",
            r#"{"taskId":"1","status":"in_progress"}"#,
            "Updated task #1 status",
            r#"{"success":true,"taskId":"1"}"#,
        ),
        task_call(
            "t4",
            "TaskUpdate",
            r#"{"taskId":"2","status":"deleted"}"#,
            "Updated task #2 deleted",
            r#"{"success":true,"taskId":"2"}"#,
        ),
    ]
    .concat();
    let (create, rest) = lines.split_at(1);
    let events = feed(&mut transcript, &[create[0].as_str()]);
    assert!(
        !names(&events).contains(&"todo.updated"),
        "a task counts once its result arrives"
    );
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let events = feed(&mut transcript, &rest);
    assert_eq!(
        names(&events)
            .iter()
            .filter(|name| **name == "todo.updated")
            .count(),
        4
    );
    assert_eq!(
        transcript.view().todos,
        [Todo {
            id: Some("1".into()),
            content: "Greet".into(),
            status: "in_progress".into(),
            active_form: Some("Greeting".into()),
        }]
    );
    let failed = [
        r#"{"type":"assistant","message":{"id":"m5","content":[{"type":"tool_use","id":"t5","name":"TaskCreate","input":{"subject":"Nope"}}]}}"#,
        r#"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t5","content":"<tool_use_error>disabled</tool_use_error>","is_error":true}]}}"#,
    ];
    let events = feed(&mut transcript, &failed);
    assert!(!names(&events).contains(&"todo.updated"));
    assert_eq!(
        transcript.view().todos.len(),
        1,
        "a failed call changes nothing"
    );

    let refused = task_call(
        "t6",
        "TaskUpdate",
        r#"{"taskId":"1","status":"completed"}"#,
        "Task not found",
        r#"{"success":false,"taskId":"1","error":"Task not found"}"#,
    );
    let events = feed(&mut transcript, &[&refused[0], &refused[1]]);
    assert!(!names(&events).contains(&"todo.updated"));
    assert_eq!(
        transcript.view().todos[0].status,
        "in_progress",
        "a refused update changes nothing"
    );

    // Two results on one line carry no details: their text tells. A task list that starts its
    // ids again replaces the old task of the same id.
    let both = [
        r#"{"type":"assistant","message":{"id":"m7","content":[{"type":"tool_use","id":"t7","name":"TaskCreate","input":{"subject":"Again"}},{"type":"tool_use","id":"t8","name":"TaskUpdate","input":{"taskId":"1","status":"completed"}}]}}"#,
        r#"{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"t7","content":"Task #1 created successfully: Again"},{"type":"tool_result","tool_use_id":"t8","content":"Updated task #1 status"}]},"tool_use_result":{"task":{"id":"9"}}}"#,
    ];
    feed(&mut transcript, &both);
    assert_eq!(
        transcript.view().todos,
        [Todo {
            id: Some("1".into()),
            content: "Again".into(),
            status: "completed".into(),
            active_form: None,
        }]
    );
}
