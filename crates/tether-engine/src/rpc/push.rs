//! `push.*`: a paired device's own Web Push subscriptions, and the key to make them with; what
//! the desktop's own notifications tell of; the ntfy topic's token and test. A device sees and
//! changes only its own.

use super::require_local;
use crate::auth::Caller;
use crate::engine::Engine;
use crate::push::{PushError, check};
use tether_protocol::params::NoParams;
use tether_protocol::push::{
    DesktopNotify, NtfyTokenParams, PushEndpointParams, PushStatus, PushSubscribeParams,
    PushSubscription, PushTested,
};
use tether_protocol::results::Done;
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
    let subscribed = engine.push().subscribe(device, checked).map_err(refused)?;
    // Revoked meanwhile: the revocation may have forgotten its subscriptions before this one.
    if !engine.devices().contains(device) {
        engine.push().forget_device(device);
        return Err(RpcError::new(
            ErrorCode::Forbidden,
            "this device is no longer paired",
        ));
    }
    Ok(subscribed)
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

/// What the desktop's own notifications tell of.
pub(super) fn desktop(engine: &Engine, _: NoParams) -> DesktopNotify {
    DesktopNotify {
        kinds: engine.push().desktop().get(),
    }
}

/// Chooses what the desktop's own notifications tell of (the desktop only).
pub(super) fn desktop_set(
    engine: &Engine,
    caller: &Caller,
    params: DesktopNotify,
) -> Result<DesktopNotify, RpcError> {
    require_local(caller, "push.desktop_set")?;
    Ok(DesktopNotify {
        kinds: engine.push().desktop().set(params.kinds),
    })
}

/// The longest ntfy access token taken.
const MAX_NTFY_TOKEN: usize = 512;

/// Keeps (or forgets) the ntfy topic's access token in the keyring (the desktop only).
pub(super) async fn ntfy_token(
    engine: &Engine,
    caller: &Caller,
    params: NtfyTokenParams,
) -> Result<Done, RpcError> {
    require_local(caller, "push.ntfy_token")?;
    let token = params.token.map(|token| token.trim().to_owned());
    if let Some(token) = &token
        && (token.is_empty()
            || token.len() > MAX_NTFY_TOKEN
            || !token.bytes().all(|byte| byte.is_ascii_graphic()))
    {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!("token: printable ASCII with no spaces, 1 to {MAX_NTFY_TOKEN} characters"),
        ));
    }
    engine.push().set_ntfy_token(token).await.map_err(|error| {
        RpcError::new(
            ErrorCode::Unavailable,
            format!("the keyring cannot keep it: {error}"),
        )
    })?;
    Ok(Done {})
}

/// Publishes a test notification to the ntfy topic, answering once the server took it.
pub(super) async fn ntfy_test(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<Done, RpcError> {
    require_local(caller, "push.ntfy_test")?;
    engine
        .push()
        .test_ntfy(engine)
        .await
        .map_err(|error| RpcError::new(ErrorCode::Unavailable, error.to_string()))?;
    Ok(Done {})
}
