//! The engine's VAPID key pair (RFC 8292): made once, kept in the OS keyring like every other
//! secret, and named to push services by its public key, which devices subscribe with.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike as _, ES256KeyPair};

use crate::auth::{SecretVault, VaultError};

/// The keyring entry the private key is kept under.
const ACCOUNT: &str = "push-vapid-key";

/// The key pair push requests are signed with.
#[derive(Clone)]
pub struct VapidKey(Arc<ES256KeyPair>);

impl VapidKey {
    /// The key kept in `vault`, made and kept there on first use (or when what is kept there
    /// is not a key).
    pub fn load(vault: &dyn SecretVault) -> Result<Self, VaultError> {
        if let Some(kept) = vault.get(ACCOUNT)? {
            let key = URL_SAFE_NO_PAD
                .decode(kept.trim())
                .ok()
                .and_then(|bytes| ES256KeyPair::from_bytes(&bytes).ok());
            match key {
                Some(key) => return Ok(Self(Arc::new(key))),
                None => tracing::warn!("the kept VAPID key is unreadable: a new one is made"),
            }
        }
        let key = ES256KeyPair::generate();
        vault.set(ACCOUNT, &URL_SAFE_NO_PAD.encode(key.to_bytes()))?;
        Ok(Self(Arc::new(key)))
    }

    /// The public key as browsers take it for `applicationServerKey`: base64url of the
    /// uncompressed P-256 point.
    pub fn public_key(&self) -> String {
        let point = self.0.public_key().public_key().to_bytes_uncompressed();
        URL_SAFE_NO_PAD.encode(point)
    }

    pub fn key_pair(&self) -> &ES256KeyPair {
        &self.0
    }
}
