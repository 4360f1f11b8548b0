//! Saving a session as it changes: its summary and todos, and each message an event touched.
//! The store coalesces repeated writes of one row, so a streamed message costs one row write
//! per commit, not one per token.

use super::Actor;
use tether_protocol::events::SessionEvent;
use tether_store::{Row, SessionRecord};

impl Actor {
    /// Queues the rows that `events` changed; they commit with the events themselves.
    pub(super) fn save(&self, events: &[SessionEvent]) {
        let store = self.engine.store();
        let view = self.reducer.view();
        // The summary and todos change only with the events that announce them, not per token.
        if events.iter().any(SessionEvent::changes_summary) {
            store.save(Row::Session(Box::new(SessionRecord {
                info: view.session.clone(),
                todos: view.todos.clone(),
            })));
        }
        let mut touched: Vec<&str> = events.iter().filter_map(SessionEvent::message_id).collect();
        touched.dedup();
        for id in touched {
            let found = (view.messages.iter().enumerate()).find(|(_, message)| message.id == id);
            if let Some((seq, message)) = found {
                store.save(Row::Message {
                    session_id: view.session.id.clone(),
                    seq: seq as u64,
                    message: message.clone(),
                });
            }
        }
    }
}
