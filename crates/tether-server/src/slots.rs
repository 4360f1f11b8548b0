//! Connection slots. Every connection holds one of `limits.max_connections`. Until a request on
//! it signs in, a connection is *unsigned*: unsigned ones may hold all but
//! `limits.signed_in_reserve` slots, and `limits.max_unsigned_per_address` per address (all of
//! loopback being one address). A newcomer past either bound takes the slot of the oldest
//! *stale* unsigned connection there: one with no request under way, open longer than
//! `limits.unsigned_grace_ms` (an idle socket, or a handshake trickled byte by byte). So idle
//! sockets, reopened as fast as they are closed, cannot lock devices out, while a device's
//! connection, which signs in with its first request, is never displaced. With none stale, a
//! newcomer past its address's share still comes in while there is room in all (a burst of
//! reconnects, or many users behind one reverse proxy), and one past the room in all is refused.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use tether_engine::config::Limits;
use tether_engine::peer_address::counted_as;

/// The slots of one listener.
pub(super) struct Slots {
    max: usize,
    max_unsigned: usize,
    per_address: usize,
    grace: Duration,
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    signed_in: usize,
    /// The unsigned connections, oldest first (by admission number).
    unsigned: BTreeMap<u64, Unsigned>,
    /// Unsigned connections per counted address.
    by_address: HashMap<IpAddr, usize>,
    admitted: u64,
}

struct Unsigned {
    address: Option<IpAddr>,
    opened: Instant,
    /// Requests under way on it.
    busy: usize,
    /// Cancelled when a newcomer takes its slot.
    evict: CancellationToken,
}

/// One connection's slot, given back when the last holder (the connection, or the WebSocket
/// it became) lets go.
pub(super) struct Slot {
    slots: Arc<Slots>,
    number: u64,
    evicted: CancellationToken,
}

/// A request under way on an unsigned connection: it is not displaced meanwhile.
pub(super) struct Busy(Arc<Slot>);

impl Slots {
    pub fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Self {
            max: limits.max_connections,
            // The reserve is at most half of the slots, so a small limit still lets people in.
            max_unsigned: limits.max_connections
                - limits.signed_in_reserve.min(limits.max_connections / 2),
            per_address: limits.max_unsigned_per_address,
            grace: limits.unsigned_grace,
            table: Mutex::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every change to the table is whole before the lock is let go.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a connection from `peer` (none on the local socket), displacing a stale
    /// unsigned connection where a bound is reached; `None` when there is no room.
    pub fn admit(self: &Arc<Self>, peer: Option<IpAddr>) -> Option<Arc<Slot>> {
        let address = peer.map(counted_as);
        let now = Instant::now();
        let stale = |unsigned: &Unsigned| {
            unsigned.busy == 0 && now.duration_since(unsigned.opened) >= self.grace
        };
        let mut table = self.lock();
        let here = address.map_or(0, |address| table.count(address));
        let displaced = address.is_some()
            && here >= self.per_address
            && table.evict_oldest(|unsigned| unsigned.address == address && stale(unsigned));
        let full = table.unsigned.len() >= self.max_unsigned
            || table.signed_in + table.unsigned.len() >= self.max;
        if !displaced && full && !table.evict_oldest(stale) {
            return None;
        }
        table.admitted += 1;
        let number = table.admitted;
        let evicted = CancellationToken::new();
        let unsigned = Unsigned {
            address,
            opened: now,
            busy: 0,
            evict: evicted.clone(),
        };
        table.unsigned.insert(number, unsigned);
        if let Some(address) = address {
            *table.by_address.entry(address).or_default() += 1;
        }
        Some(Arc::new(Slot {
            slots: Arc::clone(self),
            number,
            evicted,
        }))
    }
}

impl Table {
    fn count(&self, address: IpAddr) -> usize {
        self.by_address.get(&address).copied().unwrap_or(0)
    }

    /// Takes the slot of the oldest unsigned connection `which` picks, and tells it to close;
    /// false when there is none.
    fn evict_oldest(&mut self, which: impl Fn(&Unsigned) -> bool) -> bool {
        let oldest = self
            .unsigned
            .iter()
            .find(|(_, unsigned)| which(unsigned))
            .map(|(number, _)| *number);
        match oldest.and_then(|number| self.forget(number)) {
            Some(unsigned) => {
                unsigned.evict.cancel();
                true
            }
            None => false,
        }
    }

    /// Removes an unsigned connection from the table.
    fn forget(&mut self, number: u64) -> Option<Unsigned> {
        let unsigned = self.unsigned.remove(&number)?;
        if let Some(address) = unsigned.address
            && let Some(count) = self.by_address.get_mut(&address)
        {
            *count -= 1;
            if *count == 0 {
                self.by_address.remove(&address);
            }
        }
        Some(unsigned)
    }
}

impl Slot {
    /// Completes when a newcomer took this connection's slot: it is to close at once.
    pub fn evicted(&self) -> &CancellationToken {
        &self.evicted
    }

    /// A request on this connection signed in: it leaves the unsigned ones for good.
    pub fn signed_in(&self) {
        let mut table = self.slots.lock();
        if table.forget(self.number).is_some() {
            table.signed_in += 1;
        }
    }

    /// Marks a request under way on this connection, until the returned guard is dropped.
    pub fn busy(self: &Arc<Self>) -> Busy {
        if let Some(unsigned) = self.slots.lock().unsigned.get_mut(&self.number) {
            unsigned.busy += 1;
        }
        Busy(Arc::clone(self))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let slot = &self.0;
        if let Some(unsigned) = slot.slots.lock().unsigned.get_mut(&slot.number) {
            unsigned.busy -= 1;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut table = self.slots.lock();
        if table.forget(self.number).is_none() && !self.evicted.is_cancelled() {
            table.signed_in -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(max: usize, reserve: usize, per_address: usize) -> Arc<Slots> {
        Slots::new(&Limits {
            max_connections: max,
            signed_in_reserve: reserve,
            max_unsigned_per_address: per_address,
            unsigned_grace: Duration::from_secs(1),
            ..Limits::default()
        })
    }

    fn at(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[tokio::test(start_paused = true)]
    async fn past_its_share_an_address_displaces_its_oldest_stale_socket() {
        let slots = slots(100, 10, 2);
        let first = slots.admit(at("127.0.0.2")).unwrap();
        let second = slots.admit(at("127.0.0.3")).unwrap();
        let _busy = second.busy();
        // Fresh ones are not displaced: a burst from one address still comes in.
        let third = slots.admit(at("::1")).unwrap();
        assert!(!first.evicted().is_cancelled());
        tokio::time::advance(Duration::from_secs(1)).await;
        let _fourth = slots.admit(at("127.0.0.4")).unwrap();
        assert!(first.evicted().is_cancelled(), "the oldest stale one goes");
        assert!(
            !second.evicted().is_cancelled(),
            "a request under way stays"
        );
        assert!(!third.evicted().is_cancelled(), "one at a time");
        assert_eq!(slots.lock().count(counted_as([127, 0, 0, 1].into())), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn signed_in_connections_keep_their_slots_and_the_reserve() {
        let slots = slots(4, 2, 10);
        let device = slots.admit(at("192.0.2.1")).unwrap();
        device.signed_in();
        let idle: Vec<_> = (1..=2)
            .map(|n| slots.admit(at(&format!("198.51.100.{n}"))).unwrap())
            .collect();
        // Unsigned ones may hold 2 of the 4 slots: a third is refused while they are fresh,
        // and displaces the oldest once it is stale.
        assert!(slots.admit(at("203.0.113.9")).is_none());
        tokio::time::advance(Duration::from_secs(1)).await;
        let newcomer = slots.admit(at("203.0.113.9")).unwrap();
        assert!(idle[0].evicted().is_cancelled());
        assert!(!device.evicted().is_cancelled(), "never a signed-in one");
        newcomer.signed_in();
        // Two signed in and one unsigned: a fourth takes the free slot, and a fifth displaces
        // the stale one.
        let fourth = slots.admit(at("203.0.113.10")).unwrap();
        let fifth = slots.admit(at("203.0.113.11")).unwrap();
        assert!(idle[1].evicted().is_cancelled());
        assert!(!fourth.evicted().is_cancelled());
        drop(fifth);
        drop(idle);
        drop(newcomer);
        drop(device);
        let table = slots.lock();
        assert_eq!(table.signed_in, 0);
        assert_eq!(table.unsigned.len(), 1);
        assert_eq!(table.by_address.len(), 1);
    }
}
