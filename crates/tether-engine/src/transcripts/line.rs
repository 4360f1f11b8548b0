//! One line of a CLI transcript, read leniently. The index skims each line for what a list
//! shows ([`skim`]); history reads conversation lines whole ([`read`]), in stream-json's own
//! shapes, so the session reducer turns them into the same messages and parts as Tether's
//! own sessions.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::supervisor::session_reducer::Image;
use crate::supervisor::stream_json::{self, CliLine};

/// Line types the CLI writes that carry nothing a list or the history shows.
const KNOWN_OTHER: [&str; 14] = [
    "system",
    "attachment",
    "queue-operation",
    "api-request",
    "api-request-shape",
    "api-request-blob",
    "tools-used",
    "last-prompt",
    "atis-latch",
    "mode",
    "file-history-snapshot",
    "progress",
    "agent-name",
    "pr-link",
];

/// Why a line was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("not a JSON object: {0}")]
    NotJson(String),
    #[error("an unknown line type {0:?}")]
    UnknownType(String),
}

/// What every line may say about where and when it was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub cwd: Option<String>,
    /// Seconds since the Unix epoch.
    pub at: Option<u64>,
    pub git_branch: Option<String>,
}

/// What the index needs of one line.
#[derive(Debug, Clone, PartialEq)]
pub enum Skim {
    /// A prompt the person wrote: its text, for the title.
    Prompt(String),
    /// A line of the assistant's message `message_id`.
    Assistant {
        message_id: String,
        model: Option<String>,
        /// The tokens the message used, as the API reported them.
        usage: Value,
    },
    /// Tool results, or anything else the conversation carries.
    Conversation,
    /// The CLI's summary of the conversation, or a title the user gave it.
    Title { text: String, chosen: bool },
    /// The CLI's running total of what the session cost.
    Cost(f64),
    /// A line that carries nothing to show.
    Other,
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    cwd: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "gitBranch", default, borrow)]
    git_branch: Option<Cow<'a, str>>,
    #[serde(rename = "isSidechain", default)]
    sidechain: bool,
    #[serde(rename = "isMeta", default)]
    meta: bool,
    #[serde(default, borrow)]
    message: Option<&'a RawValue>,
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(rename = "customTitle", default)]
    custom_title: Option<String>,
    #[serde(rename = "totalCostUSD", default)]
    total_cost_usd: Option<f64>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default, borrow)]
    content: Option<&'a RawValue>,
    #[serde(default)]
    usage: Value,
}

/// Skims one line: what it says for a list, and its context.
pub fn skim(line: &[u8]) -> Result<(Skim, Context), LineError> {
    let head: Head = serde_json::from_slice(line).map_err(not_json)?;
    let context = context(&head);
    let skim = match head.kind.as_ref() {
        _ if head.sidechain => Skim::Other,
        "user" if head.meta => Skim::Other,
        "user" => match body(&head)?
            .content
            .and_then(|content| prompt(content.get()))
        {
            Some((text, _)) => Skim::Prompt(text),
            None => Skim::Conversation,
        },
        "assistant" => {
            let body = body(&head)?;
            Skim::Assistant {
                message_id: body.id.unwrap_or_default(),
                model: body.model.filter(|model| !model.starts_with('<')),
                usage: body.usage,
            }
        }
        "summary" => title(head.summary, false),
        "custom-title" => title(head.custom_title, true),
        "cost-state" => head.total_cost_usd.map_or(Skim::Other, Skim::Cost),
        kind if KNOWN_OTHER.contains(&kind) => Skim::Other,
        kind => return Err(LineError::UnknownType(kind.chars().take(40).collect())),
    };
    Ok((skim, context))
}

/// One line as the history shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A prompt the person wrote, with its images; `id` is the line's own.
    Prompt {
        id: String,
        text: String,
        images: Vec<Image>,
    },
    /// Assistant blocks or tool results, as stream-json has them.
    Conversation(CliLine),
    /// Anything else.
    Other,
}

/// Reads one line for the history.
pub fn read(line: &[u8]) -> Result<Entry, LineError> {
    let head: Head = serde_json::from_slice(line).map_err(not_json)?;
    if head.sidechain || !matches!(head.kind.as_ref(), "user" | "assistant") {
        return Ok(Entry::Other);
    }
    if head.kind == "user" {
        if head.meta {
            return Ok(Entry::Other);
        }
        let content = body(&head)?.content.map(|content| content.get());
        if let Some((text, images)) = content.and_then(prompt) {
            let id = head.uuid.unwrap_or_default();
            return Ok(Entry::Prompt { id, text, images });
        }
    }
    let mut raw: Value = serde_json::from_slice(line).map_err(not_json)?;
    // A transcript names a tool's structured output `toolUseResult`; stream-json, `tool_use_result`.
    if let Some(details) = raw.get_mut("toolUseResult").map(Value::take) {
        raw["tool_use_result"] = details;
    }
    Ok(Entry::Conversation(stream_json::classify(raw)))
}

fn not_json(error: serde_json::Error) -> LineError {
    LineError::NotJson(error.to_string())
}

fn body<'a>(head: &Head<'a>) -> Result<Body<'a>, LineError> {
    match head.message {
        Some(message) => serde_json::from_str(message.get()).map_err(not_json),
        None => Ok(Body {
            id: None,
            model: None,
            content: None,
            usage: Value::Null,
        }),
    }
}

fn context(head: &Head) -> Context {
    Context {
        cwd: head.cwd.as_deref().map(str::to_owned),
        at: head
            .timestamp
            .as_deref()
            .and_then(|at| at.parse::<jiff::Timestamp>().ok())
            .and_then(|at| u64::try_from(at.as_second()).ok()),
        git_branch: head.git_branch.as_deref().map(str::to_owned),
    }
}

fn title(text: Option<String>, chosen: bool) -> Skim {
    match text.filter(|text| !text.trim().is_empty()) {
        Some(text) => Skim::Title { text, chosen },
        None => Skim::Other,
    }
}

/// The text and images of a user message that is a prompt (a string, or text and image
/// blocks), not tool results.
fn prompt(content: &str) -> Option<(String, Vec<Image>)> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Content {
        Text(String),
        Blocks(Vec<Block>),
    }
    #[derive(Deserialize)]
    struct Block {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        source: Option<Source>,
    }
    #[derive(Deserialize)]
    struct Source {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        media_type: String,
        #[serde(default)]
        data: String,
    }
    match serde_json::from_str(content).ok()? {
        Content::Text(text) => Some((text, Vec::new())),
        Content::Blocks(blocks) if blocks.iter().any(|block| block.kind == "tool_result") => None,
        Content::Blocks(blocks) => {
            let mut texts = Vec::new();
            let mut images = Vec::new();
            for block in blocks {
                match (block.kind.as_str(), block.text, block.source) {
                    ("text", Some(text), _) => texts.push(text),
                    ("image", _, Some(source)) if source.kind == "base64" => images.push(Image {
                        media_type: source.media_type,
                        data: source.data,
                    }),
                    _ => {}
                }
            }
            Some((texts.join("\n\n"), images))
        }
    }
}
