//! When the peer was last heard from, shared by the reader (which hears) and the writer (which pings).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

pub(crate) struct Heartbeat {
    start: Instant,
    last_heard_ms: AtomicU64,
}

impl Heartbeat {
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            last_heard_ms: AtomicU64::new(0),
        }
    }

    /// Records that the peer sent something (any frame, pongs included).
    pub fn heard(&self) {
        let elapsed = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_heard_ms.store(elapsed, Ordering::Relaxed);
    }

    /// How long the peer has been silent.
    pub fn silence(&self) -> Duration {
        let heard = Duration::from_millis(self.last_heard_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(heard)
    }
}
