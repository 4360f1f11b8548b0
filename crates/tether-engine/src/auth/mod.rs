//! Authentication: paired devices and their tokens, pairing codes, SSH keys, and who a caller is.

pub mod devices;
mod keyring_vault;
mod limiter;
pub mod pairing;
pub mod ssh;
mod token;
mod vault;

pub use devices::{DeviceError, Devices};
pub use keyring_vault::KeyringVault;
pub use limiter::AddressLimiter;
pub use token::IssuedToken;
pub(crate) use vault::blocking;
pub use vault::{SecretVault, VaultError};

use tether_protocol::DeviceId;
use tether_protocol::{ChannelKind, ChannelName, ErrorCode, RpcError};

/// The one user of a Tether engine: the person at the desktop. Every device acts for them.
pub const OWNER: &str = "owner";

/// A channel name from a client, parsed, or a clear error when it names no channel.
pub fn parse_channel(name: &str) -> Result<ChannelName, RpcError> {
    ChannelName::parse(name).ok_or_else(|| {
        RpcError::new(
            ErrorCode::InvalidChannel,
            format!("{name:?} is not a channel; channels are session:ID, project:ID or user:ID"),
        )
    })
}

/// A channel every caller may read: any session or project, and the owner's own user channel.
pub fn readable_channel(name: &str) -> Result<ChannelName, RpcError> {
    let channel = parse_channel(name)?;
    if channel.kind() == ChannelKind::User && channel.id() != OWNER {
        return Err(RpcError::new(
            ErrorCode::Forbidden,
            format!("{channel} belongs to another user"),
        ));
    }
    Ok(channel)
}

/// Who is calling: the trusted local side, a paired device, or the holder of an SSH key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The desktop window (IPC) or the local control socket, guarded by file permissions.
    Local,
    /// A paired device that presented its token at the handshake.
    Device { id: DeviceId, name: String },
    /// A client that signed the server's challenge with an authorized SSH key.
    Key { fingerprint: String, name: String },
    /// A computer running `tether agent`, on its link at `/ws/machine` (and nowhere else).
    Machine { id: DeviceId, name: String },
}

impl Caller {
    /// The name shown for this caller, e.g. in `welcome`.
    pub fn device_name(&self) -> &str {
        match self {
            Self::Local => "local",
            Self::Device { name, .. } | Self::Key { name, .. } | Self::Machine { name, .. } => name,
        }
    }

    pub fn device_id(&self) -> Option<&DeviceId> {
        match self {
            Self::Device { id, .. } | Self::Machine { id, .. } => Some(id),
            Self::Local | Self::Key { .. } => None,
        }
    }

    pub fn key_fingerprint(&self) -> Option<&str> {
        match self {
            Self::Key { fingerprint, .. } => Some(fingerprint),
            Self::Local | Self::Device { .. } | Self::Machine { .. } => None,
        }
    }
}

/// The longest name a device or key may have.
const MAX_NAME_CHARS: usize = 64;

/// A name as typed, trimmed, or `None` when it is empty, too long or holds control characters.
pub(crate) fn display_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    let fits = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control);
    fits.then(|| name.to_owned())
}
