//! Writing to the CLI's stdin: user turns and control-protocol messages, one JSON line each.

use serde_json::{Value, json};

/// A user turn (`--input-format stream-json`); the CLI ignores `session_id` and uses its own.
pub fn user_turn(text: &str) -> String {
    line(json!({
        "type": "user",
        "message": { "role": "user", "content": text },
        "parent_tool_use_id": null,
        "session_id": "default",
    }))
}

/// A request from the host to the CLI, e.g. `{"subtype":"interrupt"}`.
pub fn request(request_id: &str, body: Value) -> String {
    line(json!({ "type": "control_request", "request_id": request_id, "request": body }))
}

/// Allows a tool call as asked; `always` carries the CLI's suggested rules so it stops asking.
pub fn allow(request_id: &str, input: &Value, always: Option<&[Value]>) -> String {
    let mut response = json!({ "behavior": "allow", "updatedInput": input });
    if let Some(rules) = always {
        response["updatedPermissions"] = Value::Array(rules.to_vec());
    }
    success(request_id, response)
}

/// Denies a tool call; the model sees `message` as the tool's error.
pub fn deny(request_id: &str, message: &str) -> String {
    success(
        request_id,
        json!({ "behavior": "deny", "message": message }),
    )
}

/// Declines a request from the CLI that the host does not serve.
pub fn refuse(request_id: &str, message: &str) -> String {
    line(json!({
        "type": "control_response",
        "response": { "subtype": "error", "request_id": request_id, "error": message },
    }))
}

fn success(request_id: &str, response: Value) -> String {
    line(json!({
        "type": "control_response",
        "response": { "subtype": "success", "request_id": request_id, "response": response },
    }))
}

fn line(value: Value) -> String {
    let mut text = value.to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_what_the_sdk_writes() {
        let turn: Value = serde_json::from_str(&user_turn("run echo hi")).unwrap();
        assert_eq!(
            turn["message"],
            json!({"role": "user", "content": "run echo hi"})
        );
        let input = json!({"command": "echo hi"});
        let allowed: Value = serde_json::from_str(&allow("r1", &input, None)).unwrap();
        assert_eq!(
            allowed["response"]["response"],
            json!({"behavior": "allow", "updatedInput": input})
        );
        let rule = json!({"type": "addRules"});
        let always: Value =
            serde_json::from_str(&allow("r1", &input, Some(std::slice::from_ref(&rule)))).unwrap();
        assert_eq!(
            always["response"]["response"]["updatedPermissions"],
            json!([rule])
        );
        let denied: Value = serde_json::from_str(&deny("r2", "no")).unwrap();
        assert_eq!(denied["response"]["request_id"], "r2");
        assert_eq!(denied["response"]["response"]["behavior"], "deny");
        let interrupt = request("req_1", json!({"subtype": "interrupt"}));
        assert!(interrupt.ends_with('\n') && !interrupt.trim_end().contains('\n'));
    }
}
