//! `tokens.*`: make, list and revoke the bearer tokens clients connect with (desktop side only).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{NoParams, require_local};
use crate::auth::{Caller, TokenSummary, service::TokenError};
use crate::engine::Engine;
use crate::protocol::{CloseReason, ErrorCode, RpcError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateParams {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RevokeParams {
    id: String,
}

/// The result of `tokens.create`: the only time the token itself is ever shown (no `Debug`,
/// so it cannot end up in a log by accident).
#[derive(Serialize, TS)]
pub struct CreatedToken {
    #[serde(flatten)]
    #[ts(flatten)]
    pub summary: TokenSummary,
    pub token: String,
}

/// A token in `tokens.list`, with its live connections.
#[derive(Debug, Serialize, TS)]
pub struct ListedToken {
    #[serde(flatten)]
    #[ts(flatten)]
    pub summary: TokenSummary,
    #[ts(type = "number")]
    pub connections: usize,
}

pub(super) async fn create(
    engine: &Engine,
    caller: &Caller,
    params: CreateParams,
) -> Result<CreatedToken, RpcError> {
    require_local(caller, "tokens.create")?;
    let (summary, issued) = engine.tokens().create(&params.name).await.map_err(to_rpc)?;
    tracing::info!(id = %summary.id, name = %summary.name, "token created");
    engine.announce("token.created", &summary);
    Ok(CreatedToken {
        summary,
        token: issued.secret,
    })
}

pub(super) fn list(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<Vec<ListedToken>, RpcError> {
    require_local(caller, "tokens.list")?;
    let connections = engine.connections();
    Ok(engine
        .tokens()
        .list()
        .into_iter()
        .map(|summary| ListedToken {
            connections: connections.count_for(&summary.id),
            summary,
        })
        .collect())
}

pub(super) async fn revoke(
    engine: &Engine,
    caller: &Caller,
    params: RevokeParams,
) -> Result<TokenSummary, RpcError> {
    require_local(caller, "tokens.revoke")?;
    let summary = engine.tokens().revoke(&params.id).await.map_err(to_rpc)?;
    let closed = engine
        .connections()
        .close_token(&summary.id, CloseReason::TokenRevoked);
    tracing::info!(id = %summary.id, closed, "token revoked");
    engine.announce("token.revoked", &summary);
    Ok(summary)
}

fn to_rpc(error: TokenError) -> RpcError {
    let code = match &error {
        TokenError::Vault(_) => ErrorCode::Unavailable,
        TokenError::NotFound(_) => ErrorCode::NotFound,
        TokenError::InvalidName => ErrorCode::InvalidParams,
    };
    RpcError::new(code, error.to_string())
}
