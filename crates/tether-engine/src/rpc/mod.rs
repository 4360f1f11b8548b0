//! RPC methods: one dispatcher for every transport, one file per method group.

mod agents;
mod devices;
mod events;
mod keys;
mod lan;
mod messages;
mod pairing;
mod projects;
mod sessions;
mod system;
mod todos;
mod tools;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::Caller;
use crate::engine::Engine;
use crate::supervisor::handle::{Command, SessionError, SessionHandle};
use tether_protocol::session_view::SessionSnapshot;
use tether_protocol::{ErrorCode, RpcError};

pub use devices::{ListedDevice, PairedDevice};
pub use pairing::PairingOffer;
pub use system::SystemInfo;

/// Every method name, for documentation and `method_not_found` hints.
pub const METHODS: &[&str] = &[
    "system.info",
    "devices.create",
    "devices.list",
    "devices.rename",
    "devices.revoke",
    "pairing.start",
    "pairing.waiting",
    "pairing.approve",
    "pairing.deny",
    "keys.list",
    "keys.add",
    "keys.remove",
    "lan.status",
    "lan.enable",
    "lan.disable",
    "lan.rotate_certificate",
    "projects.add",
    "projects.list",
    "projects.get",
    "projects.remove",
    "sessions.create",
    "sessions.list",
    "sessions.get",
    "sessions.archive",
    "sessions.delete",
    "sessions.set_model",
    "sessions.set_permission_mode",
    "messages.send",
    "messages.cancel",
    "messages.retry",
    "tools.list",
    "tools.approve",
    "tools.reject",
    "agents.list",
    "agents.get",
    "todos.get",
    "todos.update",
    "events.history",
];

/// Runs one method for `caller` and returns its result.
pub async fn dispatch(
    engine: &Engine,
    caller: &Caller,
    method: &str,
    params: Option<Value>,
) -> Result<Value, RpcError> {
    match method {
        "system.info" => reply(system::info(engine, params_of(params)?)),
        "devices.create" => reply(devices::create(engine, caller, params_of(params)?).await?),
        "devices.list" => reply(devices::list(engine, params_of(params)?)),
        "devices.rename" => reply(devices::rename(engine, params_of(params)?).await?),
        "devices.revoke" => reply(devices::revoke(engine, params_of(params)?).await?),
        "pairing.start" => reply(pairing::start(engine, caller, params_of(params)?)?),
        "pairing.waiting" => reply(pairing::waiting(engine, caller, params_of(params)?)?),
        "pairing.approve" => reply(pairing::approve(engine, caller, params_of(params)?).await?),
        "pairing.deny" => reply(pairing::deny(engine, caller, params_of(params)?)?),
        "keys.list" => reply(keys::list(engine, params_of(params)?)),
        "keys.add" => reply(keys::add(engine, caller, params_of(params)?)?),
        "keys.remove" => reply(keys::remove(engine, caller, params_of(params)?)?),
        "lan.status" => reply(lan::status(engine, params_of(params)?)),
        "lan.enable" => reply(lan::enable(engine, caller, params_of(params)?).await?),
        "lan.disable" => reply(lan::disable(engine, caller, params_of(params)?).await?),
        "lan.rotate_certificate" => reply(lan::rotate(engine, caller, params_of(params)?).await?),
        "projects.add" => reply(projects::add(engine, caller, params_of(params)?)?),
        "projects.list" => reply(projects::list(engine, params_of(params)?)),
        "projects.get" => reply(projects::get(engine, params_of(params)?)?),
        "projects.remove" => reply(projects::remove(engine, caller, params_of(params)?).await?),
        "sessions.create" => reply(sessions::create(engine, caller, params_of(params)?)?),
        "sessions.list" => reply(sessions::list(engine, params_of(params)?)),
        "sessions.get" => reply(sessions::get(engine, params_of(params)?).await?),
        "sessions.archive" => reply(sessions::archive(engine, params_of(params)?).await?),
        "sessions.delete" => reply(sessions::delete(engine, params_of(params)?)?),
        "sessions.set_model" => reply(sessions::set_model(engine, params_of(params)?).await?),
        "sessions.set_permission_mode" => {
            reply(sessions::set_permission_mode(engine, caller, params_of(params)?).await?)
        }
        "messages.send" => reply(messages::send(engine, params_of(params)?).await?),
        "messages.cancel" => reply(messages::cancel(engine, params_of(params)?).await?),
        "messages.retry" => reply(messages::retry(engine, params_of(params)?).await?),
        "tools.list" => reply(tools::list(engine, params_of(params)?).await?),
        "tools.approve" => reply(tools::approve(engine, caller, params_of(params)?).await?),
        "tools.reject" => reply(tools::reject(engine, caller, params_of(params)?).await?),
        "agents.list" => reply(agents::list(engine, params_of(params)?).await?),
        "agents.get" => reply(agents::get(engine, params_of(params)?).await?),
        "todos.get" => reply(todos::get(engine, params_of(params)?).await?),
        "todos.update" => reply(todos::update(engine, params_of(params)?).await?),
        "events.history" => reply(events::history(engine, params_of(params)?)?),
        _ => Err(RpcError::new(
            ErrorCode::MethodNotFound,
            format!("no method named {method:?}"),
        )
        .with_details(serde_json::json!({ "methods": METHODS }))),
    }
}

/// Reads `params` into a method's parameter type; absent params read as `{}`.
fn params_of<T: DeserializeOwned>(params: Option<Value>) -> Result<T, RpcError> {
    serde_json::from_value(params.unwrap_or_else(|| Value::Object(Default::default()))).map_err(
        |error| RpcError::new(ErrorCode::InvalidParams, format!("invalid params: {error}")),
    )
}

fn reply(result: impl serde::Serialize) -> Result<Value, RpcError> {
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
        Caller::Device { .. } | Caller::Key { .. } => Err(RpcError::new(
            ErrorCode::Forbidden,
            format!("{method} is only allowed from the desktop app or the local `tether` command"),
        )),
    }
}

/// No parameters.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// Methods that act on one session name it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionParams {
    session_id: String,
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
        .ask(|reply| Command::Snapshot { reply })
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
