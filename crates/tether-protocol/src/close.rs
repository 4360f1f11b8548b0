//! Why the server closes a connection, and the close code each reason carries.

/// Every reason the server ends a WebSocket connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The conversation ended normally: the peer closed, or its socket went away (1000).
    Normal,
    /// The server is shutting down (1001); reconnect later and resume with `since`.
    GoingAway,
    /// The peer broke the WebSocket protocol itself (1002).
    ProtocolError,
    /// A text message that is not valid UTF-8 (1007).
    InvalidPayload,
    /// The peer abused the protocol, e.g. kept flooding past its rate limit (1008).
    PolicyViolation,
    /// A message over the configured size limit (1009).
    MessageTooBig,
    /// An unexpected server failure (1011).
    InternalError,
    /// The device or SSH key this connection signed in with was revoked (4001).
    TokenRevoked,
    /// The client read too slowly and its outbound queue filled (4002);
    /// reconnect and resume with `since`.
    SlowConsumer,
    /// The client stopped answering pings (4003).
    HeartbeatTimeout,
    /// The public URL this connection came through was turned off or changed (4004); it is
    /// refused there from now on.
    AccessClosed,
}

impl CloseReason {
    /// Every reason, for documentation and generated client constants.
    pub const ALL: [CloseReason; 11] = [
        Self::Normal,
        Self::GoingAway,
        Self::ProtocolError,
        Self::InvalidPayload,
        Self::PolicyViolation,
        Self::MessageTooBig,
        Self::InternalError,
        Self::TokenRevoked,
        Self::SlowConsumer,
        Self::HeartbeatTimeout,
        Self::AccessClosed,
    ];

    /// The WebSocket close code (RFC 6455 §7.4; 4000–4999 are Tether's own).
    pub const fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
            Self::ProtocolError => 1002,
            Self::InvalidPayload => 1007,
            Self::PolicyViolation => 1008,
            Self::MessageTooBig => 1009,
            Self::InternalError => 1011,
            Self::TokenRevoked => 4001,
            Self::SlowConsumer => 4002,
            Self::HeartbeatTimeout => 4003,
            Self::AccessClosed => 4004,
        }
    }

    /// The reason text sent in the close frame; also the generated constant's name.
    pub const fn reason(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::GoingAway => "going_away",
            Self::ProtocolError => "protocol_error",
            Self::InvalidPayload => "invalid_payload",
            Self::PolicyViolation => "policy_violation",
            Self::MessageTooBig => "message_too_big",
            Self::InternalError => "internal_error",
            Self::TokenRevoked => "token_revoked",
            Self::SlowConsumer => "slow_consumer",
            Self::HeartbeatTimeout => "heartbeat_timeout",
            Self::AccessClosed => "access_closed",
        }
    }
}
