//! `agents.*`: the agents the CLI offers a session.

use serde::Deserialize;
use serde_json::Value;

use super::{SessionParams, snapshot};
use crate::engine::Engine;
use tether_protocol::{ErrorCode, RpcError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AgentParams {
    session_id: String,
    name: String,
}

/// The agents the CLI listed when it started (empty until the session's first message).
pub(super) async fn list(engine: &Engine, params: SessionParams) -> Result<Vec<Value>, RpcError> {
    Ok(snapshot(engine, &params.session_id).await?.agents)
}

pub(super) async fn get(engine: &Engine, params: AgentParams) -> Result<Value, RpcError> {
    let agents = snapshot(engine, &params.session_id).await?.agents;
    agents
        .into_iter()
        .find(|agent| agent["name"] == params.name.as_str() || agent.as_str() == Some(&params.name))
        .ok_or_else(|| {
            RpcError::new(
                ErrorCode::NotFound,
                format!("no agent named {:?}", params.name),
            )
        })
}
