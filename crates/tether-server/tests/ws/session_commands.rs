//! Slash commands with the real CLI: the menu's list from its `initialize` answer (asking
//! starts `claude`), a built-in answered by the CLI itself, and a project's own command
//! expanded into the prompt the model gets.

use serde_json::{Value, json};
use tether_fake_anthropic::Reply;

use crate::claude::{ClaudeBench, processes_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_lists_the_clis_commands_and_each_kind_runs() {
    let bench = ClaudeBench::start(vec![Reply::text(["Reviewed."])]).await;
    let commands = bench.project.path().join(".claude/commands");
    std::fs::create_dir_all(&commands).unwrap();
    std::fs::write(
        commands.join("review.md"),
        "---\ndescription: Review the staged changes\nargument-hint: [focus]\n---\nReview the staged diff, focusing on $ARGUMENTS.\n",
    )
    .unwrap();
    let mut seat = bench.seat().await;

    let listed = seat.call("commands.list", json!({})).await;
    let listed = listed["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    let named = |name: &str| listed.iter().find(|c| c["name"] == name).cloned();
    let review = named("review").expect("the project's own command");
    assert_eq!(review["kind"], "project");
    assert_eq!(review["description"], "Review the staged changes");
    assert_eq!(review["argument_hint"], "focus");
    let usage = named("usage").expect("a built-in");
    assert_eq!(usage["kind"], "builtin");
    assert!(
        usage["aliases"]
            .as_array()
            .unwrap()
            .contains(&json!("cost"))
    );
    assert!(
        named("focus").is_none(),
        "a built-in that does nothing here is left out"
    );
    assert!(
        !processes_in(&bench.project_path()).is_empty(),
        "listing them started claude, ready for the prompt"
    );
    let snapshot = seat.call("sessions.get", json!({})).await;
    assert_eq!(
        snapshot["result"]["session"]["status"], "idle",
        "{snapshot}"
    );
    let statuses: Vec<&Value> = (seat.kept.iter())
        .filter(|event| event["event"] == "session.updated")
        .map(|event| &event["data"]["session"]["status"])
        .collect();
    assert!(
        statuses.is_empty(),
        "nothing runs: no status changes (no `starting`, no `finished` notification): {statuses:?}"
    );
    assert!(
        bench.fake.message_requests().is_empty(),
        "listing asks the model nothing"
    );

    // A built-in the CLI answers itself: no model turn.
    seat.turn("/cost", "idle").await;
    let snapshot = seat.call("sessions.get", json!({})).await;
    let answer = text_of(&snapshot["result"]["messages"][1]);
    assert!(answer.starts_with("Estimated cost"), "{answer}");
    assert!(bench.fake.message_requests().is_empty(), "{answer}");

    // The project's command: the model gets its text with the argument in it.
    seat.turn("/review the parser", "idle").await;
    let asked = bench.fake.message_requests();
    let asked = asked.last().expect("the model was asked");
    let users: Vec<String> = (asked.messages().iter())
        .filter(|message| message["role"] == "user")
        .map(Value::to_string)
        .collect();
    assert!(
        users
            .iter()
            .any(|text| text.contains("Review the staged diff, focusing on the parser.")),
        "{users:?}"
    );
}

fn text_of(message: &Value) -> String {
    message["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|part| part["text"].as_str())
        .collect()
}
