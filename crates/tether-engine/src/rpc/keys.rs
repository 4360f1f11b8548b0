//! `keys.*`: the SSH public keys allowed to sign in. Anyone signed in may list them; only the
//! desktop side adds or removes them.

use super::require_local;
use crate::auth::Caller;
use crate::auth::ssh::KeyError;
use crate::engine::Engine;
use tether_protocol::AuthorizedKey;
use tether_protocol::events::AccountEvent;
use tether_protocol::params::KeyAddParams;
use tether_protocol::params::KeyRemoveParams;
use tether_protocol::params::NoParams;
use tether_protocol::{CloseReason, ErrorCode, RpcError};

pub(super) fn list(engine: &Engine, _: NoParams) -> Vec<AuthorizedKey> {
    engine.ssh_keys().list()
}

pub(super) fn add(
    engine: &Engine,
    caller: &Caller,
    params: KeyAddParams,
) -> Result<AuthorizedKey, RpcError> {
    require_local(caller, "keys.add")?;
    let key = engine
        .ssh_keys()
        .add(&params.public_key, params.name.as_deref())
        .map_err(to_rpc)?;
    tracing::info!(fingerprint = %key.fingerprint, "SSH key authorized");
    engine.announce(&AccountEvent::KeyAdded(key.clone()));
    Ok(key)
}

/// Stops a key from signing in and closes its live connections (4001).
pub(super) fn remove(
    engine: &Engine,
    caller: &Caller,
    params: KeyRemoveParams,
) -> Result<AuthorizedKey, RpcError> {
    require_local(caller, "keys.remove")?;
    let key = engine
        .ssh_keys()
        .remove(&params.fingerprint)
        .map_err(to_rpc)?;
    let closed = engine
        .connections()
        .close_key(&key.fingerprint, CloseReason::TokenRevoked);
    tracing::info!(fingerprint = %key.fingerprint, closed, "SSH key removed");
    engine.announce(&AccountEvent::KeyRemoved(key.clone()));
    Ok(key)
}

fn to_rpc(error: KeyError) -> RpcError {
    let code = match &error {
        KeyError::NotFound(_) => ErrorCode::NotFound,
        _ => ErrorCode::InvalidParams,
    };
    RpcError::new(code, error.to_string())
}
