//! The LAN listener's TLS identity: a self-signed certificate for `tether.local` and the
//! address phones reach, valid for [`VALIDITY`], kept with its private key in the OS keyring
//! and known to clients by its SHA-256 fingerprint. It is made anew (a new key, so a new
//! fingerprint) when it does not name the address served, when it is about to expire, and on
//! the desktop user's word (`tether lan rotate-cert`).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use tether_engine::auth::{SecretVault, VaultError};
use tether_protocol::clock::unix_now;

/// The keyring account holding the certificate and its key.
const ACCOUNT: &str = "tls-identity";
/// How long a certificate is valid: 397 days, the longest that platforms accept for a server
/// certificate a user trusts by hand.
pub const VALIDITY: Duration = Duration::from_secs(397 * 24 * 60 * 60);
/// A certificate with less left than this is made anew when LAN access starts.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// How far back a new certificate's validity starts, for clocks a little behind.
const CLOCK_SKEW: Duration = Duration::from_secs(24 * 60 * 60);

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
    /// The addresses the certificate names (none in a certificate of an earlier version).
    #[serde(default)]
    addresses: Vec<IpAddr>,
    /// When it expires, in seconds since the Unix epoch (0: unknown, an earlier version's).
    #[serde(default)]
    expires_at: u64,
}

/// A certificate and its private key.
pub struct Identity {
    certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    addresses: Vec<IpAddr>,
    expires_at: u64,
}

/// Why a new certificate was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// There was none.
    First,
    /// The one kept does not name the address served.
    NewAddress,
    /// The one kept expires within a month.
    Expiring,
    /// The desktop user asked for a new one.
    Rotated,
}

impl Identity {
    /// The identity in the keyring for serving `address`, made anew (and kept) when there is
    /// none, or the one kept does not name `address` or is about to expire; with why it was
    /// made, if it was. Blocks on the keyring.
    pub fn for_address(
        vault: &dyn SecretVault,
        address: IpAddr,
    ) -> Result<(Self, Option<Renewal>), IdentityError> {
        let renewal = match Self::kept(vault)? {
            None => Renewal::First,
            Some(kept) if !kept.addresses.contains(&address) => Renewal::NewAddress,
            Some(kept) if kept.expires_at < unix_now() + RENEW_BEFORE.as_secs() => {
                Renewal::Expiring
            }
            Some(kept) => return Ok((kept, None)),
        };
        Ok((Self::make(vault, address)?, Some(renewal)))
    }

    /// A new identity for serving `address`, replacing the one kept. Blocks on the keyring.
    pub fn make(vault: &dyn SecretVault, address: IpAddr) -> Result<Self, IdentityError> {
        let mut params =
            rcgen::CertificateParams::new(vec!["tether.local".to_owned(), address.to_string()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Tether");
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - CLOCK_SKEW;
        params.not_after = now + VALIDITY;
        let key = rcgen::KeyPair::generate()?;
        let certificate = params.self_signed(&key)?;
        let identity = Self {
            certificate: certificate.der().clone(),
            key: key.serialize_der().into(),
            addresses: vec![address],
            expires_at: unix_now() + VALIDITY.as_secs(),
        };
        let kept = Kept {
            certificate: STANDARD.encode(&identity.certificate),
            key: STANDARD.encode(identity.key.secret_pkcs8_der()),
            addresses: identity.addresses.clone(),
            expires_at: identity.expires_at,
        };
        let kept = serde_json::to_string(&kept).map_err(|_| VaultError::Corrupt(ACCOUNT.into()))?;
        vault.set(ACCOUNT, &kept)?;
        Ok(identity)
    }

    /// The identity kept in the keyring, if any.
    fn kept(vault: &dyn SecretVault) -> Result<Option<Self>, IdentityError> {
        let Some(kept) = vault.get(ACCOUNT)? else {
            return Ok(None);
        };
        let corrupt = || VaultError::Corrupt(ACCOUNT.to_owned());
        let kept: Kept = serde_json::from_str(&kept).map_err(|_| corrupt())?;
        let certificate = STANDARD.decode(kept.certificate).map_err(|_| corrupt())?;
        let key = STANDARD.decode(kept.key).map_err(|_| corrupt())?;
        Ok(Some(Self {
            certificate: certificate.into(),
            key: key.into(),
            addresses: kept.addresses,
            expires_at: kept.expires_at,
        }))
    }

    /// When the certificate expires, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
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
