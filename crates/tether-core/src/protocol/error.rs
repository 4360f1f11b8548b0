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

impl RpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}
