//! What the fake answers to one `POST /v1/messages`: the scripted [`Reply`] variants.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One scripted answer to one model turn. In a JSON script it is tagged by `"type"`, e.g.
/// `{"type":"text","chunks":["hi"]}` or `{"type":"error","status":529,"kind":"overloaded_error","message":"busy"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    /// One text block, streamed as one `text_delta` per chunk; stop reason `end_turn`.
    Text { chunks: Vec<String> },
    /// An optional text block, then a `tool_use` block whose input is streamed as several
    /// `input_json_delta` pieces; stop reason `tool_use`.
    ToolUse {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        id: String,
        name: String,
        input: Value,
    },
    /// Like [`Reply::Text`], but pauses `delay_ms` after every delta (the stream stays open meanwhile).
    Slow { chunks: Vec<String>, delay_ms: u64 },
    /// Sends `message_start`, a text block start and these deltas, then holds the response open
    /// until [`crate::FakeAnthropic::release_stalls`] (which finishes the message normally) or until
    /// the fake is dropped (which aborts the connection).
    Stall { chunks: Vec<String> },
    /// A non-streaming JSON error `{"type":"error","error":{"type":kind,"message":message}}` with this HTTP status.
    Error {
        status: u16,
        kind: String,
        message: String,
    },
}

impl Reply {
    /// What an unscripted turn gets: the text `ok`.
    pub fn fallback() -> Self {
        Self::text(["ok"])
    }

    /// A [`Reply::Text`] from any list of chunks.
    pub fn text<S: Into<String>>(chunks: impl IntoIterator<Item = S>) -> Self {
        Self::Text {
            chunks: chunks.into_iter().map(Into::into).collect(),
        }
    }

    /// A [`Reply::ToolUse`] without leading text.
    pub fn tool_use(id: impl Into<String>, name: impl Into<String>, input: Value) -> Self {
        Self::ToolUse {
            text: None,
            id: id.into(),
            name: name.into(),
            input,
        }
    }

    /// A [`Reply::Error`].
    pub fn error(status: u16, kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Error {
            status,
            kind: kind.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replies_read_from_tagged_json() {
        let replies: Vec<Reply> = serde_json::from_value(json!([
            {"type": "text", "chunks": ["a", "b"]},
            {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}},
            {"type": "tool_use", "text": "let me", "id": "toolu_2", "name": "Read", "input": {}},
            {"type": "slow", "chunks": ["x"], "delay_ms": 5},
            {"type": "stall", "chunks": []},
            {"type": "error", "status": 529, "kind": "overloaded_error", "message": "busy"}
        ]))
        .unwrap();
        assert_eq!(replies[0], Reply::text(["a", "b"]));
        assert_eq!(
            replies[1],
            Reply::tool_use("toolu_1", "Bash", json!({"command": "ls"}))
        );
        assert!(matches!(&replies[2], Reply::ToolUse { text: Some(t), .. } if t == "let me"));
        assert_eq!(replies[5], Reply::error(529, "overloaded_error", "busy"));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let bad = serde_json::from_value::<Reply>(json!({"type": "text", "chunk": ["a"]}));
        assert!(bad.is_err());
    }
}
