//! Who is calling: the trusted caller on the local socket, or the holder of a valid token.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};

use super::routes::{Admission, AppState, Refusal};
use crate::auth::Caller;
use crate::protocol::{ErrorCode, RpcError};

/// The prefix of the subprotocol entry in which browsers, which cannot set headers, offer a token.
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "tether.token.";

/// The caller, or a 401 to answer with.
pub(super) fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, Refusal> {
    match &state.admission {
        Admission::Local => Ok(Caller::Local),
        Admission::Network(_) => presented_token(headers)
            .and_then(|token| state.engine.tokens().verify(&token))
            .ok_or_else(unauthorized),
    }
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
