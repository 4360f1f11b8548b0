//! `push.*`: a paired device's own Web Push subscriptions, and the key to make them with.
//! The desktop notifies itself; a device sees and changes only its own.

use crate::auth::Caller;
use crate::engine::Engine;
use crate::push::{PushError, check};
use tether_protocol::params::NoParams;
use tether_protocol::push::{
    PushEndpointParams, PushStatus, PushSubscribeParams, PushSubscription, PushTested,
};
use tether_protocol::{DeviceId, ErrorCode, RpcError};

/// The calling device; push is for paired devices only.
fn device(caller: &Caller) -> Result<&DeviceId, RpcError> {
    caller.device_id().ok_or_else(|| {
        RpcError::new(
            ErrorCode::Forbidden,
            "push notifications are for paired devices; the desktop shows its own",
        )
    })
}

fn refused(error: PushError) -> RpcError {
    let code = match error {
        PushError::NotFound => ErrorCode::NotFound,
        PushError::Taken => ErrorCode::Conflict,
    };
    RpcError::new(code, error.to_string())
}

pub(super) async fn status(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<PushStatus, RpcError> {
    let device = device(caller)?;
    let status = engine.push().status(device).await;
    status.map_err(|error| {
        RpcError::new(
            ErrorCode::Unavailable,
            format!("the push notification key cannot be read: {error}"),
        )
    })
}

/// Queues a test notification to the calling device's subscriptions.
pub(super) fn test(engine: &Engine, caller: &Caller, _: NoParams) -> Result<PushTested, RpcError> {
    Ok(PushTested {
        queued: engine.push().test(device(caller)?),
    })
}

pub(super) fn list(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<Vec<PushSubscription>, RpcError> {
    Ok(engine.push().list(device(caller)?))
}

pub(super) fn subscribe(
    engine: &Engine,
    caller: &Caller,
    params: PushSubscribeParams,
) -> Result<PushSubscription, RpcError> {
    let device = device(caller)?;
    let checked = check(params)
        .map_err(|error| RpcError::new(ErrorCode::InvalidParams, error.to_string()))?;
    engine.push().subscribe(device, checked).map_err(refused)
}

pub(super) fn unsubscribe(
    engine: &Engine,
    caller: &Caller,
    params: PushEndpointParams,
) -> Result<PushSubscription, RpcError> {
    engine
        .push()
        .unsubscribe(device(caller)?, &params.endpoint)
        .map_err(refused)
}
