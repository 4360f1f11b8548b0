//! The trip bench's devices: each follows every session and notes when each token arrived.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{Socket, connect, next_text};
use crate::stand_in_claude::wall_ns;
use crate::tap::token_after;

/// The longest a turn of the bench may take.
pub const TURN_WAIT: Duration = Duration::from_secs(300);

/// A device following `sessions`.
pub async fn follow(address: &str, token: &str, sessions: &[String]) -> Result<Socket> {
    let mut socket = connect(&format!("ws://{address}/ws"), token).await?;
    let channels: Vec<String> = sessions.iter().map(|id| format!("session:{id}")).collect();
    let subscribe = json!({ "type": "subscribe", "id": 1, "channels": channels });
    socket.send(Message::text(subscribe.to_string())).await?;
    let subscribed = next_text(&mut socket).await?;
    if !subscribed.starts_with(r#"{"type":"subscribed""#) {
        bail!("expected subscribed, got {subscribed}");
    }
    Ok(socket)
}

/// Reads until `expected` tokens starting with `prefix` have arrived; when each did.
pub async fn tokens(
    socket: &mut Socket,
    prefix: &str,
    expected: usize,
) -> Result<HashMap<String, u64>> {
    let mut arrived = HashMap::with_capacity(expected);
    let reading = async {
        while arrived.len() < expected {
            let message = socket.next().await.context("the connection ended")??;
            let at = wall_ns();
            let Message::Text(text) = message else {
                continue;
            };
            if let Some(token) = delta_token(text.as_str())
                && token.starts_with(prefix)
            {
                // The first arrival counts, should a token ever come twice.
                arrived.entry(token.to_owned()).or_insert(at);
            }
        }
        Ok::<_, anyhow::Error>(())
    };
    match tokio::time::timeout(TURN_WAIT, reading).await {
        Ok(read) => read?,
        Err(_) => bail!("{} of {expected} tokens arrived", arrived.len()),
    }
    Ok(arrived)
}

/// The bench's token a `part.delta` frame carries.
fn delta_token(frame: &str) -> Option<&str> {
    if !frame.contains(r#""event":"part.delta""#) {
        return None;
    }
    token_after(frame, r#""text":""#)
}
