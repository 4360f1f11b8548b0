//! Wire protocol v1: the frames both transports speak, their errors and close codes.

pub mod account;
mod channel;
mod close;
mod decode;
mod error;
pub mod events;
mod frame_text;
mod frames;
pub mod model;
pub mod session_view;

pub use account::{AuthorizedKey, Device, DeviceId, LanStatus, PairingRequest, Project};
pub use channel::{ChannelKind, ChannelName};
pub use close::CloseReason;
pub use decode::{DecodeError, decode};
pub use error::{ErrorCode, RpcError};
pub use frame_text::FrameText;
pub use frames::{
    ClientFrame, ConnectionInfo, Position, RequestId, ServerFrame, ServerInfo, SubscriptionState,
    encode,
};

/// The protocol version announced in `welcome`; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol clients offer; the server echoes it.
pub const SUBPROTOCOL: &str = "tether.v1";
