//! A bounded queue, many senders and one receiver, that holds no buffer once it is found
//! empty: an idle connection's queue costs a few words rather than a block of slots made up
//! front. A freed slot goes to whichever sender asks first; a waiting `send` is not served
//! ahead of a `try_send`.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

/// Why an item was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the queue is full")]
    Full,
    #[error("the receiver is gone")]
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

/// Queues items; cloned for every producer.
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

/// Takes items, in the order they were queued.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Receiver<T> {
    /// The next item, waiting for one; `None` once the queue is empty and every sender is gone.
    /// Cancel safe: an item is only taken when this returns it. Each call spends a unit of the
    /// task's budget, so a task that is never short of items still lets others run.
    pub async fn recv(&mut self) -> Option<T> {
        loop {
            tokio::task::coop::consume_budget().await;
            match self.take() {
                Ok(item) => return Some(item),
                Err(false) => return None,
                // A sender that queues after the look leaves a permit that ends the wait.
                Err(true) => self.shared.queued.notified().await,
            }
        }
    }

    /// The next item if one is waiting.
    #[cfg(test)]
    pub fn try_recv(&mut self) -> Option<T> {
        self.take().ok()
    }

    /// Takes waiting items into `into`, under one lock, while `more` says to go on (it sees
    /// each item before it is taken, and whether it would be taken). Returns how many it took.
    pub fn take_while(&mut self, into: &mut Vec<T>, mut more: impl FnMut(&T) -> bool) -> usize {
        let mut state = self.shared.state();
        let mut taken = 0;
        while let Some(item) = state.items.front()
            && more(item)
        {
            into.extend(state.items.pop_front());
            taken += 1;
        }
        drop(state);
        if taken > 0 {
            // Every sender that waits for room hears it; those that find none wait again.
            self.shared.taken.notify_waiters();
        }
        taken
    }

    /// The next item, or whether any sender is left to queue one.
    fn take(&mut self) -> Result<T, bool> {
        let mut state = self.shared.state();
        let Some(item) = state.items.pop_front() else {
            // Found empty: the buffer goes back, and the next item allocates it again.
            state.items = VecDeque::new();
            return Err(state.senders > 0);
        };
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
    use std::future::Future;
    use std::pin::pin;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::{Context, Poll};

    use futures_util::FutureExt;
    use futures_util::task::{ArcWake, noop_waker_ref, waker};

    use super::*;

    /// Remembers being woken.
    #[derive(Default)]
    struct Woken(AtomicBool);

    impl ArcWake for Woken {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.store(true, Ordering::SeqCst);
        }
    }

    /// Polls `future` once (it must wait), does `act`, and then, only if that woke the future,
    /// its output: a wake-up that never comes is `None`, not a hang.
    fn after_waking<F: Future>(future: F, act: impl FnOnce()) -> Option<F::Output> {
        let woken = Arc::new(Woken::default());
        let waker = waker(Arc::clone(&woken));
        let mut context = Context::from_waker(&waker);
        let mut future = pin!(future);
        assert!(
            future.as_mut().poll(&mut context).is_pending(),
            "it did not wait"
        );
        act();
        if !woken.0.load(Ordering::SeqCst) {
            return None;
        }
        match future.poll(&mut context) {
            Poll::Ready(output) => Some(output),
            Poll::Pending => None,
        }
    }

    fn capacity<T>(tx: &Sender<T>) -> usize {
        tx.shared.state().items.capacity()
    }

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
    fn a_queue_holds_no_buffer_before_its_first_item_nor_once_found_empty() {
        let (tx, mut rx) = bounded(1000);
        assert_eq!(capacity(&tx), 0);
        tx.try_send(0).unwrap();
        assert_eq!(rx.recv().now_or_never(), Some(Some(0)));
        assert_eq!(rx.recv().now_or_never(), None);
        assert_eq!(capacity(&tx), 0);
        for item in 1..=500 {
            tx.try_send(item).unwrap();
        }
        assert!(capacity(&tx) >= 500);
        while rx.try_recv().is_some() {}
        assert_eq!(rx.recv().now_or_never(), None);
        assert_eq!(capacity(&tx), 0);
    }

    #[test]
    fn taking_while_stops_where_told_and_keeps_the_rest_in_order() {
        let (tx, mut rx) = bounded(8);
        for item in 1..=5 {
            tx.try_send(item).unwrap();
        }
        let mut taken = Vec::new();
        assert_eq!(rx.take_while(&mut taken, |item| *item < 4), 3);
        assert_eq!(taken, [1, 2, 3]);
        assert_eq!(rx.try_recv(), Some(4));
        assert_eq!(rx.take_while(&mut taken, |_| true), 1);
        assert_eq!(taken, [1, 2, 3, 5]);
        assert_eq!(rx.take_while(&mut taken, |_| true), 0);
    }

    #[test]
    fn a_waiting_sender_is_woken_when_items_are_taken_together() {
        let (tx, mut rx) = bounded(1);
        tx.try_send(1).unwrap();
        let mut taken = Vec::new();
        let sent = after_waking(tx.send(2), || {
            assert_eq!(rx.take_while(&mut taken, |_| true), 1);
        });
        assert_eq!(sent, Some(Ok(())));
        assert_eq!(rx.try_recv(), Some(2));
    }

    #[test]
    fn nothing_is_queued_once_the_receiver_is_gone() {
        let (tx, rx) = bounded(4);
        tx.try_send(1).unwrap();
        drop(rx);
        assert_eq!(tx.try_send(2), Err(Refused::Closed));
        assert_eq!(tx.send(3).now_or_never(), Some(Err(Refused::Closed)));
    }

    #[test]
    fn a_waiting_receiver_is_woken_by_an_item() {
        let (tx, mut rx) = bounded(4);
        let got = after_waking(rx.recv(), || tx.try_send(1).unwrap());
        assert_eq!(got, Some(Some(1)));
    }

    #[test]
    fn a_waiting_receiver_is_woken_when_the_last_sender_goes() {
        let (tx, mut rx) = bounded::<u8>(4);
        let other = tx.clone();
        drop(tx);
        let got = after_waking(rx.recv(), || drop(other));
        assert_eq!(got, Some(None));
    }

    #[test]
    fn a_receive_given_up_takes_nothing() {
        let (tx, mut rx) = bounded(4);
        assert_eq!(rx.recv().now_or_never(), None);
        tx.try_send(1).unwrap();
        assert_eq!(rx.try_recv(), Some(1));
    }

    #[test]
    fn a_waiting_sender_is_woken_when_an_item_is_taken() {
        let (tx, mut rx) = bounded(1);
        tx.try_send(1).unwrap();
        let sent = after_waking(tx.send(2), || assert_eq!(rx.try_recv(), Some(1)));
        assert_eq!(sent, Some(Ok(())));
        assert_eq!(rx.try_recv(), Some(2));
    }

    #[test]
    fn a_sender_that_gives_up_passes_its_turn_to_the_next() {
        let (tx, mut rx) = bounded(1);
        tx.try_send(1).unwrap();
        // The first to wait is the first woken; it goes away without sending.
        let mut first = Box::pin(tx.send(2));
        let mut context = Context::from_waker(noop_waker_ref());
        assert!(first.as_mut().poll(&mut context).is_pending());
        let sent = after_waking(tx.send(3), || {
            assert_eq!(rx.try_recv(), Some(1));
            drop(first);
        });
        assert_eq!(sent, Some(Ok(())));
        assert_eq!(rx.try_recv(), Some(3));
    }

    #[test]
    fn a_waiting_sender_is_woken_when_the_receiver_goes() {
        let (tx, rx) = bounded(1);
        tx.try_send(1).unwrap();
        let sent = after_waking(tx.send(2), || drop(rx));
        assert_eq!(sent, Some(Err(Refused::Closed)));
    }
}
