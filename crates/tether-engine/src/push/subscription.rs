//! A device's Web Push subscription, checked: an `https://` endpoint, the browser's P-256
//! public key and its 16-byte auth secret, each refused with the field named.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use web_push_native::p256::PublicKey;

use tether_protocol::push::{NotifyKind, PushSubscribeParams};

/// The longest endpoint taken (push services' are a few hundred bytes).
const MAX_ENDPOINT: usize = 2048;

/// Why a subscription was refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    #[error("endpoint: must be an https:// URL of at most {MAX_ENDPOINT} bytes")]
    Endpoint,
    #[error("keys.p256dh: must be a base64url P-256 public key (65 bytes, uncompressed)")]
    PublicKey,
    #[error("keys.auth: must be a base64url 16-byte secret")]
    Auth,
    #[error("kinds: must name at least one of approval, finished, failed")]
    Kinds,
}

/// A checked subscription's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub kinds: Vec<NotifyKind>,
}

/// Checks what a device sent.
pub fn check(params: PushSubscribeParams) -> Result<Checked, SubscriptionError> {
    let endpoint = params.endpoint.trim().to_owned();
    let url = url::Url::parse(&endpoint).map_err(|_| SubscriptionError::Endpoint)?;
    if url.scheme() != "https" || url.host().is_none() || endpoint.len() > MAX_ENDPOINT {
        return Err(SubscriptionError::Endpoint);
    }
    let key = URL_SAFE_NO_PAD
        .decode(params.keys.p256dh.trim_end_matches('='))
        .map_err(|_| SubscriptionError::PublicKey)?;
    if key.len() != 65 || PublicKey::from_sec1_bytes(&key).is_err() {
        return Err(SubscriptionError::PublicKey);
    }
    let auth = URL_SAFE_NO_PAD
        .decode(params.keys.auth.trim_end_matches('='))
        .map_err(|_| SubscriptionError::Auth)?;
    if auth.len() != 16 {
        return Err(SubscriptionError::Auth);
    }
    let kinds = NotifyKind::in_order(params.kinds.unwrap_or_else(|| NotifyKind::DEFAULT.to_vec()));
    if kinds.is_empty() {
        return Err(SubscriptionError::Kinds);
    }
    Ok(Checked {
        endpoint,
        p256dh: URL_SAFE_NO_PAD.encode(key),
        auth: URL_SAFE_NO_PAD.encode(auth),
        kinds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_protocol::push::PushKeys;
    use web_push_native::p256::SecretKey;

    fn params(endpoint: &str, p256dh: &str, auth: &str) -> PushSubscribeParams {
        PushSubscribeParams {
            endpoint: endpoint.to_owned(),
            keys: PushKeys {
                p256dh: p256dh.to_owned(),
                auth: auth.to_owned(),
            },
            kinds: None,
            expiration_time: None,
        }
    }

    fn browser_key() -> String {
        let secret =
            SecretKey::random(&mut web_push_native::p256::elliptic_curve::rand_core::OsRng);
        URL_SAFE_NO_PAD.encode(secret.public_key().to_sec1_bytes())
    }

    #[test]
    fn a_browser_subscription_is_taken_with_the_default_kinds() {
        let auth = URL_SAFE_NO_PAD.encode([7u8; 16]);
        let key = browser_key();
        let checked = check(params(
            "https://fcm.googleapis.com/fcm/send/abc",
            &key,
            &auth,
        ))
        .unwrap();
        assert_eq!(checked.kinds, NotifyKind::DEFAULT);
        assert_eq!(checked.p256dh, key);
    }

    #[test]
    fn each_bad_field_is_named() {
        let auth = URL_SAFE_NO_PAD.encode([7u8; 16]);
        let key = browser_key();
        let refused =
            |endpoint: &str, key: &str, auth: &str| check(params(endpoint, key, auth)).unwrap_err();
        for endpoint in [
            "http://push.example/x",
            "ftp://push.example",
            "push.example",
            "https://",
        ] {
            assert_eq!(
                refused(endpoint, &key, &auth),
                SubscriptionError::Endpoint,
                "{endpoint}"
            );
        }
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT));
        assert_eq!(refused(&long, &key, &auth), SubscriptionError::Endpoint);
        let https = "https://push.example/x";
        for bad in ["", "not base64!", &URL_SAFE_NO_PAD.encode([4u8; 65])] {
            assert_eq!(
                refused(https, bad, &auth),
                SubscriptionError::PublicKey,
                "{bad}"
            );
        }
        for bad in ["", &URL_SAFE_NO_PAD.encode([1u8; 15]), "%%"] {
            assert_eq!(refused(https, &key, bad), SubscriptionError::Auth, "{bad}");
        }
        let mut none = params(https, &key, &auth);
        none.kinds = Some(Vec::new());
        assert_eq!(check(none).unwrap_err(), SubscriptionError::Kinds);
        assert!(
            refused(https, "x", &auth)
                .to_string()
                .starts_with("keys.p256dh:")
        );
    }
}
