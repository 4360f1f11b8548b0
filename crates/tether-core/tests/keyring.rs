//! Devices and the TLS identity in the real OS keyring (Secret Service): one entry per device,
//! holding only its token's hash, and both survive a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::sync::Arc;

use tether_core::auth::{Devices, KeyringVault, SecretVault};
use tether_core::lan::identity::Identity;
use tether_core::store::Store;

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
    let (kept, kept_token) = first.add("desktop script").await.unwrap();
    let (revoked, revoked_token) = first.add("old phone").await.unwrap();
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
fn the_tls_identity_is_made_once_and_kept() {
    let vault = KeyringVault::new(&unique_service());
    let made = Identity::load_or_create(&vault).unwrap();
    let again = Identity::load_or_create(&vault).unwrap();
    assert_eq!(made.fingerprint(), again.fingerprint());
    assert!(made.fingerprint().starts_with("SHA256:") && made.fingerprint().len() == 7 + 95);
    assert!(made.server_config().is_ok());
}
