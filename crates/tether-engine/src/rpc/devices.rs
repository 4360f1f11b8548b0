//! `devices.*`: the paired devices. Any signed-in caller may list, rename and revoke them (all
//! are the owner's); making a device without pairing is for the desktop side only.

use super::require_local;
use crate::auth::{Caller, DeviceError};
use crate::engine::Engine;
use tether_protocol::Device;
use tether_protocol::events::AccountEvent;
use tether_protocol::params::DeviceCreateParams;
use tether_protocol::params::DeviceIdParams;
use tether_protocol::params::DeviceRenameParams;
use tether_protocol::params::NoParams;
use tether_protocol::results::ListedDevice;
use tether_protocol::results::PairedDevice;
use tether_protocol::{CloseReason, ErrorCode, RpcError};

pub(super) async fn create(
    engine: &Engine,
    caller: &Caller,
    params: DeviceCreateParams,
) -> Result<PairedDevice, RpcError> {
    require_local(caller, "devices.create")?;
    let (device, issued) = engine
        .devices()
        .add(&params.name, params.machine.unwrap_or(false))
        .await
        .map_err(to_rpc)?;
    tracing::info!(device = %device.id, name = %device.name, "device created");
    engine.announce(&AccountEvent::DevicePaired(device.clone()));
    Ok(PairedDevice {
        device,
        token: issued.secret,
    })
}

pub(super) fn list(engine: &Engine, _: NoParams) -> Vec<ListedDevice> {
    let connections = engine.connections();
    engine
        .devices()
        .list()
        .into_iter()
        .map(|device| {
            let count = connections.count_for(&device.id);
            ListedDevice {
                device,
                online: count > 0,
                connections: count,
            }
        })
        .collect()
}

pub(super) async fn rename(
    engine: &Engine,
    params: DeviceRenameParams,
) -> Result<Device, RpcError> {
    let device = engine
        .devices()
        .rename(&params.id, &params.name)
        .await
        .map_err(to_rpc)?;
    engine.announce(&AccountEvent::DeviceRenamed(device.clone()));
    Ok(device)
}

/// Unpairs a device and closes its live connections at once (4001 `token_revoked`).
pub(super) async fn revoke(engine: &Engine, params: DeviceIdParams) -> Result<Device, RpcError> {
    let device = engine.devices().revoke(&params.id).await.map_err(to_rpc)?;
    engine.push().forget_device(&device.id);
    if device.machine {
        engine.machines().revoked(device.id.as_str());
    }
    let closed = engine
        .connections()
        .close_device(&device.id, CloseReason::TokenRevoked);
    tracing::info!(device = %device.id, closed, "device revoked");
    engine.announce(&AccountEvent::DeviceRevoked(device.clone()));
    Ok(device)
}

pub(super) fn to_rpc(error: DeviceError) -> RpcError {
    let code = match &error {
        DeviceError::Vault(_) | DeviceError::Store(_) => ErrorCode::Unavailable,
        DeviceError::NotFound(_) => ErrorCode::NotFound,
        DeviceError::InvalidName => ErrorCode::InvalidParams,
    };
    RpcError::new(code, error.to_string())
}
