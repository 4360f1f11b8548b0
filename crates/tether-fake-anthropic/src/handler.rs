//! The one HTTP handler: record every request, answer `POST /v1/messages` from the script (SSE, or
//! one JSON message when the request says `"stream": false`), `{}` elsewhere.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::sse::{self, Message};
use crate::state::Shared;
use crate::stream::{self, Controls};
use crate::{RecordedRequest, Reply};

/// Larger than any request body the CLI sends (system prompt + tools + long histories).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(%err, "fake anthropic: unreadable request body");
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    let body = serde_json::from_slice(&bytes).ok();
    let recorded = RecordedRequest::new(&parts, body);
    tracing::debug!(method = %recorded.method, path = %recorded.path, "fake anthropic: request");
    let is_messages = recorded.is_messages();
    let bad_image = crate::images::blocks(recorded.messages()).err();
    let model = recorded.model().unwrap_or("claude-fake").to_owned();
    // Like the real API, only `"stream": true` streams: the CLI sends non-streaming requests too
    // (its retry after a broken stream, and the one-token probe that validates a new model).
    let stream = recorded.stream() == Some(true);
    // Subscribe before recording, so a test that sees the record and then releases frees this stall.
    let releases = shared.watch_releases();
    shared.record(recorded);
    if !is_messages {
        return axum::Json(json!({})).into_response();
    }
    if let Some(message) = bad_image {
        // Refused before any scripted reply is taken, as the real API refuses it.
        let reply = Reply::error(400, "invalid_request_error", message);
        return error(&reply);
    }
    let n = shared.next_id();
    let request_id = format!("req_fake{n:06}");
    let message = Message {
        id: &format!("msg_fake{n:06}"),
        model: &model,
    };
    let reply = shared.next_reply();
    let controls = Controls {
        releases,
        shutdown: shared.shutdown.clone(),
    };
    let mut response = match sse::plan(&reply, &message) {
        Some(planned) if stream => streaming(stream::body(planned.streamed, controls)),
        Some(planned) => whole(stream::body(planned.whole, controls)),
        None => error(&reply),
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

fn streaming(body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/event-stream; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

fn whole(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The non-streaming error body; an out-of-range status becomes 500.
fn error(reply: &Reply) -> Response {
    let Reply::Error {
        status,
        kind,
        message,
    } = reply
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"type": "error", "error": {"type": kind, "message": message}});
    (status, axum::Json(body)).into_response()
}
