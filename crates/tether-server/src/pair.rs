//! `POST /api/pair`: a device presents the pairing code and its name, then waits for the
//! desktop user's answer; approved, it receives its token in this response, once.

use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::accept::PeerIp;
use super::routes::{AppState, http_error};
use super::small_json::small_json;
use tether_engine::auth::pairing::{Answer, PairingError};
use tether_engine::engine::Engine;
use tether_protocol::events::{AccountEvent, PairingBurned, PairingOutcome, PairingWrongCode};
use tether_protocol::results::PairedDevice;
use tether_protocol::{ErrorCode, RpcError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairBody {
    code: String,
    name: String,
    /// A computer joining as a machine (`tether agent pair`).
    #[serde(default)]
    machine: bool,
}

pub(super) async fn handle(
    State(state): State<AppState>,
    Extension(peer): Extension<PeerIp>,
    body: Body,
) -> Response {
    let engine = &state.engine;
    if let Err(wait) = engine.attempts().attempt(peer.0) {
        return too_many_attempts(wait);
    }
    let deadline = engine.config().limits.handshake_timeout;
    let body = match small_json::<PairBody>(body, deadline, "{\"code\", \"name\"}").await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let (request, answer) =
        match engine
            .pairing()
            .claim(&body.code, &body.name, body.machine, peer.0)
        {
            Ok(claimed) => claimed,
            Err(error) => {
                let address = peer.0.map(|ip| ip.to_string());
                tracing::warn!(reason = error.reason(), ?address, "pairing attempt refused");
                tell_desktop(engine, error, address);
                return refused(error);
            }
        };
    tracing::info!(request = %request.id, name = %request.name, "a device asks to pair");
    engine.announce(&AccountEvent::PairingRequested(request.clone()));
    let waiting = Waiting {
        engine: engine.clone(),
        id: request.id.clone(),
    };
    let waited = tokio::select! {
        // An answer that arrived is delivered even when the server is stopping.
        biased;
        waited = tokio::time::timeout(engine.pairing().ttl(), answer) => match waited {
            Ok(Ok(answer)) => Waited::Answered(answer),
            Ok(Err(_)) => Waited::Unanswered,
            Err(_) => Waited::TimedOut,
        },
        () = state.tasks.stop.cancelled() => Waited::Unanswered,
    };
    drop(waiting);
    match waited {
        Waited::Answered(Answer::Approved { device, token }) => {
            Json(PairedDevice { device, token }).into_response()
        }
        Waited::Answered(Answer::Denied) => {
            refused_because("denied", "the desktop user declined this device")
        }
        Waited::Unanswered => http_error(
            StatusCode::SERVICE_UNAVAILABLE,
            RpcError::new(
                ErrorCode::Unavailable,
                "the desktop could not finish pairing (it may be stopping); try again",
            ),
        ),
        Waited::TimedOut => refused_because(
            "timed_out",
            "nobody answered on the desktop in time; start pairing again",
        ),
    }
}

/// How a device's wait for the desktop's answer ended.
enum Waited {
    Answered(Answer),
    /// The answer can no longer come: the engine is stopping, or dropped the request.
    Unanswered,
    TimedOut,
}

/// A device's wait: when it ends without an answer (timeout, or the device hung up), the
/// request is withdrawn, and the desktop told.
struct Waiting {
    engine: Engine,
    id: String,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.engine.pairing().withdraw(&self.id) {
            self.engine.announce(&AccountEvent::pairing_resolved(
                &self.id,
                PairingOutcome::Withdrawn,
                None,
            ));
        }
    }
}

/// Tells the desktop of wrong codes and who tried them: each wrong try, with how many that
/// address has left, and the try that burned the code.
fn tell_desktop(engine: &Engine, error: PairingError, address: Option<String>) {
    let most = engine.config().pairing.max_wrong_codes;
    match error {
        PairingError::WrongCode { tries } => {
            engine.announce(&AccountEvent::PairingWrongCode(PairingWrongCode {
                address,
                tries,
                tries_left: most.saturating_sub(tries),
            }));
        }
        PairingError::Burned => {
            engine.announce(&AccountEvent::PairingBurned(PairingBurned { address }));
        }
        _ => {}
    }
}

/// The device's answer. Every failure about the code reads the same, so a stranger cannot
/// tell whether a code is active, expired, mistyped or burned.
fn refused(error: PairingError) -> Response {
    if error.is_about_the_code() {
        return refused_because(
            "invalid_code",
            "that pairing code does not work: check it, or start pairing again on the desktop",
        );
    }
    let status = match error {
        PairingError::InvalidName => StatusCode::BAD_REQUEST,
        PairingError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::FORBIDDEN,
    };
    refused_with(status, error.reason(), &error.to_string())
}

fn refused_because(reason: &str, message: &str) -> Response {
    refused_with(StatusCode::FORBIDDEN, reason, message)
}

fn refused_with(status: StatusCode, reason: &str, message: &str) -> Response {
    let error =
        RpcError::new(ErrorCode::PairingFailed, message).with_details(json!({ "reason": reason }));
    http_error(status, error)
}

/// 429 with `Retry-After`, for an address over its attempts per minute.
pub(super) fn too_many_attempts(wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let error = RpcError::new(
        ErrorCode::RateLimited,
        format!("too many attempts from this address; try again in {seconds} s"),
    );
    let mut response = http_error(StatusCode::TOO_MANY_REQUESTS, error);
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
