//! Reading the CLI's stdout: one JSON object per line, parsed leniently. Unknown types, subtypes
//! and fields are kept as `Other`, never fatal: the CLI grows new ones often.

mod stream_event;

use serde_json::Value;

/// One line of `claude --output-format stream-json`.
#[derive(Debug, Clone, PartialEq)]
pub enum CliLine {
    /// `system/init`: the start of a turn, with the CLI's own session id.
    Init { session_id: String, model: String },
    /// `system/status`: a permission-mode change or a status note.
    Status { permission_mode: Option<String> },
    /// `system/api_retry`: the API failed and the CLI will try again.
    ApiRetry {
        attempt: u64,
        max_retries: u64,
        error_status: Option<u64>,
        error: String,
    },
    /// `system/permission_denied`: a tool was refused without asking.
    PermissionDenied { tool_name: String, message: String },
    /// A raw API streaming event (needs `--include-partial-messages`).
    Stream(StreamEvent),
    /// Complete assistant content blocks (usually one per line; all of them after an abort).
    Assistant {
        message_id: String,
        blocks: Vec<ContentBlock>,
        aborted: bool,
    },
    /// Tool results (or an interruption note) the CLI wrote back as the user.
    ToolResults(Vec<ToolResult>),
    /// The end of a turn.
    Result(TurnResult),
    /// The CLI asks the host something (e.g. `can_use_tool`).
    ControlRequest {
        request_id: String,
        request: ControlRequest,
    },
    /// The CLI answers a request the host made.
    ControlResponse {
        request_id: String,
        outcome: Result<Value, String>,
    },
    /// The CLI withdrew a request it had made.
    ControlCancel { request_id: String },
    /// Anything else: kept whole, logged, ignored.
    Other { kind: String, raw: Value },
}

/// The events of one streamed API message.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    MessageStart { message_id: String },
    BlockStart { index: u64, block: BlockKind },
    TextDelta { index: u64, text: String },
    BlockStop { index: u64 },
    MessageDelta { stop_reason: Option<String> },
    Other,
}

/// What a streamed content block is.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    Text,
    ToolUse { id: String, name: String },
    Other(String),
}

/// A complete content block of an assistant message.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentBlock {
    Text(String),
    Thinking(String),
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    Other(Value),
}

/// A tool's outcome, paired with its `tool_use` by id.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    pub tool_use_id: String,
    pub content: Value,
    pub is_error: bool,
    /// The tool's structured output (the line's `tool_use_result`) when the line carries one
    /// result; `Null` otherwise.
    pub details: Value,
}

/// The `result` line that ends a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnResult {
    pub subtype: String,
    pub is_error: bool,
    pub text: Option<String>,
    pub total_cost_usd: f64,
    pub usage: Value,
    pub duration_ms: u64,
    pub errors: Vec<String>,
    pub terminal_reason: Option<String>,
}

/// A request from the CLI to the host.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlRequest {
    CanUseTool {
        tool_name: String,
        input: Value,
        tool_use_id: Option<String>,
        description: Option<String>,
        suggestions: Vec<Value>,
    },
    Other {
        subtype: String,
    },
}

/// A line that is not a JSON object.
#[derive(Debug, thiserror::Error)]
#[error("not a JSON object: {0}")]
pub struct MalformedLine(String);

/// Parses one stdout line.
pub fn parse(line: &str) -> Result<CliLine, MalformedLine> {
    if let Some(parsed) = stream_event::fast_line(line) {
        return Ok(parsed);
    }
    let raw: Value =
        serde_json::from_str(line).map_err(|error| MalformedLine(error.to_string()))?;
    if !raw.is_object() {
        return Err(MalformedLine(format!("a JSON {}", kind_of(&raw))));
    }
    Ok(classify(raw))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
        Value::Object(_) => "object",
    }
}

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}

/// Classifies one parsed JSON object (a transcript holds the same shapes for its conversation).
pub fn classify(raw: Value) -> CliLine {
    let kind = text(&raw, "type");
    let subtype = text(&raw, "subtype");
    match (kind.as_str(), subtype.as_str()) {
        ("system", "init") => CliLine::Init {
            session_id: text(&raw, "session_id"),
            model: text(&raw, "model"),
        },
        ("system", "status") => CliLine::Status {
            permission_mode: raw["permissionMode"].as_str().map(String::from),
        },
        ("system", "api_retry") => CliLine::ApiRetry {
            attempt: raw["attempt"].as_u64().unwrap_or_default(),
            max_retries: raw["max_retries"].as_u64().unwrap_or_default(),
            error_status: raw["error_status"].as_u64(),
            error: text(&raw, "error"),
        },
        ("system", "permission_denied") => CliLine::PermissionDenied {
            tool_name: text(&raw, "tool_name"),
            message: text(&raw, "message"),
        },
        ("stream_event", _) => CliLine::Stream(stream_event::from_value(&raw["event"])),
        ("assistant", _) => assistant(raw),
        ("user", _) => CliLine::ToolResults(tool_results(&raw)),
        ("result", _) => CliLine::Result(turn_result(&raw)),
        ("control_request", _) => CliLine::ControlRequest {
            request_id: text(&raw, "request_id"),
            request: control_request(&raw["request"]),
        },
        ("control_response", _) => {
            let response = &raw["response"];
            let outcome = match response["subtype"].as_str() {
                Some("success") => Ok(response["response"].clone()),
                _ => Err(response["error"]
                    .as_str()
                    .unwrap_or("the CLI refused the request")
                    .to_owned()),
            };
            CliLine::ControlResponse {
                request_id: text(response, "request_id"),
                outcome,
            }
        }
        ("control_cancel_request", _) => CliLine::ControlCancel {
            request_id: text(&raw, "request_id"),
        },
        _ => {
            let kind = if subtype.is_empty() {
                kind
            } else {
                format!("{kind}/{subtype}")
            };
            CliLine::Other { kind, raw }
        }
    }
}

fn assistant(raw: Value) -> CliLine {
    let message = &raw["message"];
    let blocks = message["content"]
        .as_array()
        .map_or_else(Vec::new, |blocks| {
            blocks.iter().map(content_block).collect()
        });
    let aborted = raw["aborted"]
        .as_bool()
        .or_else(|| message["aborted"].as_bool())
        .unwrap_or(false);
    CliLine::Assistant {
        message_id: text(message, "id"),
        blocks,
        aborted,
    }
}

fn content_block(block: &Value) -> ContentBlock {
    match block["type"].as_str().unwrap_or_default() {
        "text" => ContentBlock::Text(text(block, "text")),
        "thinking" => ContentBlock::Thinking(text(block, "thinking")),
        "tool_use" => ContentBlock::ToolUse {
            id: text(block, "id"),
            name: text(block, "name"),
            input: block["input"].clone(),
        },
        _ => ContentBlock::Other(block.clone()),
    }
}

fn tool_results(raw: &Value) -> Vec<ToolResult> {
    let Some(blocks) = raw["message"]["content"].as_array() else {
        return Vec::new();
    };
    let results: Vec<&Value> = blocks
        .iter()
        .filter(|block| block["type"] == "tool_result")
        .collect();
    let details = match results.len() {
        1 => raw["tool_use_result"].clone(),
        _ => Value::Null,
    };
    results
        .into_iter()
        .map(|block| ToolResult {
            tool_use_id: text(block, "tool_use_id"),
            content: block["content"].clone(),
            is_error: block["is_error"].as_bool().unwrap_or(false),
            details: details.clone(),
        })
        .collect()
}

fn turn_result(raw: &Value) -> TurnResult {
    TurnResult {
        subtype: text(raw, "subtype"),
        is_error: raw["is_error"].as_bool().unwrap_or(false),
        text: raw["result"].as_str().map(String::from),
        total_cost_usd: raw["total_cost_usd"].as_f64().unwrap_or_default(),
        usage: raw["usage"].clone(),
        duration_ms: raw["duration_ms"].as_u64().unwrap_or_default(),
        errors: raw["errors"].as_array().map_or_else(Vec::new, |errors| {
            errors
                .iter()
                .filter_map(|error| error.as_str().map(String::from))
                .collect()
        }),
        terminal_reason: raw["terminal_reason"].as_str().map(String::from),
    }
}

fn control_request(request: &Value) -> ControlRequest {
    match request["subtype"].as_str().unwrap_or_default() {
        "can_use_tool" => ControlRequest::CanUseTool {
            tool_name: text(request, "tool_name"),
            input: request["input"].clone(),
            tool_use_id: request["tool_use_id"].as_str().map(String::from),
            description: request["description"].as_str().map(String::from),
            suggestions: request["permission_suggestions"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        },
        other => ControlRequest::Other {
            subtype: other.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests;
