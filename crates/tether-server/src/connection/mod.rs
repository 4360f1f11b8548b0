//! One WebSocket connection: a reader and a writer in one task, linked by its closer.

mod heartbeat;
mod peer;
mod rate;
mod writer;

use std::future::Future;
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, Stream, StreamExt};
use tokio_util::sync::CancellationToken;

pub(super) use self::heartbeat::Heartbeat;
use self::peer::Peer;
pub(super) use self::rate::{FrameRate, Rate};
pub(super) use self::writer::run as write;
use tether_engine::auth::{Caller, OWNER};
use tether_engine::engine::Engine;
use tether_engine::hub::{Closer, Outbound, Outbox};
use tether_protocol::{
    CloseReason, ConnectionInfo, PROTOCOL_VERSION, ServerFrame, ServerInfo, encode,
};

/// How long the server's close frame may take to leave, and the peer's to come back, before
/// the socket is dropped anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Runs a connection until it closes: sends `welcome`, then serves frames both ways.
/// Everything the connection holds (subscriptions, registry entry) is released before it ends.
///
/// The socket is split before the future is made, so that the future (alive as long as the
/// connection) holds two handles to it rather than the whole socket.
pub(crate) fn run<S>(
    socket: S,
    engine: Engine,
    caller: Caller,
    stop: CancellationToken,
) -> impl Future<Output = ()> + Send
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Send,
{
    let (sink, stream) = socket.split();
    serve(sink, stream, engine, caller, stop)
}

/// The connection's life, once its socket is split.
async fn serve<W, R>(
    sink: W,
    mut stream: R,
    engine: Engine,
    caller: Caller,
    stop: CancellationToken,
) where
    W: Sink<Message, Error = axum::Error> + Unpin + Send,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin + Send,
{
    let limits = &engine.config().limits;
    let closer = Closer::child_of(&stop);
    let registration = engine.register_connection(&caller, &closer);
    let (outbox, queue) = Outbox::new(registration.id(), limits.queue(), closer.clone());
    registration.watch_queue(outbox.depth());
    let welcome = ServerFrame::Welcome {
        protocol: PROTOCOL_VERSION,
        server: ServerInfo {
            version: tether_engine::VERSION.to_owned(),
        },
        connection: ConnectionInfo {
            id: registration.id(),
            device: caller.device_name().to_owned(),
            user: OWNER.to_owned(),
        },
    };
    outbox.push(Outbound::Frame(encode(&welcome)));
    tracing::info!(
        connection = registration.id(),
        device = caller.device_name(),
        "connected"
    );

    let heartbeat = Heartbeat::new();
    let caller_device = caller.device_id().cloned();
    let mut peer = Peer::new(engine.clone(), caller, outbox, limits);
    tokio::join!(
        writer::run(
            sink,
            queue,
            &closer,
            &heartbeat,
            limits,
            engine.metrics(),
            &Some
        ),
        peer.read(&mut stream, &heartbeat),
    );
    peer.leave_all();
    if matches!(closer.reason(), CloseReason::SlowConsumer) {
        engine.metrics().slow_consumers.add(1);
    }
    if let Some(id) = caller_device.as_ref() {
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

/// Reads and drops what the peer still sends until its close frame (at most `CLOSE_GRACE`,
/// and not past a server stop). Dropping the socket with the peer's frames unread would reset
/// the connection, and a reset can destroy the server's close frame (and so its reason)
/// before the peer reads it.
pub(super) async fn await_peer_close<R>(stream: &mut R, stop: &CancellationToken)
where
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let drained = async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, Message::Close(_)) {
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
