//! Every live WebSocket connection, so a revoked token's connections can be closed at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::auth::{Caller, TokenId};
use crate::hub::Closer;
use crate::protocol::CloseReason;

struct Live {
    caller: Caller,
    closer: Closer,
}

/// The registry of live connections.
#[derive(Default)]
pub struct Connections {
    next_id: AtomicU64,
    live: Arc<Mutex<HashMap<u64, Live>>>,
}

/// A connection's place in the registry; leaving drops it from the registry.
pub struct Registration {
    id: u64,
    live: Arc<Mutex<HashMap<u64, Live>>>,
}

impl Registration {
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.live).remove(&self.id);
    }
}

fn lock(live: &Mutex<HashMap<u64, Live>>) -> MutexGuard<'_, HashMap<u64, Live>> {
    // Entries are inserted and removed whole, so a poisoned map is still consistent.
    live.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Connections {
    /// Registers a connection and gives it a fresh id.
    pub fn register(&self, caller: Caller, closer: Closer) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        lock(&self.live).insert(id, Live { caller, closer });
        Registration {
            id,
            live: Arc::clone(&self.live),
        }
    }

    /// Closes every connection made with `token`; returns how many there were.
    pub fn close_token(&self, token: &TokenId, reason: CloseReason) -> usize {
        let live = lock(&self.live);
        let matching = live
            .values()
            .filter(|conn| conn.caller.token_id() == Some(token));
        matching.map(|conn| conn.closer.close(reason)).count()
    }

    pub fn count(&self) -> usize {
        lock(&self.live).len()
    }

    /// Live connections per token id.
    pub fn count_for(&self, token: &TokenId) -> usize {
        lock(&self.live)
            .values()
            .filter(|conn| conn.caller.token_id() == Some(token))
            .count()
    }
}
