//! `git.*`: a project's branch, working tree and diffs, read-only; a project on a machine is
//! asked of the machine.

use super::files::path_error;
use super::projects::to_rpc;
use crate::engine::Engine;
use crate::files::confine;
use crate::git::{self, GitError};
use tether_protocol::files::{GitDiff, GitDiffParams, GitStatus, ProjectParams};
use tether_protocol::methods::method as of;
use tether_protocol::{ErrorCode, RpcError};

pub(super) async fn status(engine: &Engine, params: ProjectParams) -> Result<GitStatus, RpcError> {
    let project = engine.projects().get(&params.project_id).map_err(to_rpc)?;
    if let Some(machine) = &project.machine {
        return engine
            .machines()
            .forward::<of::GitStatusGet>(machine, params)
            .await;
    }
    git::status(&project.path).await.map_err(git_error)
}

pub(super) async fn diff(engine: &Engine, params: GitDiffParams) -> Result<GitDiff, RpcError> {
    let project = engine.projects().get(&params.project_id).map_err(to_rpc)?;
    if let Some(machine) = &project.machine {
        return engine
            .machines()
            .forward::<of::GitDiffGet>(machine, params)
            .await;
    }
    // A deleted file has no real location: its name alone is checked.
    let path = confine::relative(&params.path).map_err(path_error)?;
    git::diff(&project.path, &path, params.staged.unwrap_or(false))
        .await
        .map_err(git_error)
}

fn git_error(error: GitError) -> RpcError {
    RpcError::new(ErrorCode::Unavailable, error.to_string())
}
