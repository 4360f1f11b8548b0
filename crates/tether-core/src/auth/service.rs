//! Issues, verifies and revokes tokens; the vault is the truth, memory a cache of it.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use subtle::ConstantTimeEq;
use ts_rs::TS;

use super::token::{claimed_id, hash};
use super::{Caller, IssuedToken, TokenId, TokenRecord, TokenVault, VaultError};

/// What anyone may know about a token: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TokenSummary {
    #[ts(type = "string")]
    pub id: TokenId,
    pub name: String,
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub created_at: u64,
}

impl From<&TokenRecord> for TokenSummary {
    fn from(record: &TokenRecord) -> Self {
        Self {
            id: record.id.clone(),
            name: record.name.clone(),
            created_at: record.created_at,
        }
    }
}

/// Why a token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("no token has the id {0}")]
    NotFound(String),
    #[error("a token name must be 1 to 64 printable characters")]
    InvalidName,
}

/// The longest name a token may have.
const MAX_NAME_CHARS: usize = 64;

/// Every token of the engine.
pub struct TokenService {
    vault: Arc<dyn TokenVault>,
    records: RwLock<Vec<TokenRecord>>,
    /// Serializes changes so two of them never overwrite each other in the vault.
    writes: tokio::sync::Mutex<()>,
}

impl TokenService {
    /// Loads every record from the vault; fails when the vault cannot be reached.
    pub async fn open(vault: Arc<dyn TokenVault>) -> Result<Self, VaultError> {
        let loader = Arc::clone(&vault);
        let records = blocking(move || loader.load()).await?;
        Ok(Self {
            vault,
            records: RwLock::new(records),
            writes: tokio::sync::Mutex::new(()),
        })
    }

    /// The caller a presented token authenticates, or `None`. Compares in constant time.
    pub fn verify(&self, presented: &str) -> Option<Caller> {
        let id = claimed_id(presented)?;
        let presented_hash = hex(&hash(presented));
        let records = self.records.read().unwrap_or_else(PoisonError::into_inner);
        let record = records.iter().find(|record| record.id == id)?;
        let matches: bool = record
            .hash
            .as_bytes()
            .ct_eq(presented_hash.as_bytes())
            .into();
        matches.then(|| Caller::Token {
            id,
            name: record.name.clone(),
        })
    }

    /// Whether a token with this id exists right now.
    pub fn contains(&self, id: &TokenId) -> bool {
        let records = self.records.read().unwrap_or_else(PoisonError::into_inner);
        records.iter().any(|record| &record.id == id)
    }

    pub fn list(&self) -> Vec<TokenSummary> {
        let records = self.records.read().unwrap_or_else(PoisonError::into_inner);
        records.iter().map(TokenSummary::from).collect()
    }

    /// Makes a token named `name`. The secret in the returned token is shown once and never kept.
    pub async fn create(&self, name: &str) -> Result<(TokenSummary, IssuedToken), TokenError> {
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(TokenError::InvalidName);
        }
        let _write = self.writes.lock().await;
        let mut records = self.reload().await?;
        let issued = loop {
            let candidate = IssuedToken::generate();
            if records.iter().all(|record| record.id != candidate.id) {
                break candidate;
            }
        };
        let record = TokenRecord {
            id: issued.id.clone(),
            name: name.to_owned(),
            created_at: unix_now(),
            hash: hex(&hash(&issued.secret)),
        };
        let summary = TokenSummary::from(&record);
        records.push(record);
        self.persist(records).await?;
        Ok((summary, issued))
    }

    /// Removes a token; it stops authenticating at once. Closing its live connections is the caller's part.
    pub async fn revoke(&self, id: &str) -> Result<TokenSummary, TokenError> {
        let _write = self.writes.lock().await;
        let mut records = self.reload().await?;
        let index = records
            .iter()
            .position(|record| record.id.as_str() == id)
            .ok_or_else(|| TokenError::NotFound(id.to_owned()))?;
        let removed = records.remove(index);
        self.persist(records).await?;
        Ok(TokenSummary::from(&removed))
    }

    /// The records as the vault holds them now: another process may have changed them.
    async fn reload(&self) -> Result<Vec<TokenRecord>, VaultError> {
        let vault = Arc::clone(&self.vault);
        blocking(move || vault.load()).await
    }

    /// Writes `records` to the vault, then, only once that succeeded, to memory.
    async fn persist(&self, records: Vec<TokenRecord>) -> Result<(), VaultError> {
        let vault = Arc::clone(&self.vault);
        let records = blocking(move || vault.store(&records).map(|()| records)).await?;
        *self.records.write().unwrap_or_else(PoisonError::into_inner) = records;
        Ok(())
    }
}

/// Runs a blocking vault call on the blocking pool.
async fn blocking<T: Send + 'static>(
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

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A vault that keeps records in memory and can be told to fail, to inject faults.
    #[derive(Default)]
    struct FaultyVault {
        records: Mutex<Vec<TokenRecord>>,
        broken: std::sync::atomic::AtomicBool,
    }

    impl TokenVault for FaultyVault {
        fn load(&self) -> Result<Vec<TokenRecord>, VaultError> {
            Ok(self.records.lock().unwrap().clone())
        }
        fn store(&self, records: &[TokenRecord]) -> Result<(), VaultError> {
            if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(VaultError::Unreachable("injected".into()));
            }
            *self.records.lock().unwrap() = records.to_vec();
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_failed_write_changes_nothing() {
        let vault = Arc::new(FaultyVault::default());
        let service = TokenService::open(vault.clone()).await.unwrap();
        let (_, kept) = service.create("kept").await.unwrap();
        vault
            .broken
            .store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(matches!(
            service.create("lost").await,
            Err(TokenError::Vault(_))
        ));
        assert!(matches!(
            service.revoke(kept.id.as_str()).await,
            Err(TokenError::Vault(_))
        ));
        assert_eq!(service.list().len(), 1);
        assert!(
            service.verify(&kept.secret).is_some(),
            "the token still works after a failed revoke"
        );
    }

    #[tokio::test]
    async fn verifies_only_the_exact_token_and_never_keeps_it() {
        let vault = Arc::new(FaultyVault::default());
        let service = TokenService::open(vault.clone()).await.unwrap();
        let (summary, issued) = service.create("phone").await.unwrap();
        assert_eq!(
            service.verify(&issued.secret),
            Some(Caller::Token {
                id: summary.id.clone(),
                name: "phone".into()
            })
        );
        let mut tampered = issued.secret.clone();
        tampered.pop();
        tampered.push(if issued.secret.ends_with('A') {
            'B'
        } else {
            'A'
        });
        assert_eq!(service.verify(&tampered), None);
        let stored = serde_json::to_string(&*vault.records.lock().unwrap()).unwrap();
        assert!(!stored.contains(&issued.secret));
        assert!(service.create(" ").await.is_err());
        assert!(service.create(&"x".repeat(65)).await.is_err());
        assert!(matches!(
            service.revoke("ffffffff").await,
            Err(TokenError::NotFound(_))
        ));
    }
}
