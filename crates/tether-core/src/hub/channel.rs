//! One channel's stream: its epoch, its newest offset, its bounded history and its subscribers.

use std::collections::VecDeque;

use rand::Rng;
use tokio::time::Instant;

use super::{HistoryLimits, Outbox};
use crate::protocol::{FrameText, Position};

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
}

impl Channel {
    pub fn new() -> Self {
        Self {
            epoch: format!("{:016x}", rand::rng().random::<u64>()),
            head: 0,
            ring: VecDeque::new(),
            ring_bytes: 0,
            subscribers: Vec::new(),
        }
    }

    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    pub fn head(&self) -> u64 {
        self.head
    }

    /// True when dropping this channel loses nothing: no subscribers, no events ever.
    pub fn is_unused(&self) -> bool {
        self.subscribers.is_empty() && self.head == 0
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

    /// The events after `since` up to `end`, or `recovered: false` when they are not all here.
    pub fn replay(&self, since: &Position, end: u64, max_replay: usize) -> Replay {
        let missed = self.head.checked_sub(since.offset);
        let oldest_kept = self
            .ring
            .front()
            .map_or(self.head + 1, |stored| stored.offset);
        let recoverable = since.epoch == self.epoch
            && missed.is_some_and(|missed| missed as usize <= max_replay)
            && oldest_kept <= since.offset + 1;
        if !recoverable {
            return Replay {
                recovered: false,
                frames: Vec::new(),
            };
        }
        let frames = self
            .ring
            .iter()
            .filter(|stored| stored.offset > since.offset && stored.offset <= end)
            .map(|stored| stored.frame.clone())
            .collect();
        Replay {
            recovered: true,
            frames,
        }
    }
}
