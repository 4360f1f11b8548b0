//! Every session of the engine: creating them (one actor each), finding them, stopping them all.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::Rng;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::handle::SessionHandle;
use super::session_actor::Actor;
use super::session_reducer::SessionReducer;
use crate::engine::Engine;
use tether_protocol::model::{Origin, SessionInfo, SessionStatus};
use tether_store::{Row, SessionRecord};

/// Commands queued for one actor before senders wait.
const COMMAND_QUEUE: usize = 32;

/// What a new session starts with.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub project_id: String,
    pub cwd: PathBuf,
    pub model: Option<String>,
    pub permission_mode: String,
    /// The Claude Code session it carries on, if any.
    pub origin: Option<Origin>,
    /// The machine it runs on; none for this computer.
    pub machine: Option<String>,
}

#[derive(Default)]
pub struct Sessions {
    handles: Mutex<HashMap<String, SessionHandle>>,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl Sessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, SessionHandle>> {
        // Handles are inserted and removed whole: a poisoned map is still consistent.
        self.handles.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates a session and starts its actor (its `claude` starts with the first message).
    pub fn create(&self, engine: &Engine, new: NewSession) -> SessionHandle {
        let id = format!("{:016x}", rand::rng().random::<u64>());
        let mut info = SessionInfo::new(
            id,
            new.project_id,
            new.model,
            new.permission_mode,
            tether_protocol::clock::unix_now(),
        );
        info.claude_session_id = new
            .origin
            .as_ref()
            .map(|origin| origin.transcript_id.clone());
        info.origin = new.origin;
        info.machine = new.machine;
        engine.store().save(Row::Session(Box::new(SessionRecord {
            info: info.clone(),
            todos: Vec::new(),
        })));
        self.start(engine, new.cwd, SessionReducer::new(info))
    }

    /// Starts the actor of a session and registers its handle.
    fn start(&self, engine: &Engine, cwd: PathBuf, reducer: SessionReducer) -> SessionHandle {
        let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
        let (watch_tx, watch_rx) = watch::channel(reducer.info().clone());
        let handle = SessionHandle::new(tx, watch_rx);
        let id = reducer.info().id.clone();
        let mut actor = Actor::new(engine.clone(), cwd, reducer, watch_tx);
        actor.settle_cut_turn();
        self.tasks.spawn(actor.run(rx, self.stop.child_token()));
        self.lock().insert(id, handle.clone());
        handle
    }

    /// Brings back the sessions an earlier run saved. Open ones get an actor again; a turn that
    /// was under way is marked interrupted (an event in the session's log, published before
    /// anyone is served), and the next message resumes the conversation (`--resume`). Archived
    /// ones are listed, their history read from the store.
    pub fn restore(&self, engine: &Engine, records: Vec<SessionRecord>) {
        for record in records {
            let info = &record.info;
            if info.status == SessionStatus::Ended {
                let handle = SessionHandle::ended(info.clone());
                self.lock().insert(info.id.clone(), handle);
                continue;
            }
            let cwd = engine
                .projects()
                .get(&info.project_id)
                .map(|project| project.path)
                .unwrap_or_default();
            let store = engine.store();
            let messages = store.loaded("messages", store.messages(&info.id));
            self.start(engine, cwd, SessionReducer::restore(record, messages));
        }
    }

    /// Forgets an archived session (its saved rows and log are removed by the caller).
    pub fn forget(&self, id: &str) -> Option<SessionHandle> {
        self.lock().remove(id)
    }

    pub fn get(&self, id: &str) -> Option<SessionHandle> {
        self.lock().get(id).cloned()
    }

    /// Every session's summary, newest first.
    pub fn list(&self) -> Vec<SessionInfo> {
        let mut all: Vec<SessionInfo> = self.lock().values().map(SessionHandle::info).collect();
        all.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        all
    }

    /// Stops every session's `claude` and waits for all of them.
    pub async fn shutdown(&self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
