//! `POST /api/push/answer`: a notification's Allow or Deny answers its approval, with the
//! single-use credential the push carried (never the device token), as the device it was
//! minted for; limited per address (a budget apart from pairing's).

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::accept::PeerIp;
use super::pair::too_many_attempts;
use super::routes::{AppState, http_error};
use super::small_json::small_json;
use tether_engine::auth::Caller;
use tether_engine::rpc::call;
use tether_protocol::methods::method;
use tether_protocol::params::{ApproveParams, RejectParams};
use tether_protocol::{ErrorCode, RpcError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    credential: String,
    decision: Decision,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Decision {
    Allow,
    Deny,
}

pub(super) async fn handle(
    State(state): State<AppState>,
    Extension(peer): Extension<PeerIp>,
    body: Body,
) -> Response {
    let engine = &state.engine;
    if let Err(wait) = engine.answer_attempts().attempt(peer.0) {
        return too_many_attempts(wait);
    }
    let deadline = engine.config().limits.handshake_timeout;
    let shape = r#"{"credential", "decision": "allow" | "deny"}"#;
    let body = match small_json::<AnswerBody>(body, deadline, shape).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let refused = |message: String| {
        http_error(
            StatusCode::FORBIDDEN,
            RpcError::new(ErrorCode::Forbidden, message),
        )
    };
    let answerable = match engine.push().answers().take(&body.credential) {
        Ok(answerable) => answerable,
        Err(error) => return refused(error.to_string()),
    };
    let Some(device) = engine
        .devices()
        .list()
        .into_iter()
        .find(|device| device.id == answerable.device)
    else {
        return refused("the device this answer was for is no longer paired".to_owned());
    };
    let caller = Caller::Device {
        id: device.id,
        name: device.name,
    };
    let (session_id, request_id) = (answerable.session_id, answerable.request_id);
    let answered = match body.decision {
        Decision::Allow => {
            let params = ApproveParams {
                session_id,
                request_id,
                always: false,
            };
            call::<method::ToolsApprove>(engine, &caller, params)
                .await
                .map(|_| ())
        }
        Decision::Deny => {
            let params = RejectParams {
                session_id,
                request_id,
                message: None,
            };
            call::<method::ToolsReject>(engine, &caller, params)
                .await
                .map(|_| ())
        }
    };
    match answered {
        Ok(()) => Json(json!({ "answered": true })).into_response(),
        Err(error) => refused(error.message),
    }
}
