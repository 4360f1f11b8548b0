//! `/ws/chat/{project_id}`: the simple chat endpoint. A client sends prompts (plain text, or
//! `{"type":"prompt","content":…}`) and reads `assistant_chunk`, `usage_update` and `session_end`.
//! The connection is one conversation; closing it archives the session.

use std::future::Future;
use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{FutureExt, Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::accept::ConnectionPermit;
use super::connection::{self, Dialect, FrameRate, Heartbeat, PeerFrame, Rate, WebSocketTransport};
use super::gate::ThroughPublicUrl;
use super::routes::{AppState, http_error};
use super::upgrade::{accept, start};
use tether_engine::auth::Caller;

use tether_engine::engine::Engine;
use tether_engine::hub::{Outbound, Outbox};
use tether_engine::rpc::call;
use tether_protocol::events::{ChannelEvent, SessionEvent, SessionSummary};
use tether_protocol::methods::method;
use tether_protocol::model::SessionStatus;
use tether_protocol::params::{SendParams, SessionCreateParams, SessionParams};
use tether_protocol::{ChannelKind, ChannelName, CloseReason, ErrorCode, RpcError, SUBPROTOCOL};

pub(super) async fn handle(
    State(state): State<AppState>,
    Path(project_id): Path<String>,
    Extension(permit): Extension<ConnectionPermit>,
    Extension(caller): Extension<Caller>,
    through: Option<Extension<ThroughPublicUrl>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let (upgrade, slot) = match accept(upgrade, &state.engine, &caller) {
        Ok(accepted) => accepted,
        Err(refused) => return refused.into_response(),
    };
    if let Err(error) = state.engine.projects().get(&project_id) {
        let error = RpcError::new(
            ErrorCode::NotFound,
            format!("{error}; register the folder as a project first"),
        );
        return http_error(StatusCode::NOT_FOUND, error);
    }
    start(
        upgrade.protocols([SUBPROTOCOL]),
        state,
        permit,
        move |socket, engine, stop| {
            let through = through.map(|Extension(through)| through.0);
            let ended = chat(socket, engine, caller, through, project_id, stop);
            ended.map(move |()| drop(slot))
        },
    )
}

/// One conversation: prompts in, chunks out, until either side closes, on the same connection
/// actor as `/ws`: the frame rate (`rate_limited`, then 1008), the heartbeat (pings; 4003 when
/// the client goes silent) and the outbound queue (4002 for a client that stops reading).
fn chat(
    socket: WebSocket,
    engine: Engine,
    caller: Caller,
    through: Option<String>,
    project_id: String,
    stop: CancellationToken,
) -> impl Future<Output = ()> + Send {
    let (owner, who) = (engine.clone(), caller.clone());
    let conversation = move |outbox: &Outbox| Conversation {
        engine: owner,
        caller: who,
        outbox: outbox.clone(),
        project_id,
        session: None,
        events: None,
    };
    connection::run(
        WebSocketTransport(socket),
        engine,
        caller,
        through,
        stop,
        conversation,
    )
}

struct Conversation {
    engine: Engine,
    caller: Caller,
    outbox: Outbox,
    project_id: String,
    session: Option<String>,
    /// The session's typed events, once the first prompt started it.
    events: Option<broadcast::Receiver<Arc<ChannelEvent>>>,
}

impl Dialect for Conversation {
    /// Reads prompts until the client leaves or the connection is closed; each over the frame
    /// rate is dropped with an error frame, and too many in a row close the connection.
    async fn read<R>(&mut self, stream: &mut R, heartbeat: &Heartbeat)
    where
        R: Stream<Item = PeerFrame> + Unpin + Send,
    {
        let outbox = self.outbox.clone();
        let closer = outbox.closer().clone();
        let mut rate = FrameRate::new(&self.engine.config().limits);
        loop {
            let message = tokio::select! {
                biased;
                () = closer.closed() => return,
                event = next_event(&mut self.events) => {
                    match event {
                        Ok(event) => tell(&event, &outbox),
                        // The client missed part of the answer: like a full queue, it is cut off.
                        Err(RecvError::Lagged(_)) => closer.close(CloseReason::SlowConsumer),
                        Err(RecvError::Closed) => self.events = None,
                    }
                    continue;
                }
                message = stream.next() => message,
            };
            let Some(message) = message else { break };
            heartbeat.heard();
            let text = match message {
                PeerFrame::Text(text) => {
                    self.engine.metrics().received(text.len());
                    Some(text)
                }
                PeerFrame::Binary(size) => {
                    self.engine.metrics().received(size);
                    None
                }
                PeerFrame::Heartbeat => continue,
                PeerFrame::Close => break,
                // A broken transport ends the conversation as a goodbye would.
                PeerFrame::Broken(_) => break,
            };
            let failures = match (rate.check(), text) {
                (Rate::Abusive, _) => {
                    closer.close(CloseReason::PolicyViolation);
                    return;
                }
                (Rate::Over, _) => vec![error("too many messages: this one was dropped")],
                (Rate::Within, None) => vec![error("send prompts as text")],
                (Rate::Within, Some(text)) => self.prompt(&text).await,
            };
            for failure in failures {
                outbox.reply(failure.to_string().into()).await;
            }
        }
        closer.close(CloseReason::Normal);
    }

    /// Archives the session when the client leaves.
    async fn end(&mut self) {
        self.events = None;
        let Some(id) = &self.session else { return };
        let params = SessionParams {
            session_id: id.clone(),
        };
        let _ = call::<method::SessionsArchive>(&self.engine, &self.caller, params).await;
    }
}

impl Conversation {
    /// Sends a prompt, starting the session on the first one; answers with error frames only.
    async fn prompt(&mut self, text: &str) -> Vec<Value> {
        let prompt = match serde_json::from_str::<Value>(text) {
            Ok(frame) if frame["type"] == "prompt" => {
                frame["content"].as_str().unwrap_or_default().to_owned()
            }
            Ok(frame) if frame.is_object() => {
                return vec![error(
                    r#"send a prompt as text or {"type":"prompt","content":"…"}"#,
                )];
            }
            _ => text.to_owned(),
        };
        let session_id = match &self.session {
            Some(id) => id.clone(),
            None => match self.start().await {
                Ok(id) => id,
                Err(failure) => return vec![failure],
            },
        };
        let params = SendParams {
            session_id,
            text: prompt,
            client_id: None,
            images: Vec::new(),
        };
        let sent = call::<method::MessagesSend>(&self.engine, &self.caller, params).await;
        sent.err()
            .map(|failure| error(&failure.message))
            .into_iter()
            .collect()
    }

    async fn start(&mut self) -> Result<String, Value> {
        let params = SessionCreateParams {
            machine: None,
            project_id: self.project_id.clone(),
            model: None,
            permission_mode: None,
        };
        let created = call::<method::SessionsCreate>(&self.engine, &self.caller, params).await;
        let id = created.map_err(|failure| error(&failure.message))?.id;
        let channel = ChannelName::new(ChannelKind::Session, &id)
            .ok_or_else(|| error("the session id is malformed"))?;
        self.events = Some(self.engine.hub().watch(&channel));
        self.session = Some(id.clone());
        Ok(id)
    }
}

/// The session's next typed event, or never when there is no session yet.
async fn next_event(
    events: &mut Option<broadcast::Receiver<Arc<ChannelEvent>>>,
) -> Result<Arc<ChannelEvent>, RecvError> {
    match events {
        Some(events) => events.recv().await,
        None => std::future::pending().await,
    }
}

/// Queues the simple frame for a session event, if it has one. A client that does not keep up
/// is cut off by the queue's bounds, as on `/ws`.
fn tell(event: &ChannelEvent, outbox: &Outbox) {
    if let ChannelEvent::Session(event) = event
        && let Some(frame) = simple(event)
    {
        outbox.push(Outbound::Frame(frame.to_string().into()));
    }
}

/// The simple frame for a session event, if it has one.
fn simple(event: &SessionEvent) -> Option<Value> {
    match event {
        SessionEvent::PartDelta(delta) => {
            Some(json!({ "type": "assistant_chunk", "content": delta.text }))
        }
        SessionEvent::UsageUpdated(usage) => Some(json!({
            "type": "usage_update",
            "usage": usage.usage,
            "total_cost_usd": usage.total_cost_usd,
        })),
        SessionEvent::SessionUpdated(SessionSummary { session }) => {
            let turn_over = matches!(
                session.status,
                SessionStatus::Idle | SessionStatus::Errored | SessionStatus::Interrupted
            );
            turn_over.then(|| {
                json!({
                    "type": "session_end",
                    "status": session.status,
                    "total_cost_usd": session.total_cost_usd,
                    "usage_summary": session.usage,
                    "error": session.last_error,
                })
            })
        }
        _ => None,
    }
}

fn error(message: &str) -> Value {
    json!({ "type": "error", "message": message })
}
