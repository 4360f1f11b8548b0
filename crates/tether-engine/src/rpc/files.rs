//! `files.*`: a project's files for devices, searched for `@` mentions and read to show,
//! never outside the project's folder; a project on a machine is asked of the machine.

use super::projects::to_rpc;
use crate::engine::Engine;
use crate::files::{PathError, read};
use tether_protocol::files::{FileContent, FileMatches, FilePathParams, FilesSearchParams};
use tether_protocol::methods::method as of;
use tether_protocol::{ErrorCode, RpcError};

/// The most entries one search answers.
const MOST: usize = 200;

/// The longest query, in bytes.
const LONGEST_QUERY: usize = 256;

pub(super) async fn search(
    engine: &Engine,
    params: FilesSearchParams,
) -> Result<FileMatches, RpcError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=MOST).contains(&limit) || params.query.len() > LONGEST_QUERY {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!("limit must be 1 to {MOST}, and the query at most {LONGEST_QUERY} bytes"),
        ));
    }
    let project = engine.projects().get(&params.project_id).map_err(to_rpc)?;
    if let Some(machine) = &project.machine {
        return engine
            .machines()
            .forward::<of::FilesSearch>(machine, params)
            .await;
    }
    let index = engine.file_indexes().get(&project.id, &project.path).await;
    Ok(FileMatches {
        entries: index.search(&params.query, limit),
        truncated: index.truncated,
    })
}

pub(super) async fn read(engine: &Engine, params: FilePathParams) -> Result<FileContent, RpcError> {
    let project = engine.projects().get(&params.project_id).map_err(to_rpc)?;
    if let Some(machine) = &project.machine {
        return engine
            .machines()
            .forward::<of::FilesRead>(machine, params)
            .await;
    }
    tokio::task::spawn_blocking(move || read::read(&project.path, &params.path))
        .await
        .map_err(|_| RpcError::new(ErrorCode::Internal, "the file could not be read"))?
        .map_err(path_error)
}

pub(super) fn path_error(error: PathError) -> RpcError {
    let code = match error {
        PathError::Malformed | PathError::NotAFile => ErrorCode::InvalidParams,
        PathError::Outside => ErrorCode::Forbidden,
        PathError::Missing => ErrorCode::NotFound,
    };
    RpcError::new(code, error.to_string())
}
