//! The Messages API stream events as typed values, serialized with `type` first like the real API.

use serde::Serialize;
use serde_json::Value;

/// One SSE event; its `type` is also the SSE `event:` name.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Event<'a> {
    MessageStart {
        message: MessageStart<'a>,
    },
    ContentBlockStart {
        index: usize,
        content_block: Block<'a>,
    },
    ContentBlockDelta {
        index: usize,
        delta: Delta<'a>,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: StopDelta<'a>,
        usage: OutputUsage,
    },
    MessageStop,
}

impl Event<'_> {
    /// The SSE `event:` name (the same string as the JSON `type`).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::MessageStart { .. } => "message_start",
            Self::ContentBlockStart { .. } => "content_block_start",
            Self::ContentBlockDelta { .. } => "content_block_delta",
            Self::ContentBlockStop { .. } => "content_block_stop",
            Self::MessageDelta { .. } => "message_delta",
            Self::MessageStop => "message_stop",
        }
    }
}

/// The (empty) assistant message announced by `message_start`.
#[derive(Debug, Serialize)]
pub(crate) struct MessageStart<'a> {
    pub(crate) id: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) role: &'static str,
    pub(crate) model: &'a str,
    pub(crate) content: [(); 0],
    pub(crate) stop_reason: Option<&'static str>,
    pub(crate) stop_sequence: Option<&'static str>,
    pub(crate) usage: Usage,
}

#[derive(Debug, Serialize)]
pub(crate) struct Usage {
    pub(crate) input_tokens: u64,
    pub(crate) cache_creation_input_tokens: u64,
    pub(crate) cache_read_input_tokens: u64,
    pub(crate) output_tokens: u64,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Block<'a> {
    Text {
        text: &'static str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: Value,
    },
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Delta<'a> {
    TextDelta { text: &'a str },
    InputJsonDelta { partial_json: &'a str },
}

#[derive(Debug, Serialize)]
pub(crate) struct StopDelta<'a> {
    pub(crate) stop_reason: &'a str,
    pub(crate) stop_sequence: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub(crate) struct OutputUsage {
    pub(crate) output_tokens: u64,
}

/// The whole message at once: the answer when a request says `"stream": false` (the CLI sends
/// such a request as its fallback after a streamed answer breaks off).
#[derive(Debug, Serialize)]
pub(crate) struct WholeMessage<'a> {
    pub(crate) id: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) role: &'static str,
    pub(crate) model: &'a str,
    pub(crate) content: Vec<WholeBlock>,
    pub(crate) stop_reason: String,
    pub(crate) stop_sequence: Option<&'static str>,
    pub(crate) usage: Usage,
}

/// A finished content block of a [`WholeMessage`].
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum WholeBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
}
