//! A Tether engine and WebSocket server on 127.0.0.1:0 with a fresh data directory, a keyring
//! service of its own and one device token, as the bench's Tether side.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::json;
use tether_engine::auth::Caller;
use tether_engine::{Config, Engine};
use tether_server::launch::launch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a stopping engine gets to close its connections and sessions.
const STOP_WAIT: Duration = Duration::from_secs(30);

pub struct Running {
    pub engine: Engine,
    pub addr: SocketAddr,
    pub token: String,
    stop: CancellationToken,
    served: JoinHandle<io::Result<()>>,
    _data: tempfile::TempDir,
}

/// Starts an engine whose settings `adjust` may change; limits that would cut the bench's own
/// crowd off (connections per device, total) are raised first.
pub async fn start(adjust: impl FnOnce(&mut Config)) -> Result<Running> {
    let data = tempfile::tempdir()?;
    let mut config = Config {
        port: 0,
        keyring_service: format!("tether-bench-{}", std::process::id()),
        data_dir: data.path().to_path_buf(),
        ..Config::default()
    };
    config.limits.max_connections = 12_000;
    config.limits.max_connections_per_device = 12_000;
    adjust(&mut config);
    let launched = launch(config).await.context(
        "launching the engine (the OS keyring must be reachable: run through make bench)",
    )?;
    let engine = launched.engine().clone();
    let addr = launched.address();
    let stop = CancellationToken::new();
    let served = tokio::spawn(launched.serve(stop.clone()));
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
        served,
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

    /// Stops serving and every session, waiting (a bounded time) until it has; a stop that
    /// fails or runs out of time is told, as the next run would share the machine with it.
    pub async fn stop(self) {
        self.stop.cancel();
        match tokio::time::timeout(STOP_WAIT, self.served).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => eprintln!("the bench's engine stopped with an error: {error}"),
            Ok(Err(error)) => eprintln!("the bench's engine task failed: {error}"),
            Err(_) => eprintln!("the bench's engine did not stop within {STOP_WAIT:?}"),
        }
    }
}
