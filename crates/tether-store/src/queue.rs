//! The hand-off between the engine and the writer thread: events in order, rows coalesced by key,
//! bounded so a stuck disk costs saved history, never memory or a stalled stream.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

use super::records::{EventRow, Row, RowKey};

/// Events waiting for the writer before new ones are dropped from the log.
const MAX_EVENTS: usize = 65_536;
/// Bytes of events waiting for the writer before new ones are dropped from the log.
const MAX_BYTES: usize = 64 << 20;

/// Told once the writes queued before it are committed, or failed.
pub type Waiter = oneshot::Sender<Result<(), String>>;

/// Everything queued since the writer last took a batch.
#[derive(Default)]
pub struct Batch {
    pub events: Vec<EventRow>,
    pub rows: BTreeMap<RowKey, Row>,
    /// Channels some of whose events were dropped before reaching the writer.
    pub lost: BTreeSet<String>,
    pub dropped: u64,
    pub waiters: Vec<Waiter>,
    pub closing: bool,
    bytes: usize,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.rows.is_empty()
            && self.lost.is_empty()
            && self.waiters.is_empty()
    }
}

#[derive(Default)]
pub struct Queue {
    pending: Mutex<Batch>,
    wake: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Batch> {
        // Every update is a push or an insert: a poisoned batch is still sound.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues an event; drops it (and marks its channel's log broken) when the queue is full.
    pub fn event(&self, row: EventRow) {
        let mut pending = self.lock();
        if pending.closing {
            return;
        }
        let size = row.size();
        if pending.events.len() >= MAX_EVENTS || pending.bytes + size > MAX_BYTES {
            pending.dropped += 1;
            pending.lost.insert(row.channel);
        } else {
            pending.bytes += size;
            pending.events.push(row);
        }
        drop(pending);
        self.wake.notify_one();
    }

    /// Queues a row write, replacing any not yet written for the same key.
    pub fn row(&self, row: Row) {
        let mut pending = self.lock();
        if pending.closing {
            return;
        }
        pending.rows.insert(row.key(), row);
        drop(pending);
        self.wake.notify_one();
    }

    /// Puts back rows of a batch that failed, unless newer writes of them arrived meanwhile.
    pub fn retry_rows(&self, rows: BTreeMap<RowKey, Row>) {
        let mut pending = self.lock();
        for (key, row) in rows {
            pending.rows.entry(key).or_insert(row);
        }
    }

    /// Asks to be told when everything queued so far is committed.
    /// Once closed, there is nothing left to wait for: the answer is at once.
    pub fn flush(&self, waiter: Waiter) {
        let mut pending = self.lock();
        if pending.closing {
            let _ = waiter.send(Err("the store is closed".to_owned()));
            return;
        }
        pending.waiters.push(waiter);
        drop(pending);
        self.wake.notify_one();
    }

    /// No more writes are taken; the writer commits what is queued and stops.
    pub fn close(&self) {
        self.lock().closing = true;
        self.wake.notify_one();
    }

    /// Waits for work, for `wait` at most if given, and takes all of it: everything queued
    /// meanwhile commits together. Returns an empty batch when `wait` ran out first, and
    /// `None` once closed and drained.
    pub fn take(&self, wait: Option<Duration>) -> Option<Batch> {
        let mut pending = self.lock();
        let idle = |pending: &mut Batch| pending.is_empty() && !pending.closing;
        pending = match wait {
            Some(wait) => {
                let waited = self.wake.wait_timeout_while(pending, wait, idle);
                waited.unwrap_or_else(PoisonError::into_inner).0
            }
            None => (self.wake.wait_while(pending, idle)).unwrap_or_else(PoisonError::into_inner),
        };
        if pending.is_empty() {
            return (!pending.closing).then(Batch::default);
        }
        let batch = std::mem::take(&mut *pending);
        pending.closing = batch.closing;
        Some(batch)
    }

    /// Waits up to `pause` unless the store is closing (a failing disk is retried after it).
    pub fn pause(&self, pause: Duration) {
        let pending = self.lock();
        if !pending.closing {
            let _ = self
                .wake
                .wait_timeout_while(pending, pause, |pending| !pending.closing);
        }
    }
}
