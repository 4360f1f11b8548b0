//! A bounded queue, many senders and one receiver, that holds no memory while it is empty:
//! an idle connection's queue costs a few words rather than a block of slots made up front.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

/// The most slots an emptied queue keeps: a burst's buffer is given back once it is drained.
const KEPT_SLOTS: usize = 16;

/// Why an item was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The queue holds as many items as it may.
    Full,
    /// The receiver is gone.
    Closed,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    /// An item was queued, or the last sender left.
    queued: Notify,
    /// An item was taken, or the receiver left.
    taken: Notify,
}

struct State<T> {
    items: VecDeque<T>,
    senders: usize,
    receiving: bool,
}

impl<T> Shared<T> {
    fn state(&self) -> MutexGuard<'_, State<T>> {
        // Nothing panics while holding the lock; a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A queue of at most `capacity` items (at least one).
pub fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            items: VecDeque::new(),
            senders: 1,
            receiving: true,
        }),
        capacity: capacity.max(1),
        queued: Notify::new(),
        taken: Notify::new(),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Queues `item` if there is room, without waiting.
    pub fn try_send(&self, item: T) -> Result<(), Refused> {
        self.offer(item).map_err(|(refused, _)| refused)
    }

    /// Queues `item`, waiting for room; `Closed` once the receiver is gone.
    pub async fn send(&self, mut item: T) -> Result<(), Refused> {
        loop {
            // Listening before looking: a slot freed in between still wakes this sender.
            let taken = self.shared.taken.notified();
            tokio::pin!(taken);
            taken.as_mut().enable();
            match self.offer(item) {
                Ok(()) => return Ok(()),
                Err((Refused::Full, back)) => item = back,
                Err((Refused::Closed, _)) => return Err(Refused::Closed),
            }
            taken.await;
        }
    }

    /// Queues `item`, or hands it back with the reason it was not.
    fn offer(&self, item: T) -> Result<(), (Refused, T)> {
        let mut state = self.shared.state();
        if !state.receiving {
            return Err((Refused::Closed, item));
        }
        if state.items.len() >= self.shared.capacity {
            return Err((Refused::Full, item));
        }
        state.items.push_back(item);
        drop(state);
        self.shared.queued.notify_one();
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state().senders += 1;
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.senders -= 1;
        let last = state.senders == 0;
        drop(state);
        if last {
            self.shared.queued.notify_one();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.shared.capacity)
            .finish_non_exhaustive()
    }
}

pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Receiver<T> {
    /// The next item, waiting for one; `None` once the queue is empty and every sender is gone.
    /// Cancel safe: an item is only taken when this returns it.
    pub async fn recv(&mut self) -> Option<T> {
        loop {
            // A sender that queues after this look leaves a permit that ends the wait.
            match self.take() {
                Ok(item) => return Some(item),
                Err(false) => return None,
                Err(true) => self.shared.queued.notified().await,
            }
        }
    }

    /// The next item if one is waiting.
    pub fn try_recv(&mut self) -> Option<T> {
        self.take().ok()
    }

    /// The next item, or whether any sender is left to queue one.
    fn take(&mut self) -> Result<T, bool> {
        let mut state = self.shared.state();
        let Some(item) = state.items.pop_front() else {
            return Err(state.senders > 0);
        };
        if state.items.is_empty() && state.items.capacity() > KEPT_SLOTS {
            state.items.shrink_to(KEPT_SLOTS);
        }
        drop(state);
        self.shared.taken.notify_one();
        Ok(item)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state();
        state.receiving = false;
        let items = std::mem::take(&mut state.items);
        drop(state);
        drop(items);
        self.shared.taken.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::FutureExt;

    use super::*;

    #[test]
    fn items_come_out_in_order_and_a_full_queue_refuses_more() {
        let (tx, mut rx) = bounded(2);
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.try_send(2), Ok(()));
        assert_eq!(tx.try_send(3), Err(Refused::Full));
        assert_eq!(rx.try_recv(), Some(1));
        assert_eq!(tx.try_send(3), Ok(()));
        assert_eq!(rx.try_recv(), Some(2));
        assert_eq!(rx.try_recv(), Some(3));
        assert_eq!(rx.try_recv(), None);
    }

    #[test]
    fn an_empty_queue_holds_no_buffer_and_a_drained_one_gives_a_burst_back() {
        let (tx, mut rx) = bounded(1000);
        assert_eq!(tx.shared.state().items.capacity(), 0);
        for item in 0..500 {
            tx.try_send(item).unwrap();
        }
        assert!(tx.shared.state().items.capacity() >= 500);
        while rx.try_recv().is_some() {}
        assert!(tx.shared.state().items.capacity() <= KEPT_SLOTS);
    }

    #[test]
    fn nothing_is_queued_once_the_receiver_is_gone() {
        let (tx, rx) = bounded(4);
        tx.try_send(1).unwrap();
        drop(rx);
        assert_eq!(tx.try_send(2), Err(Refused::Closed));
        assert_eq!(tx.send(3).now_or_never(), Some(Err(Refused::Closed)));
    }

    #[tokio::test]
    async fn the_receiver_wakes_for_an_item_and_ends_when_every_sender_is_gone() {
        let (tx, mut rx) = bounded(4);
        let second = tx.clone();
        let receiving = tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(item) = rx.recv().await {
                got.push(item);
            }
            got
        });
        tokio::task::yield_now().await;
        tx.try_send(1).unwrap();
        second.try_send(2).unwrap();
        drop(tx);
        tokio::task::yield_now().await;
        second.try_send(3).unwrap();
        drop(second);
        let got = tokio::time::timeout(Duration::from_secs(10), receiving)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_sender_waits_for_room_and_goes_on_when_an_item_is_taken() {
        let (tx, mut rx) = bounded(1);
        tx.try_send(1).unwrap();
        let waiting = tokio::spawn(async move { tx.send(2).await });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        assert_eq!(rx.recv().await, Some(1));
        let sent = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent, Ok(()));
        assert_eq!(rx.try_recv(), Some(2));
    }

    #[tokio::test]
    async fn a_waiting_sender_is_told_when_the_receiver_goes() {
        let (tx, rx) = bounded(1);
        tx.try_send(1).unwrap();
        let waiting = tokio::spawn(async move { tx.send(2).await });
        tokio::task::yield_now().await;
        drop(rx);
        let sent = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent, Err(Refused::Closed));
    }
}
