//! `search.messages`: full-text search across every session's saved messages.

use std::time::Duration;

use crate::engine::Engine;
use tether_protocol::files::{SearchHit, SearchParams};
use tether_protocol::{ErrorCode, RpcError};

/// The most hits one search answers.
const MOST: usize = 100;

/// The longest query, in bytes.
const LONGEST_QUERY: usize = 512;

/// The longest a search waits for what is being saved.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

pub(super) async fn messages(
    engine: &Engine,
    params: SearchParams,
) -> Result<Vec<SearchHit>, RpcError> {
    let limit = params.limit.unwrap_or(30);
    if !(1..=MOST).contains(&limit) || params.query.len() > LONGEST_QUERY {
        return Err(RpcError::new(
            ErrorCode::InvalidParams,
            format!("limit must be 1 to {MOST}, and the query at most {LONGEST_QUERY} bytes"),
        ));
    }
    // Everything saved so far is searchable once a flush is answered, even the words of a
    // message still streaming (its reindexing otherwise waits up to a second). A store that
    // cannot flush in time is searched as it stands, or answers with its own error.
    let _ = tokio::time::timeout(FLUSH_WAIT, engine.store().flush()).await;
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || engine.store().search(&params.query, limit))
        .await
        .map_err(|_| RpcError::new(ErrorCode::Internal, "the search stopped"))?
        .map_err(|error| {
            RpcError::new(
                ErrorCode::Unavailable,
                format!("search is unavailable: {error}"),
            )
        })
}
