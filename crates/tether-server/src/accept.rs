//! The accept loop: connections bounded by their slots (see [`super::slots`]), TLS when
//! asked, a deadline for the TLS handshake and the request headers, graceful shutdown.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use futures_util::FutureExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::slots::{Slot, Slots};
use tether_engine::engine::Engine;

/// The tasks of one listener: every connection is tracked and told when to stop.
#[derive(Clone, Default)]
pub(super) struct Tasks {
    pub tracker: TaskTracker,
    pub stop: CancellationToken,
}

/// The connection's slot, held for its whole life, WebSocket included (the upgrade handler
/// takes it from the request); a request that signs in says so through it.
#[derive(Clone)]
pub(super) struct ConnectionPermit(pub Arc<Slot>);

/// The network address a request came from: the TCP peer's, replaced at the gate by the
/// client's a trusted proxy names (see `client_address`); none on the local socket.
#[derive(Debug, Clone, Copy)]
pub(super) struct PeerIp(pub Option<IpAddr>);

/// A listener's address type, as the peer's IP address when it has one.
pub(super) trait PeerAddress {
    fn ip(&self) -> Option<IpAddr>;
}

impl PeerAddress for SocketAddr {
    fn ip(&self) -> Option<IpAddr> {
        Some(SocketAddr::ip(self))
    }
}

impl PeerAddress for tokio::net::unix::SocketAddr {
    fn ip(&self) -> Option<IpAddr> {
        None
    }
}

/// How long a refused client gets to read its 503.
const REFUSAL_DEADLINE: Duration = Duration::from_secs(1);

/// Serves every connection `listener` accepts, over TLS when `tls` is given, until `shutdown`.
pub(super) async fn run<L>(
    mut listener: L,
    app: Router,
    engine: &Engine,
    tasks: Tasks,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send,
) where
    L: Listener,
    L::Addr: PeerAddress,
{
    let limits = &engine.config().limits;
    let slots = Slots::new(limits);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match slots.admit(peer.ip()) {
            Some(slot) => {
                let connection = Connection {
                    app: app.clone(),
                    slot,
                    peer: PeerIp(peer.ip()),
                    stop: tasks.stop.clone(),
                    deadline: limits.handshake_timeout,
                };
                match tls.clone() {
                    None => tasks.tracker.spawn(connection.serve(io)),
                    Some(tls) => tasks.tracker.spawn(connection.serve_tls(io, tls)),
                };
            }
            None => {
                tracing::warn!(
                    limit = limits.max_connections,
                    "connection refused: every slot is signed in or busy"
                );
                tasks.tracker.spawn(refuse(io));
            }
        }
    }
    // Close the listener first, so new clients are refused instead of waiting in its backlog.
    drop(listener);
    tasks.stop.cancel();
    tasks.tracker.close();
    tasks.tracker.wait().await;
}

/// One accepted connection and what serving it needs.
struct Connection {
    app: Router,
    slot: Arc<Slot>,
    peer: PeerIp,
    stop: CancellationToken,
    /// For the TLS handshake, and then for the request headers.
    deadline: Duration,
}

impl Connection {
    /// Completes the TLS handshake within the deadline, then serves HTTP over it.
    async fn serve_tls<I>(self, io: I, tls: TlsAcceptor)
    where
        I: tokio::io::AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let handshake = tokio::time::timeout(self.deadline, tls.accept(io));
        let stop = self.stop.clone();
        let evicted = self.slot.evicted().clone();
        let shaken = tokio::select! {
            shaken = handshake => shaken,
            () = stop.cancelled() => return,
            // A newcomer took this slot before the handshake ended: the socket goes with it.
            () = evicted.cancelled() => return,
        };
        match shaken {
            Ok(Ok(stream)) => self.serve(stream).await,
            Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
            Err(_) => tracing::debug!("TLS handshake timed out"),
        }
    }

    async fn serve<I>(self, io: I)
    where
        I: tokio::io::AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Self {
            app,
            slot,
            peer,
            stop,
            deadline,
        } = self;
        let evicted = slot.evicted().clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            let busy = slot.busy();
            request
                .extensions_mut()
                .insert(ConnectionPermit(Arc::clone(&slot)));
            request.extensions_mut().insert(peer);
            app.clone().oneshot(request).map(move |answered| {
                drop(busy);
                answered
            })
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(deadline)
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        let mut connection = std::pin::pin!(connection);
        let result = tokio::select! {
            result = connection.as_mut() => result,
            // A newcomer took this idle, unsigned connection's slot.
            () = evicted.cancelled() => Ok(()),
            () = stop.cancelled() => {
                // Requests under way get the deadline to finish; then the connection is dropped,
                // so a client trickling a body cannot hold up a shutdown.
                connection.as_mut().graceful_shutdown();
                tokio::time::timeout(deadline, connection)
                    .await
                    .unwrap_or(Ok(()))
            }
        };
        if let Err(error) = result {
            tracing::debug!(%error, "HTTP connection ended with an error");
        }
    }
}

/// Answers 503 to a connection over the limit, without reading its request.
async fn refuse<I: AsyncWrite + Unpin>(mut io: I) {
    let body = r#"{"code":"overloaded","message":"the server is at its connection limit; try again later"}"#;
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_DEADLINE, async {
        io.write_all(response.as_bytes()).await?;
        io.shutdown().await
    })
    .await;
}
