//! Tool permissions with the real CLI: every device is asked, the first answer wins, nothing is auto-denied.

use serde_json::{Value, json};
use tether_fake_anthropic::Reply;

use crate::claude::{ClaudeBench, status_is};

const WRITE_HI: &str = "echo hi > hi.txt && cat hi.txt";

fn bash(command: &str) -> Reply {
    Reply::tool_use(
        "toolu_fake0001",
        "Bash",
        json!({ "command": command, "description": "Write a file" }),
    )
}

fn asked(event: &Value) -> bool {
    event["event"] == "tool.approval_required"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_reaches_every_client_and_the_first_answer_wins() {
    let bench = ClaudeBench::start(vec![bash(WRITE_HI), Reply::text(["done"])]).await;
    let mut phone = bench.seat().await;
    let mut tablet = bench.client().await;
    tablet
        .send_json(
            json!({ "type": "subscribe", "channels": [format!("session:{}", phone.session)] }),
        )
        .await;
    assert_eq!(tablet.next_json().await["type"], "subscribed");
    let mut tablet_kept = Vec::new();

    phone
        .call("messages.send", json!({ "text": "write hi" }))
        .await;
    let on_phone = phone.until(asked).await;
    let on_tablet = tablet.events_until(&mut tablet_kept, asked).await;
    let approval = &on_phone.last().unwrap()["data"]["approval"];
    assert_eq!(
        approval,
        &on_tablet.last().unwrap()["data"]["approval"],
        "every device sees the same request"
    );
    assert_eq!(
        (
            approval["tool_name"].as_str(),
            approval["input"]["command"].as_str()
        ),
        (Some("Bash"), Some(WRITE_HI))
    );

    let params = json!({ "session_id": phone.session, "request_id": approval["request_id"] });
    let (from_phone, from_tablet) = tokio::join!(
        phone.call("tools.approve", params.clone()),
        tablet.call_keeping(2, "tools.reject", params.clone(), &mut tablet_kept),
    );
    let outcomes = [
        from_phone["error"]["code"].as_str(),
        from_tablet["error"]["code"].as_str(),
    ];
    assert!(
        outcomes.contains(&None) && outcomes.contains(&Some("not_found")),
        "exactly one answer counts: {outcomes:?}"
    );

    let done = phone.until(status_is("idle")).await;
    let resolved = done
        .iter()
        .find(|e| e["event"] == "tool.approval_resolved")
        .expect("resolved event");
    let decision = resolved["data"]["decision"].as_str().unwrap();
    let seen_by_tablet = tablet
        .events_until(&mut tablet_kept, |e| e["event"] == "tool.approval_resolved")
        .await;
    assert_eq!(
        seen_by_tablet.last().unwrap()["data"]["decision"],
        decision,
        "the other device sees it resolved"
    );
    let tool = done
        .iter()
        .rev()
        .find(|e| e["event"] == "part.updated" && e["data"]["part"]["result"].is_object())
        .expect("tool result");
    let file = bench.project_path().join("hi.txt");
    if from_phone["error"].is_null() {
        assert_eq!(decision, "allow");
        assert_eq!(tool["data"]["part"]["result"]["is_error"], false);
        assert_eq!(std::fs::read_to_string(file).unwrap(), "hi\n");
    } else {
        assert_eq!(decision, "deny");
        assert_eq!(tool["data"]["part"]["result"]["is_error"], true);
        assert!(!file.exists(), "a denied command does not run");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_tool_does_not_run_and_the_model_hears_why() {
    let bench = ClaudeBench::start(vec![bash(WRITE_HI), Reply::text(["understood"])]).await;
    let mut seat = bench.seat().await;
    seat.call("messages.send", json!({ "text": "write hi" }))
        .await;
    let request_id =
        seat.until(asked).await.last().unwrap()["data"]["approval"]["request_id"].clone();
    let pending = seat.call("tools.list", json!({})).await;
    assert_eq!(pending["result"][0]["request_id"], request_id);
    let rejected = seat
        .call(
            "tools.reject",
            json!({ "request_id": request_id, "message": "not in this folder" }),
        )
        .await;
    assert!(rejected["error"].is_null(), "{rejected}");
    seat.until(status_is("idle")).await;
    assert!(!bench.project_path().join("hi.txt").exists());
    let second = &bench.fake.message_requests()[1];
    assert!(
        serde_json::to_string(second.messages())
            .unwrap()
            .contains("not in this folder"),
        "the model is told"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bash_approvals_can_be_the_desktops_and_claude_gets_no_session_bus() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "the engine under test has a session bus (scripts/with-keyring.sh)"
    );
    let bench = ClaudeBench::start_with(
        vec![bash("env > env.txt"), Reply::text(["done"])],
        |config| config.claude.bash_approvals_desktop_only = true,
    )
    .await;
    let mut phone = bench.seat().await;
    phone
        .call("messages.send", json!({ "text": "show the environment" }))
        .await;
    let approval = phone.until(asked).await.last().unwrap()["data"]["approval"].clone();
    let params = json!({ "session_id": phone.session, "request_id": approval["request_id"], "always": true });

    let refused = phone.call("tools.approve", params.clone()).await;
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only the desktop may approve this Bash call"),
        "{refused}"
    );
    assert_eq!(
        phone.call("tools.list", json!({})).await["result"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the approval still waits"
    );
    let desktop = tether_engine::auth::Caller::Local;
    let approved = bench
        .server
        .engine
        .dispatch(&desktop, "tools.approve", Some(params))
        .await
        .unwrap();
    assert_eq!(
        approved["refused_rules"],
        json!([]),
        "the desktop may apply any rule"
    );
    phone.until(status_is("idle")).await;

    let env = std::fs::read_to_string(bench.project_path().join("env.txt")).unwrap();
    let names: Vec<&str> = env
        .lines()
        .filter_map(|line| line.split('=').next())
        .collect();
    assert!(
        names.contains(&"ANTHROPIC_BASE_URL"),
        "claude.env is passed: {names:?}"
    );
    assert!(names.contains(&"PATH") && names.contains(&"HOME"));
    for hidden in ["DBUS_SESSION_BUS_ADDRESS", "TETHER_CLAUDE"] {
        assert!(
            !names.contains(&hidden),
            "{hidden} reached claude's commands"
        );
    }
}
