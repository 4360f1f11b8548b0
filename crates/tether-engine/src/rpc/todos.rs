//! `todos.*`: the session's todo list, from the model's TodoWrite calls; devices may edit it.

use super::{handle, session_error, snapshot};
use crate::engine::Engine;
use crate::supervisor::handle::Command;
use tether_protocol::RpcError;
use tether_protocol::model::Todo;
use tether_protocol::params::SessionParams;
use tether_protocol::params::TodosParams;
use tether_protocol::results::Done;

pub(super) async fn get(engine: &Engine, params: SessionParams) -> Result<Vec<Todo>, RpcError> {
    Ok(snapshot(engine, &params.session_id).await?.todos)
}

pub(super) async fn update(engine: &Engine, params: TodosParams) -> Result<Done, RpcError> {
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::SetTodos {
            todos: params.todos,
            reply,
        })
        .await
        .map_err(session_error)?;
    Ok(Done {})
}
