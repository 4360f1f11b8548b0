//! Token format: `tether_<id>_<secret>`, 256 random bits of secret, stored only as a SHA-256 hash.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};
use tether_protocol::DeviceId;

const PREFIX: &str = "tether";

/// A freshly made token: the secret string exists only here, to be shown once.
pub struct IssuedToken {
    pub id: DeviceId,
    pub secret: String,
}

impl IssuedToken {
    pub fn generate() -> Self {
        let id = DeviceId::random();
        let bytes: [u8; 32] = rand::rng().random();
        let secret = format!("{PREFIX}_{id}_{}", URL_SAFE_NO_PAD.encode(bytes));
        Self { id, secret }
    }
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The id a presented token claims, if it has the token shape at all.
pub fn claimed_id(presented: &str) -> Option<DeviceId> {
    let rest = presented.strip_prefix(PREFIX)?.strip_prefix('_')?;
    let (id, secret) = rest.split_once('_')?;
    if secret.is_empty() {
        return None;
    }
    DeviceId::try_from(id.to_owned()).ok()
}

/// The SHA-256 of a token, the only form in which it is kept.
pub fn hash(presented: &str) -> [u8; 32] {
    Sha256::digest(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_back_to_their_id_and_differ() {
        let a = IssuedToken::generate();
        let b = IssuedToken::generate();
        assert_eq!(claimed_id(&a.secret), Some(a.id.clone()));
        assert_ne!(a.secret, b.secret);
        // 43 base64url characters carry the 256-bit secret.
        assert_eq!(
            a.secret.len(),
            "tether_".len() + a.id.as_str().len() + 1 + 43
        );
        assert!(
            a.secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        );
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "",
            "tether",
            "tether_",
            "tether_0123abcd",
            "tether_0123abcd_",
            "tether_XYZ_abc",
            "bearer_0123abcd_x",
        ] {
            assert!(claimed_id(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let token = IssuedToken::generate();
        assert!(!format!("{token:?}").contains(&token.secret));
    }
}
