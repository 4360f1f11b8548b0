//! Saving a session as it changes: its summary and todos, and each message an event touched.
//! The store coalesces repeated writes of one row, so a streamed message costs one row write
//! per commit, not one per token.

use super::Actor;
use crate::store::{Row, SessionRecord};
use crate::supervisor::transcript::Emit;

/// The events that announce a change of the session's summary or its todo list.
const SUMMARY_EVENTS: [&str; 4] = [
    "session.updated",
    "session.ended",
    "usage.updated",
    "todo.updated",
];

impl Actor {
    /// Queues the rows that `events` changed; they commit with the events themselves.
    pub(super) fn save(&self, events: &[Emit]) {
        let store = self.engine.store();
        let transcript = &self.transcript;
        // The summary and todos change only with the events that announce them, not per token.
        if events
            .iter()
            .any(|emit| SUMMARY_EVENTS.contains(&emit.event))
        {
            store.save(Row::Session(Box::new(SessionRecord {
                info: transcript.info.clone(),
                todos: transcript.todos.clone(),
            })));
        }
        let mut touched: Vec<&str> = events.iter().filter_map(message_of).collect();
        touched.dedup();
        for id in touched {
            let found = transcript
                .messages
                .iter()
                .enumerate()
                .find(|(_, message)| message.id == id);
            if let Some((seq, message)) = found {
                store.save(Row::Message {
                    session_id: transcript.info.id.clone(),
                    seq: seq as u64,
                    message: message.clone(),
                });
            }
        }
    }
}

/// The message an event is about, if any.
fn message_of(emit: &Emit) -> Option<&str> {
    emit.data
        .get("message_id")
        .or_else(|| emit.data.get("message")?.get("id"))
        .and_then(|id| id.as_str())
}
