//! Devices and the TLS identity in the real OS keyring (Secret Service): one entry per device,
//! holding only its token's hash, and both survive a restart; the certificate is made anew for
//! a new address, near its expiry, and when it is of the first version.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tether_engine::auth::{Devices, KeyringVault, SecretVault};
use tether_server::lan::identity::{Identity, Renewal};
use tether_store::Store;

fn unique_service() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!(
        "tether-test-{:016x}",
        RandomState::new().hash_one(std::time::SystemTime::now())
    )
}

#[tokio::test]
async fn devices_survive_a_restart_with_one_keyring_entry_each_holding_a_hash() {
    let service = unique_service();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path(), Default::default());
    let vault = Arc::new(KeyringVault::new(&service));
    let first = Devices::open(vault.clone(), store.clone())
        .await
        .expect("keyring reachable (make test)");
    let (kept, kept_token) = first.add("desktop script", false).await.unwrap();
    let (revoked, revoked_token) = first.add("old phone", false).await.unwrap();
    first.revoke(revoked.id.as_str()).await.unwrap();
    drop(first);
    store.close().await;

    let store = Store::open(data.path(), Default::default());
    let restarted = Devices::open(vault.clone(), store).await.unwrap();
    assert_eq!(restarted.list(), vec![kept.clone()]);
    assert!(restarted.verify(&kept_token.secret).is_some());
    assert!(restarted.verify(&revoked_token.secret).is_none());

    let entry = vault.get(&format!("device:{}", kept.id)).unwrap().unwrap();
    assert_eq!(entry.len(), 64, "a SHA-256 in hex");
    assert!(!entry.contains(&kept_token.secret));
    assert_eq!(vault.get(&format!("device:{}", revoked.id)).unwrap(), None);
}

#[test]
fn the_tls_identity_is_kept_for_its_address_and_made_anew_for_another() {
    let vault = KeyringVault::new(&unique_service());
    let lan: std::net::IpAddr = [192, 168, 1, 20].into();
    let (made, why) = Identity::for_address(&vault, lan).unwrap();
    assert_eq!(why, Some(Renewal::First));
    let (again, why) = Identity::for_address(&vault, lan).unwrap();
    assert_eq!((made.fingerprint(), why), (again.fingerprint(), None));
    assert!(made.fingerprint().starts_with("SHA256:") && made.fingerprint().len() == 7 + 95);
    assert!(made.server_config().is_ok());
    let (moved, why) = Identity::for_address(&vault, [10, 0, 0, 7].into()).unwrap();
    assert_eq!(why, Some(Renewal::NewAddress));
    assert_ne!(moved.fingerprint(), made.fingerprint());
}

#[test]
fn a_certificate_of_the_first_version_is_made_anew() {
    let vault = KeyringVault::new(&unique_service());
    // As the first version kept it: no addresses, no expiry (its validity ran to 4096).
    let made = rcgen::generate_simple_self_signed(["tether.local".to_owned()]).unwrap();
    let old = serde_json::json!({
        "certificate": STANDARD.encode(made.cert.der()),
        "key": STANDARD.encode(made.signing_key.serialize_der()),
    });
    vault.set("tls-identity", &old.to_string()).unwrap();
    let (_, why) = Identity::for_address(&vault, [192, 168, 1, 20].into()).unwrap();
    assert_eq!(why, Some(Renewal::NewAddress));

    // One that names the address but expires within the month is made anew too.
    let mut soon = old;
    soon["addresses"] = serde_json::json!(["192.168.1.20"]);
    soon["expires_at"] = (tether_protocol::clock::unix_now() + 10 * 86_400).into();
    vault.set("tls-identity", &soon.to_string()).unwrap();
    let (_, why) = Identity::for_address(&vault, [192, 168, 1, 20].into()).unwrap();
    assert_eq!(why, Some(Renewal::Expiring));
}
