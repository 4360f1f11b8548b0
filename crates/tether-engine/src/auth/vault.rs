//! Where secrets live: a trait, so the OS keyring can be swapped for a faulty one in tests.

/// The keyring could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the OS keyring cannot be reached: {0}")]
    Unreachable(String),
    #[error("the OS keyring holds unreadable data under {0:?}")]
    Corrupt(String),
}

/// Durable storage for small secrets, one entry per account name. Calls block; run them off
/// the async threads.
pub trait SecretVault: Send + Sync + 'static {
    /// The secret kept under `account`, if any.
    fn get(&self, account: &str) -> Result<Option<String>, VaultError>;
    /// Keeps `secret` under `account`, replacing what was there.
    fn set(&self, account: &str, secret: &str) -> Result<(), VaultError>;
    /// Forgets `account`; forgetting what is not there succeeds.
    fn delete(&self, account: &str) -> Result<(), VaultError>;
}

/// Runs a blocking vault call on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    tokio::task::spawn_blocking(call)
        .await
        .unwrap_or_else(|join| {
            Err(VaultError::Unreachable(format!(
                "keyring call failed: {join}"
            )))
        })
}
