//! The LAN listener's TLS identity: a self-signed certificate made once, kept with its private
//! key in the OS keyring, and known to clients by its SHA-256 fingerprint.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::{SecretVault, VaultError};

/// The keyring account holding the certificate and its key.
const ACCOUNT: &str = "tls-identity";

/// Why the identity could not be made or used.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("cannot make a TLS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("the TLS certificate cannot be used: {0}")]
    Tls(#[from] rustls::Error),
}

/// How the identity is kept in the keyring.
#[derive(Serialize, Deserialize)]
struct Kept {
    /// DER, base64.
    certificate: String,
    /// PKCS#8 DER, base64.
    key: String,
}

/// A certificate and its private key.
pub struct Identity {
    certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl Identity {
    /// The identity in the keyring, made and kept there the first time. Blocks on the keyring.
    pub fn load_or_create(vault: &dyn SecretVault) -> Result<Self, IdentityError> {
        if let Some(kept) = vault.get(ACCOUNT)? {
            let corrupt = || VaultError::Corrupt(ACCOUNT.to_owned());
            let kept: Kept = serde_json::from_str(&kept).map_err(|_| corrupt())?;
            let certificate = STANDARD.decode(kept.certificate).map_err(|_| corrupt())?;
            let key = STANDARD.decode(kept.key).map_err(|_| corrupt())?;
            return Ok(Self {
                certificate: certificate.into(),
                key: key.into(),
            });
        }
        let made = rcgen::generate_simple_self_signed(["tether.local".to_owned()])?;
        let identity = Self {
            certificate: made.cert.der().clone(),
            key: made.signing_key.serialize_der().into(),
        };
        let kept = Kept {
            certificate: STANDARD.encode(&identity.certificate),
            key: STANDARD.encode(identity.key.secret_pkcs8_der()),
        };
        let kept = serde_json::to_string(&kept).map_err(|_| VaultError::Corrupt(ACCOUNT.into()))?;
        vault.set(ACCOUNT, &kept)?;
        Ok(identity)
    }

    /// `SHA256:` and the certificate's hash in colon-separated hex, as browsers show it.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.certificate)
    }

    /// A TLS server configuration presenting this identity, for HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, IdentityError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![self.certificate.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The fingerprint of a DER certificate, in the form [`Identity::fingerprint`] gives.
pub fn fingerprint(certificate: &[u8]) -> String {
    let hex: Vec<String> = Sha256::digest(certificate)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    format!("SHA256:{}", hex.join(":"))
}
