//! The bottom layer: what every other crate speaks. Wire protocol v1 (the frames both
//! transports carry, their errors and close codes), the typed events of each channel, the
//! session model with the reducer clients apply, and the time and duration helpers they share.

/// Devices, SSH keys, pairing requests, projects and LAN status, as clients see them.
pub mod account;
/// Channel names: `session:{id}`, `project:{id}`, `user:{id}`.
mod channel;
/// Wall-clock time as the store and the wire keep it.
pub mod clock;
/// Why the server closes a connection, and each reason's close code.
mod close;
/// Strict decoding of client frames.
mod decode;
/// Durations in settings files, in whole milliseconds or seconds.
pub mod durations;
/// Errors as clients see them: a stable code and a message.
mod error;
/// The typed events of each channel kind.
pub mod events;
/// A project's files and git state, and search across sessions.
pub mod files;
/// A server frame's text, encoded once and shared.
mod frame_text;
/// Every frame a client may send and every frame the server sends.
mod frames;
/// Remote machines: what devices see of them, and the agent's link to its hub.
pub mod machine;
/// The RPC table: each method's name, parameters and result.
pub mod methods;
/// A session's summary, messages, parts, approvals, todos and usage.
pub mod model;
/// Every method's parameters.
pub mod params;
/// Push notifications: what a device is told of, and its subscriptions.
pub mod push;
/// The results of methods that are not model types of their own.
pub mod results;
/// A session as a client holds it, and the reducer that applies its events.
pub mod session_view;
/// Claude Code's own sessions from its transcripts: lists, folders and pages of history.
pub mod terminal;

pub use account::{
    AuthorizedKey, Device, DeviceId, LanStatus, PairingRequest, Project, RemoteSource, RemoteStatus,
};
pub use channel::{ChannelKind, ChannelName};
pub use close::CloseReason;
pub use decode::{DecodeError, decode};
pub use error::{ErrorCode, RpcError};
pub use frame_text::FrameText;
pub use frames::{
    ClientFrame, ConnectionInfo, Position, RequestId, ServerFrame, ServerInfo, SubscriptionState,
    encode, encode_event,
};

/// The protocol version announced in `welcome`; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol clients offer; the server echoes it.
pub const SUBPROTOCOL: &str = "tether.v1";
