//! `sessions.*`: start, list, read, archive sessions and change their model or permission mode.

use super::{handle, session_error};
use crate::auth::Caller;
use crate::engine::Engine;
use crate::supervisor::arguments::{self, ArgumentError};
use crate::supervisor::binary::locate;
use crate::supervisor::handle::Command;
use crate::supervisor::pages::page_before;
use crate::supervisor::sessions::NewSession;
use crate::supervisor::titles::hides_text;
use tether_protocol::events::{AccountEvent, SessionDeleted, SessionSummary};
use tether_protocol::model::{SessionInfo, SessionStatus};
use tether_protocol::params::ModeParams;
use tether_protocol::params::ModelParams;
use tether_protocol::params::RenameParams;
use tether_protocol::params::SessionCreateParams;
use tether_protocol::params::SessionGetParams;
use tether_protocol::params::SessionListParams;
use tether_protocol::params::SessionParams;
use tether_protocol::params::SessionReadParams;
use tether_protocol::session_view::{MessagePage, SessionSnapshot};
use tether_protocol::{ChannelKind, ChannelName, ErrorCode, RpcError};
use tether_store::{Row, StoreError};

pub(super) fn create(
    engine: &Engine,
    caller: &Caller,
    params: SessionCreateParams,
) -> Result<SessionInfo, RpcError> {
    let project = engine
        .projects()
        .get(&params.project_id)
        .map_err(super::projects::to_rpc)?;
    let permission_mode = params
        .permission_mode
        .unwrap_or_else(|| "default".to_owned());
    check_mode(engine, caller, &permission_mode)?;
    if let Some(model) = &params.model {
        arguments::model(model).map_err(invalid)?;
    }
    if params.machine.is_some() && params.machine != project.machine {
        let why = format!(
            "the project {} is not on the machine {:?}",
            project.id,
            params.machine.unwrap_or_default()
        );
        return Err(RpcError::new(ErrorCode::InvalidParams, why));
    }
    if let Some(machine) = &project.machine
        && !(engine.devices().describe(machine)).is_some_and(|(_, is_machine)| is_machine)
    {
        let why = format!("the machine {machine} of this project was removed");
        return Err(RpcError::new(ErrorCode::NotFound, why));
    }
    create_session(
        engine,
        NewSession {
            project_id: project.id,
            cwd: project.path,
            model: params.model,
            permission_mode,
            origin: None,
            machine: project.machine,
        },
    )
}

/// Starts `new` and announces it, within the limit of open sessions and with `claude` found.
pub(super) fn create_session(engine: &Engine, new: NewSession) -> Result<SessionInfo, RpcError> {
    let open = engine
        .sessions()
        .list()
        .iter()
        .filter(|session| session.status != SessionStatus::Ended)
        .count();
    let most = engine.config().claude.max_sessions;
    if open >= most {
        let why = format!("at most {most} sessions may be open at once; archive one first");
        return Err(RpcError::new(ErrorCode::Overloaded, why));
    }
    if new.machine.is_none() {
        locate(engine.config().claude.path.as_deref())
            .map_err(|error| RpcError::new(ErrorCode::Unavailable, error.to_string()))?;
    }
    let info = engine.sessions().create(engine, new).info();
    engine.announce(&AccountEvent::SessionCreated(SessionSummary {
        session: info.clone(),
    }));
    Ok(info)
}

pub(super) fn list(engine: &Engine, params: SessionListParams) -> Vec<SessionInfo> {
    let all = engine.sessions().list();
    all.into_iter()
        .filter(|info| {
            params
                .project_id
                .as_ref()
                .is_none_or(|id| *id == info.project_id)
        })
        .collect()
}

/// Parts on one page of `sessions.read` unless asked otherwise, and the most ever.
const DEFAULT_PAGE_PARTS: usize = 500;
const MAX_PAGE_PARTS: usize = 5_000;

/// The session as it stands: all of it, or with `parts` its last page.
pub(super) async fn get(
    engine: &Engine,
    params: SessionGetParams,
) -> Result<SessionSnapshot, RpcError> {
    let parts = params
        .parts
        .map(|parts| (parts as usize).min(MAX_PAGE_PARTS));
    let session = handle(engine, &params.session_id)?;
    if let Ok(snapshot) = session
        .ask(|reply| Command::Snapshot { parts, reply })
        .await
    {
        return Ok(snapshot);
    }
    // An archived session has no actor: its history is in the store.
    let info = session.info();
    let store = engine.store();
    let todos = (store.session(&info.id).map_err(unreadable)?)
        .map(|record| record.todos)
        .unwrap_or_default();
    let mut messages = store.messages(&info.id).map_err(unreadable)?;
    let all = messages.len();
    let (range, before) = parts.map_or((0..all, None), |parts| page_before(&messages, all, parts));
    messages.truncate(range.end);
    messages.drain(..range.start);
    Ok(SessionSnapshot {
        messages,
        position: ChannelName::new(ChannelKind::Session, &info.id)
            .and_then(|channel| engine.hub().position(&channel)),
        session: info,
        approvals: Vec::new(),
        todos,
        agents: Vec::new(),
        before,
    })
}

/// The messages before a point in the session (from `get` or an earlier page).
pub(super) async fn read(
    engine: &Engine,
    params: SessionReadParams,
) -> Result<MessagePage, RpcError> {
    let parts = params
        .parts
        .map_or(DEFAULT_PAGE_PARTS, |parts| parts as usize)
        .min(MAX_PAGE_PARTS);
    let before = usize::try_from(params.before).unwrap_or(usize::MAX);
    let session = handle(engine, &params.session_id)?;
    if let Ok(page) = session
        .ask(|reply| Command::Page {
            before,
            parts,
            reply,
        })
        .await
    {
        return Ok(page);
    }
    let mut messages = engine
        .store()
        .messages(&session.info().id)
        .map_err(unreadable)?;
    let (range, before) = page_before(&messages, before, parts);
    messages.truncate(range.end);
    messages.drain(..range.start);
    Ok(MessagePage { messages, before })
}

fn unreadable(error: StoreError) -> RpcError {
    RpcError::new(
        ErrorCode::Unavailable,
        format!("the saved history cannot be read: {error}"),
    )
}

/// Deletes an archived session: its summary, messages and event log.
pub(super) fn delete(engine: &Engine, params: SessionParams) -> Result<SessionDeleted, RpcError> {
    let session = handle(engine, &params.session_id)?;
    if session.info().status != SessionStatus::Ended {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            "only an archived session can be deleted; archive it first",
        ));
    }
    engine.sessions().forget(&params.session_id);
    engine
        .store()
        .save(Row::SessionRemoved(params.session_id.clone()));
    if let Some(channel) = ChannelName::new(ChannelKind::Session, &params.session_id) {
        engine.hub().forget(&channel);
    }
    let deleted = SessionDeleted {
        session_id: params.session_id,
    };
    engine.announce(&AccountEvent::SessionDeleted(deleted.clone()));
    Ok(deleted)
}

pub(super) async fn archive(
    engine: &Engine,
    params: SessionParams,
) -> Result<SessionSummary, RpcError> {
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::Archive { reply })
        .await
        .map_err(session_error)?;
    Ok(SessionSummary {
        session: session.info(),
    })
}

pub(super) async fn set_model(
    engine: &Engine,
    params: ModelParams,
) -> Result<SessionSummary, RpcError> {
    arguments::model(&params.model).map_err(invalid)?;
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::SetModel {
            model: params.model,
            reply,
        })
        .await
        .map_err(session_error)?;
    Ok(SessionSummary {
        session: session.info(),
    })
}

/// The longest name a session may have, in characters.
const MAX_TITLE: usize = 120;

/// Names a session (an empty or missing name takes its name away).
pub(super) async fn rename(
    engine: &Engine,
    params: RenameParams,
) -> Result<SessionSummary, RpcError> {
    let title = params
        .title
        .map(|title| title.trim().to_owned())
        .filter(|title| !title.is_empty());
    if let Some(title) = &title
        && (title.chars().count() > MAX_TITLE || title.chars().any(hides_text))
    {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!(
                "title: at most {MAX_TITLE} characters, on one line, without direction overrides"
            ),
        ));
    }
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::Rename { title, reply })
        .await
        .map_err(session_error)?;
    Ok(SessionSummary {
        session: session.info(),
    })
}

pub(super) async fn set_permission_mode(
    engine: &Engine,
    caller: &Caller,
    params: ModeParams,
) -> Result<SessionSummary, RpcError> {
    check_mode(engine, caller, &params.mode)?;
    let session = handle(engine, &params.session_id)?;
    session
        .ask(|reply| Command::SetPermissionMode {
            mode: params.mode,
            reply,
        })
        .await
        .map_err(session_error)?;
    Ok(SessionSummary {
        session: session.info(),
    })
}

/// A known mode; bypassing permissions only from the desktop, unless its settings allow devices.
fn check_mode(engine: &Engine, caller: &Caller, mode: &str) -> Result<(), RpcError> {
    arguments::permission_mode(mode).map_err(invalid)?;
    let device = !matches!(caller, Caller::Local);
    if mode == "bypassPermissions"
        && device
        && !engine.config().claude.devices_may_bypass_permissions
    {
        return Err(RpcError::new(
            ErrorCode::Forbidden,
            "only the desktop may bypass permissions (its setting claude.devices_may_bypass_permissions allows devices)",
        ));
    }
    Ok(())
}

fn invalid(error: ArgumentError) -> RpcError {
    RpcError::new(ErrorCode::InvalidParams, error.to_string())
}
