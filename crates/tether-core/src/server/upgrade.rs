//! `GET /ws`: authenticate before upgrading, apply the socket limits, start the connection actor.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::accept::ConnectionPermit;
use super::connection;
use super::routes::{Admission, AppState, http_error};
use crate::auth::Caller;
use crate::config::Limits;
use crate::protocol::{ErrorCode, RpcError, SUBPROTOCOL};

/// The prefix of the subprotocol entry in which browsers, which cannot set headers, offer a token.
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "tether.token.";

/// The largest frame the server writes (frames go out one at a time; the outbound queue
/// bounds how many wait). The buffer only grows this large while such a frame is written.
const MAX_WRITE_BUFFER_BYTES: usize = 64 << 20;

pub(super) async fn handle(
    State(state): State<AppState>,
    Extension(permit): Extension<ConnectionPermit>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let caller = match &state.admission {
        Admission::Local => Caller::Local,
        Admission::Network(_) => {
            match presented_token(&headers).and_then(|token| state.engine.tokens().verify(&token)) {
                Some(caller) => caller,
                None => return unauthorized(),
            }
        }
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            let error = RpcError::new(
                ErrorCode::InvalidFrame,
                format!("not a WebSocket upgrade: {rejection}"),
            );
            return http_error(rejection.status(), error);
        }
    };
    let AppState { engine, tasks, .. } = state;
    let upgrade = configure_socket(upgrade, &engine.config().limits).protocols([SUBPROTOCOL]);
    // Taken now, so a shutdown that starts before the upgrade completes still waits for it.
    let tracked = tasks.tracker.token();
    upgrade.on_upgrade(move |socket| async move {
        connection::run(socket, engine, caller, &tasks.stop).await;
        drop((permit, tracked));
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

/// The token from `Authorization: Bearer …`, or from a `tether.token.…` subprotocol entry.
fn presented_token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let offered = || {
        headers
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|value: &HeaderValue| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .find_map(|entry| entry.trim().strip_prefix(TOKEN_SUBPROTOCOL_PREFIX))
    };
    bearer.or_else(offered).map(str::to_owned)
}

fn unauthorized() -> Response {
    let error = RpcError::new(
        ErrorCode::Unauthorized,
        "a valid token is required: send `Authorization: Bearer <token>`, or offer the subprotocols `tether.v1` and `tether.token.<token>`",
    );
    let mut response = http_error(StatusCode::UNAUTHORIZED, error);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"tether\""),
    );
    response.into_response()
}
