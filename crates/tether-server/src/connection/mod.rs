//! The connection actor, one for every kind of client: a reader and a writer in one task,
//! linked by its closer, over any [`Transport`] (a WebSocket, or the desktop window's
//! in-process link). What the reader makes of the peer's frames is the [`Dialect`]: the full
//! protocol on `/ws` and the desktop link, prompts and chunks on `/ws/chat`. Every dialect gets
//! the same heartbeat, frame rate, batched writes and bounded queue.

mod heartbeat;
mod peer;
mod rate;
mod transport;
mod writer;

use std::future::Future;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;

pub(crate) use self::heartbeat::Heartbeat;
pub(crate) use self::peer::Protocol;
pub(crate) use self::rate::{FrameRate, Rate};
pub(crate) use self::transport::{
    PeerFrame, PeerGone, ServerMessage, Transport, WebSocketTransport,
};
use tether_engine::auth::Caller;
use tether_engine::engine::Engine;
use tether_engine::hub::{Closer, Outbox};
use tether_protocol::CloseReason;

/// How long the server's close frame may take to leave, and the peer's to come back, before
/// the socket is dropped anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What a connection makes of its peer's frames.
pub(crate) trait Dialect: Send {
    /// Reads the peer's frames until it leaves, breaks the rules, or the connection closes.
    fn read<'a, R>(
        &'a mut self,
        stream: &'a mut R,
        heartbeat: &'a Heartbeat,
    ) -> impl Future<Output = ()> + Send + 'a
    where
        R: Stream<Item = PeerFrame> + Unpin + Send;

    /// Releases what the connection held (subscriptions, a chat's session).
    fn end(&mut self) -> impl Future<Output = ()> + Send + '_;
}

/// Runs a connection until it closes; `dialect` makes what reads its frames, once its outbox
/// exists (and may greet the peer there). `through`: the public URL's origin it came
/// through, if it did (turning that URL off closes it). Everything the connection holds
/// (subscriptions, registry entry) is released before it ends.
///
/// The transport is split before the future is made, so that the future (alive as long as
/// the connection) holds two handles to it rather than the whole socket.
pub(crate) fn run<T, D>(
    transport: T,
    engine: Engine,
    caller: Caller,
    through: Option<String>,
    stop: CancellationToken,
    dialect: impl FnOnce(&Outbox) -> D + Send + 'static,
) -> impl Future<Output = ()> + Send
where
    T: Transport,
    D: Dialect + 'static,
{
    let (sink, stream) = transport.split();
    serve(sink, stream, engine, caller, through, stop, dialect)
}

/// The connection's life, once its transport is split. An async block rather than an async
/// fn: a fn's arguments would be kept twice for the connection's whole life (as arguments and
/// as locals), and an idle connection's memory is mostly this future.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would keep its arguments twice, for the connection's whole life"
)]
fn serve<T, D>(
    sink: futures_util::stream::SplitSink<T, ServerMessage>,
    mut stream: futures_util::stream::SplitStream<T>,
    engine: Engine,
    caller: Caller,
    through: Option<String>,
    stop: CancellationToken,
    dialect: impl FnOnce(&Outbox) -> D + Send,
) -> impl Future<Output = ()> + Send
where
    T: Transport,
    D: Dialect,
{
    async move {
        // Borrowed, not copied: the limits are read for the connection's whole life.
        let limits = &engine.config().limits;
        let closer = Closer::child_of(&stop);
        let registration = engine.register_connection(&caller, &closer, through);
        let (outbox, queue) = Outbox::new(registration.id(), limits.queue(), closer.clone());
        registration.watch_queue(outbox.depth());
        let mut dialect = dialect(&outbox);
        tracing::info!(
            connection = registration.id(),
            device = caller.device_name(),
            "connected"
        );
        let heartbeat = Heartbeat::new();
        let writing = writer::run(sink, queue, &closer, &heartbeat, limits, engine.metrics());
        tokio::join!(writing, dialect.read(&mut stream, &heartbeat));
        dialect.end().await;
        if matches!(closer.reason(), CloseReason::SlowConsumer) {
            engine.metrics().slow_consumers.add(1);
        }
        if let Some(id) = caller.device_id() {
            engine.devices().seen(id, None);
        }
        tracing::info!(
            connection = registration.id(),
            reason = closer.reason().reason(),
            "disconnected"
        );
        // Gone from the registry (lists, counts, revocation) before the socket ends; its slot
        // among the device's and all connections is held until then (at most `CLOSE_GRACE`).
        drop(registration);
        // Boxed, as it runs once at the end: inline, its room would be part of every connection.
        Box::pin(await_peer_close(&mut stream, &stop)).await;
    }
}

/// Reads and drops what the peer still sends until its close frame (at most `CLOSE_GRACE`,
/// and not past a server stop). Dropping the socket with the peer's frames unread would reset
/// the connection, and a reset can destroy the server's close frame (and so its reason)
/// before the peer reads it.
async fn await_peer_close<R>(stream: &mut R, stop: &CancellationToken)
where
    R: Stream<Item = PeerFrame> + Unpin,
{
    let drained = async {
        while let Some(frame) = stream.next().await {
            if matches!(frame, PeerFrame::Close | PeerFrame::Broken(_)) {
                break;
            }
        }
    };
    tokio::select! {
        _ = tokio::time::timeout(CLOSE_GRACE, drained) => {}
        () = stop.cancelled() => {}
    }
}

#[cfg(test)]
mod tests;
