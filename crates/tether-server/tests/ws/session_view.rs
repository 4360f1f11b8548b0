//! With the real CLI: a client that takes `sessions.get`, then applies every event after its
//! `position` in offset order (read back into the typed events), holds exactly what a later
//! `sessions.get` returns, through streaming, an approval, tool results, todos and usage.

use serde_json::{Value, json};
use tether_fake_anthropic::Reply;
use tether_protocol::events::SessionEvent;
use tether_protocol::session_view::SessionSnapshot;

use crate::claude::{ClaudeBench, Seat, status_is};

async fn snapshot(seat: &mut Seat) -> SessionSnapshot {
    let got = seat.call("sessions.get", json!({})).await;
    serde_json::from_value(got["result"].clone()).unwrap_or_else(|error| panic!("{error}: {got}"))
}

/// Applies to `client` the session events of `frames` after `offset`, in order; returns the
/// offset of the last.
fn apply(client: &mut SessionSnapshot, frames: &[Value], mut offset: u64) -> u64 {
    let mut view = client.view();
    for frame in frames.iter().filter(|frame| frame["type"] == "event") {
        let at = frame["offset"].as_u64().unwrap();
        if at <= offset {
            continue;
        }
        assert_eq!(
            at,
            offset + 1,
            "events arrive in offset order, none missing"
        );
        offset = at;
        let name = frame["event"].as_str().unwrap();
        let event = SessionEvent::decode(name, &frame["data"].to_string()).unwrap();
        view.apply(&event);
    }
    *client = SessionSnapshot::new(view, client.position.clone());
    offset
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_applying_the_events_holds_what_sessions_get_returns() {
    let todos = json!({ "todos": [{ "content": "Write hi", "status": "in_progress", "activeForm": "Writing hi" }] });
    let bench = ClaudeBench::start(vec![
        Reply::tool_use("toolu_todo", "TodoWrite", todos),
        Reply::tool_use(
            "toolu_bash",
            "Bash",
            json!({ "command": "echo hi > hi.txt", "description": "Write a file" }),
        ),
        Reply::text(["all ", "done"]),
    ])
    .await;
    let mut seat = bench.seat().await;
    let mut client = snapshot(&mut seat).await;
    let mut offset = client.position.as_ref().unwrap().offset;

    seat.kept.clear();
    let sent = seat
        .call("messages.send", json!({ "text": "write hi" }))
        .await;
    assert!(sent["error"].is_null(), "{sent}");
    let asked = seat.until(|e| e["event"] == "tool.approval_required").await;
    offset = apply(&mut client, &asked, offset);
    let approval = &asked.last().unwrap()["data"]["approval"];
    assert_eq!(
        client.approvals.len(),
        1,
        "the client sees the approval waiting"
    );
    let approved = seat
        .call(
            "tools.approve",
            json!({ "request_id": approval["request_id"] }),
        )
        .await;
    assert!(approved["error"].is_null(), "{approved}");
    let rest = seat.until(status_is("idle")).await;
    offset = apply(&mut client, &rest, offset);

    let held = snapshot(&mut seat).await;
    assert_eq!(
        held.position.as_ref().unwrap().offset,
        offset,
        "nothing left unapplied"
    );
    let text = |snapshot: &SessionSnapshot| serde_json::to_string(&snapshot.messages).unwrap();
    assert!(text(&client).contains("all done"), "{}", text(&client));
    assert!(client.session.total_cost_usd > 0.0);
    assert!(
        client
            .messages
            .iter()
            .flat_map(|m| &m.parts)
            .any(|part| matches!(
                part,
                tether_protocol::model::Part::ToolUse {
                    result: Some(_),
                    ..
                }
            )),
        "a tool result was paired"
    );
    client.position = held.position.clone();
    assert_eq!(client, held);
}
