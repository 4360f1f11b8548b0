//! `agents.*` and `todos.*`: what the CLI offers a session, and the session's todo list.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{SessionParams, handle, session_error, snapshot};
use crate::engine::Engine;
use crate::protocol::{ErrorCode, RpcError};
use crate::supervisor::handle::Command;
use crate::supervisor::model::Todo;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AgentParams {
    session_id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TodosParams {
    session_id: String,
    todos: Vec<Todo>,
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

pub(super) async fn todos(engine: &Engine, params: SessionParams) -> Result<Vec<Todo>, RpcError> {
    Ok(snapshot(engine, &params.session_id).await?.todos)
}

pub(super) async fn update_todos(engine: &Engine, params: TodosParams) -> Result<Value, RpcError> {
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::SetTodos {
            todos: params.todos,
            reply,
        })
        .await
        .map_err(session_error)?;
    Ok(json!({}))
}
