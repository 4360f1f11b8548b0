//! `lan.*`: whether phones and tablets may reach the engine over the local network (HTTPS and
//! WSS with the app's own certificate). Anyone signed in may ask; only the desktop switches it.

use super::require_local;
use crate::auth::Caller;
use crate::engine::Engine;
use crate::lan_switch::LanFailure;
use tether_protocol::LanStatus;
use tether_protocol::events::AccountEvent;
use tether_protocol::params::LanEnableParams;
use tether_protocol::params::NoParams;
use tether_protocol::{ErrorCode, RpcError};

pub(super) fn status(engine: &Engine, _: NoParams) -> LanStatus {
    engine.lan().status()
}

pub(super) async fn enable(
    engine: &Engine,
    caller: &Caller,
    params: LanEnableParams,
) -> Result<LanStatus, RpcError> {
    require_local(caller, "lan.enable")?;
    let settings = &engine.config().lan;
    let address = params.address.or(settings.address);
    let port = params.port.unwrap_or(settings.port);
    let enabled = engine.lan().enable(engine, address, port).await;
    announced(engine, enabled)
}

/// Tells every client where LAN access now stands (a listener that failed to start again
/// leaves it off), and answers with it or with why it failed.
fn announced(
    engine: &Engine,
    outcome: Result<LanStatus, LanFailure>,
) -> Result<LanStatus, RpcError> {
    engine.announce(&AccountEvent::LanUpdated(engine.lan().status()));
    outcome.map_err(|error| RpcError::new(ErrorCode::Unavailable, error.to_string()))
}

/// Replaces the LAN certificate with a new one (a new key and fingerprint); while LAN access
/// is on, it serves with the new one at once.
pub(super) async fn rotate(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<LanStatus, RpcError> {
    require_local(caller, "lan.rotate_certificate")?;
    let rotated = engine
        .lan()
        .rotate(engine, engine.config().lan.address)
        .await;
    announced(engine, rotated)
}

/// Stops serving the LAN; its connections close at once.
pub(super) async fn disable(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<LanStatus, RpcError> {
    require_local(caller, "lan.disable")?;
    let status = engine.lan().disable().await;
    engine.announce(&AccountEvent::LanUpdated(status.clone()));
    Ok(status)
}
