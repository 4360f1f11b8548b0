//! Errors as clients see them: a stable machine code and a human message.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Stable error codes. Clients branch on these; the messages are for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not JSON, or misses or mistypes a field.
    InvalidFrame,
    /// The frame's `type` is not one this protocol version knows.
    UnknownFrameType,
    /// A binary frame; the protocol speaks JSON text frames only.
    UnsupportedFrame,
    /// No method has this name.
    MethodNotFound,
    /// The method exists but its `params` do not fit it.
    InvalidParams,
    /// A channel name that is malformed or names an unknown kind.
    InvalidChannel,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// The connection already holds the most subscriptions allowed.
    TooManySubscriptions,
    /// Frames arrive faster than the connection's rate limit.
    RateLimited,
    /// The thing named does not exist.
    NotFound,
    /// A dependency (such as the OS keyring) cannot be reached right now.
    Unavailable,
    /// No valid token was presented at the handshake (HTTP 401).
    Unauthorized,
    /// The request's Origin is not on the allowlist (HTTP 403).
    ForbiddenOrigin,
    /// The request's Host is not on the allowlist (HTTP 403).
    ForbiddenHost,
    /// The server is at its connection limit (HTTP 503).
    Overloaded,
    /// The request clashes with something outside Tether: a `claude` in a terminal is still
    /// writing the session it would continue.
    Conflict,
    /// A pairing attempt failed: wrong, expired or burned code, or the desktop said no
    /// (HTTP 403); `details.reason` says which.
    PairingFailed,
    /// A bug or an unexpected failure on the server; details are in its log.
    Internal,
}

/// An error as sent to clients, inside a `response` frame or an HTTP body.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize, TS)]
#[error("{code:?}: {message}")]
pub struct RpcError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub details: Option<Value>,
}

/// The longest error message sent; messages quote client input, which must not be echoed whole.
const MAX_MESSAGE_CHARS: usize = 300;

impl RpcError {
    /// An error with `message` cut to a bounded length.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let mut message = message.into();
        if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE_CHARS) {
            message.truncate(cut);
            message.push('…');
        }
        Self {
            code,
            message,
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quoting_client_input_stay_short() {
        let error = RpcError::new(
            ErrorCode::MethodNotFound,
            format!("no method named {:?}", "é".repeat(1 << 20)),
        );
        assert_eq!(error.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(error.message.ends_with('…'));
        assert_eq!(RpcError::new(ErrorCode::Internal, "short").message, "short");
    }
}
