//! Who is calling: the trusted caller on the local socket, the holder of a paired device's
//! token, or a client that signed a challenge with an authorized SSH key.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::accept::{ConnectionPermit, PeerIp};
use super::routes::{Admission, AppState, Refusal};
use tether_engine::auth::Caller;
use tether_engine::auth::ssh::{KeyError, SCHEME};
use tether_protocol::{ErrorCode, RpcError};

/// The prefix of the subprotocol entry in which browsers, which cannot set headers, offer a token.
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "tether.token.";

/// Lets a request through to its handler only with a caller, which it then carries.
pub(super) async fn require_caller(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request.extensions().get::<PeerIp>().and_then(|peer| peer.0);
    let machine_route = request.uri().path() == MACHINE_ROUTE;
    match authenticate(&state, request.headers()).and_then(|caller| confined(caller, machine_route))
    {
        Ok(caller) => {
            if let Some(id) = caller.device_id() {
                state.engine.devices().seen(id, peer);
            }
            if let Some(ConnectionPermit(slot)) = request.extensions().get() {
                slot.signed_in();
            }
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(refused) => refused.into_response(),
    }
}

/// The route machines connect at, the only one open to them.
pub const MACHINE_ROUTE: &str = "/ws/machine";

/// A machine's token opens its link and nothing else; the link is for machines only.
fn confined(caller: Caller, machine_route: bool) -> Result<Caller, Refusal> {
    let machine = matches!(caller, Caller::Machine { .. });
    if machine == machine_route {
        return Ok(caller);
    }
    let message = if machine {
        "this token belongs to a machine: it connects at /ws/machine and nowhere else"
    } else {
        "only machines running `tether agent` connect here; devices use /ws"
    };
    Err(Refusal {
        status: StatusCode::FORBIDDEN,
        error: RpcError::new(ErrorCode::Forbidden, message),
    })
}

/// The caller, or a 401 to answer with.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, Refusal> {
    if matches!(state.admission, Admission::Local) {
        return Ok(Caller::Local);
    }
    if let Some(signed) = authorization(headers).filter(|value| value.starts_with(SCHEME)) {
        // The gate has allowed only this listener's own names as the Host.
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        return state
            .engine
            .ssh_keys()
            .sign_in(host, signed)
            .map_err(refused_key);
    }
    presented_token(headers)
        .and_then(|token| state.engine.devices().verify(&token))
        .ok_or_else(unauthorized)
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
}

/// The token from `Authorization: Bearer …`, or from a `tether.token.…` subprotocol entry.
fn presented_token(headers: &HeaderMap) -> Option<String> {
    let bearer = authorization(headers)
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

fn unauthorized() -> Refusal {
    let error = RpcError::new(
        ErrorCode::Unauthorized,
        "a valid token is required: send `Authorization: Bearer <token>`, or offer the subprotocols `tether.v1` and `tether.token.<token>`",
    );
    Refusal {
        status: StatusCode::UNAUTHORIZED,
        error,
    }
}

/// A failed SSH sign-in: 401 with what went wrong, in words and as `details.reason`.
fn refused_key(error: KeyError) -> Refusal {
    let reason = match &error {
        KeyError::StaleChallenge => "stale_challenge",
        KeyError::UnknownKey(_) => "unknown_key",
        KeyError::BadSignature => "bad_signature",
        KeyError::UnboundSignature => "old_client",
        _ => "bad_format",
    };
    tracing::warn!(reason, "SSH sign-in refused");
    Refusal {
        status: StatusCode::UNAUTHORIZED,
        error: RpcError::new(ErrorCode::Unauthorized, error.to_string())
            .with_details(serde_json::json!({ "reason": reason })),
    }
}
