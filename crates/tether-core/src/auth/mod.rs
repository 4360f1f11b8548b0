//! Authentication: bearer tokens, kept as hashes in the OS keyring, and who a caller is.

mod keyring_vault;
pub(crate) mod service;
mod token;
mod vault;

pub use keyring_vault::KeyringVault;
pub use service::{TokenService, TokenSummary};
pub use token::{IssuedToken, TokenId};
pub use vault::{TokenRecord, TokenVault, VaultError};

use crate::protocol::{ChannelKind, ChannelName, ErrorCode, RpcError};

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

/// Who is calling: the trusted local side, or a device holding a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The desktop window (IPC) or the local control socket, guarded by file permissions.
    Local,
    /// A client that presented a valid token at the handshake.
    Token { id: TokenId, name: String },
}

impl Caller {
    /// The name shown for this caller, e.g. in `welcome`.
    pub fn device_name(&self) -> &str {
        match self {
            Self::Local => "local",
            Self::Token { name, .. } => name,
        }
    }

    pub fn token_id(&self) -> Option<&TokenId> {
        match self {
            Self::Local => None,
            Self::Token { id, .. } => Some(id),
        }
    }
}
