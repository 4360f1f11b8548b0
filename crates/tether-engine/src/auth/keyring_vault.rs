//! The vault in the OS keyring (Secret Service on Linux): one entry per account, under a
//! configurable service name.

use keyring::{Entry, Error as KeyringError};

use super::{SecretVault, VaultError};

/// Secrets in the OS keyring, under one service name per engine.
pub struct KeyringVault {
    service: String,
}

impl KeyringVault {
    /// Chooses the Secret Service backend explicitly, so a missing keyring is an error,
    /// never a silent fall-back to a store that forgets.
    pub fn new(service: &str) -> Self {
        keyring::set_default_credential_builder(
            keyring::secret_service::default_credential_builder(),
        );
        Self {
            service: service.to_owned(),
        }
    }

    fn entry(&self, account: &str) -> Result<Entry, VaultError> {
        Entry::new(&self.service, account).map_err(unreachable)
    }
}

impl SecretVault for KeyringVault {
    fn get(&self, account: &str) -> Result<Option<String>, VaultError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(KeyringError::BadEncoding(_)) => Err(VaultError::Corrupt(account.to_owned())),
            Err(error) => Err(unreachable(error)),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), VaultError> {
        self.entry(account)?
            .set_password(secret)
            .map_err(unreachable)
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(unreachable(error)),
        }
    }
}

fn unreachable(error: KeyringError) -> VaultError {
    let hint = match &error {
        KeyringError::NoStorageAccess(_) => " (is the keyring unlocked?)",
        KeyringError::PlatformFailure(_) => {
            " (is a Secret Service such as gnome-keyring running on the session D-Bus?)"
        }
        _ => "",
    };
    VaultError::Unreachable(format!("{error}{hint}"))
}
