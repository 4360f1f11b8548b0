//! RPC methods: one dispatcher for every transport, one file per method group.

mod system;
mod tokens;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::Caller;
use crate::engine::Engine;
use crate::protocol::{ErrorCode, RpcError};

pub use system::SystemInfo;
pub use tokens::{CreatedToken, ListedToken};

/// Every method name, for documentation and `method_not_found` hints.
pub const METHODS: [&str; 4] = [
    "system.info",
    "tokens.create",
    "tokens.list",
    "tokens.revoke",
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
        "tokens.create" => reply(tokens::create(engine, caller, params_of(params)?).await?),
        "tokens.list" => reply(tokens::list(engine, caller, params_of(params)?)?),
        "tokens.revoke" => reply(tokens::revoke(engine, caller, params_of(params)?).await?),
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
        Caller::Token { .. } => Err(RpcError::new(
            ErrorCode::Forbidden,
            format!("{method} is only allowed from the desktop app or the local `tether` command"),
        )),
    }
}

/// No parameters.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}
