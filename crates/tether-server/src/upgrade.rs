//! `GET /ws`: signed in before upgrading (by the routes' guard), apply the socket limits,
//! start the connection actor.

use std::future::Future;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;

use super::accept::ConnectionPermit;
use super::connection::{self, Protocol, WebSocketTransport};
use super::gate::ThroughPublicUrl;
use super::routes::{AppState, Refusal};
use tether_engine::auth::Caller;
use tether_engine::config::Limits;
use tether_engine::connections::DeviceSlot;
use tether_engine::engine::Engine;
use tether_protocol::{ErrorCode, RpcError, SUBPROTOCOL};

/// The largest frame the server writes (frames go out one at a time; the outbound queue
/// bounds how many wait). The buffer only grows this large while such a frame is written.
const MAX_WRITE_BUFFER_BYTES: usize = 64 << 20;

pub(super) async fn handle(
    State(state): State<AppState>,
    Extension(permit): Extension<ConnectionPermit>,
    Extension(caller): Extension<Caller>,
    through: Option<Extension<ThroughPublicUrl>>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let (upgrade, slot) = match accept(upgrade, &state.engine, &caller) {
        Ok(accepted) => accepted,
        Err(refused) => return refused.into_response(),
    };
    let through = through.map(|Extension(through)| through.0);
    start(
        upgrade.protocols([SUBPROTOCOL]),
        state,
        permit,
        move |socket, engine, stop| {
            let (owner, who) = (engine.clone(), caller.clone());
            let dialect = move |outbox: &_| Protocol::greet(owner, who, outbox);
            let socket = WebSocketTransport(socket);
            connection::run(socket, engine, caller, through, stop, dialect)
                .map(move |()| drop(slot))
        },
    )
}

/// A well-formed upgrade with the socket limits applied, and the device's slot for it (to be
/// held until the connection ends); a JSON 400 for a malformed upgrade, and 429 for a device
/// (or SSH key) that already holds its share of connections.
pub(super) fn accept(
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    engine: &Engine,
    caller: &Caller,
) -> Result<(WebSocketUpgrade, Option<DeviceSlot>), Refusal> {
    let limits = &engine.config().limits;
    let upgrade = upgrade
        .map(|upgrade| configure_socket(upgrade, limits))
        .map_err(|rejection| Refusal {
            status: rejection.status(),
            error: RpcError::new(
                ErrorCode::InvalidFrame,
                format!("not a WebSocket upgrade: {rejection}"),
            ),
        })?;
    match engine
        .connections()
        .reserve(caller, limits.max_connections_per_device)
    {
        Ok(slot) => Ok((upgrade, slot)),
        Err(open) => Err(Refusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: RpcError::new(
                ErrorCode::Overloaded,
                format!(
                    "{} already has {open} connections open, the most one device may \
                     (limits.max_connections_per_device); close one first",
                    caller.device_name()
                ),
            ),
        }),
    }
}

/// Upgrades and runs `serve` on the socket as a tracked task holding the connection's slot.
pub(super) fn start<F, Fut>(
    upgrade: WebSocketUpgrade,
    state: AppState,
    permit: ConnectionPermit,
    serve: F,
) -> Response
where
    F: FnOnce(WebSocket, Engine, CancellationToken) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let AppState { engine, tasks, .. } = state;
    // Taken now, so a shutdown that starts before the upgrade completes still waits for it.
    let tracked = tasks.tracker.token();
    // Combinators, not an async block: an async block would hold both the socket it was given
    // and the future it awaits, for the connection's whole life. The connection runs as a
    // task of its own, so the upgrade's task (and what it holds) ends once the socket is made.
    upgrade.on_upgrade(move |socket| {
        let connection = serve(socket, engine, tasks.stop).map(move |()| drop((permit, tracked)));
        tokio::spawn(connection);
        std::future::ready(())
    })
}

/// Applies the configured frame, message and buffer limits to a WebSocket upgrade.
pub fn configure_socket(upgrade: WebSocketUpgrade, limits: &Limits) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(limits.read_buffer_bytes)
        .write_buffer_size(limits.write_buffer_bytes)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES.max(limits.write_buffer_bytes + 1))
        .max_message_size(limits.max_message_bytes)
        .max_frame_size(limits.max_frame_bytes)
}
