//! Writing to the CLI's stdin: user turns and control-protocol messages, one JSON line each.

use serde_json::{Value, json};

use super::session_reducer::Prompt;

/// A user turn (`--input-format stream-json`); the CLI ignores `session_id` and uses its own.
/// Text alone is a string; with images the content is the API's blocks, images first as the
/// API advises.
pub fn user_turn(prompt: &Prompt) -> String {
    let content = if prompt.images.is_empty() {
        Value::String(prompt.text.clone())
    } else {
        let images = prompt.images.iter().map(|image| {
            json!({
                "type": "image",
                "source": { "type": "base64", "media_type": image.media_type, "data": image.data },
            })
        });
        let text =
            (!prompt.text.is_empty()).then(|| json!({ "type": "text", "text": prompt.text }));
        Value::Array(images.chain(text).collect())
    };
    line(json!({
        "type": "user",
        "message": { "role": "user", "content": content },
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
    use crate::supervisor::session_reducer::Image;

    #[test]
    fn lines_match_what_the_sdk_writes() {
        let text = |text: &str| Prompt {
            text: text.to_owned(),
            images: Vec::new(),
        };
        let turn: Value = serde_json::from_str(&user_turn(&text("run echo hi"))).unwrap();
        assert_eq!(
            turn["message"],
            json!({"role": "user", "content": "run echo hi"})
        );
        let image = Image {
            media_type: "image/png".into(),
            data: "iVBORw0KGgo=".into(),
        };
        let with_image = Prompt {
            images: vec![image],
            ..text("what is this?")
        };
        let turn: Value = serde_json::from_str(&user_turn(&with_image)).unwrap();
        assert_eq!(
            turn["message"]["content"],
            json!([
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                {"type": "text", "text": "what is this?"},
            ])
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
