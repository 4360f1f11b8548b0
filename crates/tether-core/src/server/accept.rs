//! The accept loop: bounded connections, a deadline for request headers, graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::engine::Engine;

/// The tasks of one listener: every connection is tracked and told when to stop.
#[derive(Clone, Default)]
pub(super) struct Tasks {
    pub tracker: TaskTracker,
    pub stop: CancellationToken,
}

/// A slot under the connection limit, held for the connection's whole life,
/// WebSocket included (the upgrade handler takes it from the request).
#[derive(Clone)]
pub(super) struct ConnectionPermit(#[allow(dead_code)] Arc<OwnedSemaphorePermit>);

/// How long a refused client gets to read its 503.
const REFUSAL_DEADLINE: Duration = Duration::from_secs(1);

pub(super) async fn run<L: Listener>(
    mut listener: L,
    app: Router,
    engine: &Engine,
    tasks: Tasks,
    shutdown: impl Future<Output = ()> + Send,
) {
    let limits = &engine.config().limits;
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, _peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                let stop = tasks.stop.clone();
                tasks.tracker.spawn(serve_http(
                    io,
                    app.clone(),
                    permit,
                    stop,
                    limits.handshake_timeout,
                ));
            }
            Err(_) => {
                tracing::warn!(
                    limit = limits.max_connections,
                    "connection refused: at the connection limit"
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

async fn serve_http<I>(
    io: I,
    app: Router,
    permit: OwnedSemaphorePermit,
    stop: CancellationToken,
    header_timeout: Duration,
) where
    I: tokio::io::AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let permit = ConnectionPermit(Arc::new(permit));
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(permit.clone());
        app.clone().oneshot(request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%error, "HTTP connection ended with an error");
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
