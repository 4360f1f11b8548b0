//! The token vault in the OS keyring (Secret Service on Linux), one entry per engine.

use keyring::{Entry, Error as KeyringError};

use super::{TokenRecord, TokenVault, VaultError};

/// The keyring account under which the engine's token records are kept.
const ACCOUNT: &str = "tokens";

/// Token records as one JSON entry in the OS keyring, under a configurable service name.
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

    fn entry(&self) -> Result<Entry, VaultError> {
        Entry::new(&self.service, ACCOUNT).map_err(unreachable)
    }
}

impl TokenVault for KeyringVault {
    fn load(&self) -> Result<Vec<TokenRecord>, VaultError> {
        match self.entry()?.get_password() {
            Ok(json) => serde_json::from_str(&json).map_err(|e| VaultError::Corrupt(e.to_string())),
            Err(KeyringError::NoEntry) => Ok(Vec::new()),
            Err(error) => Err(unreachable(error)),
        }
    }

    fn store(&self, records: &[TokenRecord]) -> Result<(), VaultError> {
        let entry = self.entry()?;
        if records.is_empty() {
            return match entry.delete_credential() {
                Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
                Err(error) => Err(unreachable(error)),
            };
        }
        let json =
            serde_json::to_string(records).map_err(|e| VaultError::Corrupt(e.to_string()))?;
        entry.set_password(&json).map_err(unreachable)
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
