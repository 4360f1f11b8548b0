//! `POST /api/auth/challenge`: a fresh challenge for an SSH-key sign-in, limited per address.

use axum::Json;
use axum::extract::{Extension, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::accept::PeerIp;
use super::pair::too_many_attempts;
use super::routes::{AppState, http_error};
use tether_engine::auth::ssh::{CHALLENGE_TTL, KeyError, NAMESPACE};
use tether_protocol::{ErrorCode, RpcError};

pub(super) async fn challenge(
    State(state): State<AppState>,
    Extension(peer): Extension<PeerIp>,
) -> Response {
    if let Err(wait) = state.engine.challenges().attempt(peer.0) {
        return too_many_attempts(wait);
    }
    match state.engine.ssh_keys().challenge(peer.0) {
        Ok(challenge) => Json(json!({
            "challenge": challenge,
            "namespace": NAMESPACE,
            "expires_in": CHALLENGE_TTL.as_secs(),
        }))
        .into_response(),
        // The address's oldest challenge is gone within a challenge's lifetime.
        Err(KeyError::BusyHere) => too_many_attempts(CHALLENGE_TTL),
        Err(error) => http_error(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            RpcError::new(ErrorCode::Overloaded, error.to_string()),
        ),
    }
}
