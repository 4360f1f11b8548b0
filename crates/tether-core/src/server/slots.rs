//! Connection slots. Every connection holds one of `limits.max_connections`. Until a request on
//! it signs in, a connection is *unsigned*: unsigned ones may hold at most
//! `limits.max_unsigned_per_address` slots per address (all of loopback being one address) and
//! all but `limits.signed_in_reserve` slots in all. A newcomer past either bound takes the slot
//! of the oldest unsigned connection with no request under way (an idle or half-sent
//! handshake), so idle sockets, reopened as fast as they are closed, cannot lock devices out:
//! a device's connection signs in with its first request and is never displaced.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio_util::sync::CancellationToken;

use crate::config::Limits;
use crate::peer_address::counted_as;

/// Why a connection was not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// Every slot is taken by a signed-in connection or a request under way.
    Full,
}

/// The slots of one listener.
pub(super) struct Slots {
    max: usize,
    max_unsigned: usize,
    per_address: usize,
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
            max_unsigned: limits
                .max_connections
                .saturating_sub(limits.signed_in_reserve)
                .max(1),
            per_address: limits.max_unsigned_per_address,
            table: Mutex::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every change to the table is whole before the lock is let go.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a connection from `peer` (none on the local socket), displacing an idle
    /// unsigned connection where a bound is reached.
    pub fn admit(self: &Arc<Self>, peer: Option<IpAddr>) -> Result<Arc<Slot>, Refused> {
        let address = peer.map(counted_as);
        let mut table = self.lock();
        let here = address.map_or(0, |address| table.count(address));
        if address.is_some() && here >= self.per_address {
            table.evict_oldest_idle(|unsigned| unsigned.address == address)?;
        } else if table.unsigned.len() >= self.max_unsigned
            || table.signed_in + table.unsigned.len() >= self.max
        {
            table.evict_oldest_idle(|_| true)?;
        }
        table.admitted += 1;
        let number = table.admitted;
        let evicted = CancellationToken::new();
        let unsigned = Unsigned {
            address,
            busy: 0,
            evict: evicted.clone(),
        };
        table.unsigned.insert(number, unsigned);
        if let Some(address) = address {
            *table.by_address.entry(address).or_default() += 1;
        }
        Ok(Arc::new(Slot {
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

    /// Takes the slot of the oldest unsigned connection `which` picks that has no request
    /// under way, and tells it to close.
    fn evict_oldest_idle(&mut self, which: impl Fn(&Unsigned) -> bool) -> Result<(), Refused> {
        let oldest = self
            .unsigned
            .iter()
            .find(|(_, unsigned)| unsigned.busy == 0 && which(unsigned))
            .map(|(number, _)| *number)
            .ok_or(Refused::Full)?;
        if let Some(unsigned) = self.forget(oldest) {
            unsigned.evict.cancel();
        }
        Ok(())
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
            ..Limits::default()
        })
    }

    fn at(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn one_address_holds_its_share_and_a_newcomer_displaces_its_oldest_idle_socket() {
        let slots = slots(100, 10, 2);
        let first = slots.admit(at("127.0.0.2")).unwrap();
        let second = slots.admit(at("127.0.0.3")).unwrap();
        let _busy = second.busy();
        let third = slots.admit(at("::1")).unwrap();
        assert!(first.evicted().is_cancelled(), "the oldest idle one goes");
        assert!(
            !second.evicted().is_cancelled(),
            "a request under way stays"
        );
        let _busy = third.busy();
        assert_eq!(
            slots.admit(at("127.0.0.4")).err(),
            Some(Refused::Full),
            "nothing idle to displace"
        );
        assert!(slots.admit(at("192.0.2.1")).is_ok(), "another address");
    }

    #[test]
    fn signed_in_connections_keep_their_slots_and_the_reserve() {
        let slots = slots(4, 2, 10);
        let device = slots.admit(at("192.0.2.1")).unwrap();
        device.signed_in();
        let idle: Vec<_> = (1..=2)
            .map(|n| slots.admit(at(&format!("198.51.100.{n}"))).unwrap())
            .collect();
        // Unsigned ones may hold 2 of the 4 slots: a third displaces the oldest.
        let newcomer = slots.admit(at("203.0.113.9")).unwrap();
        assert!(idle[0].evicted().is_cancelled());
        assert!(!device.evicted().is_cancelled(), "never a signed-in one");
        newcomer.signed_in();
        // Two signed in and one unsigned: a fourth takes the free slot, and a fifth (past the
        // unsigned ones' share) displaces the oldest idle one.
        let _fourth = slots.admit(at("203.0.113.10")).unwrap();
        let fifth = slots.admit(at("203.0.113.11")).unwrap();
        assert!(idle[1].evicted().is_cancelled());
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
