//! The reading half: decodes each frame, answers requests, joins and leaves channels.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::ws::Message;
use futures_util::{Stream, StreamExt};
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::error::ProtocolError;

use super::heartbeat::Heartbeat;
use super::rate::{FrameRate, Rate};
use crate::auth::{Caller, parse_channel, readable_channel};
use crate::config::Limits;
use crate::engine::Engine;
use crate::hub::{Join, Outbox};
use crate::protocol::{
    ChannelName, ClientFrame, CloseReason, ErrorCode, Position, RequestId, RpcError, ServerFrame,
    decode, encode,
};

pub(super) struct Peer {
    engine: Engine,
    caller: Caller,
    outbox: Outbox,
    channels: BTreeSet<ChannelName>,
    rate: FrameRate,
    max_subscriptions: usize,
}

impl Peer {
    pub fn new(engine: Engine, caller: Caller, outbox: Outbox, limits: &Limits) -> Self {
        Self {
            engine,
            caller,
            outbox,
            channels: BTreeSet::new(),
            rate: FrameRate::new(limits),
            max_subscriptions: limits.max_subscriptions,
        }
    }

    /// Reads frames until the peer leaves, breaks the protocol, or the connection is closed.
    pub async fn read<R>(&mut self, mut stream: R, heartbeat: &Heartbeat)
    where
        R: Stream<Item = Result<Message, axum::Error>> + Unpin,
    {
        let closer = self.outbox.closer().clone();
        loop {
            let message = tokio::select! {
                biased;
                () = closer.closed() => return,
                message = stream.next() => message,
            };
            let Some(message) = message else { break };
            heartbeat.heard();
            let message = match message {
                Ok(message) => message,
                Err(error) => {
                    closer.close(close_reason_for(error));
                    return;
                }
            };
            if matches!(message, Message::Close(_)) {
                break;
            }
            let size = match &message {
                Message::Text(text) => Some(text.len()),
                Message::Binary(bytes) => Some(bytes.len()),
                Message::Ping(_) | Message::Pong(_) | Message::Close(_) => None,
            };
            if let Some(size) = size {
                self.engine.metrics().received(size);
            }
            match self.rate.check() {
                Rate::Within => {}
                Rate::Over => {
                    let error = RpcError::new(
                        ErrorCode::RateLimited,
                        "too many frames; this one was dropped",
                    );
                    // Boxed like `handle` below: inline, its room would be part of every idle
                    // connection.
                    Box::pin(self.answer(ServerFrame::error(None, error))).await;
                    continue;
                }
                Rate::Abusive => {
                    closer.close(CloseReason::PolicyViolation);
                    return;
                }
            }
            match message {
                // Boxed while it runs: inline, the room for any request's work (the largest
                // future a connection runs) would be part of every idle connection.
                Message::Text(text) => Box::pin(self.handle(&text)).await,
                Message::Binary(_) => {
                    let error = RpcError::new(
                        ErrorCode::UnsupportedFrame,
                        "binary frames are not part of the protocol; send JSON text",
                    );
                    Box::pin(self.answer(ServerFrame::error(None, error))).await;
                }
                Message::Ping(_) | Message::Pong(_) | Message::Close(_) => {}
            }
        }
        closer.close(CloseReason::Normal);
    }

    async fn handle(&mut self, text: &str) {
        let frame = match decode(text) {
            Ok(frame) => frame,
            Err(invalid) => {
                return self
                    .answer(ServerFrame::error(invalid.id, invalid.error))
                    .await;
            }
        };
        match frame {
            ClientFrame::Request { id, method, params } => {
                let dispatched = tokio::select! {
                    result = self.engine.dispatch(&self.caller, &method, params) => result,
                    // Nobody is left to read the answer; shutdown must not wait for it.
                    () = self.outbox.closer().closed() => return,
                };
                let frame = match dispatched {
                    Ok(result) => ServerFrame::result(id, result),
                    Err(error) => ServerFrame::error(Some(id), error),
                };
                self.answer(frame).await;
            }
            ClientFrame::Subscribe {
                id,
                channels,
                since,
            } => {
                if let Err(error) = self.subscribe(id.clone(), &channels, since.unwrap_or_default())
                {
                    self.answer(ServerFrame::error(id, error)).await;
                }
            }
            ClientFrame::Unsubscribe { id, channels } => {
                let frame = match self.unsubscribe(&channels) {
                    Ok(channels) => ServerFrame::Unsubscribed { id, channels },
                    Err(error) => ServerFrame::error(id, error),
                };
                self.answer(frame).await;
            }
            ClientFrame::Ping => self.answer(ServerFrame::Pong).await,
        }
    }

    async fn answer(&self, frame: ServerFrame) {
        self.outbox.reply(encode(&frame)).await;
    }

    /// Validates and authorizes every channel, then joins them all at once (or none).
    fn subscribe(
        &mut self,
        id: Option<RequestId>,
        names: &[String],
        mut since: BTreeMap<String, Position>,
    ) -> Result<(), RpcError> {
        let channels = self.authorized(names)?;
        if let Some(stray) = since.keys().find(|name| !names.contains(name)) {
            return Err(RpcError::new(
                ErrorCode::InvalidChannel,
                format!("`since` names {stray:?}, which is not in `channels`"),
            ));
        }
        let total = self.channels.union(&channels).count();
        if total > self.max_subscriptions {
            return Err(RpcError::new(
                ErrorCode::TooManySubscriptions,
                format!("at most {} channels per connection", self.max_subscriptions),
            ));
        }
        let joins: Vec<Join> = channels
            .iter()
            .map(|channel| Join {
                since: since.remove(channel.as_str()),
                channel: channel.clone(),
            })
            .collect();
        if self.engine.hub().subscribe(&self.outbox, id, &joins) {
            self.channels.extend(channels);
        }
        Ok(())
    }

    fn unsubscribe(&mut self, names: &[String]) -> Result<Vec<String>, RpcError> {
        let channels = parse_all(names)?;
        self.engine.hub().unsubscribe(self.outbox.id(), &channels);
        self.channels.retain(|channel| !channels.contains(channel));
        Ok(channels.iter().map(ToString::to_string).collect())
    }

    /// Parses the names and checks this caller may read each channel.
    fn authorized(&self, names: &[String]) -> Result<BTreeSet<ChannelName>, RpcError> {
        names.iter().map(|name| readable_channel(name)).collect()
    }

    /// Leaves every channel; called once the connection has ended.
    pub fn leave_all(&mut self) {
        self.engine
            .hub()
            .unsubscribe(self.outbox.id(), &self.channels);
        self.channels.clear();
    }
}

fn parse_all(names: &[String]) -> Result<BTreeSet<ChannelName>, RpcError> {
    names.iter().map(|name| parse_channel(name)).collect()
}

/// Maps a read error to the close code the peer deserves.
fn close_reason_for(error: axum::Error) -> CloseReason {
    let inner = error.into_inner();
    match inner.downcast_ref::<WsError>() {
        Some(WsError::Capacity(_)) => CloseReason::MessageTooBig,
        Some(WsError::Utf8(_)) => CloseReason::InvalidPayload,
        // A peer that vanished without a close frame broke nothing worth reporting.
        Some(WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => CloseReason::Normal,
        Some(WsError::Protocol(_)) => CloseReason::ProtocolError,
        _ => CloseReason::Normal,
    }
}
