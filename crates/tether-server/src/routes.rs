//! The routes, all behind the Host/Origin gate on the network: the API (`/ws`, `/api/…`),
//! which needs a signed-in caller, and the few open before sign-in (health, pairing,
//! SSH challenges, answers from notifications with their own credential).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Extension, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::accept::{PeerIp, Tasks};
use super::client_address::{Proxies, client_address};
use super::gate::{Gate, ThroughPublicUrl};
use super::upgrade;
use tether_engine::engine::Engine;
use tether_protocol::{ErrorCode, RpcError};

/// How callers on a listener are let in.
#[derive(Clone)]
pub(super) enum Admission {
    /// Network callers: Host and Origin allowlists, then a bearer token.
    Network(Arc<Gate>),
    /// The local control socket: the file's permissions are the guard.
    Local,
}

#[derive(Clone)]
pub(super) struct AppState {
    pub engine: Engine,
    pub tasks: Tasks,
    pub admission: Admission,
}

/// The routes on a network listener; `metrics`: whether `/metrics` is among them.
pub(super) fn network(engine: Engine, tasks: Tasks, gate: Gate, metrics: bool) -> Router {
    let state = AppState {
        engine,
        tasks,
        admission: Admission::Network(Arc::new(gate)),
    };
    routes(state.clone(), metrics).layer(middleware::from_fn_with_state(state, check_gate))
}

pub(super) fn local(engine: Engine, tasks: Tasks) -> Router {
    let state = AppState {
        engine,
        tasks,
        admission: Admission::Local,
    };
    routes(state, true)
}

/// The largest body a request that is not signed in may carry.
const OPEN_BODY_BYTES: usize = 64 << 10;

fn routes(state: AppState, metrics: bool) -> Router {
    let signed_in = Router::new()
        .route("/ws", get(upgrade::handle))
        .route("/ws/chat/{project_id}", get(super::chat::handle))
        .route(
            super::credentials::MACHINE_ROUTE,
            get(super::machine_link::handle),
        )
        .merge(super::api::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            super::credentials::require_caller,
        ))
        // Signed in, a request may carry a prompt with its images.
        .layer(DefaultBodyLimit::max(
            state.engine.config().limits.max_message_bytes,
        ));
    let open = if metrics {
        Router::new().route("/metrics", get(serve_metrics))
    } else {
        Router::new()
    };
    Router::new()
        .merge(signed_in)
        .merge(open)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/pair", post(super::pair::handle))
        .route("/api/push/answer", post(super::push_answer::handle))
        .route("/api/auth/challenge", post(super::sign_in::challenge))
        .route("/", get(super::ui::index))
        // What anyone may send before signing in (a pairing, a challenge, an answer) is small.
        .layer(DefaultBodyLimit::max(OPEN_BODY_BYTES))
        .fallback(super::ui::asset)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Rejects, before any handler runs, requests with a foreign Host or Origin. One that came
/// through the public URL is marked so, and counts as the client a trusted proxy names (any
/// other counts as its TCP peer).
async fn check_gate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if let Admission::Network(gate) = &state.admission {
        let headers = request.headers();
        let through = match gate.check(headers.get(header::HOST), headers.get(header::ORIGIN)) {
            Ok(through) => through,
            Err(error) => {
                tracing::warn!(code = ?error.code, "request refused at the gate");
                return http_error(StatusCode::FORBIDDEN, error);
            }
        };
        if let Some(through) = through {
            let peer = request.extensions().get::<PeerIp>().and_then(|peer| peer.0);
            if let Some(peer) = peer {
                let remote = &state.engine.config().remote;
                let proxies = Proxies {
                    trusted: &remote.trusted_proxies,
                    header: remote.forwarded_header,
                };
                let client = client_address(peer, request.headers(), &proxies);
                request.extensions_mut().insert(PeerIp(Some(client)));
            }
            request.extensions_mut().insert(through);
        }
    }
    next.run(request).await
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The engine's metrics as Prometheus text; open like `/healthz` (counts only, no secrets), but
/// not through the public URL.
async fn serve_metrics(
    State(state): State<AppState>,
    through: Option<Extension<ThroughPublicUrl>>,
) -> Response {
    // Counts are for this computer and the LAN that asked for them, not the proxy's public.
    if through.is_some() {
        return not_found().await;
    }
    let text = tether_engine::metrics::scrape(&state.engine);
    let kind = "text/plain; version=0.0.4; charset=utf-8";
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// Ready once serving (devices were loaded from the keyring at start) with a store that saves;
/// degraded (503, with the store's problem) while it cannot, though live sessions go on.
/// It never calls the keyring itself, which anyone reaching the port could otherwise make
/// prompt or stall.
async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.engine.store().health();
    let ready = store.problem.is_none();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({ "ready": ready, "checks": { "store": store } });
    (status, Json(body)).into_response()
}

pub(super) async fn not_found() -> Response {
    http_error(
        StatusCode::NOT_FOUND,
        RpcError::new(ErrorCode::NotFound, "no such route; the API is at /ws"),
    )
}

async fn method_not_allowed() -> Response {
    let error = RpcError::new(
        ErrorCode::NotFound,
        "this route does not answer that method",
    );
    http_error(StatusCode::METHOD_NOT_ALLOWED, error)
}

/// A request refused before the handler's work: its status and the usual error body.
pub(super) struct Refusal {
    pub status: StatusCode,
    pub error: RpcError,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let unauthorized = self.status == StatusCode::UNAUTHORIZED;
        let mut response = http_error(self.status, self.error);
        if unauthorized {
            let challenge = axum::http::HeaderValue::from_static("Bearer realm=\"tether\"");
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// An HTTP error with the same `{code, message}` body as protocol errors.
pub(super) fn http_error(status: StatusCode, error: RpcError) -> Response {
    (status, Json(error)).into_response()
}
