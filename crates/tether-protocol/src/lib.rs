//! The bottom layer: what every other crate speaks. Wire protocol v1 (the frames both
//! transports carry, their errors and close codes), the typed events of each channel, the
//! session model with the reducer clients apply, and the time and duration helpers they share.

pub mod account;
mod channel;
pub mod clock;
mod close;
mod decode;
pub mod durations;
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
