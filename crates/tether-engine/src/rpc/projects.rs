//! `projects.*`: the directories sessions may run in. Only the desktop side adds or removes them.

use std::path::Path;

use super::require_local;
use crate::auth::Caller;
use crate::engine::Engine;
use crate::projects::ProjectError;
use crate::supervisor::handle::Command;
use tether_protocol::Project;
use tether_protocol::events::AccountEvent;
use tether_protocol::params::NoParams;
use tether_protocol::params::ProjectAddParams;
use tether_protocol::params::ProjectIdParams;
use tether_protocol::{ErrorCode, RpcError};

pub(super) fn add(
    engine: &Engine,
    caller: &Caller,
    params: ProjectAddParams,
) -> Result<Project, RpcError> {
    add_folder(engine, caller, &params.path)
}

/// Adds `path` as a project (or finds the one it already is). The desktop may add any folder;
/// a device only one inside `projects.device_roots`.
pub(super) fn add_folder(
    engine: &Engine,
    caller: &Caller,
    path: &Path,
) -> Result<Project, RpcError> {
    let folder = path.canonicalize();
    if let Some(project) = folder
        .as_ref()
        .ok()
        .and_then(|folder| engine.projects().find(folder))
    {
        return Ok(project);
    }
    // A device learns nothing of folders outside its roots, not even whether they exist.
    let device = !matches!(caller, Caller::Local);
    if device
        && !folder
            .as_ref()
            .is_ok_and(|folder| inside_device_roots(engine, folder))
    {
        return Err(RpcError::new(
            ErrorCode::Forbidden,
            "devices may add projects only inside the folders the desktop's setting \
             projects.device_roots lists",
        ));
    }
    let folder = folder.map_err(|error| {
        RpcError::new(
            ErrorCode::InvalidParams,
            format!("{} is not a folder: {error}", path.display()),
        )
    })?;
    let project = engine.projects().add(&folder).map_err(to_rpc)?;
    engine.announce(&AccountEvent::ProjectAdded(project.clone()));
    Ok(project)
}

fn inside_device_roots(engine: &Engine, folder: &Path) -> bool {
    engine
        .config()
        .projects
        .device_roots
        .iter()
        .filter_map(|root| root.canonicalize().ok())
        .any(|root| folder.starts_with(root))
}

pub(super) fn list(engine: &Engine, _: NoParams) -> Vec<Project> {
    engine.projects().list()
}

pub(super) fn get(engine: &Engine, params: ProjectIdParams) -> Result<Project, RpcError> {
    engine.projects().get(&params.id).map_err(to_rpc)
}

/// Removes a project and archives its sessions, so no `claude` runs there any longer.
pub(super) async fn remove(
    engine: &Engine,
    caller: &Caller,
    params: ProjectIdParams,
) -> Result<Project, RpcError> {
    require_local(caller, "projects.remove")?;
    let project = engine.projects().remove(&params.id).map_err(to_rpc)?;
    engine.file_indexes().forget(&project.id);
    let sessions = engine
        .sessions()
        .list()
        .into_iter()
        .filter(|session| session.project_id == project.id);
    for handle in sessions.filter_map(|session| engine.sessions().get(&session.id)) {
        // An already ended session answers `Ended`, which is what we want anyway.
        let _ = handle.ask(|reply| Command::Archive { reply }).await;
    }
    engine.announce(&AccountEvent::ProjectRemoved(project.clone()));
    Ok(project)
}

pub(super) fn to_rpc(error: ProjectError) -> RpcError {
    let code = match error {
        ProjectError::NotADirectory { .. } => ErrorCode::InvalidParams,
        ProjectError::NotFound(_) => ErrorCode::NotFound,
    };
    RpcError::new(code, error.to_string())
}
