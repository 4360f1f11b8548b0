//! The writing half: drains the bounded queue, pings on an interval, says goodbye with a close code.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message};
use futures_util::{Sink, SinkExt};
use tokio::time::{MissedTickBehavior, interval_at, timeout};

use super::heartbeat::Heartbeat;
use crate::config::Limits;
use crate::hub::{Closer, Inbox, Outbound};
use crate::metrics::Metrics;
use crate::protocol::CloseReason;

/// How long the close frame may take to leave before the socket is dropped anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

pub(super) async fn run<W>(
    mut sink: W,
    mut queue: Inbox,
    closer: &Closer,
    heartbeat: &Heartbeat,
    limits: &Limits,
    metrics: &Metrics,
) where
    W: Sink<Message, Error = axum::Error> + Unpin,
{
    let start = tokio::time::Instant::now() + limits.heartbeat_interval;
    let mut pings = interval_at(start, limits.heartbeat_interval);
    pings.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let sent = tokio::select! {
            biased;
            () = closer.closed() => break,
            item = queue.recv() => match item {
                Some(item) => send(&mut sink, item, closer, limits.heartbeat_timeout, metrics).await,
                None => break,
            },
            _ = pings.tick() => {
                if heartbeat.silence() > limits.heartbeat_timeout {
                    closer.close(CloseReason::HeartbeatTimeout);
                    break;
                }
                bounded(sink.send(Message::Ping(Default::default())), closer, limits.heartbeat_timeout).await
            }
        };
        if !sent {
            closer.close(CloseReason::Normal);
            break;
        }
    }
    let reason = closer.reason();
    let goodbye = Message::Close(Some(CloseFrame {
        code: reason.code(),
        reason: reason.reason().into(),
    }));
    let _ = timeout(CLOSE_GRACE, async {
        sink.send(goodbye).await?;
        sink.close().await
    })
    .await;
}

/// Sends a queued item, and counts it once sent; a batch goes out with a single flush.
async fn send<W>(
    sink: &mut W,
    item: Outbound,
    closer: &Closer,
    deadline: Duration,
    metrics: &Metrics,
) -> bool
where
    W: Sink<Message, Error = axum::Error> + Unpin,
{
    let bytes = item.byte_len() as u64;
    let (frames, sent) = match item {
        Outbound::Frame(text) => (
            1,
            bounded(sink.send(Message::Text(text)), closer, deadline).await,
        ),
        Outbound::Event { frame, published } => {
            let sent = bounded(sink.send(Message::Text(frame)), closer, deadline).await;
            if sent {
                metrics.fanout_seconds.observe(published.elapsed());
            }
            (1, sent)
        }
        Outbound::Batch(frames) => {
            let count = frames.len() as u64;
            let mut frames =
                futures_util::stream::iter(frames.into_iter().map(|text| Ok(Message::Text(text))));
            (
                count,
                bounded(sink.send_all(&mut frames), closer, deadline).await,
            )
        }
    };
    if sent {
        metrics.frames_out.add(frames);
        metrics.bytes_out.add(bytes);
    }
    sent
}

/// A write that gives up when the connection is being closed, or when the peer has not
/// taken it within `deadline` (a peer that stopped reading is as gone as a silent one).
async fn bounded(
    write: impl Future<Output = Result<(), axum::Error>>,
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
