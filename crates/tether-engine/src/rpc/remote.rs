//! `remote.*`: the public URL devices reach the engine at from anywhere, set by hand or by
//! turning on Tailscale Serve. Anyone signed in may ask; only the desktop changes it.

use super::require_local;
use crate::auth::Caller;
use crate::engine::Engine;
use crate::remote::PublicUrl;
use crate::remote::tailscale::Tailscale;
use tether_protocol::params::{NoParams, RemoteSetParams, RemoteTailscaleParams};
use tether_protocol::{ErrorCode, RemoteSource, RemoteStatus, RpcError};

pub(super) fn status(engine: &Engine, _: NoParams) -> RemoteStatus {
    engine.remote().current().status()
}

/// Sets the public URL by hand (none: off). Serve keeps running if Tailscale set the old one:
/// the user may have other uses for it.
pub(super) async fn set(
    engine: &Engine,
    caller: &Caller,
    params: RemoteSetParams,
) -> Result<RemoteStatus, RpcError> {
    require_local(caller, "remote.set")?;
    let url = params
        .public_url
        .as_deref()
        .map(PublicUrl::parse)
        .transpose()
        .map_err(|error| RpcError::new(ErrorCode::InvalidParams, error.to_string()))?;
    Ok(engine.set_public_url(url, RemoteSource::Desktop).await)
}

/// Turns Tailscale Serve on (forwarding the machine's tailnet name to the engine's port, which
/// becomes the public URL) or off (stopping what it forwards there, and the public URL).
pub(super) async fn tailscale(
    engine: &Engine,
    caller: &Caller,
    params: RemoteTailscaleParams,
) -> Result<RemoteStatus, RpcError> {
    require_local(caller, "remote.tailscale")?;
    let tailscale = Tailscale::new(engine.config().remote.tailscale.as_deref());
    let unavailable =
        |error: &dyn std::fmt::Display| RpcError::new(ErrorCode::Unavailable, error.to_string());
    if !params.enabled {
        let current = engine.remote().current();
        if current.source == Some(RemoteSource::Tailscale) {
            tailscale
                .unserve()
                .await
                .map_err(|error| unavailable(&error))?;
            return Ok(engine.set_public_url(None, RemoteSource::Desktop).await);
        }
        return Ok(current.status());
    }
    let Some(address) = engine.local_address() else {
        return Err(unavailable(
            &"this process serves no network, so Tailscale has nothing to forward",
        ));
    };
    let machine = tailscale
        .machine()
        .await
        .map_err(|error| unavailable(&error))?;
    tailscale
        .serve(&machine, address)
        .await
        .map_err(|error| unavailable(&error))?;
    let url = PublicUrl::parse(&format!("https://{}", machine.dns_name))
        .map_err(|error| unavailable(&error))?;
    Ok(engine
        .set_public_url(Some(url), RemoteSource::Tailscale)
        .await)
}
