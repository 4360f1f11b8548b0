//! Every live WebSocket connection, so a revoked device's or key's connections close at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::auth::Caller;
use crate::hub::{Closer, QueueDepth};
use tether_protocol::CloseReason;
use tether_protocol::DeviceId;

struct Live {
    caller: Caller,
    closer: Closer,
    /// The public URL's origin the connection came through, if it did.
    through: Option<String>,
    /// Its outbound queue, once it has one.
    queue: Option<QueueDepth>,
}

/// The registry of live connections.
#[derive(Default)]
pub struct Connections {
    next_id: AtomicU64,
    live: Arc<Mutex<HashMap<u64, Live>>>,
    /// WebSockets each device or SSH key holds, counted from the handshake.
    slots: Arc<Mutex<HashMap<String, usize>>>,
}

/// One of a device's (or SSH key's) WebSocket slots, held from the handshake until the
/// connection ends; dropping it frees the slot.
pub struct DeviceSlot {
    holder: String,
    slots: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for DeviceSlot {
    fn drop(&mut self) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = slots.get_mut(&self.holder) {
            *held -= 1;
            if *held == 0 {
                slots.remove(&self.holder);
            }
        }
    }
}

/// A connection's place in the registry; leaving drops it from the registry.
pub struct Registration {
    id: u64,
    live: Arc<Mutex<HashMap<u64, Live>>>,
}

impl Registration {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Lets `/metrics` read how full this connection's outbound queue is.
    pub fn watch_queue(&self, queue: QueueDepth) {
        if let Some(live) = lock(&self.live).get_mut(&self.id) {
            live.queue = Some(queue);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.live).remove(&self.id);
    }
}

fn lock(live: &Mutex<HashMap<u64, Live>>) -> MutexGuard<'_, HashMap<u64, Live>> {
    // Entries are inserted and removed whole, so a poisoned map is still consistent.
    live.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Connections {
    /// Registers a connection, which came through the public URL `through` if it did, and
    /// gives it a fresh id.
    pub fn register(
        &self,
        caller: Caller,
        closer: Closer,
        through: Option<String>,
    ) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        lock(&self.live).insert(
            id,
            Live {
                caller,
                closer,
                through,
                queue: None,
            },
        );
        Registration {
            id,
            live: Arc::clone(&self.live),
        }
    }

    /// Closes every connection a device made; returns how many there were.
    pub fn close_device(&self, device: &DeviceId, reason: CloseReason) -> usize {
        self.close_where(|caller| caller.device_id() == Some(device), reason)
    }

    /// Closes every connection signed in with an SSH key; returns how many there were.
    pub fn close_key(&self, fingerprint: &str, reason: CloseReason) -> usize {
        self.close_where(
            |caller| caller.key_fingerprint() == Some(fingerprint),
            reason,
        )
    }

    /// Closes every connection that came through the public URL with `origin`; returns how
    /// many there were.
    pub fn close_through(&self, origin: &str) -> usize {
        let live = lock(&self.live);
        let matching = live
            .values()
            .filter(|conn| conn.through.as_deref() == Some(origin));
        matching
            .map(|conn| conn.closer.close(CloseReason::AccessClosed))
            .count()
    }

    fn close_where(&self, matches: impl Fn(&Caller) -> bool, reason: CloseReason) -> usize {
        let live = lock(&self.live);
        let matching = live.values().filter(|conn| matches(&conn.caller));
        matching.map(|conn| conn.closer.close(reason)).count()
    }

    pub fn count(&self) -> usize {
        lock(&self.live).len()
    }

    /// Bytes waiting in outbound queues: in all, and in the fullest one.
    pub fn queued_bytes(&self) -> (usize, usize) {
        let live = lock(&self.live);
        let depths = live
            .values()
            .filter_map(|conn| conn.queue.as_ref().map(QueueDepth::bytes));
        depths.fold((0, 0), |(total, fullest), bytes| {
            (total + bytes, fullest.max(bytes))
        })
    }

    /// Live connections by kind of caller: `local`, `device`, `key` and `machine`, each listed.
    pub fn count_by_kind(&self) -> Vec<(&'static str, usize)> {
        let live = lock(&self.live);
        let mut counts = [("local", 0), ("device", 0), ("key", 0), ("machine", 0)];
        for conn in live.values() {
            let kind = match conn.caller {
                Caller::Local => 0,
                Caller::Device { .. } => 1,
                Caller::Key { .. } => 2,
                Caller::Machine { .. } => 3,
            };
            counts[kind].1 += 1;
        }
        counts.to_vec()
    }

    /// A device's live connections.
    pub fn count_for(&self, device: &DeviceId) -> usize {
        lock(&self.live)
            .values()
            .filter(|conn| conn.caller.device_id() == Some(device))
            .count()
    }

    /// Takes one of `caller`'s WebSocket slots, at most `limit` at once per device or SSH key
    /// (checked and taken in one step, so parallel handshakes cannot slip past it). The local
    /// caller, the desktop's own, needs none: `Ok(None)`. `Err` holds how many are taken.
    pub fn reserve(&self, caller: &Caller, limit: usize) -> Result<Option<DeviceSlot>, usize> {
        let holder = match caller {
            Caller::Local => return Ok(None),
            Caller::Device { id, .. } | Caller::Machine { id, .. } => format!("device:{id}"),
            Caller::Key { fingerprint, .. } => format!("key:{fingerprint}"),
        };
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let held = slots.entry(holder.clone()).or_default();
        if *held >= limit {
            return Err(*held);
        }
        *held += 1;
        Ok(Some(DeviceSlot {
            holder,
            slots: Arc::clone(&self.slots),
        }))
    }
}

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::Connections;
    use crate::auth::Caller;
    use crate::hub::{Closer, Outbound, Outbox, QueueLimits};
    use tether_protocol::DeviceId;

    #[test]
    fn queued_bytes_add_up_and_name_the_fullest_queue() {
        let connections = Connections::default();
        let limits = QueueLimits {
            items: 8,
            bytes: 1 << 20,
        };
        let mut kept = Vec::new();
        for frames in [1, 3] {
            let closer = Closer::child_of(&CancellationToken::new());
            let registration = connections.register(Caller::Local, closer.clone(), None);
            let (outbox, inbox) = Outbox::new(registration.id(), limits, closer);
            registration.watch_queue(outbox.depth());
            for _ in 0..frames {
                assert!(outbox.push(Outbound::Frame("0123456789".into())));
            }
            kept.push((registration, outbox, inbox));
        }
        assert_eq!(connections.queued_bytes(), (40, 30));
        kept.pop();
        assert_eq!(
            connections.queued_bytes(),
            (10, 10),
            "a closed connection leaves"
        );
    }

    #[test]
    fn closing_a_public_url_closes_only_what_came_through_it() {
        let connections = Connections::default();
        let open = |through: Option<&str>| {
            let closer = Closer::child_of(&CancellationToken::new());
            let registration =
                connections.register(Caller::Local, closer.clone(), through.map(str::to_owned));
            (registration, closer)
        };
        let (_old, old) = open(Some("https://old.example"));
        let (_new, new) = open(Some("https://new.example"));
        let (_direct, direct) = open(None);
        assert_eq!(connections.close_through("https://old.example"), 1);
        assert!(old.is_closed());
        assert_eq!(old.reason(), tether_protocol::CloseReason::AccessClosed);
        assert!(!new.is_closed() && !direct.is_closed());
    }

    #[test]
    fn a_device_takes_at_most_its_share_of_slots_and_the_desktop_needs_none() {
        let connections = Connections::default();
        let phone = Caller::Device {
            id: DeviceId::random(),
            name: "phone".into(),
        };
        let first = connections.reserve(&phone, 2).unwrap();
        let _second = connections.reserve(&phone, 2).unwrap();
        assert_eq!(connections.reserve(&phone, 2).err(), Some(2));
        drop(first);
        assert!(
            connections.reserve(&phone, 2).is_ok(),
            "a freed slot is taken again"
        );
        assert!(matches!(connections.reserve(&Caller::Local, 0), Ok(None)));
    }
}
