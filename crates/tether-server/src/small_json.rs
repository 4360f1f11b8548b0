//! The small JSON bodies of the routes open before sign-in (pairing, answering from a
//! notification): read whole within a deadline and a few kilobytes, so a client trickling
//! its body cannot hold a connection slot; anything else is a clear 400.

use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::routes::http_error;
use tether_protocol::{ErrorCode, RpcError};

/// The largest such body.
const MAX_BODY_BYTES: usize = 4 << 10;

/// The body as `T`, read within `deadline`; `shape` says what was expected, for the 400.
pub(super) async fn small_json<T: DeserializeOwned>(
    body: Body,
    deadline: Duration,
    shape: &str,
) -> Result<T, Response> {
    let invalid = |why: String| {
        let error = RpcError::new(ErrorCode::InvalidParams, format!("expected {shape}: {why}"));
        http_error(StatusCode::BAD_REQUEST, error)
    };
    let bytes =
        match tokio::time::timeout(deadline, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(error)) => return Err(invalid(error.to_string())),
            Err(_) => return Err(invalid("the body did not arrive in time".into())),
        };
    serde_json::from_slice(&bytes).map_err(|error| invalid(error.to_string()))
}
