//! Runs the engine inside the desktop app: start on launch, stop (and wait) on quit.

use std::sync::{Arc, Mutex, PoisonError};

use tether_core::config::default_config_file;
use tether_core::launch::launch;
use tether_core::{Config, Engine};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Where the engine stands.
#[derive(Clone)]
pub enum EngineState {
    Starting,
    Running(Engine),
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
        let (state, stop) = (Arc::clone(&host.state), host.stop.clone());
        let run = async move {
            let set = |next| *state.lock().unwrap_or_else(PoisonError::into_inner) = next;
            let launched = match Config::load(default_config_file().as_deref()) {
                Ok(config) => launch(config).await.map_err(|error| error.to_string()),
                Err(error) => Err(format!("invalid settings: {error}")),
            };
            match launched {
                Ok(launched) => {
                    tracing::info!(address = %launched.address(), "engine listening");
                    set(EngineState::Running(launched.engine().clone()));
                    if let Err(error) = launched.serve(stop).await {
                        tracing::error!(%error, "the engine stopped with an error");
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "the engine did not start");
                    set(EngineState::Failed(error));
                }
            }
        };
        tauri::async_runtime::spawn(host.tasks.track_future(run));
        host
    }

    /// Cancelled when the app quits: everything tied to the engine stops with it.
    pub fn stop_token(&self) -> &CancellationToken {
        &self.stop
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
