//! Setting changes sent to a running `claude`, each waiting for its answer until a deadline:
//! a `claude` that never answers cannot hold a request up for ever (and the list, which
//! only changes past their deadline leave, cannot grow for ever either). Refused and
//! unanswered changes put the old value back.

use std::collections::HashMap;

use serde_json::Value;
use tokio::time::Instant;

use super::super::handle::{Reply, SessionError};
use super::Actor;

/// A setting's value before a change, put back if the child refuses or never answers.
pub(in crate::supervisor) enum Setting {
    Model(Option<String>),
    PermissionMode(String),
}

/// One change waiting for the child's answer.
pub(super) struct Change {
    pub undo: Setting,
    pub reply: Reply<()>,
    deadline: Instant,
}

/// The changes waiting, by control request id.
#[derive(Default)]
pub(super) struct Changes(HashMap<String, Change>);

impl Changes {
    /// Waits for the answer to `request_id` until `deadline`.
    pub fn wait(&mut self, request_id: String, undo: Setting, reply: Reply<()>, deadline: Instant) {
        let change = Change {
            undo,
            reply,
            deadline,
        };
        self.0.insert(request_id, change);
    }

    /// The change `request_id` answered, if one waits for it.
    pub fn answered(&mut self, request_id: &str) -> Option<Change> {
        self.0.remove(request_id)
    }

    /// When the next change runs out of time, if any waits.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.0.values().map(|change| change.deadline).min()
    }

    /// The changes whose time ran out by `now`, taken off the list.
    pub fn overdue(&mut self, now: Instant) -> Vec<Change> {
        let late: Vec<String> = self
            .0
            .iter()
            .filter(|(_, change)| change.deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        late.iter().filter_map(|id| self.0.remove(id)).collect()
    }

    /// Every change still waiting, taken off the list.
    pub fn drain(&mut self) -> impl Iterator<Item = Change> + '_ {
        self.0.drain().map(|(_, change)| change)
    }
}

impl Actor {
    /// Settles a setting change the child answered.
    pub(super) fn answered(&mut self, request_id: &str, outcome: &Result<Value, String>) {
        let Some(change) = self.awaiting.answered(request_id) else {
            return;
        };
        let result = match outcome {
            Ok(_) => Ok(()),
            Err(error) => {
                self.undo(change.undo);
                Err(SessionError::Refused(error.clone()))
            }
        };
        let _ = change.reply.send(result);
    }

    /// Changes the child left unanswered past their deadline: the old value is kept.
    pub(super) fn unanswered(&mut self) {
        let waited = self.settings.answer_timeout;
        for change in self.awaiting.overdue(Instant::now()) {
            self.undo(change.undo);
            let _ = change.reply.send(Err(SessionError::NoAnswer(waited)));
        }
    }

    /// Puts a setting back as it was before a change, and says so.
    fn undo(&mut self, setting: Setting) {
        let events = match setting {
            Setting::Model(model) => self.reducer.set_model(model),
            Setting::PermissionMode(mode) => self.reducer.set_permission_mode(mode),
        };
        self.publish(events);
    }

    /// Changes still waiting when the child goes away apply to the next one.
    pub(super) fn settle_awaiting(&mut self) {
        for change in self.awaiting.drain() {
            let _ = change.reply.send(Ok(()));
        }
    }
}

/// Sleeps until `deadline`, or for ever without one.
pub(super) async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
