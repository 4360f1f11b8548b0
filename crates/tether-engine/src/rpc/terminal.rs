//! `terminal.*`: Claude Code's own sessions, from its transcripts: listed, their folders,
//! opened (the last page, followed live), read further back, and continued in Tether.

use std::collections::HashMap;
use std::path::Path;

use super::projects::add_folder;
use crate::auth::Caller;
use crate::engine::Engine;
use crate::supervisor::sessions::NewSession;
use crate::transcripts::history::{self, DEFAULT_TURNS};
use crate::transcripts::{FollowError, Indexed, PageError, Transcripts, folder_of};
use tether_protocol::model::{Origin, SessionInfo, SessionStatus};
use tether_protocol::params::{
    NoParams, TerminalContinueParams, TerminalListParams, TerminalParams, TerminalReadParams,
};
use tether_protocol::session_view::MessagePage;
use tether_protocol::terminal::{
    TerminalFolder, TerminalFolders, TerminalList, TerminalOpened, TerminalSession,
};
use tether_protocol::{ErrorCode, RpcError};

/// Sessions listed unless asked otherwise, and the most ever.
const DEFAULT_LIMIT: usize = 200;
const MAX_LIMIT: usize = 1_000;

pub(super) fn list(engine: &Engine, params: TerminalListParams) -> TerminalList {
    let transcripts = engine.transcripts();
    let mut sessions = described(engine)
        .into_iter()
        .filter(|session| {
            params
                .folder
                .as_ref()
                .is_none_or(|folder| session.folder.as_ref() == Some(folder))
        })
        .collect::<Vec<_>>();
    sessions.sort_by(|a, b| b.last_at.cmp(&a.last_at).then_with(|| a.id.cmp(&b.id)));
    let limit = params
        .limit
        .map_or(DEFAULT_LIMIT, |limit| limit as usize)
        .min(MAX_LIMIT);
    sessions.truncate(limit);
    TerminalList {
        sessions,
        progress: transcripts.index().progress(),
    }
}

pub(super) fn folders(engine: &Engine, _: NoParams) -> TerminalFolders {
    let mut folders: HashMap<String, TerminalFolder> = HashMap::new();
    for session in described(engine) {
        let Some(path) = session.folder else {
            continue;
        };
        let folder = folders
            .entry(path.clone())
            .or_insert_with(|| TerminalFolder {
                project_id: Path::new(&path)
                    .canonicalize()
                    .ok()
                    .and_then(|canonical| engine.projects().find(&canonical))
                    .map(|project| project.id),
                missing: !Path::new(&path).is_dir(),
                path,
                sessions: 0,
                last_at: None,
            });
        folder.sessions += 1;
        folder.last_at = folder.last_at.max(session.last_at);
    }
    let mut folders: Vec<TerminalFolder> = folders.into_values().collect();
    folders.sort_by(|a, b| b.last_at.cmp(&a.last_at).then_with(|| a.path.cmp(&b.path)));
    TerminalFolders {
        folders,
        progress: engine.transcripts().index().progress(),
    }
}

pub(super) async fn open(
    engine: &Engine,
    params: TerminalParams,
) -> Result<TerminalOpened, RpcError> {
    let indexed = indexed(engine, &params.id)?;
    let project_id = project_of(engine, &indexed);
    let transcript = describe(engine, &params.id, &indexed);
    let opening = engine.clone();
    let follower = blocking(move || {
        let transcripts = opening.transcripts();
        transcripts.follow(&opening, &params.id, &indexed, project_id)
    })
    .await?
    .map_err(|error| match error {
        FollowError::TooMany => RpcError::new(ErrorCode::Overloaded, error.to_string()),
        FollowError::Unnamable(_) => RpcError::new(ErrorCode::InvalidParams, error.to_string()),
        FollowError::Page(error) => page_error(error),
    })?;
    let (snapshot, before) = follower.snapshot(engine.hub());
    Ok(TerminalOpened {
        transcript,
        snapshot,
        before,
    })
}

pub(super) async fn read(
    engine: &Engine,
    params: TerminalReadParams,
) -> Result<MessagePage, RpcError> {
    let indexed = indexed(engine, &params.id)?;
    let turns = params.turns.map_or(DEFAULT_TURNS, |turns| turns as usize);
    let span = history::span(&indexed.digest, params.before, turns).map_err(page_error)?;
    let info = SessionInfo::new(params.id, String::new(), None, "default".to_owned(), 0);
    let (reducer, _) = blocking(move || history::load(&indexed.path, span, info))
        .await?
        .map_err(page_error)?;
    Ok(MessagePage {
        messages: reducer.view().messages.clone(),
        before: span.before,
    })
}

/// Carries the transcript on as a Tether session in its folder (a project from then on):
/// resumed, or forked when asked. A transcript a terminal still writes is only forked.
pub(super) fn carry_on(
    engine: &Engine,
    caller: &Caller,
    params: TerminalContinueParams,
) -> Result<SessionInfo, RpcError> {
    let indexed = indexed(engine, &params.id)?;
    let fork = params.fork.unwrap_or(false);
    // One at a time, so two devices continuing at once get one session.
    let _continuing = engine.transcripts().continuing();
    if !fork
        && let Some(running) = engine
            .sessions()
            .list()
            .into_iter()
            .find(|session| runs(session, &params.id))
    {
        return Ok(running);
    }
    if let Some(pid) = engine
        .transcripts()
        .live()
        .get(&params.id)
        .filter(|_| !fork)
    {
        return Err(RpcError::new(
            ErrorCode::Conflict,
            format!(
                "a claude in a terminal (pid {pid}) is writing this session now; follow it, \
                 or fork it into a new one (fork: true)"
            ),
        ));
    }
    let folder = folder_of(&indexed).ok_or_else(|| {
        RpcError::new(
            ErrorCode::Unavailable,
            "no line of this transcript names the folder it ran in",
        )
    })?;
    let project = add_folder(engine, caller, folder)?;
    super::sessions::create_session(
        engine,
        NewSession {
            project_id: project.id,
            cwd: project.path,
            model: None,
            permission_mode: "default".to_owned(),
            machine: None,
            origin: Some(Origin {
                transcript_id: params.id,
                fork,
            }),
        },
    )
}

/// Every indexed transcript as a list shows it.
fn described(engine: &Engine) -> Vec<TerminalSession> {
    let live = engine.transcripts().live();
    let continued = continued(engine);
    engine
        .transcripts()
        .index()
        .describe_all(|id, indexed| Transcripts::describe(id, indexed, &live, &continued))
}

fn describe(engine: &Engine, id: &str, indexed: &Indexed) -> TerminalSession {
    let live = engine.transcripts().live();
    Transcripts::describe(id, indexed, &live, &continued(engine))
}

/// The open Tether session running each CLI session id.
fn continued(engine: &Engine) -> HashMap<String, String> {
    engine
        .sessions()
        .list()
        .into_iter()
        .filter_map(|session| {
            let id = session.claude_session_id.clone()?;
            runs(&session, &id).then_some((id, session.id))
        })
        .collect()
}

/// Whether `session` carries the CLI session `id` on now: it is open, resumes it, and is not a
/// fork that has yet to get an id of its own.
fn runs(session: &SessionInfo, id: &str) -> bool {
    let unforked = session
        .origin
        .as_ref()
        .is_some_and(|origin| origin.fork && origin.transcript_id == id);
    session.status != SessionStatus::Ended
        && session.claude_session_id.as_deref() == Some(id)
        && !unforked
}

fn indexed(engine: &Engine, id: &str) -> Result<Indexed, RpcError> {
    engine.transcripts().index().get(id).ok_or_else(|| {
        RpcError::new(
            ErrorCode::NotFound,
            format!("no transcript has the id {id:?}"),
        )
    })
}

fn project_of(engine: &Engine, indexed: &Indexed) -> Option<String> {
    let folder = folder_of(indexed)?.canonicalize().ok()?;
    engine.projects().find(&folder).map(|project| project.id)
}

fn page_error(error: PageError) -> RpcError {
    let code = match error {
        PageError::NotABoundary(_) => ErrorCode::InvalidParams,
        PageError::Io(_) => ErrorCode::Unavailable,
    };
    RpcError::new(code, error.to_string())
}

/// Runs file reading off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, RpcError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| RpcError::new(ErrorCode::Internal, format!("reading failed: {error}")))
}
