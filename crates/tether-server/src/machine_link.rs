//! `GET /ws/machine`: the link of a machine running `tether agent`, signed in with its own
//! token. One link per machine. The agent may only say who it is, report its runs' output
//! and answer the hub's questions: any other frame is answered with `forbidden`, and repeated
//! abuse closes the link.
//! It shares the heartbeat, frame rate, frame size and queue limits of every connection.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::{FutureExt, Stream, StreamExt};

use super::accept::ConnectionPermit;
use super::connection::{self, Dialect, FrameRate, Heartbeat, PeerFrame, Rate, WebSocketTransport};
use super::routes::{AppState, Refusal, http_error};
use super::upgrade::{accept, start};
use tether_engine::auth::Caller;
use tether_engine::engine::Engine;
use tether_engine::hub::{Outbound, Outbox};
use tether_engine::machines::{LinkError, MachineLink};
use tether_protocol::machine::{
    AGENT_FRAME_TYPES, AgentFrame, HubFrame, INSTANCE_HEADER, frame_type,
};
use tether_protocol::{CloseReason, DeviceId, ErrorCode, RpcError};

/// Refused frames in a row a link may send before it is closed.
const MAX_REFUSALS: u32 = 8;

pub(super) async fn handle(
    State(state): State<AppState>,
    Extension(permit): Extension<ConnectionPermit>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Caller::Machine { id, .. } = &caller else {
        // The credentials guard lets only machines through to this route.
        return http_error(
            StatusCode::FORBIDDEN,
            RpcError::new(ErrorCode::Forbidden, "machines only"),
        );
    };
    let id = id.clone();
    let Some(instance) = (headers.get(INSTANCE_HEADER))
        .and_then(|value| value.to_str().ok())
        .filter(|value| (1..=64).contains(&value.len()))
        .map(str::to_owned)
    else {
        let why = format!("an agent names itself in the {INSTANCE_HEADER} header");
        return http_error(
            StatusCode::BAD_REQUEST,
            RpcError::new(ErrorCode::InvalidFrame, why),
        );
    };
    if state.engine.machines().is_taken(id.as_str(), &instance) {
        let error = LinkError::AlreadyConnected(id.to_string());
        return http_error(
            StatusCode::CONFLICT,
            RpcError::new(ErrorCode::Conflict, error.to_string()),
        );
    }
    let (upgrade, slot) = match accept(upgrade, &state.engine, &caller) {
        Ok(accepted) => accepted,
        Err(Refusal { status, error }) => return http_error(status, error),
    };
    start(upgrade, state, permit, move |socket, engine, stop| {
        let owner = engine.clone();
        let dialect = move |outbox: &Outbox| Link::open(owner, &id, &instance, outbox);
        let socket = WebSocketTransport(socket);
        connection::run(socket, engine, caller, None, stop, dialect).map(move |()| drop(slot))
    })
}

/// The hub's side of one machine link.
struct Link {
    engine: Engine,
    outbox: Outbox,
    /// `None` when another link of the same machine won the race to register.
    link: Option<MachineLink>,
    refusals: u32,
}

impl Link {
    fn open(engine: Engine, id: &DeviceId, instance: &str, outbox: &Outbox) -> Self {
        let link = match MachineLink::open(&engine, id, instance, outbox) {
            Ok(link) => Some(link),
            Err(error) => {
                tracing::warn!(machine = %id, %error, "a second link of a machine was refused");
                refuse(
                    outbox,
                    RpcError::new(ErrorCode::Conflict, error.to_string()),
                );
                None
            }
        };
        Self {
            engine,
            outbox: outbox.clone(),
            link,
            refusals: 0,
        }
    }

    /// Answers a frame with `error`; false once the link has been refused too often.
    fn refused(&mut self, error: RpcError) -> bool {
        refuse(&self.outbox, error);
        self.refusals += 1;
        self.refusals < MAX_REFUSALS
    }

    /// Handles one text frame; false when the link must close.
    async fn text(&mut self, text: &str) -> bool {
        let Some(link) = self.link.as_mut() else {
            return false;
        };
        match AgentFrame::decode(text) {
            Ok(frame) => match link.received(frame).await {
                Ok(()) => {
                    // Abuse is counted in a row: a good frame starts the count again.
                    self.refusals = 0;
                    true
                }
                Err(error) => {
                    self.refused(RpcError::new(ErrorCode::InvalidFrame, error.to_string()))
                }
            },
            Err(why) => {
                let error = match frame_type(text) {
                    Some(kind) if !AGENT_FRAME_TYPES.contains(&kind.as_str()) => RpcError::new(
                        ErrorCode::Forbidden,
                        format!(
                            "a machine may not send {kind:?} frames: only {}",
                            AGENT_FRAME_TYPES.join(", ")
                        ),
                    ),
                    _ => RpcError::new(
                        ErrorCode::InvalidFrame,
                        format!("not a machine frame: {why}"),
                    ),
                };
                tracing::warn!(error = %error.message, "a machine sent a frame it may not");
                self.refused(error)
            }
        }
    }
}

impl Dialect for Link {
    async fn read<R>(&mut self, stream: &mut R, heartbeat: &Heartbeat)
    where
        R: Stream<Item = PeerFrame> + Unpin + Send,
    {
        let closer = self.outbox.closer().clone();
        if self.link.is_none() {
            closer.close(CloseReason::PolicyViolation);
            return;
        }
        let mut rate = FrameRate::for_machine(&self.engine.config().limits);
        loop {
            let message = tokio::select! {
                biased;
                () = closer.closed() => return,
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
                PeerFrame::Broken(reason) => {
                    closer.close(reason);
                    return;
                }
            };
            let keep = match (rate.check(), text) {
                (Rate::Abusive, _) => false,
                (Rate::Over, _) => self.refused(RpcError::new(
                    ErrorCode::RateLimited,
                    "too many frames; this one was dropped",
                )),
                (Rate::Within, None) => self.refused(RpcError::new(
                    ErrorCode::UnsupportedFrame,
                    "binary frames are not part of the link; send JSON text",
                )),
                (Rate::Within, Some(text)) => Box::pin(self.text(&text)).await,
            };
            if !keep {
                closer.close(CloseReason::PolicyViolation);
                return;
            }
        }
        closer.close(CloseReason::Normal);
    }

    async fn end(&mut self) {
        self.link = None;
    }
}

fn refuse(outbox: &Outbox, error: RpcError) {
    outbox.push(Outbound::Frame(HubFrame::Refused { error }.encode()));
}
