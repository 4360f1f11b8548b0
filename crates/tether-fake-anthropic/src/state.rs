//! The state shared between the [`crate::FakeAnthropic`] handle and the request handlers.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::{RecordedRequest, Reply, Script};

pub(crate) struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    /// How many requests are recorded (for waiting without polling).
    recorded: watch::Sender<usize>,
    /// Bumped by `release_stalls`; a stalled stream waits for a change.
    releases: watch::Sender<u64>,
    next_id: AtomicU64,
    /// Cancelled when the fake is dropped: the server stops, stalls and pauses abort.
    pub(crate) shutdown: CancellationToken,
}

/// A lock that shrugs off poisoning: the data (queues, records) stays valid after a panic elsewhere.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(script: Script) -> Self {
        Self {
            replies: Mutex::new(script.replies.into()),
            requests: Mutex::new(Vec::new()),
            recorded: watch::Sender::new(0),
            releases: watch::Sender::new(0),
            next_id: AtomicU64::new(1),
            shutdown: CancellationToken::new(),
        }
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        let count = {
            let mut requests = lock(&self.requests);
            requests.push(request);
            requests.len()
        };
        self.recorded.send_replace(count);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub(crate) fn watch_recorded(&self) -> watch::Receiver<usize> {
        self.recorded.subscribe()
    }

    pub(crate) fn push(&self, reply: Reply) {
        lock(&self.replies).push_back(reply);
    }

    pub(crate) fn pending(&self) -> usize {
        lock(&self.replies).len()
    }

    /// The next scripted reply, or the fallback when the script is used up.
    pub(crate) fn next_reply(&self) -> Reply {
        lock(&self.replies)
            .pop_front()
            .unwrap_or_else(Reply::fallback)
    }

    /// A fresh number for `msg_fakeNNNNNN` / `req_fakeNNNNNN`.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn release_stalls(&self) {
        self.releases.send_modify(|generation| *generation += 1);
    }

    /// Subscribed when a request arrives, so a release after that moment frees its stall.
    pub(crate) fn watch_releases(&self) -> watch::Receiver<u64> {
        self.releases.subscribe()
    }
}
