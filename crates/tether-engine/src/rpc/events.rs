//! `events.history`: pages through a channel's past events, from memory or the saved log, for a
//! client whose gap is larger than one subscribe replays.

use crate::auth::readable_channel;
use crate::engine::Engine;
use tether_protocol::params::{HistoryParams, MAX_HISTORY_PAGE};
use tether_protocol::results::History;
use tether_protocol::{ErrorCode, RpcError};

pub(super) fn history(engine: &Engine, params: HistoryParams) -> Result<History, RpcError> {
    let channel = readable_channel(&params.channel)?;
    if !(1..=MAX_HISTORY_PAGE).contains(&params.limit) {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!("limit must be between 1 and {MAX_HISTORY_PAGE}"),
        ));
    }
    Ok(engine.hub().history(&channel, &params.since, params.limit))
}
