//! RPC methods: one dispatcher for every transport, one file per method group.

mod agents;
mod devices;
mod events;
mod files;
mod git;
mod keys;
mod lan;
mod machines;
mod messages;
mod pairing;
mod projects;
mod push;
mod remote;
mod search;
mod sessions;
mod slash_commands;
mod system;
mod terminal;
mod todos;
mod tools;

use serde_json::Value;

use crate::auth::Caller;
use crate::engine::Engine;
use crate::supervisor::handle::{Command, SessionError, SessionHandle};
use tether_protocol::methods::{Method, Request};
use tether_protocol::session_view::SessionSnapshot;
use tether_protocol::{ErrorCode, RpcError};

/// Runs one method, named and with its params as a client sent them, for `caller`.
pub async fn dispatch(
    engine: &Engine,
    caller: &Caller,
    method: &str,
    params: Option<Value>,
) -> Result<Value, RpcError> {
    run(engine, caller, Request::decode(method, params)?).await
}

/// Runs one method for a caller in this process, typed by the RPC table.
pub async fn call<M: Method>(
    engine: &Engine,
    caller: &Caller,
    params: M::Params,
) -> Result<M::Result, RpcError> {
    let answer = run(engine, caller, M::request(params)).await?;
    serde_json::from_value(answer).map_err(|error| {
        RpcError::new(
            ErrorCode::Internal,
            format!("{} answered unexpectedly: {error}", M::NAME),
        )
    })
}

/// Runs a decoded request. Every method of the RPC table has its arm here (the compiler
/// checks), and each arm's answer is the table's result type for it.
async fn run(engine: &Engine, caller: &Caller, request: Request) -> Result<Value, RpcError> {
    use tether_protocol::methods::method as of;
    match request {
        Request::SystemInfo(p) => reply::<of::SystemInfo>(system::info(engine, p)),
        Request::DevicesCreate(p) => {
            reply::<of::DevicesCreate>(devices::create(engine, caller, p).await?)
        }
        Request::DevicesList(p) => reply::<of::DevicesList>(devices::list(engine, p)),
        Request::DevicesRename(p) => reply::<of::DevicesRename>(devices::rename(engine, p).await?),
        Request::DevicesRevoke(p) => reply::<of::DevicesRevoke>(devices::revoke(engine, p).await?),
        Request::MachinesList(p) => reply::<of::MachinesList>(machines::list(engine, p)),
        Request::PairingStart(p) => reply::<of::PairingStart>(pairing::start(engine, caller, p)?),
        Request::PairingWaiting(p) => {
            reply::<of::PairingWaiting>(pairing::waiting(engine, caller, p)?)
        }
        Request::PairingApprove(p) => {
            reply::<of::PairingApprove>(pairing::approve(engine, caller, p).await?)
        }
        Request::PairingDeny(p) => reply::<of::PairingDeny>(pairing::deny(engine, caller, p)?),
        Request::KeysList(p) => reply::<of::KeysList>(keys::list(engine, p)),
        Request::KeysAdd(p) => reply::<of::KeysAdd>(keys::add(engine, caller, p)?),
        Request::KeysRemove(p) => reply::<of::KeysRemove>(keys::remove(engine, caller, p)?),
        Request::LanStatus(p) => reply::<of::LanStatus>(lan::status(engine, p)),
        Request::LanEnable(p) => reply::<of::LanEnable>(lan::enable(engine, caller, p).await?),
        Request::LanDisable(p) => reply::<of::LanDisable>(lan::disable(engine, caller, p).await?),
        Request::LanRotateCertificate(p) => {
            reply::<of::LanRotateCertificate>(lan::rotate(engine, caller, p).await?)
        }
        Request::RemoteStatus(p) => reply::<of::RemoteStatus>(remote::status(engine, p)),
        Request::RemoteSet(p) => reply::<of::RemoteSet>(remote::set(engine, caller, p).await?),
        Request::RemoteTailscale(p) => {
            reply::<of::RemoteTailscale>(remote::tailscale(engine, caller, p).await?)
        }
        Request::PushStatus(p) => reply::<of::PushStatus>(push::status(engine, caller, p).await?),
        Request::PushSubscribe(p) => {
            reply::<of::PushSubscribe>(push::subscribe(engine, caller, p)?)
        }
        Request::PushUnsubscribe(p) => {
            reply::<of::PushUnsubscribe>(push::unsubscribe(engine, caller, p)?)
        }
        Request::PushList(p) => reply::<of::PushList>(push::list(engine, caller, p)?),
        Request::PushTest(p) => reply::<of::PushTest>(push::test(engine, caller, p)?),
        Request::PushDesktop(p) => reply::<of::PushDesktop>(push::desktop(engine, p)),
        Request::PushDesktopSet(p) => {
            reply::<of::PushDesktopSet>(push::desktop_set(engine, caller, p)?)
        }
        Request::PushNtfyToken(p) => {
            reply::<of::PushNtfyToken>(push::ntfy_token(engine, caller, p).await?)
        }
        Request::PushNtfyTest(p) => {
            reply::<of::PushNtfyTest>(push::ntfy_test(engine, caller, p).await?)
        }
        Request::ProjectsAdd(p) => reply::<of::ProjectsAdd>(projects::add(engine, caller, p)?),
        Request::ProjectsList(p) => reply::<of::ProjectsList>(projects::list(engine, p)),
        Request::ProjectsGet(p) => reply::<of::ProjectsGet>(projects::get(engine, p)?),
        Request::ProjectsRemove(p) => {
            reply::<of::ProjectsRemove>(projects::remove(engine, caller, p).await?)
        }
        Request::SessionsCreate(p) => {
            reply::<of::SessionsCreate>(sessions::create(engine, caller, p)?)
        }
        Request::SessionsList(p) => reply::<of::SessionsList>(sessions::list(engine, p)),
        Request::SessionsGet(p) => reply::<of::SessionsGet>(sessions::get(engine, p).await?),
        Request::SessionsRead(p) => reply::<of::SessionsRead>(sessions::read(engine, p).await?),
        Request::SessionsArchive(p) => {
            reply::<of::SessionsArchive>(sessions::archive(engine, p).await?)
        }
        Request::SessionsDelete(p) => reply::<of::SessionsDelete>(sessions::delete(engine, p)?),
        Request::SessionsRename(p) => {
            reply::<of::SessionsRename>(sessions::rename(engine, p).await?)
        }
        Request::SessionsSetModel(p) => {
            reply::<of::SessionsSetModel>(sessions::set_model(engine, p).await?)
        }
        Request::SessionsSetPermissionMode(p) => reply::<of::SessionsSetPermissionMode>(
            sessions::set_permission_mode(engine, caller, p).await?,
        ),
        Request::MessagesSend(p) => reply::<of::MessagesSend>(messages::send(engine, p).await?),
        Request::MessagesCancel(p) => {
            reply::<of::MessagesCancel>(messages::cancel(engine, p).await?)
        }
        Request::MessagesRetry(p) => reply::<of::MessagesRetry>(messages::retry(engine, p).await?),
        Request::ToolsList(p) => reply::<of::ToolsList>(tools::list(engine, p).await?),
        Request::ToolsApprove(p) => {
            reply::<of::ToolsApprove>(tools::approve(engine, caller, p).await?)
        }
        Request::ToolsReject(p) => {
            reply::<of::ToolsReject>(tools::reject(engine, caller, p).await?)
        }
        Request::AgentsList(p) => reply::<of::AgentsList>(agents::list(engine, p).await?),
        Request::AgentsGet(p) => reply::<of::AgentsGet>(agents::get(engine, p).await?),
        Request::FilesSearch(p) => reply::<of::FilesSearch>(files::search(engine, p).await?),
        Request::FilesRead(p) => reply::<of::FilesRead>(files::read(engine, p).await?),
        Request::GitStatusGet(p) => reply::<of::GitStatusGet>(git::status(engine, p).await?),
        Request::GitDiffGet(p) => reply::<of::GitDiffGet>(git::diff(engine, p).await?),
        Request::SearchMessages(p) => {
            reply::<of::SearchMessages>(search::messages(engine, p).await?)
        }
        Request::CommandsList(p) => {
            reply::<of::CommandsList>(slash_commands::list(engine, p).await?)
        }
        Request::TodosGet(p) => reply::<of::TodosGet>(todos::get(engine, p).await?),
        Request::TodosUpdate(p) => reply::<of::TodosUpdate>(todos::update(engine, p).await?),
        Request::EventsHistory(p) => reply::<of::EventsHistory>(events::history(engine, p)?),
        Request::TerminalList(p) => reply::<of::TerminalList>(terminal::list(engine, p)),
        Request::TerminalFolders(p) => reply::<of::TerminalFolders>(terminal::folders(engine, p)),
        Request::TerminalOpen(p) => reply::<of::TerminalOpen>(terminal::open(engine, p).await?),
        Request::TerminalRead(p) => reply::<of::TerminalRead>(terminal::read(engine, p).await?),
        Request::TerminalContinue(p) => {
            reply::<of::TerminalContinue>(terminal::carry_on(engine, caller, p)?)
        }
    }
}

/// Encodes a method's answer, of the type the RPC table declares for it.
fn reply<M: Method>(result: M::Result) -> Result<Value, RpcError> {
    serde_json::to_value(result).map_err(|error| {
        RpcError::new(
            ErrorCode::Internal,
            format!("result encoding failed: {error}"),
        )
    })
}

/// Methods that manage access are for the person at the desktop only.
fn require_local(caller: &Caller, method: &str) -> Result<(), RpcError> {
    match caller {
        Caller::Local => Ok(()),
        Caller::Device { .. } | Caller::Key { .. } | Caller::Machine { .. } => Err(RpcError::new(
            ErrorCode::Forbidden,
            format!("{method} is only allowed from the desktop app or the local `tether` command"),
        )),
    }
}

/// The session named, or `not_found`.
fn handle(engine: &Engine, id: &str) -> Result<SessionHandle, RpcError> {
    engine
        .sessions()
        .get(id)
        .ok_or_else(|| RpcError::new(ErrorCode::NotFound, format!("no session has the id {id:?}")))
}

/// The session's full state.
async fn snapshot(engine: &Engine, id: &str) -> Result<SessionSnapshot, RpcError> {
    handle(engine, id)?
        .ask(|reply| Command::Snapshot { parts: None, reply })
        .await
        .map_err(session_error)
}

fn session_error(error: SessionError) -> RpcError {
    let code = match &error {
        SessionError::Ended | SessionError::DesktopOnly(_) => ErrorCode::Forbidden,
        SessionError::NoSuchApproval(_) => ErrorCode::NotFound,
        SessionError::ClaudeNotFound(_) | SessionError::Spawn(_) | SessionError::NoAnswer(_) => {
            ErrorCode::Unavailable
        }
        SessionError::Nothing(_) | SessionError::Refused(_) | SessionError::Argument(_) => {
            ErrorCode::InvalidParams
        }
    };
    RpcError::new(code, error.to_string())
}
