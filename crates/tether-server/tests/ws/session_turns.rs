//! Sessions with the real CLI: turns stream token by token, conversations continue, sessions stay apart.

use serde_json::json;
use tether_fake_anthropic::Reply;

use crate::claude::{ClaudeBench, processes_in, streamed_text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_turn_streams_token_by_token_and_ends_with_its_cost() {
    let bench =
        ClaudeBench::start(vec![Reply::text(["Hel", "lo ", "from ", "the ", "fake"])]).await;
    let mut seat = bench.seat().await;
    let events = seat.turn("say hi", "idle").await;
    let deltas: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "part.delta")
        .filter_map(|e| e["data"]["text"].as_str())
        .collect();
    assert_eq!(
        deltas,
        ["Hel", "lo ", "from ", "the ", "fake"],
        "one delta per streamed chunk, in order"
    );
    let offsets: Vec<u64> = events.iter().filter_map(|e| e["offset"].as_u64()).collect();
    assert!(
        offsets.windows(2).all(|pair| pair[1] == pair[0] + 1),
        "offsets rise by one: {offsets:?}"
    );
    let announced = events
        .iter()
        .find(|e| e["event"] == "agents.updated")
        .expect("the agents claude offers are announced");
    let agents = seat.call("agents.list", json!({})).await;
    assert_eq!(agents["result"], announced["data"]["agents"]);
    assert!(!agents["result"].as_array().unwrap().is_empty(), "{agents}");
    let usage = events
        .iter()
        .rfind(|e| e["event"] == "usage.updated")
        .expect("usage.updated")
        .clone();
    assert!(
        usage["data"]["total_cost_usd"].as_f64().unwrap() > 0.0,
        "{usage}"
    );

    let snapshot = seat.call("sessions.get", json!({})).await;
    let messages = &snapshot["result"]["messages"];
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(
        messages[1]["parts"][0]["text"], "Hello from the fake",
        "the snapshot matches the stream"
    );
    assert!(snapshot["result"]["session"]["claude_session_id"].is_string());
    let position = &snapshot["result"]["position"];
    assert_eq!(
        position["offset"],
        offsets.last().copied().unwrap(),
        "the snapshot says how far it reaches"
    );
    let mut late = bench.client().await;
    let resume = json!({ "type": "subscribe", "channels": [format!("session:{}", seat.session)], "since": { format!("session:{}", seat.session): position } });
    late.send_json(resume).await;
    assert_eq!(late.next_json().await["channels"][0]["recovered"], true);

    assert!(
        !processes_in(&bench.project_path()).is_empty(),
        "claude runs in the project directory"
    );
    let live = seat.call("sessions.get", json!({})).await;
    let archived = seat.call("sessions.archive", json!({})).await;
    assert_eq!(
        archived["result"]["session"]["status"], "ended",
        "{archived}"
    );
    // Archived, the session is read from the store at once, whole.
    let saved = seat.call("sessions.get", json!({})).await;
    assert_eq!(
        saved["result"]["messages"], live["result"]["messages"],
        "{saved}"
    );
    let ended = seat.until(|e| e["event"] == "session.ended").await;
    assert_eq!(
        ended.last().unwrap()["data"]["usage"]["output_tokens"],
        usage["data"]["usage"]["output_tokens"]
    );
    assert_eq!(
        processes_in(&bench.project_path()),
        Vec::<u32>::new(),
        "no process outlives its session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turns_continue_one_conversation_and_costs_add_up() {
    let bench = ClaudeBench::start(vec![Reply::text(["one"]), Reply::text(["two"])]).await;
    let mut seat = bench.seat().await;
    let mut costs = Vec::new();
    for text in ["first", "second"] {
        let events = seat.turn(text, "idle").await;
        let usage = events
            .iter()
            .rfind(|e| e["event"] == "usage.updated")
            .unwrap();
        costs.push(usage["data"]["total_cost_usd"].as_f64().unwrap());
    }
    assert!(costs[1] > costs[0], "the session's cost grows: {costs:?}");
    let usage = &seat.call("sessions.get", json!({})).await["result"]["session"]["usage"];
    assert_eq!(
        usage["input_tokens"], 24,
        "12 per turn, summed once each: {usage}"
    );
    let requests = bench.fake.message_requests();
    assert_eq!(requests.len(), 2);
    // The CLI adds reminders of its own; what matters is the first exchange, in order, then the new prompt.
    let history = serde_json::to_string(requests[1].messages()).unwrap();
    let at = |needle: &str| {
        history
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from {history}"))
    };
    assert!(
        at("first") < at("\"one\"") && at("\"one\"") < at("second"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sessions_at_once_are_kept_apart() {
    let replies = ["alpha", "beta", "gamma"].map(|word| Reply::text([word]));
    let bench = ClaudeBench::start(replies.to_vec()).await;
    let mut seats = Vec::new();
    for _ in 0..3 {
        let mut seat = bench.seat().await;
        assert!(seat.call("messages.send", json!({ "text": "hello" })).await["error"].is_null());
        seats.push(seat);
    }
    let mut claude_ids = Vec::new();
    let mut answers = Vec::new();
    for seat in &mut seats {
        let events = seat.until(crate::claude::status_is("idle")).await;
        let own = format!("session:{}", seat.session);
        assert!(
            events.iter().all(|e| e["channel"] == own.as_str()),
            "only its own events"
        );
        answers.push(streamed_text(&events));
        claude_ids.push(
            events.last().unwrap()["data"]["session"]["claude_session_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    claude_ids.sort();
    claude_ids.dedup();
    assert_eq!(
        claude_ids.len(),
        3,
        "three conversations, three claude processes"
    );
    assert_eq!(bench.server.engine.sessions().list().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_devices_stay_inside_registered_projects_and_cannot_bypass_permissions() {
    let bench = ClaudeBench::start(Vec::new()).await;
    let mut client = bench.client().await;
    let add = client.call(1, "projects.add", json!({ "path": "/" })).await;
    assert_eq!(add["error"]["code"], "forbidden", "{add}");
    let unknown = client
        .call(2, "sessions.create", json!({ "project_id": "nope" }))
        .await;
    assert_eq!(unknown["error"]["code"], "not_found");
    let bypass = client
        .call(
            3,
            "sessions.create",
            json!({ "project_id": bench.project_id, "permission_mode": "bypassPermissions" }),
        )
        .await;
    assert_eq!(bypass["error"]["code"], "forbidden", "{bypass}");
    let listed = client.call(4, "projects.list", json!({})).await;
    assert_eq!(listed["result"][0]["id"], bench.project_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_project_ends_its_sessions_and_the_number_open_is_bounded() {
    let bench = ClaudeBench::start_with(Vec::new(), |config| config.claude.max_sessions = 2).await;
    let mut first = bench.seat().await;
    first.turn("hi", "idle").await;
    let _second = bench.seat().await;
    let mut client = bench.client().await;
    let third = client
        .call(
            1,
            "sessions.create",
            json!({ "project_id": bench.project_id }),
        )
        .await;
    assert_eq!(third["error"]["code"], "overloaded", "{third}");

    let local = tether_engine::auth::Caller::Local;
    bench
        .server
        .engine
        .dispatch(
            &local,
            "projects.remove",
            Some(json!({ "id": bench.project_id })),
        )
        .await
        .unwrap();
    first.until(|e| e["event"] == "session.ended").await;
    assert_eq!(processes_in(&bench.project_path()), Vec::<u32>::new());
    let after = first
        .call("messages.send", json!({ "text": "again" }))
        .await;
    assert!(
        after["error"].is_object(),
        "an ended session takes no more messages: {after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changed_mid_session_are_what_claude_accepted() {
    let bench = ClaudeBench::start(vec![Reply::text(["one"]), Reply::text(["two"])]).await;
    let mut seat = bench.seat().await;
    seat.turn("first", "idle").await;
    let changed = seat
        .call(
            "sessions.set_model",
            json!({ "model": "claude-sonnet-4-5" }),
        )
        .await;
    assert_eq!(
        changed["result"]["session"]["model"], "claude-sonnet-4-5",
        "{changed}"
    );
    assert!(
        seat.turn("second", "idle")
            .await
            .iter()
            .any(|e| e["event"] == "part.delta")
    );
    assert_eq!(
        bench
            .fake
            .message_requests()
            .last()
            .and_then(|turn| turn.model().map(String::from))
            .as_deref(),
        Some("claude-sonnet-4-5"),
        "the next turn uses it"
    );

    // The desktop may ask for any mode; the session then shows what claude really runs with.
    let local = tether_engine::auth::Caller::Local;
    let params = json!({ "session_id": seat.session, "mode": "acceptEdits" });
    let outcome = bench
        .server
        .engine
        .dispatch(&local, "sessions.set_permission_mode", Some(params))
        .await;
    let now =
        seat.call("sessions.get", json!({})).await["result"]["session"]["permission_mode"].clone();
    match outcome {
        Ok(_) => assert_eq!(now, "acceptEdits"),
        Err(refused) => {
            assert_eq!(now, "default", "a refused change is undone");
            assert!(
                refused.message.starts_with("claude refused"),
                "{}",
                refused.message
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_name_that_reads_as_a_flag_never_reaches_claude() {
    let bench = ClaudeBench::start(vec![Reply::text(["safe"])]).await;
    let mut client = bench.client().await;
    let flag = "--dangerously-skip-permissions";
    let created = client
        .call(
            1,
            "sessions.create",
            json!({ "project_id": bench.project_id, "model": flag }),
        )
        .await;
    assert_eq!(created["error"]["code"], "invalid_params", "{created}");
    assert!(
        created["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid model name"),
        "{created}"
    );
    let mut seat = bench.seat().await;
    let changed = seat
        .call("sessions.set_model", json!({ "model": flag }))
        .await;
    assert_eq!(changed["error"]["code"], "invalid_params", "{changed}");
    let snapshot = seat.call("sessions.get", json!({})).await;
    assert!(
        snapshot["result"]["session"]["model"].is_null(),
        "{snapshot}"
    );
    // A real name is passed as one `--model=VALUE` argument, which the CLI takes.
    let named = seat
        .call(
            "sessions.set_model",
            json!({ "model": "claude-sonnet-4-5" }),
        )
        .await;
    assert!(named["error"].is_null(), "{named}");
    assert_eq!(streamed_text(&seat.turn("hi", "idle").await), "safe");
    assert_eq!(
        bench
            .fake
            .message_requests()
            .last()
            .and_then(|turn| turn.model().map(String::from)),
        Some("claude-sonnet-4-5".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_resent_with_its_client_id_is_sent_to_claude_once() {
    let bench = ClaudeBench::start(vec![Reply::text(["once"]), Reply::text(["twice"])]).await;
    let mut seat = bench.seat().await;
    let prompt = json!({ "text": "only once", "client_id": "phone-7f3a" });
    let first = seat.call("messages.send", prompt.clone()).await;
    let again = seat.call("messages.send", prompt).await;
    assert_eq!(
        first["result"]["message_id"], again["result"]["message_id"],
        "{first} {again}"
    );
    seat.until(crate::claude::status_is("idle")).await;
    let snapshot = seat.call("sessions.get", json!({})).await;
    let users = snapshot["result"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["role"] == "user")
        .count();
    assert_eq!(users, 1, "one user message: {snapshot}");
    let bad = seat
        .call("messages.send", json!({ "text": "x", "client_id": "" }))
        .await;
    assert_eq!(bad["error"]["code"], "invalid_params");
}
