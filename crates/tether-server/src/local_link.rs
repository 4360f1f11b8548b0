//! A connection for a client in the engine's own process (the desktop window, through Tauri
//! IPC): frames go in through [`LinkSender::send`] and come out through a callback, served by
//! the same connection code as a WebSocket (welcome, requests, subscriptions, limits), as the
//! trusted local caller. Pings are answered by the link itself: the client shares the process.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Sink, Stream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::connection::{self, PeerFrame, PeerGone, Protocol, ServerMessage};
use tether_engine::auth::Caller;
use tether_engine::engine::Engine;
use tether_protocol::CloseReason;

/// Frames from the client waiting for the connection to read them.
const INCOMING_QUEUE: usize = 256;
/// The longest a frame waits for room in that queue before the client is told to slow down.
const SEND_WAIT: Duration = Duration::from_secs(5);

/// What the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A protocol frame, as JSON text.
    Frame(String),
    /// The connection ended with this WebSocket close code and reason; nothing follows.
    Closed { code: u16, reason: String },
}

/// Why a frame could not be handed to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the connection to the engine has closed")]
    Closed,
    #[error("too many frames are waiting for the engine; slow down")]
    Busy,
}

type Incoming = mpsc::Sender<PeerFrame>;
type Deliver = Arc<dyn Fn(Delivery) + Send + Sync>;

/// One in-process connection; it closes when [`LocalLink::close`] is called or it is
/// dropped, or when the engine stops.
pub struct LocalLink {
    sender: LinkSender,
    stop: CancellationToken,
}

/// Hands the engine frames for one link; cheap to clone, usable without the link.
#[derive(Clone)]
pub struct LinkSender {
    incoming: Incoming,
    max_message_bytes: usize,
}

impl LocalLink {
    /// Opens a connection for the local caller. `deliver` gets its `welcome` and every frame
    /// after it, then one `Closed`. Must be called within a Tokio runtime.
    pub fn open(
        engine: &Engine,
        stop: &CancellationToken,
        deliver: impl Fn(Delivery) + Send + Sync + 'static,
    ) -> Self {
        let (incoming, frames) = mpsc::channel(INCOMING_QUEUE);
        let deliver: Deliver = Arc::new(deliver);
        let closed = Arc::new(AtomicBool::new(false));
        let socket = LinkSocket {
            frames,
            loopback: incoming.clone(),
            deliver: Arc::clone(&deliver),
            closed: Arc::clone(&closed),
        };
        let link_stop = stop.child_token();
        let (owner, run_stop) = (engine.clone(), link_stop.clone());
        tokio::spawn(async move {
            // The goodbye goes through the sink; this tells of an ending without one, a panic
            // included.
            let _last_word = LastWord { deliver, closed };
            let engine = owner.clone();
            let dialect = move |outbox: &_| Protocol::greet(engine, Caller::Local, outbox);
            connection::run(socket, owner, Caller::Local, None, run_stop, dialect).await;
        });
        let sender = LinkSender {
            incoming,
            max_message_bytes: engine.config().limits.max_message_bytes,
        };
        Self {
            sender,
            stop: link_stop,
        }
    }

    /// What hands this link's frames to the engine.
    pub fn sender(&self) -> LinkSender {
        self.sender.clone()
    }

    /// Closes the connection (the client is told `Closed` with 1001).
    pub fn close(&self) {
        self.stop.cancel();
    }
}

impl LinkSender {
    /// Hands the engine one frame from the client, waiting a little for room. A frame over
    /// `limits.max_message_bytes` closes the connection with 1009, as it would a WebSocket.
    pub async fn send(&self, frame: String) -> Result<(), LinkError> {
        let item = if frame.len() > self.max_message_bytes {
            PeerFrame::Broken(CloseReason::MessageTooBig)
        } else {
            PeerFrame::Text(frame)
        };
        self.incoming
            .send_timeout(item, SEND_WAIT)
            .await
            .map_err(|error| match error {
                mpsc::error::SendTimeoutError::Timeout(_) => LinkError::Busy,
                mpsc::error::SendTimeoutError::Closed(_) => LinkError::Closed,
            })
    }
}

/// Tells the client `Closed` (1006) when the connection ends without saying goodbye.
struct LastWord {
    deliver: Deliver,
    closed: Arc<AtomicBool>,
}

impl Drop for LastWord {
    fn drop(&mut self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            let reason = "the connection ended".to_owned();
            (self.deliver)(Delivery::Closed { code: 1006, reason });
        }
    }
}

impl Drop for LocalLink {
    fn drop(&mut self) {
        self.close();
    }
}

/// The connection's side of the link: a stream of the client's frames and a sink that
/// delivers the engine's.
struct LinkSocket {
    frames: mpsc::Receiver<PeerFrame>,
    /// Where the pongs to the connection's own pings go.
    loopback: Incoming,
    deliver: Deliver,
    /// Whether the client was told `Closed`.
    closed: Arc<AtomicBool>,
}

impl Stream for LinkSocket {
    type Item = PeerFrame;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Once either side has closed, the client hears nothing more: the link ends here
        // (there is no close handshake to wait for).
        if self.closed.load(Ordering::SeqCst) {
            return Poll::Ready(None);
        }
        self.frames.poll_recv(context)
    }
}

impl Sink<ServerMessage> for LinkSocket {
    type Error = PeerGone;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), PeerGone>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, message: ServerMessage) -> Result<(), PeerGone> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(PeerGone);
        }
        match message {
            ServerMessage::Text(text) => (self.deliver)(Delivery::Frame(text.as_str().to_owned())),
            ServerMessage::Ping => {
                // A full queue means the client is talking: the connection hears it anyway.
                let _ = self.loopback.try_send(PeerFrame::Heartbeat);
            }
            ServerMessage::Close(reason) => {
                if !self.closed.swap(true, Ordering::SeqCst) {
                    let (code, reason) = (reason.code(), reason.reason().to_owned());
                    (self.deliver)(Delivery::Closed { code, reason });
                }
            }
        }
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), PeerGone>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), PeerGone>> {
        Poll::Ready(Ok(()))
    }
}
