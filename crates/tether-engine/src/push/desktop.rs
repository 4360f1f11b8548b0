//! What the desktop's own notifications tell of: every kind until its user chooses, then the
//! saved choice (kept in the store, so it outlives a restart).

use std::sync::{Mutex, PoisonError};

use tether_protocol::push::NotifyKind;
use tether_store::{Row, Store};

/// The store's key for the saved choice.
const SAVED: &str = "desktop_notify_kinds";

pub struct DesktopKinds {
    kinds: Mutex<Vec<NotifyKind>>,
    store: Store,
}

impl DesktopKinds {
    /// The saved choice, or every kind.
    pub fn load(store: Store) -> Self {
        let saved = store
            .loaded("the desktop's notification kinds", store.setting(SAVED))
            .and_then(|text| serde_json::from_str::<Vec<NotifyKind>>(&text).ok());
        Self {
            kinds: Mutex::new(saved.unwrap_or_else(|| NotifyKind::ALL.to_vec())),
            store,
        }
    }

    pub fn get(&self) -> Vec<NotifyKind> {
        self.kinds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts `kinds` (none: only archived sessions are told) in force and saves them; answers
    /// them in order, each once.
    pub fn set(&self, kinds: Vec<NotifyKind>) -> Vec<NotifyKind> {
        let kinds = NotifyKind::in_order(kinds);
        let mut current = self.kinds.lock().unwrap_or_else(PoisonError::into_inner);
        if let Ok(value) = serde_json::to_string(&kinds) {
            self.store.save(Row::Setting {
                key: SAVED.to_owned(),
                value: Some(value),
            });
        }
        current.clone_from(&kinds);
        kinds
    }
}
