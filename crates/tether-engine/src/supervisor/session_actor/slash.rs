//! The session's slash commands: known once its `claude` has answered `initialize`. Asking
//! before then starts it (whoever opens the menu is about to send a prompt) and waits for
//! the answer.

use crate::supervisor::handle::{Reply, SessionError};
use tether_protocol::model::SlashCommand;

/// Askers one session keeps waiting at once; more are told to try again.
const MOST_WAITING: usize = 32;

#[derive(Default)]
pub(super) struct SlashMenu {
    known: Option<Vec<SlashCommand>>,
    waiting: Vec<Reply<Vec<SlashCommand>>>,
}

impl SlashMenu {
    /// Answers at once when the commands are known; otherwise keeps `reply` and returns
    /// true: the caller starts `claude`, whose answer will come to [`Self::answered`].
    pub fn ask(&mut self, reply: Reply<Vec<SlashCommand>>) -> bool {
        if let Some(known) = &self.known {
            let _ = reply.send(Ok(known.clone()));
            return false;
        }
        if self.waiting.len() == MOST_WAITING {
            let _ = reply.send(Err(SessionError::Nothing(
                "list commands: too many asked at once",
            )));
            return false;
        }
        self.waiting.push(reply);
        true
    }

    pub fn answered(&mut self, commands: Vec<SlashCommand>) {
        for reply in self.waiting.drain(..) {
            let _ = reply.send(Ok(commands.clone()));
        }
        self.known = Some(commands);
    }

    /// `claude` could not start, or stopped before it answered.
    pub fn failed(&mut self, why: &str) {
        for reply in self.waiting.drain(..) {
            let _ = reply.send(Err(SessionError::Spawn(why.to_owned())));
        }
    }
}
