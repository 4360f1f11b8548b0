//! The exact Messages API SSE events for a [`Reply`], as a list of [`Step`]s (and the same message
//! whole, for a request with `"stream": false`).

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::Reply;
use crate::event::{
    Block, Delta, Event, MessageStart, OutputUsage, StopDelta, Usage, WholeBlock, WholeMessage,
};
use crate::stream::Step;

/// What the fake reports as `usage.input_tokens` for every turn.
pub(crate) const INPUT_TOKENS: u64 = 12;

/// The message-level facts echoed in `message_start`.
pub(crate) struct Message<'a> {
    pub(crate) id: &'a str,
    pub(crate) model: &'a str,
}

/// Serializing these plain structs cannot fail; `null` keeps the output well-formed regardless.
fn json_or_null(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// One SSE event: `event: <type>` and `data: <json>` lines, then a blank line.
fn frame(event: &Event<'_>) -> Step {
    let data = json_or_null(event);
    Step::Send(Bytes::from(format!(
        "event: {}\ndata: {data}\n\n",
        event.name()
    )))
}

/// One reply, ready to play either way.
pub(crate) struct Planned {
    /// The SSE events, with pauses and stalls in between.
    pub(crate) streamed: Vec<Step>,
    /// The same pauses and stalls, then the whole message as one JSON body.
    pub(crate) whole: Vec<Step>,
}

/// The steps for a message reply; `None` for [`Reply::Error`], which is not a message.
pub(crate) fn plan(reply: &Reply, message: &Message<'_>) -> Option<Planned> {
    let mut out = Plan::start(message);
    match reply {
        Reply::Text { chunks } => {
            out.text_block(chunks, None);
            Some(out.finish("end_turn"))
        }
        Reply::Slow { chunks, delay_ms } => {
            out.text_block(chunks, Some(Duration::from_millis(*delay_ms)));
            Some(out.finish("end_turn"))
        }
        Reply::Stall { chunks } => {
            out.open_text_block(chunks, None);
            out.steps.push(Step::Stall);
            out.close_block();
            Some(out.finish("end_turn"))
        }
        Reply::ToolUse {
            text,
            id,
            name,
            input,
        } => {
            if let Some(text) = text {
                out.text_block(std::slice::from_ref(text), None);
            }
            out.tool_use_block(id, name, input);
            Some(out.finish("tool_use"))
        }
        Reply::Error { .. } => None,
    }
}

/// Builds the event list block by block, keeping the finished blocks and counting output
/// characters for `usage.output_tokens`.
struct Plan {
    steps: Vec<Step>,
    index: usize,
    output_chars: usize,
    content: Vec<WholeBlock>,
    id: String,
    model: String,
}

impl Plan {
    fn start(message: &Message<'_>) -> Self {
        let start = Event::MessageStart {
            message: MessageStart {
                id: message.id,
                kind: "message",
                role: "assistant",
                model: message.model,
                content: [],
                stop_reason: None,
                stop_sequence: None,
                usage: Usage {
                    input_tokens: INPUT_TOKENS,
                    cache_creation_input_tokens: 0,
                    cache_read_input_tokens: 0,
                    output_tokens: 1,
                },
            },
        };
        Self {
            steps: vec![frame(&start)],
            index: 0,
            output_chars: 0,
            content: Vec::new(),
            id: message.id.to_owned(),
            model: message.model.to_owned(),
        }
    }

    fn open_block(&mut self, content_block: Block<'_>) {
        let index = self.index;
        self.steps.push(frame(&Event::ContentBlockStart {
            index,
            content_block,
        }));
    }

    fn delta(&mut self, delta: Delta<'_>) {
        let index = self.index;
        self.steps
            .push(frame(&Event::ContentBlockDelta { index, delta }));
    }

    fn open_text_block(&mut self, chunks: &[String], pause: Option<Duration>) {
        self.open_block(Block::Text { text: "" });
        self.content.push(WholeBlock::Text {
            text: chunks.concat(),
        });
        for chunk in chunks {
            self.output_chars += chunk.chars().count();
            self.delta(Delta::TextDelta { text: chunk });
            if let Some(pause) = pause {
                self.steps.push(Step::Pause(pause));
            }
        }
    }

    fn text_block(&mut self, chunks: &[String], pause: Option<Duration>) {
        self.open_text_block(chunks, pause);
        self.close_block();
    }

    fn tool_use_block(&mut self, id: &str, name: &str, input: &Value) {
        self.open_block(Block::ToolUse {
            id,
            name,
            input: Value::Object(serde_json::Map::new()),
        });
        self.content.push(WholeBlock::ToolUse {
            id: id.to_owned(),
            name: name.to_owned(),
            input: input.clone(),
        });
        let json = input.to_string();
        self.output_chars += json.chars().count();
        for piece in split_in_pieces(&json, 3) {
            self.delta(Delta::InputJsonDelta {
                partial_json: piece,
            });
        }
        self.close_block();
    }

    fn close_block(&mut self) {
        let index = self.index;
        self.steps.push(frame(&Event::ContentBlockStop { index }));
        self.index += 1;
    }

    fn finish(mut self, stop_reason: &str) -> Planned {
        let output_tokens = self.output_chars.div_ceil(4).max(1) as u64;
        let mut whole: Vec<Step> = self
            .steps
            .iter()
            .filter(|step| !matches!(step, Step::Send(_)))
            .cloned()
            .collect();
        whole.push(Step::Send(Bytes::from(json_or_null(&WholeMessage {
            id: &self.id,
            kind: "message",
            role: "assistant",
            model: &self.model,
            content: std::mem::take(&mut self.content),
            stop_reason: stop_reason.to_owned(),
            stop_sequence: None,
            usage: Usage {
                input_tokens: INPUT_TOKENS,
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: 0,
                output_tokens,
            },
        }))));
        self.steps.push(frame(&Event::MessageDelta {
            delta: StopDelta {
                stop_reason,
                stop_sequence: None,
            },
            usage: OutputUsage { output_tokens },
        }));
        self.steps.push(frame(&Event::MessageStop));
        Planned {
            streamed: self.steps,
            whole,
        }
    }
}

/// Splits `text` into up to `pieces` non-empty parts on character boundaries (2+ when it has 2+ characters).
fn split_in_pieces(text: &str, pieces: usize) -> Vec<&str> {
    let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let pieces = pieces.clamp(1, bounds.len().max(1));
    let mut out = Vec::with_capacity(pieces);
    let mut from = 0;
    for k in 1..pieces {
        let to = bounds[k * bounds.len() / pieces];
        out.push(&text[from..to]);
        from = to;
    }
    out.push(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(steps: &[Step]) -> String {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Send(b) => Some(String::from_utf8(b.to_vec()).unwrap()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn pieces_rejoin_and_are_at_least_two() {
        for text in ["{}", "{\"a\":1}", "{\"command\":\"échö ☃\"}"] {
            let parts = split_in_pieces(text, 3);
            assert!(parts.len() >= 2, "{parts:?}");
            assert!(parts.iter().all(|p| !p.is_empty()));
            assert_eq!(parts.concat(), text);
        }
    }

    #[test]
    fn text_reply_is_the_documented_sse() {
        let msg = Message {
            id: "msg_fake000001",
            model: "claude-opus-5-5",
        };
        let steps = plan(&Reply::text(["Hel", "lo"]), &msg).unwrap().streamed;
        let expected = concat!(
            "event: message_start\n",
            r#"data: {"type":"message_start","message":{"id":"msg_fake000001","type":"message","role":"assistant","model":"claude-opus-5-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}"#,
            "\n\nevent: content_block_start\n",
            r#"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            "\n\nevent: content_block_delta\n",
            r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#,
            "\n\nevent: content_block_delta\n",
            r#"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}"#,
            "\n\nevent: content_block_stop\n",
            r#"data: {"type":"content_block_stop","index":0}"#,
            "\n\nevent: message_delta\n",
            r#"data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}"#,
            "\n\nevent: message_stop\n",
            r#"data: {"type":"message_stop"}"#,
            "\n\n",
        );
        assert_eq!(text_of(&steps), expected);
    }

    /// A short text, then a Bash call: the shape most tool tests need.
    fn running_ls() -> Reply {
        Reply::ToolUse {
            text: Some("Running it.".into()),
            id: "toolu_1".into(),
            name: "Bash".into(),
            input: serde_json::json!({"command": "ls"}),
        }
    }

    #[test]
    fn tool_use_streams_input_in_pieces_after_the_text() {
        let msg = Message {
            id: "x",
            model: "m",
        };
        let reply = running_ls();
        let sse = text_of(&plan(&reply, &msg).unwrap().streamed);
        assert!(sse.contains(r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}}"#));
        assert_eq!(sse.matches("input_json_delta").count(), 3);
        assert!(sse.contains(r#""stop_reason":"tool_use""#));
    }

    #[test]
    fn stall_holds_before_the_block_stop() {
        let msg = Message {
            id: "x",
            model: "m",
        };
        let steps = plan(
            &Reply::Stall {
                chunks: vec!["a".into()],
            },
            &msg,
        )
        .unwrap()
        .streamed;
        let stall = steps.iter().position(|s| *s == Step::Stall).unwrap();
        assert!(text_of(&steps[..stall]).contains(r#""text":"a""#));
        assert!(text_of(&steps[stall..]).starts_with("event: content_block_stop"));
    }

    #[test]
    fn whole_message_keeps_the_pacing_and_every_block() {
        let msg = Message {
            id: "msg_fake000009",
            model: "m",
        };
        let reply = running_ls();
        let whole = plan(&reply, &msg).unwrap().whole;
        assert_eq!(
            text_of(&whole),
            r#"{"id":"msg_fake000009","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Running it."},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}}"#
        );
        let stalled = plan(&Reply::Stall { chunks: vec![] }, &msg).unwrap().whole;
        assert_eq!(stalled[0], Step::Stall);
    }
}
