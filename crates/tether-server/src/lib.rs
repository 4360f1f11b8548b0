//! The server, on top of the engine: it owns every listener (loopback HTTP and WebSocket, the
//! LAN's TLS listener, the local control socket) and the in-process link of the desktop window,
//! and hands each connection's frames to the engine.

/// The accept loop, bounded by connection slots.
mod accept;
/// The RPC over HTTP, for scripts and integrations.
mod api;
/// `/ws/chat`: the simple chat endpoint.
mod chat;
/// The client's address behind a trusted proxy.
mod client_address;
/// One connection: its reader, writer, heartbeat and rate limit.
mod connection;
/// Who is calling: the local socket, a device token or an SSH key.
mod credentials;
/// Host and Origin allowlists on every request.
mod gate;
/// LAN access: the TLS listener and the app's own certificate.
pub mod lan;
/// Starting a whole engine for a shell.
pub mod launch;
/// The in-process connection of the desktop window.
pub mod local_link;
/// `/ws/machine`: the link of a machine running `tether agent`.
mod machine_link;
/// `POST /api/pair`: a device presents the pairing code.
mod pair;
/// `POST /api/push/answer`: answering an approval from a notification.
mod push_answer;
/// Every route, behind the Host/Origin gate.
mod routes;
/// `POST /api/auth/challenge`: SSH-key sign-in challenges.
mod sign_in;
/// Connection slots, and the room kept for signed-in clients.
mod slots;
/// The small JSON bodies of the routes open before sign-in.
mod small_json;
/// The chat UI built into the binary.
pub mod ui;
/// `GET /ws`: the WebSocket upgrade.
mod upgrade;

use std::future::Future;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use axum::serve::{Listener, ListenerExt};
use tokio::net::{TcpListener, TcpStream, UnixListener};
use tokio_rustls::TlsAcceptor;

use gate::Gate;
pub use upgrade::configure_socket;

use tether_engine::data_dir::DataDir;
use tether_engine::engine::Engine;

/// Serves the network API on `listener` until `shutdown` completes, then closes every
/// WebSocket with 1001 and waits for all connection tasks.
pub async fn serve(
    listener: TcpListener,
    engine: Engine,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let address = listener.local_addr()?;
    engine.set_local_address(address);
    crate::lan::install(&engine);
    let gate = Gate::loopback(engine.config(), address, engine.remote().watch());
    let tasks = accept::Tasks::default();
    let app = routes::network(engine.clone(), tasks.clone(), gate, true);
    accept::run(no_delay(listener), app, &engine, tasks, None, shutdown).await;
    Ok(())
}

/// Serves the same API over TLS on the LAN listener, whose Host and Origin allowlists name
/// only its own address, until `shutdown`; then closes its WebSockets with 1001.
pub async fn serve_lan(
    listener: TcpListener,
    engine: Engine,
    tls: TlsAcceptor,
    shutdown: impl Future<Output = ()> + Send,
) {
    let gate = match listener.local_addr() {
        Ok(address) => Gate::lan(engine.config(), address),
        Err(error) => {
            tracing::error!(%error, "the LAN listener has no address");
            return;
        }
    };
    let tasks = accept::Tasks::default();
    let metrics = engine.config().lan.metrics;
    let app = routes::network(engine.clone(), tasks.clone(), gate, metrics);
    accept::run(no_delay(listener), app, &engine, tasks, Some(tls), shutdown).await;
}

/// `listener`, with Nagle's algorithm off on every socket it accepts: an event is a small
/// write, and each one is sent at once instead of waiting for the previous one's ACK.
fn no_delay(listener: TcpListener) -> impl Listener<Addr = std::net::SocketAddr> {
    listener.tap_io(|socket: &mut TcpStream| {
        if let Err(error) = socket.set_nodelay(true) {
            tracing::warn!(%error, "cannot turn off Nagle's algorithm on a connection");
        }
    })
}

/// Serves the same API on the local control socket, where every caller is trusted:
/// only the owner of the data directory can open it.
pub async fn serve_local(
    listener: UnixListener,
    engine: Engine,
    shutdown: impl Future<Output = ()> + Send,
) {
    let tasks = accept::Tasks::default();
    let app = routes::local(engine.clone(), tasks.clone());
    accept::run(listener, app, &engine, tasks, None, shutdown).await;
}

/// The control socket's path inside a data directory.
pub fn control_socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join("control.sock")
}

/// Binds the control socket in a claimed data directory (mode 0600), replacing a stale one:
/// holding the directory's lock means no other engine serves it.
pub fn bind_local(data_dir: &DataDir) -> io::Result<UnixListener> {
    let path = control_socket_path(data_dir.path());
    match std::fs::remove_file(&path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}
