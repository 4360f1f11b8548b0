//! Follows the account channel's session moves and queues a push for every subscription whose
//! device chose that kind; it never waits on delivery, and ends with the engine.

use std::collections::HashMap;

use tokio::sync::broadcast::error::RecvError;

use super::delivery::{self, Job};
use super::moments::{Payload, kind_of};
use crate::engine::{Engine, WeakEngine};
use tether_protocol::events::{AccountEvent, ChannelEvent, SessionSummary};
use tether_protocol::model::SessionStatus;

/// Starts following; pushes go out on `client`.
pub fn start(engine: &Engine, client: reqwest::Client) {
    let outbox = delivery::start(engine.downgrade(), client);
    let events = engine.hub().watch(&Engine::user_channel());
    tokio::spawn(follow(engine.downgrade(), events, outbox));
}

async fn follow(
    engine: WeakEngine,
    mut events: tokio::sync::broadcast::Receiver<std::sync::Arc<ChannelEvent>>,
    outbox: delivery::Outbox,
) {
    let mut statuses = known_statuses(&engine);
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(_)) => {
                statuses = known_statuses(&engine);
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let ChannelEvent::Account(
            AccountEvent::SessionCreated(SessionSummary { session })
            | AccountEvent::SessionUpdated(SessionSummary { session })
            | AccountEvent::SessionEnded(SessionSummary { session }),
        ) = &*event
        else {
            continue;
        };
        let before = statuses.insert(session.id.clone(), session.status);
        if session.status == SessionStatus::Ended {
            statuses.remove(&session.id);
        }
        let Some(kind) = kind_of(before, session.status) else {
            continue;
        };
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let project = engine
            .projects()
            .get(&session.project_id)
            .map_or_else(|_| "a project".to_owned(), |project| project.name);
        let payload = Payload::new(kind, &session.id, &project);
        let Ok(payload) = serde_json::to_vec(&payload) else {
            continue;
        };
        for subscription in engine.push().choosing(kind) {
            let job = Job {
                subscription,
                session_id: session.id.clone(),
                kind,
                payload: payload.clone(),
            };
            if !outbox.send(job) {
                engine.metrics().pushes_failed.add(1);
            }
        }
    }
}

/// Every open session's status now (bounded by the sessions open).
fn known_statuses(engine: &WeakEngine) -> HashMap<String, SessionStatus> {
    let Some(engine) = engine.upgrade() else {
        return HashMap::new();
    };
    let sessions = engine.sessions().list();
    sessions
        .into_iter()
        .map(|session| (session.id, session.status))
        .collect()
}
