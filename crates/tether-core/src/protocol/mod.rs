//! Wire protocol v1: the frames both transports speak, their errors and close codes.

mod channel;
mod close;
mod decode;
mod error;
pub mod events;
mod frames;
pub mod model;
pub mod session_view;

pub use channel::{ChannelKind, ChannelName};
pub use close::CloseReason;
pub use decode::{DecodeError, decode};
pub use error::{ErrorCode, RpcError};
pub use frames::{
    ClientFrame, ConnectionInfo, Position, RequestId, ServerFrame, ServerInfo, SubscriptionState,
    encode,
};

/// The protocol version announced in `welcome`; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol clients offer; the server echoes it.
pub const SUBPROTOCOL: &str = "tether.v1";

/// A serialized server frame, shared between every subscriber that sends it.
pub type FrameText = axum::extract::ws::Utf8Bytes;
