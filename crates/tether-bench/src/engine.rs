//! A Tether engine and WebSocket server on 127.0.0.1:0 with a fresh data directory, a keyring
//! service of its own and one device token, as the bench's Tether side.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde_json::json;
use tether_core::auth::{Caller, KeyringVault};
use tether_core::store::Store;
use tether_core::{Config, Engine, server};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct Running {
    pub engine: Engine,
    pub addr: SocketAddr,
    pub token: String,
    stop: CancellationToken,
    _data: tempfile::TempDir,
}

/// Starts an engine whose settings `adjust` may change; limits that would cut the bench's own
/// crowd off (connections per device, total) are raised first.
pub async fn start(adjust: impl FnOnce(&mut Config)) -> Result<Running> {
    let data = tempfile::tempdir()?;
    let service = format!("tether-bench-{}", std::process::id());
    let mut config = Config {
        port: 0,
        keyring_service: service.clone(),
        data_dir: data.path().to_path_buf(),
        ..Config::default()
    };
    config.limits.max_connections = 12_000;
    config.limits.max_connections_per_device = 12_000;
    adjust(&mut config);
    let vault = Arc::new(KeyringVault::new(&service));
    let store = Store::open(data.path(), config.store.clone());
    let engine = Engine::open(config, vault, store)
        .await
        .context("the OS keyring must be reachable: run through make bench")?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stop = CancellationToken::new();
    tokio::spawn(server::serve(
        listener,
        engine.clone(),
        stop.clone().cancelled_owned(),
    ));
    let created = engine
        .dispatch(
            &Caller::Local,
            "devices.create",
            Some(json!({ "name": "bench" })),
        )
        .await
        .map_err(|error| anyhow::anyhow!("devices.create: {}", error.message))?;
    let token = created["token"]
        .as_str()
        .context("devices.create returned no token")?
        .to_owned();
    Ok(Running {
        engine,
        addr,
        token,
        stop,
        _data: data,
    })
}

impl Running {
    /// Waits until every event published so far is saved; fails if any could not be.
    pub async fn saved(&self) -> Result<()> {
        let lost = self.unsaved().await?;
        anyhow::ensure!(lost == 0, "the store could not save {lost} events");
        Ok(())
    }

    /// Waits until every event published so far is saved or given up on; returns how many
    /// events since the start could not be saved.
    pub async fn unsaved(&self) -> Result<u64> {
        let store = self.engine.store();
        store.flush().await.map_err(anyhow::Error::msg)?;
        Ok(store.health().lost_events)
    }

    /// Stops serving and every session.
    pub async fn stop(self) {
        self.stop.cancel();
        self.engine.shutdown().await;
    }
}
