//! `pairing.*`: the desktop shows a code and a QR, then approves or denies the device that
//! presents it. For the desktop side only: approving a device is where trust starts.

use super::devices::to_rpc;
use super::require_local;
use crate::auth::Caller;
use crate::auth::pairing::{Answer, PairingError};
use crate::engine::Engine;
use crate::qr;
use tether_protocol::Device;
use tether_protocol::PairingRequest;
use tether_protocol::events::{AccountEvent, PairingOutcome, PairingStarted};
use tether_protocol::params::NoParams;
use tether_protocol::params::PairingRequestParams;
use tether_protocol::results::PairingOffer;
use tether_protocol::{ErrorCode, RpcError};

pub(super) fn start(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<PairingOffer, RpcError> {
    require_local(caller, "pairing.start")?;
    let code = engine.pairing().start();
    let lan = engine.lan().status();
    let link = engine
        .pairing_url()
        .map(|url| format!("{url}#pair={}", code.code));
    let qr_svg = link
        .as_deref()
        .map(qr::svg)
        .transpose()
        .map_err(|error| RpcError::new(ErrorCode::Internal, error.to_string()))?;
    engine.announce(&AccountEvent::PairingStarted(PairingStarted {
        expires_at: code.expires_at,
    }));
    // The LAN certificate's fingerprint matters only where the link opens the LAN listener.
    let opened = link.as_deref().and_then(|link| link.split('#').next());
    let on_lan = lan.url.is_some() && opened == lan.url.as_deref();
    Ok(PairingOffer {
        code: code.code,
        expires_at: code.expires_at,
        link,
        fingerprint: lan.fingerprint.filter(|_| on_lan),
        qr_svg,
    })
}

pub(super) fn waiting(
    engine: &Engine,
    caller: &Caller,
    _: NoParams,
) -> Result<Vec<PairingRequest>, RpcError> {
    require_local(caller, "pairing.waiting")?;
    Ok(engine.pairing().waiting())
}

/// Pairs the waiting device: its token goes to it alone, in the answer to its request.
pub(super) async fn approve(
    engine: &Engine,
    caller: &Caller,
    params: PairingRequestParams,
) -> Result<Device, RpcError> {
    require_local(caller, "pairing.approve")?;
    let (request, answer) = engine.pairing().take(&params.request_id).map_err(refused)?;
    let (device, issued) = match engine.devices().add(&request.name, request.machine).await {
        Ok(added) => added,
        Err(error) => {
            // The device's wait ends unanswered (503: try again).
            engine.announce(&AccountEvent::pairing_resolved(
                &request.id,
                PairingOutcome::Failed,
                None,
            ));
            return Err(to_rpc(error));
        }
    };
    let delivered = answer.send(Answer::Approved {
        device: device.clone(),
        token: issued.secret,
    });
    if delivered.is_err() {
        // Nobody holds the token: the device must not stay paired.
        engine
            .devices()
            .revoke(device.id.as_str())
            .await
            .map_err(to_rpc)?;
        engine.announce(&AccountEvent::pairing_resolved(
            &request.id,
            PairingOutcome::Withdrawn,
            None,
        ));
        return Err(RpcError::new(
            ErrorCode::NotFound,
            "the device stopped waiting before the answer; pair it again",
        ));
    }
    tracing::info!(device = %device.id, name = %device.name, "device paired");
    engine.announce(&AccountEvent::pairing_resolved(
        &request.id,
        PairingOutcome::Approved,
        Some(device.clone()),
    ));
    engine.announce(&AccountEvent::DevicePaired(device.clone()));
    Ok(device)
}

pub(super) fn deny(
    engine: &Engine,
    caller: &Caller,
    params: PairingRequestParams,
) -> Result<PairingRequest, RpcError> {
    require_local(caller, "pairing.deny")?;
    let (request, answer) = engine.pairing().take(&params.request_id).map_err(refused)?;
    let _ = answer.send(Answer::Denied);
    tracing::info!(request = %request.id, "pairing denied");
    engine.announce(&AccountEvent::pairing_resolved(
        &request.id,
        PairingOutcome::Denied,
        None,
    ));
    Ok(request)
}

fn refused(error: PairingError) -> RpcError {
    RpcError::new(ErrorCode::NotFound, error.to_string())
}
