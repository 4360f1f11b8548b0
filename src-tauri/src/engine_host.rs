//! Runs the engine inside the desktop app: start on launch, stop (and wait) on quit.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tether_core::auth::KeyringVault;
use tether_core::{Config, Engine, server};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Where the engine stands, as the status window shows it.
#[derive(Clone)]
pub enum EngineState {
    Starting,
    Running { engine: Engine, address: SocketAddr },
    Failed(String),
}

/// The engine's lifecycle inside the app.
pub struct EngineHost {
    state: Arc<Mutex<EngineState>>,
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl EngineHost {
    /// Starts the engine in the background; its state moves from `Starting` to `Running` or `Failed`.
    pub fn start() -> Self {
        let host = Self {
            state: Arc::new(Mutex::new(EngineState::Starting)),
            stop: CancellationToken::new(),
            tasks: TaskTracker::new(),
        };
        let (state, stop, tasks) = (
            Arc::clone(&host.state),
            host.stop.clone(),
            host.tasks.clone(),
        );
        let boot = async move {
            let next = match boot(&stop, &tasks).await {
                Ok((engine, address)) => EngineState::Running { engine, address },
                Err(error) => {
                    tracing::error!(%error, "the engine did not start");
                    EngineState::Failed(error)
                }
            };
            *state.lock().unwrap_or_else(PoisonError::into_inner) = next;
        };
        tauri::async_runtime::spawn(host.tasks.track_future(boot));
        host
    }

    pub fn state(&self) -> EngineState {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Closes every connection (1001) and waits for the engine's tasks to end.
    pub fn stop(&self) {
        self.stop.cancel();
        self.tasks.close();
        tauri::async_runtime::block_on(self.tasks.wait());
    }
}

/// Loads settings and tokens, binds both listeners and starts serving them.
async fn boot(
    stop: &CancellationToken,
    tasks: &TaskTracker,
) -> Result<(Engine, SocketAddr), String> {
    let config = Config::load(None).map_err(|error| format!("invalid settings: {error}"))?;
    let vault = Arc::new(KeyringVault::new(&config.keyring_service));
    let listener = TcpListener::bind((config.bind, config.port))
        .await
        .map_err(|error| format!("cannot listen on {}:{}: {error}", config.bind, config.port))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    let control = server::bind_local(&config.data_dir)
        .map_err(|error| format!("cannot open the control socket: {error}"))?;
    let engine = Engine::open(config, vault)
        .await
        .map_err(|error| error.to_string())?;
    tracing::info!(%address, "engine listening");
    tauri::async_runtime::spawn(tasks.track_future(server::serve(
        listener,
        engine.clone(),
        stop.clone().cancelled_owned(),
    )));
    tauri::async_runtime::spawn(tasks.track_future(server::serve_local(
        control,
        engine.clone(),
        stop.clone().cancelled_owned(),
    )));
    Ok((engine, address))
}
