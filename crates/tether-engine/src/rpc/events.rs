//! `events.history`: pages through a channel's past events, from memory or the saved log, for a
//! client whose gap is larger than one subscribe replays.

use serde::Deserialize;

use crate::auth::readable_channel;
use crate::engine::Engine;
use crate::hub::History;
use tether_protocol::{ErrorCode, Position, RpcError};

/// The most events one page holds.
pub const MAX_PAGE: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryParams {
    channel: String,
    since: Position,
    #[serde(default = "default_limit")]
    limit: usize,
}

fn default_limit() -> usize {
    MAX_PAGE
}

pub(super) fn history(engine: &Engine, params: HistoryParams) -> Result<History, RpcError> {
    let channel = readable_channel(&params.channel)?;
    if !(1..=MAX_PAGE).contains(&params.limit) {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!("limit must be between 1 and {MAX_PAGE}"),
        ));
    }
    Ok(engine.hub().history(&channel, &params.since, params.limit))
}
