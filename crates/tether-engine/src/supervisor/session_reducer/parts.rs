//! How assistant messages are assembled: streamed blocks become parts, deltas extend them,
//! complete blocks settle them, and tool results attach to their tool_use by id.

use std::collections::HashMap;

use serde_json::Value;

use super::{SessionReducer, Streaming};
use crate::supervisor::stream_json::{BlockKind, ContentBlock, StreamEvent, ToolResult};
use tether_protocol::events::{MessageCreated, PartCreated, PartDelta, PartUpdated, SessionEvent};
use tether_protocol::model::{Message, Part, Role, ToolOutcome};

impl SessionReducer {
    pub(super) fn stream(&mut self, event: &StreamEvent) -> Vec<SessionEvent> {
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
                let mut events = Vec::new();
                let delta = PartDelta {
                    message_id,
                    part_id,
                    text: text.clone(),
                };
                self.push(&mut events, SessionEvent::PartDelta(delta));
                events
            }
            StreamEvent::BlockStop { .. }
            | StreamEvent::MessageDelta { .. }
            | StreamEvent::Other => Vec::new(),
        }
    }

    fn assistant_message(&mut self, message_id: &str) -> Vec<SessionEvent> {
        if self
            .view
            .messages
            .iter()
            .any(|message| message.id == message_id)
        {
            return Vec::new();
        }
        let message = Message {
            id: message_id.to_owned(),
            role: Role::Assistant,
            parts: Vec::new(),
        };
        let mut events = Vec::new();
        self.push(
            &mut events,
            SessionEvent::MessageCreated(MessageCreated { message }),
        );
        events
    }

    fn add_part(&mut self, message_id: &str, part: Part) -> Vec<SessionEvent> {
        let mut events = Vec::new();
        if self
            .view
            .messages
            .iter()
            .any(|message| message.id == message_id)
        {
            let created = PartCreated {
                message_id: message_id.to_owned(),
                part,
            };
            self.push(&mut events, SessionEvent::PartCreated(created));
        }
        events
    }

    fn part(&self, message_id: &str, part_id: &str) -> Option<&Part> {
        self.message_parts(message_id)
            .find(|part| part.id() == part_id)
    }

    fn message_parts(&self, message_id: &str) -> impl Iterator<Item = &Part> {
        self.view
            .messages
            .iter()
            .filter(move |message| message.id == message_id)
            .flat_map(|message| &message.parts)
    }

    /// A complete block: it settles the streamed part (or creates it when nothing was streamed).
    pub(super) fn assistant_block(
        &mut self,
        message_id: &str,
        block: &ContentBlock,
    ) -> Vec<SessionEvent> {
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
            ContentBlock::Thinking(text)
                if text.is_empty()
                    || self.message_parts(message_id).any(
                        |part| matches!(part, Part::Thinking { text: whole, .. } if whole == text),
                    ) =>
            {
                // Thinking kept from view, or a repeat of a block already settled.
                return events;
            }
            ContentBlock::Thinking(text) => Part::Thinking {
                id: format!("{message_id}:{}", self.part_count(message_id)),
                text: text.clone(),
            },
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
        if self.part(message_id, settled.id()).is_none() {
            events.extend(self.add_part(message_id, settled));
            return events;
        }
        let updated = PartUpdated {
            message_id: message_id.to_owned(),
            part: settled,
        };
        self.push(&mut events, SessionEvent::PartUpdated(updated));
        events
    }

    fn part_count(&self, message_id: &str) -> usize {
        self.message_parts(message_id).count()
    }

    pub(super) fn tool_result(&mut self, result: &ToolResult) -> Vec<SessionEvent> {
        let found = self.view.messages.iter().rev().find_map(|message| {
            message.parts.iter().find_map(|part| match part {
                Part::ToolUse {
                    id, name, input, ..
                } if *id == result.tool_use_id => {
                    let part = Part::ToolUse {
                        id: id.clone(),
                        name: name.clone(),
                        input: input.clone(),
                        result: Some(ToolOutcome {
                            content: result.content.clone(),
                            is_error: result.is_error,
                        }),
                    };
                    Some((message.id.clone(), part))
                }
                _ => None,
            })
        });
        let mut events = Vec::new();
        if let Some((message_id, part)) = found {
            let updated = PartUpdated { message_id, part };
            self.push(&mut events, SessionEvent::PartUpdated(updated));
        }
        events
    }
}
