//! `devices.*`: the paired devices. Any signed-in caller may list, rename and revoke them (all
//! are the owner's); making a device without pairing is for the desktop side only.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{NoParams, require_local};
use crate::auth::{Caller, DeviceError};
use crate::engine::Engine;
use tether_protocol::Device;
use tether_protocol::events::AccountEvent;
use tether_protocol::{CloseReason, ErrorCode, RpcError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateParams {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RenameParams {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IdParams {
    id: String,
}

/// A device with its token: the only time the token is ever shown (no `Debug`, so it cannot
/// end up in a log by accident). The answer to `devices.create`, and to an approved pairing.
#[derive(Serialize, TS)]
pub struct PairedDevice {
    pub device: Device,
    pub token: String,
}

/// A device in `devices.list`, with whether it is connected now.
#[derive(Debug, Serialize, TS)]
pub struct ListedDevice {
    #[serde(flatten)]
    #[ts(flatten)]
    pub device: Device,
    pub online: bool,
    #[ts(type = "number")]
    pub connections: usize,
}

pub(super) async fn create(
    engine: &Engine,
    caller: &Caller,
    params: CreateParams,
) -> Result<PairedDevice, RpcError> {
    require_local(caller, "devices.create")?;
    let (device, issued) = engine.devices().add(&params.name).await.map_err(to_rpc)?;
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

pub(super) async fn rename(engine: &Engine, params: RenameParams) -> Result<Device, RpcError> {
    let device = engine
        .devices()
        .rename(&params.id, &params.name)
        .await
        .map_err(to_rpc)?;
    engine.announce(&AccountEvent::DeviceRenamed(device.clone()));
    Ok(device)
}

/// Unpairs a device and closes its live connections at once (4001 `token_revoked`).
pub(super) async fn revoke(engine: &Engine, params: IdParams) -> Result<Device, RpcError> {
    let device = engine.devices().revoke(&params.id).await.map_err(to_rpc)?;
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
