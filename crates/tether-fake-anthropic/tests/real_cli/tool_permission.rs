//! A Bash tool_use over stream-json stdin: the CLI asks `can_use_tool`, we allow, the tool runs, the turn ends.

use serde_json::{Value, json};
use tether_fake_anthropic::{FakeAnthropic, Reply, Script};

use crate::harness::{Live, Sandbox, read};

const COMMAND: &str = "echo hi > hi.txt && cat hi.txt";

#[tokio::test]
async fn allowed_bash_tool_runs_and_the_turn_completes() {
    let fake = FakeAnthropic::start(Script::new([
        Reply::ToolUse {
            text: Some("I'll create the file.".into()),
            id: "toolu_fake0001".into(),
            name: "Bash".into(),
            input: json!({"command": COMMAND}),
        },
        Reply::text(["Created ", "hi.txt."]),
    ]))
    .await
    .unwrap();
    let sandbox = Sandbox::new();
    let mut cli = Live::spawn(sandbox.command(
        &fake,
        &[
            "--output-format",
            "stream-json",
            "--verbose",
            "--input-format",
            "stream-json",
            "--permission-prompt-tool",
            "stdio",
        ],
    ));
    cli.send(&json!({
        "type": "user",
        "message": {"role": "user", "content": "make hi.txt"},
        "parent_tool_use_id": null,
        "session_id": "default"
    }))
    .await;

    let ask = cli
        .until("a can_use_tool request", |v| {
            v["type"] == "control_request" && v["request"]["subtype"] == "can_use_tool"
        })
        .await;
    assert_eq!(ask["request"]["tool_name"], "Bash");
    assert_eq!(ask["request"]["tool_use_id"], "toolu_fake0001");
    assert_eq!(ask["request"]["input"]["command"], COMMAND);
    assert_eq!(
        read(&sandbox.work(), "hi.txt"),
        None,
        "nothing runs before the answer"
    );

    cli.send(&json!({
        "type": "control_response",
        "response": {
            "subtype": "success",
            "request_id": ask["request_id"],
            "response": {"behavior": "allow", "updatedInput": ask["request"]["input"]}
        }
    }))
    .await;

    let tool_result = cli
        .until("the tool_result", |v| {
            v["type"] == "user" && v["message"]["content"][0]["type"] == "tool_result"
        })
        .await;
    let block = &tool_result["message"]["content"][0];
    assert_eq!(block["tool_use_id"], "toolu_fake0001");
    assert_eq!(block["is_error"], false, "{block}");
    assert_eq!(block["content"], "hi");

    let result = cli.until("the result", |v| v["type"] == "result").await;
    assert_eq!(result["is_error"], false, "{result}");
    assert_eq!(result["result"], "Created hi.txt.");
    assert_eq!(read(&sandbox.work(), "hi.txt").as_deref(), Some("hi\n"));

    cli.close_stdin();
    let (status, _rest, stderr) = cli.wait().await;
    assert!(status.success(), "exit {status:?}; stderr: {stderr}");

    let requests = fake.message_requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    let roles: Vec<&str> = requests[1]
        .messages()
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    // 2.1.330 keeps a `role:"system"` message (the environment block) after the first prompt.
    assert_eq!(roles, ["user", "system", "assistant", "user"]);
    let sent_result = requests[1]
        .messages()
        .iter()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .find(|b| b["type"] == "tool_result")
        .unwrap_or_else(|| panic!("no tool_result in {:#?}", requests[1].messages()));
    assert_eq!(sent_result["tool_use_id"], "toolu_fake0001");
    assert!(
        Value::to_string(&sent_result["content"]).contains("hi"),
        "{sent_result}"
    );
}
