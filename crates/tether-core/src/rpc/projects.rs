//! `projects.*`: the directories sessions may run in. Only the desktop side adds or removes them.

use std::path::PathBuf;

use serde::Deserialize;

use super::{NoParams, require_local};
use crate::auth::Caller;
use crate::engine::Engine;
use crate::projects::{Project, ProjectError};
use crate::protocol::{ErrorCode, RpcError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AddParams {
    path: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IdParams {
    id: String,
}

pub(super) fn add(
    engine: &Engine,
    caller: &Caller,
    params: AddParams,
) -> Result<Project, RpcError> {
    require_local(caller, "projects.add")?;
    let project = engine.projects().add(&params.path).map_err(to_rpc)?;
    engine.announce("project.added", &project);
    Ok(project)
}

pub(super) fn list(engine: &Engine, _: NoParams) -> Vec<Project> {
    engine.projects().list()
}

pub(super) fn get(engine: &Engine, params: IdParams) -> Result<Project, RpcError> {
    engine.projects().get(&params.id).map_err(to_rpc)
}

pub(super) fn remove(
    engine: &Engine,
    caller: &Caller,
    params: IdParams,
) -> Result<Project, RpcError> {
    require_local(caller, "projects.remove")?;
    let project = engine.projects().remove(&params.id).map_err(to_rpc)?;
    engine.announce("project.removed", &project);
    Ok(project)
}

pub(super) fn to_rpc(error: ProjectError) -> RpcError {
    let code = match error {
        ProjectError::NotADirectory { .. } => ErrorCode::InvalidParams,
        ProjectError::NotFound(_) => ErrorCode::NotFound,
    };
    RpcError::new(code, error.to_string())
}
