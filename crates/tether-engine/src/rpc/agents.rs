//! `agents.*`: the agents the CLI offers a session.

use serde_json::Value;

use super::snapshot;
use crate::engine::Engine;
use tether_protocol::params::AgentParams;
use tether_protocol::params::SessionParams;
use tether_protocol::{ErrorCode, RpcError};

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
