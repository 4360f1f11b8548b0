//! `tools.*`: the tool calls waiting for a decision, and the decisions. The first answer wins.

use super::{handle, session_error, snapshot};
use crate::auth::Caller;
use crate::engine::Engine;
use crate::supervisor::handle::Command;
use crate::supervisor::rules::Approver;
use tether_protocol::RpcError;
use tether_protocol::model::Approval;
use tether_protocol::params::ApproveParams;
use tether_protocol::params::RejectParams;
use tether_protocol::params::SessionParams;
use tether_protocol::results::Approved;
use tether_protocol::results::Done;

pub(super) async fn list(
    engine: &Engine,
    params: SessionParams,
) -> Result<Vec<Approval>, RpcError> {
    Ok(snapshot(engine, &params.session_id).await?.approvals)
}

pub(super) async fn approve(
    engine: &Engine,
    caller: &Caller,
    params: ApproveParams,
) -> Result<Approved, RpcError> {
    let session = handle(engine, &params.session_id)?;
    let settings = &engine.config().claude;
    let desktop = matches!(caller, Caller::Local);
    let by = Approver {
        name: caller.device_name().to_owned(),
        desktop,
        may_bypass: desktop || settings.devices_may_bypass_permissions,
        may_approve_bash: desktop || !settings.bash_approvals_desktop_only,
    };
    let command = |reply| Command::Approve {
        request_id: params.request_id,
        always: params.always,
        by,
        reply,
    };
    let refused = session.ask(command).await.map_err(session_error)?;
    Ok(Approved {
        refused_rules: refused,
    })
}

pub(super) async fn reject(
    engine: &Engine,
    caller: &Caller,
    params: RejectParams,
) -> Result<Done, RpcError> {
    let session = handle(engine, &params.session_id)?;
    let by = caller.device_name().to_owned();
    let command = |reply| Command::Reject {
        request_id: params.request_id,
        message: params.message,
        by,
        reply,
    };
    session.ask(command).await.map_err(session_error)?;
    Ok(Done {})
}
