//! Runs the engine inside the desktop app: start on launch, stop (and wait, a bounded time) on
//! quit. Its state can be read at any time, or awaited until the engine runs; once it stops,
//! it says why.

use std::time::Duration;

use tether_engine::{Config, Engine};
use tether_server::launch::launch;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The longest quitting waits for the engine to stop.
const STOP_WAIT: Duration = Duration::from_secs(10);
/// The longest a window's connection waits for the engine to start.
pub const START_WAIT: Duration = Duration::from_secs(60);

/// Where the engine stands.
#[derive(Clone)]
pub enum EngineState {
    Starting,
    Running(Engine),
    Failed(String),
}

/// The engine's lifecycle inside the app.
pub struct EngineHost {
    state: watch::Receiver<EngineState>,
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl EngineHost {
    /// Starts the engine with `config` in the background; its state moves from `Starting` to
    /// `Running` or `Failed`.
    pub fn start(config: Result<Config, String>) -> Self {
        let (set, state) = watch::channel(EngineState::Starting);
        let host = Self {
            state,
            stop: CancellationToken::new(),
            tasks: TaskTracker::new(),
        };
        let stop = host.stop.clone();
        let run = async move {
            let launched = match config {
                Ok(config) => launch(config).await.map_err(|error| error.to_string()),
                Err(error) => Err(error),
            };
            match launched {
                Ok(launched) => {
                    tracing::info!(address = %launched.address(), "engine listening");
                    set.send_replace(EngineState::Running(launched.engine().clone()));
                    let ended = match launched.serve(stop).await {
                        Ok(()) => "the engine stopped".to_owned(),
                        Err(error) => format!("the engine stopped with an error: {error}"),
                    };
                    tracing::info!(%ended);
                    set.send_replace(EngineState::Failed(ended));
                }
                Err(error) => {
                    tracing::error!(%error, "the engine did not start");
                    set.send_replace(EngineState::Failed(error));
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

    /// Runs `work` as one of the app's tasks: cancelled when the app quits, and waited for
    /// (a bounded time) before it exits.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let stop = self.stop.clone();
        tauri::async_runtime::spawn(self.tasks.track_future(async move {
            stop.run_until_cancelled(work).await;
        }));
    }

    pub fn state(&self) -> EngineState {
        self.state.borrow().clone()
    }

    /// The engine once it runs (waiting at most `wait` for it to start); the reason when it
    /// could not start, or stopped.
    pub async fn running(&self, wait: Duration) -> Result<Engine, String> {
        let mut state = self.state.clone();
        let settled = tokio::time::timeout(
            wait,
            state.wait_for(|state| !matches!(state, EngineState::Starting)),
        )
        .await
        .map_err(|_| "the engine is taking too long to start".to_owned())?
        .map_err(|_| "the engine stopped".to_owned())?;
        match &*settled {
            EngineState::Running(engine) => Ok(engine.clone()),
            EngineState::Failed(error) => Err(error.clone()),
            EngineState::Starting => Err("the engine is still starting".to_owned()),
        }
    }

    /// Closes every connection (1001) and waits for the engine's tasks to end, at most
    /// [`STOP_WAIT`] (the app quits then anyway; the next start sweeps what is left).
    pub fn stop(&self) {
        self.stop.cancel();
        self.tasks.close();
        // The timer is made inside the runtime: quitting runs on the main thread, which has
        // no runtime of its own (a signal's quit would otherwise panic here).
        let waited = tauri::async_runtime::block_on(async {
            tokio::time::timeout(STOP_WAIT, self.tasks.wait()).await
        });
        if waited.is_err() {
            tracing::warn!("the engine took too long to stop; quitting anyway");
        }
    }
}
