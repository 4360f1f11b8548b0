//! How assistant messages are assembled: streamed blocks become parts, deltas extend them,
//! complete blocks settle them, and tool results attach to their tool_use by id.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Emit, Streaming, Transcript, emit};
use crate::supervisor::cli_line::{BlockKind, ContentBlock, StreamEvent, ToolResult};
use crate::supervisor::model::{Message, Part, Role, ToolOutcome};

impl Transcript {
    pub(super) fn stream(&mut self, event: &StreamEvent) -> Vec<Emit> {
        match event {
            StreamEvent::MessageStart { message_id } => {
                self.streaming = Some(Streaming {
                    message_id: message_id.clone(),
                    parts: HashMap::new(),
                    open: None,
                });
                self.assistant_message(message_id)
            }
            StreamEvent::BlockStart { index, block } => {
                let Some(streaming) = self.streaming.as_mut() else {
                    return Vec::new();
                };
                let message_id = streaming.message_id.clone();
                let part = match block {
                    BlockKind::Text => Part::Text {
                        id: format!("{message_id}:{index}"),
                        text: String::new(),
                    },
                    BlockKind::ToolUse { id, name } => Part::ToolUse {
                        id: id.clone(),
                        name: name.clone(),
                        input: Value::Null,
                        result: None,
                    },
                    BlockKind::Other(_) => return Vec::new(),
                };
                streaming.parts.insert(*index, part.id().to_owned());
                streaming.open = Some(*index);
                self.add_part(&message_id, part)
            }
            StreamEvent::TextDelta { index, text } => {
                let Some(streaming) = &self.streaming else {
                    return Vec::new();
                };
                let (message_id, Some(part_id)) = (
                    streaming.message_id.clone(),
                    streaming.parts.get(index).cloned(),
                ) else {
                    return Vec::new();
                };
                if let Some(Part::Text { text: whole, .. }) = self.part_mut(&message_id, &part_id) {
                    whole.push_str(text);
                }
                vec![emit(
                    "part.delta",
                    json!({ "message_id": message_id, "part_id": part_id, "text": text }),
                )]
            }
            StreamEvent::BlockStop { .. }
            | StreamEvent::MessageDelta { .. }
            | StreamEvent::Other => Vec::new(),
        }
    }

    fn assistant_message(&mut self, message_id: &str) -> Vec<Emit> {
        if self.messages.iter().any(|message| message.id == message_id) {
            return Vec::new();
        }
        let message = Message {
            id: message_id.to_owned(),
            role: Role::Assistant,
            parts: Vec::new(),
        };
        let events = vec![emit("message.created", json!({ "message": message }))];
        self.messages.push(message);
        events
    }

    fn add_part(&mut self, message_id: &str, part: Part) -> Vec<Emit> {
        let event = emit(
            "part.created",
            json!({ "message_id": message_id, "part": part }),
        );
        match self
            .messages
            .iter_mut()
            .find(|message| message.id == message_id)
        {
            Some(message) => {
                message.parts.push(part);
                vec![event]
            }
            None => Vec::new(),
        }
    }

    fn part(&self, message_id: &str, part_id: &str) -> Option<&Part> {
        self.message_parts(message_id)
            .find(|part| part.id() == part_id)
    }

    fn message_parts(&self, message_id: &str) -> impl Iterator<Item = &Part> {
        self.messages
            .iter()
            .filter(move |message| message.id == message_id)
            .flat_map(|message| &message.parts)
    }

    fn part_mut(&mut self, message_id: &str, part_id: &str) -> Option<&mut Part> {
        let message = self
            .messages
            .iter_mut()
            .find(|message| message.id == message_id)?;
        message.parts.iter_mut().find(|part| part.id() == part_id)
    }

    /// A complete block: it settles the streamed part (or creates it when nothing was streamed).
    pub(super) fn assistant_block(&mut self, message_id: &str, block: &ContentBlock) -> Vec<Emit> {
        let mut events = self.assistant_message(message_id);
        let streamed = self
            .streaming
            .as_ref()
            .filter(|streaming| streaming.message_id == message_id)
            .and_then(|streaming| {
                streaming
                    .open
                    .and_then(|index| streaming.parts.get(&index))
                    .cloned()
            });
        let settled = match block {
            ContentBlock::Text(text) => {
                // Only a streamed *text* part can be what this text settles.
                let open_text = streamed
                    .filter(|id| matches!(self.part(message_id, id), Some(Part::Text { .. })));
                let already_whole = self
                    .message_parts(message_id)
                    .any(|part| matches!(part, Part::Text { text: whole, .. } if whole == text));
                if open_text.is_none() && already_whole {
                    // A repeat of a block already settled (the CLI resends all blocks after an abort).
                    return events;
                }
                let id = open_text
                    .unwrap_or_else(|| format!("{message_id}:{}", self.part_count(message_id)));
                Part::Text {
                    id,
                    text: text.clone(),
                }
            }
            ContentBlock::ToolUse { id, name, input } => {
                events.extend(self.todo_call(id, name, input));
                Part::ToolUse {
                    id: id.clone(),
                    name: name.clone(),
                    input: input.clone(),
                    result: None,
                }
            }
            ContentBlock::Other(_) => return events,
        };
        if let Some(streaming) = self.streaming.as_mut() {
            streaming.open = None;
        }
        match self.part_mut(message_id, settled.id()) {
            Some(part) => *part = settled.clone(),
            None => {
                events.extend(self.add_part(message_id, settled));
                return events;
            }
        }
        events.push(emit(
            "part.updated",
            json!({ "message_id": message_id, "part": settled }),
        ));
        events
    }

    fn part_count(&self, message_id: &str) -> usize {
        self.messages
            .iter()
            .find(|message| message.id == message_id)
            .map_or(0, |message| message.parts.len())
    }

    pub(super) fn tool_result(&mut self, result: &ToolResult) -> Vec<Emit> {
        for message in self.messages.iter_mut().rev() {
            let found = message
                .parts
                .iter_mut()
                .find(|part| matches!(part, Part::ToolUse { id, .. } if *id == result.tool_use_id));
            if let Some(Part::ToolUse { result: slot, .. }) = found {
                *slot = Some(ToolOutcome {
                    content: result.content.clone(),
                    is_error: result.is_error,
                });
                let part = message
                    .parts
                    .iter()
                    .find(|part| part.id() == result.tool_use_id)
                    .cloned();
                return vec![emit(
                    "part.updated",
                    json!({ "message_id": message.id, "part": part }),
                )];
            }
        }
        Vec::new()
    }
}
