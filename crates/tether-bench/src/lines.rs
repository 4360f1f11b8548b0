//! The stream-json the bench feeds: what `claude -p --output-format stream-json
//! --include-partial-messages` prints while it streams an answer (facts/claude-cli.md).

use std::fmt::Write as _;

const SESSION: &str = "d9fb8422-5b1e-4c52-9b0e-6f1d2a7c3e90";
const MESSAGE: &str = "msg_bench0001";
const WORDS: [&str; 12] = [
    "the ",
    "session ",
    "streams ",
    "tokens ",
    "to ",
    "every ",
    "paired ",
    "phone ",
    "in ",
    "order, ",
    "with ",
    "offsets. ",
];

/// `count` text-delta lines, each a different short run of words (as a model streams them).
pub fn deltas(count: usize) -> Vec<String> {
    (0..count)
        .map(|n| {
            let mut text = String::new();
            for word in 0..1 + n % 4 {
                text.push_str(WORDS[(n * 7 + word) % WORDS.len()]);
            }
            let mut line = String::new();
            let _ = write!(
                line,
                r#"{{"type":"stream_event","event":{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{text}"}}}},"session_id":"{SESSION}","parent_tool_use_id":null,"uuid":"{n:08x}-7c1d-4f6e-9a2b-3c4d5e6f7a8b","api_message_id":"{MESSAGE}"}}"#
            );
            line
        })
        .collect()
}

/// The lines before the first delta of an answer: the turn's init, the message and its block.
pub fn preamble() -> Vec<String> {
    vec![
        format!(
            r#"{{"type":"system","subtype":"init","session_id":"{SESSION}","model":"claude-sonnet-4-5","tools":["Bash","Read","Edit"],"permissionMode":"default","cwd":"/tmp/bench"}}"#
        ),
        format!(
            r#"{{"type":"stream_event","event":{{"type":"message_start","message":{{"id":"{MESSAGE}","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{{"input_tokens":12,"output_tokens":1}}}}}},"session_id":"{SESSION}","parent_tool_use_id":null,"uuid":"00000000-0000-4000-8000-000000000001"}}"#
        ),
        format!(
            r#"{{"type":"stream_event","event":{{"type":"content_block_start","index":0,"content_block":{{"type":"text","text":""}}}},"session_id":"{SESSION}","parent_tool_use_id":null,"uuid":"00000000-0000-4000-8000-000000000002"}}"#
        ),
    ]
}

/// Writes `lines` to a file, one per line.
pub fn write(path: &std::path::Path, lines: &[String]) -> std::io::Result<()> {
    std::fs::write(path, lines.join("\n") + "\n")
}
