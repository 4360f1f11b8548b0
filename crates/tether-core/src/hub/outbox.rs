//! A connection's bounded outbound queue and its close switch, as the hub and RPC see them.

use std::sync::{Arc, OnceLock};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::{CloseReason, FrameText};

/// One item in a connection's queue: a frame, or frames that must go out back to back.
#[derive(Debug)]
pub enum Outbound {
    Frame(FrameText),
    Batch(Vec<FrameText>),
}

/// Ends one connection, remembering the first reason given.
#[derive(Debug, Clone)]
pub struct Closer {
    token: CancellationToken,
    reason: Arc<OnceLock<CloseReason>>,
}

impl Closer {
    /// A closer that also fires when `parent` is cancelled (with no reason: the server is going away).
    pub fn child_of(parent: &CancellationToken) -> Self {
        Self {
            token: parent.child_token(),
            reason: Arc::default(),
        }
    }

    pub fn close(&self, reason: CloseReason) {
        // The first reason wins; later ones describe the same ending.
        let _ = self.reason.set(reason);
        self.token.cancel();
    }

    /// Why the connection is closing; `GoingAway` when the server itself is stopping.
    pub fn reason(&self) -> CloseReason {
        self.reason.get().copied().unwrap_or(CloseReason::GoingAway)
    }

    pub fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }

    pub async fn closed(&self) {
        self.token.cancelled().await;
    }
}

/// The sending side of a connection's queue. Pushing never waits: a full queue
/// means the consumer fell behind, and it is cut off to keep memory bounded.
#[derive(Debug, Clone)]
pub struct Outbox {
    id: u64,
    tx: mpsc::Sender<Outbound>,
    closer: Closer,
}

impl Outbox {
    /// A queue holding at most `capacity` items, and its receiving end.
    pub fn new(id: u64, capacity: usize, closer: Closer) -> (Self, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (Self { id, tx, closer }, rx)
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn closer(&self) -> &Closer {
        &self.closer
    }

    /// Queues an item without waiting. Returns false, and closes a full
    /// connection as a slow consumer, when the item could not be queued.
    pub fn push(&self, item: Outbound) -> bool {
        match self.tx.try_send(item) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.closer.close(CloseReason::SlowConsumer);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Queues a reply, waiting for room: a client that sends requests but does not
    /// read the answers stalls its own reader, not the server. False once closed.
    pub async fn reply(&self, frame: FrameText) -> bool {
        tokio::select! {
            sent = self.tx.send(Outbound::Frame(frame)) => sent.is_ok(),
            () = self.closer.closed() => false,
        }
    }
}
