//! What a connection exchanges with its peer, whatever carries it: a WebSocket, or the desktop
//! window's in-process link. The connection reads [`PeerFrame`]s and writes
//! [`ServerMessage`]s; each transport maps its own frames and errors to these.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{Sink, Stream};
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::error::ProtocolError;

use tether_protocol::{CloseReason, FrameText};

/// What the peer sent.
#[derive(Debug)]
pub enum PeerFrame {
    /// A text frame: JSON, or a chat prompt.
    Text(String),
    /// A binary frame of this many bytes (no endpoint takes binary).
    Binary(usize),
    /// A ping or a pong: the peer is alive.
    Heartbeat,
    /// The peer said goodbye.
    Close,
    /// The peer broke the transport's rules; the connection closes for this reason.
    Broken(CloseReason),
}

/// What the server sends.
#[derive(Debug)]
pub enum ServerMessage {
    Text(FrameText),
    /// Are you there? (A transport whose peer shares the process answers it itself.)
    Ping,
    /// Goodbye, with why.
    Close(CloseReason),
}

/// The peer can no longer be written to.
#[derive(Debug, thiserror::Error)]
#[error("the peer is gone")]
pub struct PeerGone;

/// A connection's transport: the peer's frames in, the server's messages out.
pub trait Transport:
    Stream<Item = PeerFrame> + Sink<ServerMessage, Error = PeerGone> + Send + Unpin + 'static
{
}

impl<T> Transport for T where
    T: Stream<Item = PeerFrame> + Sink<ServerMessage, Error = PeerGone> + Send + Unpin + 'static
{
}

/// A WebSocket as a transport.
pub struct WebSocketTransport(pub WebSocket);

impl Stream for WebSocketTransport {
    type Item = PeerFrame;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<PeerFrame>> {
        Pin::new(&mut self.0).poll_next(context).map(|read| {
            read.map(|message| match message {
                Ok(Message::Text(text)) => PeerFrame::Text(text.as_str().to_owned()),
                Ok(Message::Binary(bytes)) => PeerFrame::Binary(bytes.len()),
                Ok(Message::Ping(_) | Message::Pong(_)) => PeerFrame::Heartbeat,
                Ok(Message::Close(_)) => PeerFrame::Close,
                Err(error) => PeerFrame::Broken(close_reason_for(error)),
            })
        })
    }
}

impl Sink<ServerMessage> for WebSocketTransport {
    type Error = PeerGone;

    fn poll_ready(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Result<(), PeerGone>> {
        Pin::new(&mut self.0)
            .poll_ready(context)
            .map_err(|_| PeerGone)
    }

    fn start_send(mut self: Pin<&mut Self>, message: ServerMessage) -> Result<(), PeerGone> {
        let message = match message {
            // Always UTF-8 (a `FrameText` is made from a `String`): the bytes are shared, not copied.
            ServerMessage::Text(frame) => {
                Message::Text(Utf8Bytes::try_from(frame.into_bytes()).unwrap_or_default())
            }
            ServerMessage::Ping => Message::Ping(Default::default()),
            ServerMessage::Close(reason) => Message::Close(Some(CloseFrame {
                code: reason.code(),
                reason: reason.reason().into(),
            })),
        };
        Pin::new(&mut self.0)
            .start_send(message)
            .map_err(|_| PeerGone)
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Result<(), PeerGone>> {
        Pin::new(&mut self.0)
            .poll_flush(context)
            .map_err(|_| PeerGone)
    }

    fn poll_close(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Result<(), PeerGone>> {
        Pin::new(&mut self.0)
            .poll_close(context)
            .map_err(|_| PeerGone)
    }
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
