//! Where token records live: a trait, so the keyring can be swapped for a faulty one in tests.

use serde::{Deserialize, Serialize};

use super::TokenId;

/// A token as kept: its id, its name, when it was made, and the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub id: TokenId,
    pub name: String,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    /// SHA-256 of the token, lowercase hex.
    pub hash: String,
}

/// The keyring could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the OS keyring cannot be reached: {0}")]
    Unreachable(String),
    #[error("the OS keyring holds unreadable token data: {0}")]
    Corrupt(String),
}

/// Durable storage for every token record. Calls block; run them off the async threads.
pub trait TokenVault: Send + Sync + 'static {
    /// Every record, in no particular order.
    fn load(&self) -> Result<Vec<TokenRecord>, VaultError>;
    /// Replaces every record with `records`, atomically.
    fn store(&self, records: &[TokenRecord]) -> Result<(), VaultError>;
}
