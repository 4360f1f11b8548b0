//! `commands.list`: the slash commands a session's `claude` offers, for the composer's menu.

use std::time::Duration;

use super::{handle, session_error};
use crate::engine::Engine;
use crate::supervisor::handle::Command;
use tether_protocol::model::SlashCommand;
use tether_protocol::params::SessionParams;
use tether_protocol::{ErrorCode, RpcError};

/// How long a `claude` started to list its commands may take to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

pub(super) async fn list(
    engine: &Engine,
    params: SessionParams,
) -> Result<Vec<SlashCommand>, RpcError> {
    let session = handle(engine, &params.session_id)?;
    let asked = session.ask(|reply| Command::SlashCommands { reply });
    tokio::time::timeout(ANSWER_WITHIN, asked)
        .await
        .map_err(|_| {
            RpcError::new(
                ErrorCode::Unavailable,
                format!("claude did not list its commands within {ANSWER_WITHIN:?}"),
            )
        })?
        .map_err(session_error)
}
