//! Follows the account channel's session moves and queues a push for every subscription whose
//! device chose that kind, and publishes them to ntfy when a topic is set; it never waits on
//! delivery, and ends with the engine.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::sync::broadcast::error::RecvError;

use super::answers::Answerable;
use super::delivery::{self, Job};
use super::moments::{ApprovalAnswer, Payload, kind_of};
use super::ntfy;
use crate::auth::Caller;
use crate::engine::{Engine, WeakEngine};
use crate::rpc::call;
use tether_protocol::DeviceId;
use tether_protocol::events::{AccountEvent, ChannelEvent, SessionSummary};
use tether_protocol::methods::method;
use tether_protocol::model::SessionStatus;
use tether_protocol::params::SessionParams;
use tether_protocol::push::NotifyKind;

/// ntfy publishes under way, at most; past it one is dropped and counted.
const NTFY_AT_ONCE: usize = 4;

/// Starts following; pushes go out on `client`.
pub fn start(engine: &Engine, client: reqwest::Client) {
    let outbox = delivery::start(engine.downgrade(), client.clone());
    engine.push().deliver_to(outbox.clone(), client.clone());
    let events = engine.hub().watch(&Engine::user_channel());
    let ntfy = Ntfy {
        client,
        at_once: Arc::new(Semaphore::new(NTFY_AT_ONCE)),
    };
    tokio::spawn(follow(engine.downgrade(), events, outbox, ntfy));
}

/// Publishing to ntfy, bounded.
struct Ntfy {
    client: reqwest::Client,
    at_once: Arc<Semaphore>,
}

impl Ntfy {
    /// Publishes `payload` to the configured topic, if any and if it chose its kind, without
    /// waiting.
    async fn publish(&self, engine: &Engine, payload: &Payload) {
        if !engine.config().push.ntfy_kinds.contains(&payload.kind) {
            return;
        }
        let Ok(topic) = ntfy::Topic::configured(engine).await else {
            return;
        };
        let Ok(permit) = Arc::clone(&self.at_once).try_acquire_owned() else {
            engine.metrics().pushes_failed.add(1);
            return;
        };
        let click = ntfy::click(engine, &payload.session_id);
        let (client, payload, weak) = (self.client.clone(), payload.clone(), engine.downgrade());
        tokio::spawn(async move {
            let sent = ntfy::publish(&client, &topic, &payload, click.as_deref()).await;
            if let Some(engine) = weak.upgrade() {
                let counter = match sent {
                    Ok(()) => &engine.metrics().pushes_sent,
                    Err(error) => {
                        tracing::warn!(%error, "a notification did not reach ntfy");
                        &engine.metrics().pushes_failed
                    }
                };
                counter.add(1);
            }
            drop(permit);
        });
    }
}

async fn follow(
    engine: WeakEngine,
    mut events: tokio::sync::broadcast::Receiver<std::sync::Arc<ChannelEvent>>,
    outbox: delivery::Outbox,
    ntfy: Ntfy,
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
        let waiting = match kind {
            NotifyKind::Approval => newest_approval(&engine, &session.id).await,
            _ => None,
        };
        let mut minted: HashMap<DeviceId, String> = HashMap::new();
        for subscription in engine.push().choosing(kind) {
            let mut payload = payload.clone();
            if let Some(request_id) = &waiting {
                let device = subscription.device_id.clone();
                let credential = minted.entry(device.clone()).or_insert_with(|| {
                    engine.push().answers().mint(Answerable {
                        device,
                        session_id: session.id.clone(),
                        request_id: request_id.clone(),
                    })
                });
                payload.approval = Some(ApprovalAnswer {
                    request_id: request_id.clone(),
                    credential: credential.clone(),
                });
            }
            let Ok(payload) = serde_json::to_vec(&payload) else {
                continue;
            };
            let job = Job {
                subscription,
                session_id: session.id.clone(),
                kind,
                request_id: waiting.clone(),
                payload,
            };
            if !outbox.send(job) {
                engine.metrics().pushes_failed.add(1);
            }
        }
        ntfy.publish(&engine, &payload).await;
    }
}

/// The approval a session waits for, the newest when several do.
async fn newest_approval(engine: &Engine, session_id: &str) -> Option<String> {
    let params = SessionParams {
        session_id: session_id.to_owned(),
    };
    let waiting = call::<method::ToolsList>(engine, &Caller::Local, params)
        .await
        .ok()?;
    waiting.last().map(|approval| approval.request_id.clone())
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
