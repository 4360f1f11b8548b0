//! A connection's bounded outbound queue and its close switch, as the hub and RPC see them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::queue::{self, Refused};
use tether_protocol::{CloseReason, FrameText};

/// One item in a connection's queue: a frame, a live event (with when it was published, for
/// the fan-out latency), or frames that must go out back to back.
#[derive(Debug)]
pub enum Outbound {
    Frame(FrameText),
    Event {
        frame: FrameText,
        published: Instant,
    },
    Batch(Vec<FrameText>),
}

impl Outbound {
    /// The bytes this item holds.
    pub fn byte_len(&self) -> usize {
        match self {
            Self::Frame(text) | Self::Event { frame: text, .. } => text.len(),
            Self::Batch(frames) => frames.iter().map(|text| text.len()).sum(),
        }
    }
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

    #[cfg(test)]
    pub fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }

    pub async fn closed(&self) {
        self.token.cancelled().await;
    }
}

/// How much one connection may have queued: items and bytes.
#[derive(Debug, Clone, Copy)]
pub struct QueueLimits {
    pub items: usize,
    pub bytes: usize,
}

/// The sending side of a connection's queue. Pushing never waits: a full queue
/// means the consumer fell behind, and it is cut off to keep memory bounded.
#[derive(Debug, Clone)]
pub struct Outbox {
    id: u64,
    tx: queue::Sender<Outbound>,
    queued_bytes: Arc<AtomicUsize>,
    max_bytes: usize,
    closer: Closer,
}

/// How many bytes wait in one connection's queue, read at any time.
#[derive(Debug, Clone)]
pub struct QueueDepth(Arc<AtomicUsize>);

impl QueueDepth {
    pub fn bytes(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// The receiving side, drained by the connection's writer.
pub struct Inbox {
    rx: queue::Receiver<Outbound>,
    queued_bytes: Arc<AtomicUsize>,
}

impl Inbox {
    /// The next item; its bytes no longer count against the queue.
    pub async fn recv(&mut self) -> Option<Outbound> {
        let item = self.rx.recv().await?;
        Some(self.taken(item))
    }

    /// Takes the items already waiting into `into`, under one lock, until it holds
    /// `max_items` items or at least `max_bytes` bytes.
    pub fn take_waiting(&mut self, into: &mut Vec<Outbound>, max_items: usize, max_bytes: usize) {
        let mut bytes: usize = into.iter().map(Outbound::byte_len).sum();
        let mut count = into.len();
        let before = bytes;
        self.rx.take_while(into, |item| {
            let more = count < max_items && bytes < max_bytes;
            if more {
                count += 1;
                bytes += item.byte_len();
            }
            more
        });
        self.queued_bytes
            .fetch_sub(bytes - before, Ordering::AcqRel);
    }

    fn taken(&self, item: Outbound) -> Outbound {
        self.queued_bytes
            .fetch_sub(item.byte_len(), Ordering::AcqRel);
        item
    }
}

impl Outbox {
    /// A queue bounded by `limits`, and its receiving end.
    pub fn new(id: u64, limits: QueueLimits, closer: Closer) -> (Self, Inbox) {
        let (tx, rx) = queue::bounded(limits.items);
        let queued_bytes = Arc::new(AtomicUsize::new(0));
        let inbox = Inbox {
            rx,
            queued_bytes: Arc::clone(&queued_bytes),
        };
        (
            Self {
                id,
                tx,
                queued_bytes,
                max_bytes: limits.bytes,
                closer,
            },
            inbox,
        )
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// A reading of how many bytes wait in this queue, for `/metrics`.
    pub fn depth(&self) -> QueueDepth {
        QueueDepth(Arc::clone(&self.queued_bytes))
    }

    pub fn closer(&self) -> &Closer {
        &self.closer
    }

    /// Queues an item without waiting. Returns false, and closes the connection as a
    /// slow consumer when its queue is full, when the item could not be queued.
    pub fn push(&self, item: Outbound) -> bool {
        let size = item.byte_len();
        if !self.reserve(size) {
            return false;
        }
        match self.tx.try_send(item) {
            Ok(()) => true,
            Err(refused) => {
                self.queued_bytes.fetch_sub(size, Ordering::AcqRel);
                if refused == Refused::Full {
                    self.closer.close(CloseReason::SlowConsumer);
                }
                false
            }
        }
    }

    /// Queues a reply, waiting for a free item slot: a client that sends requests without
    /// reading the answers stalls its own reader. Past the byte budget it is cut off like any
    /// slow consumer. False once the connection is closing.
    pub async fn reply(&self, frame: FrameText) -> bool {
        let size = frame.len();
        if !self.reserve(size) {
            return false;
        }
        let sent = tokio::select! {
            sent = self.tx.send(Outbound::Frame(frame)) => sent.is_ok(),
            () = self.closer.closed() => false,
        };
        if !sent {
            self.queued_bytes.fetch_sub(size, Ordering::AcqRel);
        }
        sent
    }

    /// Counts `size` bytes against the budget. One item alone always fits, so an event
    /// larger than the budget still reaches a client that keeps up.
    fn reserve(&self, size: usize) -> bool {
        let before = self.queued_bytes.fetch_add(size, Ordering::AcqRel);
        if before > 0 && before + size > self.max_bytes {
            self.queued_bytes.fetch_sub(size, Ordering::AcqRel);
            self.closer.close(CloseReason::SlowConsumer);
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::{Closer, Outbound, Outbox, QueueLimits};
    use tether_protocol::FrameText;

    #[test]
    fn taking_what_waits_stops_at_the_limits_and_frees_what_it_took() {
        let closer = Closer::child_of(&CancellationToken::new());
        let limits = QueueLimits {
            items: 16,
            bytes: 1 << 20,
        };
        let (outbox, mut inbox) = Outbox::new(1, limits, closer);
        for text in ["aaaa", "bb", "cccccc", "d"] {
            assert!(outbox.push(Outbound::Frame(FrameText::from(text))));
        }
        assert_eq!(outbox.depth().bytes(), 13);
        let mut taken = Vec::new();
        // Until at least 5 bytes are taken: the item that reaches the limit goes too.
        inbox.take_waiting(&mut taken, 16, 5);
        assert_eq!(taken.len(), 2);
        assert_eq!(outbox.depth().bytes(), 7);
        // Counting what it already holds: one more makes three items.
        inbox.take_waiting(&mut taken, 3, usize::MAX);
        assert_eq!(taken.len(), 3);
        assert_eq!(outbox.depth().bytes(), 1);
    }
}
