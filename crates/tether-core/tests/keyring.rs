//! Tokens in the real OS keyring (Secret Service): they persist, and only as hashes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::sync::Arc;

use tether_core::auth::{KeyringVault, TokenService, TokenVault};

fn unique_service() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!(
        "tether-test-{:016x}",
        RandomState::new().hash_one(std::time::SystemTime::now())
    )
}

#[tokio::test]
async fn tokens_survive_a_restart_and_only_their_hashes_are_stored() {
    let service = unique_service();
    let first = TokenService::open(Arc::new(KeyringVault::new(&service)))
        .await
        .expect("keyring reachable (make test)");
    let (kept, kept_token) = first.create("desktop script").await.unwrap();
    let (revoked, revoked_token) = first.create("old phone").await.unwrap();
    first.revoke(revoked.id.as_str()).await.unwrap();
    drop(first);

    let restarted = TokenService::open(Arc::new(KeyringVault::new(&service)))
        .await
        .unwrap();
    assert_eq!(restarted.list(), vec![kept.clone()]);
    assert!(restarted.verify(&kept_token.secret).is_some());
    assert!(restarted.verify(&revoked_token.secret).is_none());

    let stored = KeyringVault::new(&service).load().unwrap();
    let raw = serde_json::to_string(&stored).unwrap();
    assert!(
        !raw.contains(&kept_token.secret),
        "the keyring holds hashes, never tokens"
    );
    assert_eq!(stored[0].hash.len(), 64);

    KeyringVault::new(&service).store(&[]).unwrap();
    assert!(KeyringVault::new(&service).load().unwrap().is_empty());
}

#[tokio::test]
async fn two_processes_sharing_a_keyring_never_lose_each_others_tokens() {
    let service = unique_service();
    let desktop = TokenService::open(Arc::new(KeyringVault::new(&service)))
        .await
        .unwrap();
    let cli = TokenService::open(Arc::new(KeyringVault::new(&service)))
        .await
        .unwrap();
    let (from_desktop, _) = desktop.create("from desktop").await.unwrap();
    let (from_cli, _) = cli.create("from cli").await.unwrap();
    desktop.revoke(from_cli.id.as_str()).await.unwrap();
    let (again, _) = cli.create("again").await.unwrap();
    let stored: Vec<String> = KeyringVault::new(&service)
        .load()
        .unwrap()
        .into_iter()
        .map(|record| record.name)
        .collect();
    assert_eq!(
        stored,
        ["from desktop", "again"],
        "no token lost, none brought back"
    );
    assert!(desktop.list().contains(&from_desktop) && cli.list().contains(&again));
    KeyringVault::new(&service).store(&[]).unwrap();
}
