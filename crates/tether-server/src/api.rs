//! The same RPC over HTTP for scripts and integrations: resource routes for projects and sessions
//! (GET/POST/PUT/DELETE keep their usual meaning) and `POST /api/rpc/{method}` for every method.
//! Same sign-in, Host and Origin rules, and error codes as the WebSocket.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::routes::{AppState, http_error};
use tether_engine::auth::Caller;
use tether_protocol::{ErrorCode, RpcError};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/projects",
            get(
                |state: State<AppState>, Extension(caller): Extension<Caller>| {
                    with_body(state, caller, String::new(), "projects.list", false)
                },
            )
            .post(
                |state: State<AppState>, Extension(caller): Extension<Caller>, raw: String| {
                    with_body(state, caller, raw, "projects.add", true)
                },
            ),
        )
        .route(
            "/api/projects/{id}",
            get(
                |state: State<AppState>, Extension(caller): Extension<Caller>, id: Path<String>| {
                    by_id(state, caller, id, "projects.get", "id")
                },
            )
            .delete(
                |state: State<AppState>, Extension(caller): Extension<Caller>, id: Path<String>| {
                    by_id(state, caller, id, "projects.remove", "id")
                },
            ),
        )
        .route(
            "/api/sessions",
            get(list_sessions).post(
                |state: State<AppState>, Extension(caller): Extension<Caller>, raw: String| {
                    with_body(state, caller, raw, "sessions.create", true)
                },
            ),
        )
        .route(
            "/api/sessions/{id}",
            get(
                |state: State<AppState>, Extension(caller): Extension<Caller>, id: Path<String>| {
                    by_id(state, caller, id, "sessions.get", "session_id")
                },
            )
            .put(update_session)
            .delete(
                |state: State<AppState>, Extension(caller): Extension<Caller>, id: Path<String>| {
                    by_id(state, caller, id, "sessions.archive", "session_id")
                },
            ),
        )
        .route(
            "/api/rpc/{method}",
            post(
                |state: State<AppState>,
                 Extension(caller): Extension<Caller>,
                 Path(method): Path<String>,
                 raw: String| async move {
                    call(&state, &caller, &method, body(&raw), false).await
                },
            ),
        )
}

/// A method whose params are the request body (201 when it `created` something).
async fn with_body(
    State(state): State<AppState>,
    caller: Caller,
    raw: String,
    method: &'static str,
    created: bool,
) -> Response {
    call(&state, &caller, method, body(&raw), created).await
}

/// A method whose one param, named `key`, is the id in the path.
async fn by_id(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    method: &'static str,
    key: &'static str,
) -> Response {
    call(&state, &caller, method, Ok(json!({ key: id })), false).await
}

/// A JSON body, or `{}` when there is none; malformed JSON is `invalid_params`.
fn body(raw: &str) -> Result<Value, RpcError> {
    if raw.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(raw).map_err(|error| {
        RpcError::new(
            ErrorCode::InvalidParams,
            format!("the body is not JSON: {error}"),
        )
    })
}

/// Authenticates, runs the method, and answers `{result}` or the error with its HTTP status.
async fn call(
    state: &AppState,
    caller: &Caller,
    method: &str,
    params: Result<Value, RpcError>,
    created: bool,
) -> Response {
    let outcome = match params {
        Ok(params) => state.engine.dispatch(caller, method, Some(params)).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(result) => {
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(json!({ "result": result }))).into_response()
        }
        Err(error) => http_error(status_of(error.code), error),
    }
}

/// The HTTP status for each error code.
pub(super) fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidFrame
        | ErrorCode::UnknownFrameType
        | ErrorCode::UnsupportedFrame
        | ErrorCode::InvalidParams
        | ErrorCode::InvalidChannel => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden
        | ErrorCode::ForbiddenOrigin
        | ErrorCode::ForbiddenHost
        | ErrorCode::PairingFailed => StatusCode::FORBIDDEN,
        ErrorCode::NotFound | ErrorCode::MethodNotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::TooManySubscriptions | ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Unavailable | ErrorCode::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[derive(Deserialize)]
struct SessionFilter {
    project_id: Option<String>,
}

async fn list_sessions(
    State(state): State<AppState>,
    Query(filter): Query<SessionFilter>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let params = match filter.project_id {
        Some(project_id) => json!({ "project_id": project_id }),
        None => json!({}),
    };
    call(&state, &caller, "sessions.list", Ok(params), false).await
}

/// `PUT /api/sessions/{id}` with `{"model": …}` and/or `{"permission_mode": …}`.
async fn update_session(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Extension(caller): Extension<Caller>,
    raw: String,
) -> Response {
    let changes = match body(&raw) {
        Ok(changes) => changes,
        Err(error) => return http_error(status_of(error.code), error),
    };
    let unknown = changes
        .as_object()
        .into_iter()
        .flat_map(|fields| fields.keys())
        .find(|key| !matches!(key.as_str(), "model" | "permission_mode"));
    if let Some(key) = unknown {
        let error = RpcError::new(
            ErrorCode::InvalidParams,
            format!("cannot change {key:?}; a session's model and permission_mode can change"),
        );
        return http_error(status_of(error.code), error);
    }
    let mut last = None;
    // The permission mode first: it is the change a caller may be refused, and then nothing changed.
    for (field, method, key) in [
        ("permission_mode", "sessions.set_permission_mode", "mode"),
        ("model", "sessions.set_model", "model"),
    ] {
        if let Some(value) = changes.get(field) {
            let response = call(
                &state,
                &caller,
                method,
                Ok(json!({ "session_id": id, key: value })),
                false,
            )
            .await;
            if !response.status().is_success() {
                return response;
            }
            last = Some(response);
        }
    }
    match last {
        Some(response) => response,
        None => {
            call(
                &state,
                &caller,
                "sessions.get",
                Ok(json!({ "session_id": id })),
                false,
            )
            .await
        }
    }
}
