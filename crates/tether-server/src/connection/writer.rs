//! The writing half: drains the bounded queue in batches, pings on an interval, says goodbye
//! with a close code.

use std::time::Duration;

use futures_util::{Sink, SinkExt};
use tokio::time::{MissedTickBehavior, interval_at, timeout};

use super::CLOSE_GRACE;
use super::heartbeat::Heartbeat;
use super::transport::{PeerGone, ServerMessage};
use tether_engine::config::Limits;
use tether_engine::hub::{Closer, Inbox, Outbound};
use tether_engine::metrics::Metrics;
use tether_protocol::{CloseReason, FrameText};

/// The most queued items, and bytes, sent with one flush. Items taken from the queue no longer
/// count against its bounds, so the bytes are capped too.
const COALESCE: usize = 64;
const COALESCE_BYTES: usize = 64 << 10;

/// Writes the connection's queue to `sink` until the connection closes. An async block rather
/// than an async fn, so the arguments are not kept twice for the connection's whole life.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would keep its arguments twice, for the connection's whole life"
)]
pub(super) fn run<'a, W>(
    mut sink: W,
    mut queue: Inbox,
    closer: &'a Closer,
    heartbeat: &'a Heartbeat,
    limits: &'a Limits,
    metrics: &'a Metrics,
) -> impl Future<Output = ()> + 'a
where
    W: Sink<ServerMessage, Error = PeerGone> + Unpin + 'a,
{
    async move {
        // The futures of sending, pinging and saying goodbye are boxed while they run: inline,
        // their room would be part of every idle connection (one allocation per flush instead).
        let start = tokio::time::Instant::now() + limits.heartbeat_interval;
        let mut pings = interval_at(start, limits.heartbeat_interval);
        pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let sent = tokio::select! {
                biased;
                () = closer.closed() => break,
                item = queue.recv() => match item {
                    Some(item) => {
                        let ready = waiting_after(item, &mut queue);
                        Box::pin(send(&mut sink, ready, closer, limits.heartbeat_timeout, metrics)).await
                    }
                    None => break,
                },
                _ = pings.tick() => {
                    if heartbeat.silence() > limits.heartbeat_timeout {
                        closer.close(CloseReason::HeartbeatTimeout);
                        break;
                    }
                    Box::pin(bounded(sink.send(ServerMessage::Ping), closer, limits.heartbeat_timeout)).await
                }
            };
            if !sent {
                closer.close(CloseReason::Normal);
                break;
            }
        }
        let goodbye = ServerMessage::Close(closer.reason());
        let _ = Box::pin(timeout(CLOSE_GRACE, async {
            sink.send(goodbye).await?;
            sink.close().await
        }))
        .await;
    }
}

/// `first` and the items already waiting behind it (at most `COALESCE` items, and no more
/// once `COALESCE_BYTES` are taken), to go out together.
fn waiting_after(first: Outbound, queue: &mut Inbox) -> Vec<Outbound> {
    // Grown as items come: a flush of one item allocates for one.
    let mut ready = vec![first];
    queue.take_waiting(&mut ready, COALESCE, COALESCE_BYTES);
    ready
}

/// Sends queued items with a single flush (a busy connection makes one write for many
/// frames), and counts them once sent.
async fn send<W>(
    sink: &mut W,
    items: Vec<Outbound>,
    closer: &Closer,
    deadline: Duration,
    metrics: &Metrics,
) -> bool
where
    W: Sink<ServerMessage, Error = PeerGone> + Unpin,
{
    let mut published = Vec::new();
    let mut fed = Fed::default();
    let write = async {
        for item in items {
            match item {
                Outbound::Frame(text) => fed.feed(sink, text).await?,
                Outbound::Event {
                    frame,
                    published: at,
                } => {
                    published.push(at);
                    fed.feed(sink, frame).await?;
                }
                Outbound::Batch(batch) => {
                    for text in batch {
                        fed.feed(sink, text).await?;
                    }
                }
            }
        }
        sink.flush().await
    };
    let sent = bounded(write, closer, deadline).await;
    if sent {
        let now = tokio::time::Instant::now();
        (metrics.fanout_seconds).observe_all(published.into_iter().map(|at| now - at));
        metrics.sent(fed.frames, fed.bytes);
    }
    sent
}

/// What one flush fed the sink.
#[derive(Default)]
struct Fed {
    frames: usize,
    bytes: usize,
}

impl Fed {
    /// Feeds a frame to the sink (without flushing).
    async fn feed<W>(&mut self, sink: &mut W, text: FrameText) -> Result<(), PeerGone>
    where
        W: Sink<ServerMessage, Error = PeerGone> + Unpin,
    {
        self.frames += 1;
        self.bytes += text.len();
        sink.feed(ServerMessage::Text(text)).await
    }
}

/// A write that gives up when the connection is being closed, or when the peer has not
/// taken it within `deadline` (a peer that stopped reading is as gone as a silent one).
async fn bounded(
    write: impl Future<Output = Result<(), PeerGone>>,
    closer: &Closer,
    deadline: Duration,
) -> bool {
    tokio::select! {
        written = write => written.is_ok(),
        () = closer.closed() => false,
        () = tokio::time::sleep(deadline) => {
            closer.close(CloseReason::HeartbeatTimeout);
            false
        }
    }
}
