//! The last prompts' client ids and the messages they became, so a prompt a client resends
//! after a reconnect (not knowing whether the first try arrived) is sent to `claude` once.

use std::collections::VecDeque;

/// Client prompt ids remembered per session.
const REMEMBERED: usize = 256;

#[derive(Default)]
pub(super) struct SentPrompts(VecDeque<(String, String)>);

impl SentPrompts {
    /// The message a client prompt id became, if it was sent recently.
    pub fn get(&self, client_id: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(id, _)| id == client_id)
            .map(|(_, message_id)| message_id.clone())
    }

    pub fn remember(&mut self, client_id: String, message_id: String) {
        if self.0.len() == REMEMBERED {
            self.0.pop_front();
        }
        self.0.push_back((client_id, message_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_latest_ids_only() {
        let mut sent = SentPrompts::default();
        for n in 0..=REMEMBERED {
            sent.remember(format!("c{n}"), format!("m{n}"));
        }
        assert_eq!(sent.get("c1").as_deref(), Some("m1"));
        assert_eq!(sent.get("c0"), None, "the oldest is forgotten");
        assert_eq!(
            sent.get(&format!("c{REMEMBERED}")),
            Some(format!("m{REMEMBERED}"))
        );
    }
}
