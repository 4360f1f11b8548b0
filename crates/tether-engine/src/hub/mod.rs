//! The hub: channels with offsets and epochs, bounded history, in-order fan-out to subscribers.

mod channel;
mod outbox;
mod queue;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::broadcast;
use tokio::time::Instant;

use self::channel::{Channel, Saved, Subscriber};
pub use self::outbox::{Closer, Inbox, Outbound, Outbox, QueueDepth, QueueLimits};
use tether_protocol::events::{ChannelEvent, WireEvent};
use tether_protocol::results::History;
use tether_protocol::{
    ChannelName, FrameText, Position, RequestId, ServerFrame, SubscriptionState, encode,
    encode_event,
};
use tether_store::{EventRow, Store};

/// How much history each channel keeps for replay, and how much one subscribe may replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryLimits {
    /// Events kept per channel.
    pub max_events: usize,
    /// Bytes of encoded events kept per channel.
    pub max_bytes: usize,
    /// How long an event stays replayable.
    #[serde(rename = "max_age_secs", with = "tether_protocol::durations::seconds")]
    pub max_age: Duration,
    /// The most events one subscribe replays; a larger gap reports `recovered: false`.
    pub max_replay: usize,
}

impl Default for HistoryLimits {
    fn default() -> Self {
        Self {
            max_events: 1024,
            max_bytes: 4 << 20,
            max_age: Duration::from_secs(600),
            max_replay: 300,
        }
    }
}

/// Typed events one in-process follower may fall behind by.
const WATCH_CAPACITY: usize = 1024;

/// A subscribe request for one channel.
#[derive(Debug, Clone)]
pub struct Join {
    pub channel: ChannelName,
    pub since: Option<Position>,
}

/// The channels of the engine. Every operation takes one short lock and never awaits,
/// so an event is queued to every subscriber (and to the store) before the next one is
/// published. Reads from the store happen outside the lock.
pub struct Hub {
    channels: Mutex<HashMap<ChannelName, Channel>>,
    limits: HistoryLimits,
    store: Store,
}

impl Hub {
    /// A hub whose channels continue the streams saved in `store`.
    pub fn new(limits: HistoryLimits, store: Store) -> Self {
        let channels = (store.loaded("channels", store.channels()).into_iter())
            .filter_map(|saved| {
                let name = ChannelName::parse(&saved.name)?;
                Some((name, Channel::resume(saved.epoch, saved.head)))
            })
            .collect();
        Self {
            channels: Mutex::new(channels),
            limits,
            store,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ChannelName, Channel>> {
        // A panic elsewhere cannot leave a channel half-updated: every update is a few
        // infallible field writes, so the data behind a poisoned lock is still sound.
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes an event on `channel` (of the event's kind): gives it the channel's next
    /// offset, keeps it for replay and queues it to every subscriber. Its data is encoded
    /// once, for the saved log and every frame. Returns the offset. A failure to encode is
    /// logged, not raised: the change the event describes has already happened.
    pub fn publish<E: WireEvent>(&self, channel: &ChannelName, event: &E) -> Option<u64> {
        debug_assert_eq!(
            channel.kind(),
            event.kind(),
            "{} on {channel}",
            event.name()
        );
        let data = match event.data() {
            Ok(data) => data,
            Err(error) => {
                tracing::error!(%error, event = event.name(), "could not encode an event");
                return None;
            }
        };
        Some(self.publish_encoded(channel, event.name(), data, || event.typed()))
    }

    /// Publishes an encoded event; its typed form is made only when someone follows it.
    fn publish_encoded(
        &self,
        channel: &ChannelName,
        event: &str,
        data: Box<RawValue>,
        typed: impl FnOnce() -> Option<ChannelEvent>,
    ) -> u64 {
        let mut channels = self.lock();
        let state = channels.entry(channel.clone()).or_insert_with(Channel::new);
        let offset = state.next_offset();
        let frame = event_frame(channel, event, offset, &data);
        self.store.append(EventRow {
            channel: channel.to_string(),
            epoch: state.epoch().to_owned(),
            offset,
            event: event.to_owned(),
            data,
            at: tether_protocol::clock::unix_millis(),
        });
        let published = Instant::now();
        state.append(frame.clone(), published, &self.limits);
        state.subscribers.retain(|subscriber| {
            subscriber.outbox.push(Outbound::Event {
                frame: frame.clone(),
                published,
            })
        });
        if let Some(watchers) = &state.watchers
            && watchers.receiver_count() > 0
            && let Some(typed) = typed()
        {
            // A follower that fell behind hears `Lagged` and reloads; nobody waits.
            let _ = watchers.send(Arc::new(typed));
        }
        offset
    }

    /// Subscribes `outbox` to every channel in `joins` at once. The `subscribed` answer and
    /// any replayed events are queued as one batch, under the same lock that publishing
    /// takes, so no event is missed or repeated between the replay and the live stream.
    /// Returns false when the outbox could not take the batch (it is then closing).
    pub fn subscribe(&self, outbox: &Outbox, id: Option<RequestId>, joins: &[Join]) -> bool {
        let wanted = joins
            .iter()
            .filter_map(|join| Some((&join.channel, join.since.as_ref()?)));
        let saved = self.backfill(wanted, self.limits.max_replay);
        let now = Instant::now();
        let mut channels = self.lock();
        let mut states = Vec::with_capacity(joins.len());
        let mut replayed = Vec::new();
        for join in joins {
            let state = channels
                .entry(join.channel.clone())
                .or_insert_with(Channel::new);
            state.trim(now, &self.limits);
            let end = state.replay_end(outbox.id());
            let recovered = join.since.as_ref().map(|since| {
                let missed = state.head().saturating_sub(since.offset) as usize;
                if missed > self.limits.max_replay {
                    return false;
                }
                let replay = state.replay(since, end, saved.get(&join.channel));
                replayed.extend(replay.frames);
                replay.recovered
            });
            states.push(SubscriptionState {
                channel: join.channel.to_string(),
                epoch: state.epoch().to_owned(),
                offset: state.head(),
                recovered,
            });
        }
        let mut batch = Vec::with_capacity(1 + replayed.len());
        batch.push(encode(&ServerFrame::Subscribed {
            id,
            channels: states,
        }));
        batch.extend(replayed);
        if !outbox.push(Outbound::Batch(batch)) {
            channels.retain(|_, state| !state.is_unused());
            return false;
        }
        for join in joins {
            if let Some(state) = channels.get_mut(&join.channel) {
                let already = state
                    .subscribers
                    .iter()
                    .any(|subscriber| subscriber.outbox.id() == outbox.id());
                if !already {
                    let live_after = state.head();
                    state.subscribers.push(Subscriber {
                        outbox: outbox.clone(),
                        live_after,
                    });
                }
            }
        }
        true
    }

    /// Up to `limit` events of `channel` after `since`, from memory or the store.
    pub fn history(&self, channel: &ChannelName, since: &Position, limit: usize) -> History {
        let saved = self.backfill([(channel, since)], limit);
        let now = Instant::now();
        let mut channels = self.lock();
        // Asking about a channel that does not exist must not create it (nor cost memory).
        let mut absent = Channel::new();
        let state = channels.get_mut(channel).unwrap_or(&mut absent);
        state.trim(now, &self.limits);
        let end = state.head().min(since.offset.saturating_add(limit as u64));
        let replay = state.replay(since, end, saved.get(channel));
        History {
            channel: channel.to_string(),
            epoch: state.epoch().to_owned(),
            head: state.head(),
            recovered: replay.recovered,
            events: replay
                .frames
                .iter()
                .filter_map(|frame| RawValue::from_string(frame.as_str().to_owned()).ok())
                .collect(),
            next: if replay.recovered { end } else { since.offset },
        }
    }

    /// Reads from the store, without holding the lock, the saved events that channels whose
    /// memory no longer reaches back to `since` need. Only saved streams that are the live
    /// one (same epoch) and reach back to `since` are kept.
    fn backfill<'a>(
        &self,
        wanted: impl IntoIterator<Item = (&'a ChannelName, &'a Position)>,
        limit: usize,
    ) -> HashMap<ChannelName, Saved> {
        let needed: Vec<(ChannelName, Position)> = {
            let channels = self.lock();
            wanted
                .into_iter()
                .filter(|(channel, since)| {
                    channels
                        .get(*channel)
                        .is_some_and(|state| state.needs_backfill(since))
                })
                .map(|(channel, since)| (channel.clone(), since.clone()))
                .collect()
        };
        needed
            .into_iter()
            .filter_map(|(channel, since)| {
                let backfill = match self
                    .store
                    .events_after(channel.as_str(), since.offset, limit)
                {
                    Ok(backfill) => backfill?,
                    Err(error) => {
                        // Replay then says `recovered: false`: the client reloads.
                        tracing::error!(%error, %channel, "could not read saved events");
                        return None;
                    }
                };
                let usable =
                    backfill.channel.epoch == since.epoch && backfill.channel.floor <= since.offset;
                usable.then(|| {
                    let frames = backfill
                        .events
                        .into_iter()
                        .map(|saved| {
                            let frame =
                                event_frame(&channel, &saved.event, saved.offset, &saved.data);
                            (saved.offset, frame)
                        })
                        .collect();
                    let saved = Saved {
                        after: since.offset,
                        through: backfill.through,
                        frames,
                    };
                    (channel, saved)
                })
            })
            .collect()
    }

    /// Follows `channel`'s typed events from now on, in this process: live events only (a
    /// follower that falls more than `WATCH_CAPACITY` behind hears `Lagged` and reloads).
    pub fn watch(&self, channel: &ChannelName) -> broadcast::Receiver<Arc<ChannelEvent>> {
        let mut channels = self.lock();
        let state = channels.entry(channel.clone()).or_insert_with(Channel::new);
        state
            .watchers
            .get_or_insert_with(|| broadcast::channel(WATCH_CAPACITY).0)
            .subscribe()
    }

    /// Removes the connection `outbox_id` from these channels.
    pub fn unsubscribe<'a>(
        &self,
        outbox_id: u64,
        names: impl IntoIterator<Item = &'a ChannelName>,
    ) {
        let mut channels = self.lock();
        for name in names {
            if let Some(state) = channels.get_mut(name) {
                state
                    .subscribers
                    .retain(|subscriber| subscriber.outbox.id() != outbox_id);
                if state.is_unused() {
                    channels.remove(name);
                }
            }
        }
    }

    /// The channel's current epoch and newest offset, opening the channel if it has none yet,
    /// so a snapshot taken now can be followed from exactly here.
    pub fn open_position(&self, channel: &ChannelName) -> Position {
        let mut channels = self.lock();
        let state = channels.entry(channel.clone()).or_insert_with(Channel::new);
        Position {
            epoch: state.epoch().to_owned(),
            offset: state.head(),
        }
    }

    /// Drops a channel whose stream is over for good (its saved log is removed separately).
    pub fn forget(&self, channel: &ChannelName) {
        self.lock().remove(channel);
    }

    /// The channel's current epoch and newest offset, if it exists.
    pub fn position(&self, channel: &ChannelName) -> Option<Position> {
        self.lock().get(channel).map(|state| Position {
            epoch: state.epoch().to_owned(),
            offset: state.head(),
        })
    }

    /// How many connections are subscribed to `channel`.
    pub fn subscriber_count(&self, channel: &ChannelName) -> usize {
        self.lock()
            .get(channel)
            .map_or(0, |state| state.subscribers.len())
    }

    /// How many channels exist (tests check that unused ones are dropped).
    #[cfg(test)]
    pub fn channel_count(&self) -> usize {
        self.lock().len()
    }
}

fn event_frame(channel: &ChannelName, event: &str, offset: u64, data: &RawValue) -> FrameText {
    encode_event(channel.as_str(), event, offset, data)
}

#[cfg(test)]
mod tests;
