//! One channel's stream: its epoch, its newest offset, its bounded history and its subscribers.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::broadcast;

use tokio::time::Instant;

use super::{HistoryLimits, Outbox};
use tether_protocol::events::ChannelEvent;
use tether_protocol::{FrameText, Position};
use tether_store::random_epoch;

/// An event kept for replay.
struct Stored {
    offset: u64,
    at: Instant,
    frame: FrameText,
}

/// What a subscriber asking for `since` gets back.
pub(super) struct Replay {
    pub recovered: bool,
    pub frames: Vec<FrameText>,
}

/// A connection subscribed to the channel, and the offset its live delivery started after.
pub(super) struct Subscriber {
    pub outbox: Outbox,
    pub live_after: u64,
}

pub(super) struct Channel {
    epoch: String,
    head: u64,
    ring: VecDeque<Stored>,
    ring_bytes: usize,
    pub subscribers: Vec<Subscriber>,
    /// In-process followers of its typed events, once one asked.
    pub watchers: Option<broadcast::Sender<Arc<ChannelEvent>>>,
}

impl Channel {
    /// A channel with no history yet.
    pub fn new() -> Self {
        Self::resume(random_epoch(), 0)
    }

    /// A channel whose stream continues a saved one (its older events are in the store).
    pub fn resume(epoch: String, head: u64) -> Self {
        Self {
            epoch,
            head,
            ring: VecDeque::new(),
            ring_bytes: 0,
            subscribers: Vec::new(),
            watchers: None,
        }
    }

    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    pub fn head(&self) -> u64 {
        self.head
    }

    /// True when dropping this channel loses nothing: no subscribers or followers, no events
    /// ever.
    pub fn is_unused(&self) -> bool {
        let followed = (self.watchers.as_ref()).is_some_and(|tx| tx.receiver_count() > 0);
        self.subscribers.is_empty() && !followed && self.head == 0
    }

    /// The offset the next event gets.
    pub fn next_offset(&self) -> u64 {
        self.head + 1
    }

    /// Records an event already encoded with `next_offset()`, then trims history.
    pub fn append(&mut self, frame: FrameText, now: Instant, limits: &HistoryLimits) {
        self.head += 1;
        self.ring_bytes += frame.len();
        self.ring.push_back(Stored {
            offset: self.head,
            at: now,
            frame,
        });
        self.trim(now, limits);
    }

    /// Drops history beyond the count, byte and age limits, oldest first.
    pub fn trim(&mut self, now: Instant, limits: &HistoryLimits) {
        while let Some(oldest) = self.ring.front() {
            let too_many = self.ring.len() > limits.max_events;
            let too_big = self.ring_bytes > limits.max_bytes;
            let too_old = now.saturating_duration_since(oldest.at) > limits.max_age;
            if !(too_many || too_big || too_old) {
                break;
            }
            self.ring_bytes -= oldest.frame.len();
            self.ring.pop_front();
        }
    }

    /// Where a subscriber's replay must stop: the head for a new subscriber, or where live
    /// delivery began for one already subscribed (it already has everything after that).
    pub fn replay_end(&self, outbox_id: u64) -> u64 {
        self.subscribers
            .iter()
            .find(|subscriber| subscriber.outbox.id() == outbox_id)
            .map_or(self.head, |subscriber| subscriber.live_after)
    }

    /// Whether events after `since` are gone from memory but may be in the store: same
    /// stream, not in the future, and older than the ring's oldest event.
    pub fn needs_backfill(&self, since: &Position) -> bool {
        since.epoch == self.epoch
            && since.offset < self.head
            && self.oldest_kept() > since.offset + 1
    }

    fn oldest_kept(&self) -> u64 {
        self.ring
            .front()
            .map_or(self.head + 1, |stored| stored.offset)
    }

    /// The events after `since` up to `end`: saved ones from `saved` (read from the store for
    /// this stream) where memory no longer has them, then the ring's. `recovered: false` when
    /// together they do not reach back to `since`.
    pub fn replay(&self, since: &Position, end: u64, saved: Option<&Saved>) -> Replay {
        let oldest_kept = self.oldest_kept();
        // Every offset in (since, end] must be at hand: saved ones up to `through`, then the ring's.
        let reaches_back = oldest_kept <= since.offset + 1
            || saved.is_some_and(|saved| {
                saved.after <= since.offset
                    && (saved.through >= end || saved.through + 1 >= oldest_kept)
            });
        if since.epoch != self.epoch || since.offset > self.head || !reaches_back {
            return Replay {
                recovered: false,
                frames: Vec::new(),
            };
        }
        let from_store = saved
            .into_iter()
            .flat_map(|saved| &saved.frames)
            .filter(|(offset, _)| *offset > since.offset && *offset < oldest_kept && *offset <= end)
            .map(|(_, frame)| frame.clone());
        let from_ring = self
            .ring
            .iter()
            .filter(|stored| stored.offset > since.offset && stored.offset <= end)
            .map(|stored| stored.frame.clone());
        Replay {
            recovered: true,
            frames: from_store.chain(from_ring).collect(),
        }
    }
}

/// Events of one stream read back from the store: every event a client needs after `after`,
/// up to `through`, encoded.
pub(super) struct Saved {
    pub after: u64,
    pub through: u64,
    pub frames: Vec<(u64, FrameText)>,
}
