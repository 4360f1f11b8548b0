//! The engine handle: the one value the shells hold, wiring config, hub, tokens and connections.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::auth::{Caller, OWNER, TokenService, TokenVault, VaultError};
use crate::config::Config;
use crate::connections::Connections;
use crate::hub::Hub;
use crate::projects::Projects;
use crate::protocol::{ChannelKind, ChannelName, RpcError};
use crate::rpc;
use crate::store::Store;
use crate::supervisor::sessions::Sessions;

/// The engine failed to start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    // The cause is in the message, not a `source()`, so error chains print it once.
    #[error("cannot load tokens: {0}")]
    Tokens(VaultError),
}

struct Inner {
    config: Config,
    hub: Hub,
    tokens: TokenService,
    connections: Connections,
    projects: Projects,
    sessions: Sessions,
    started: Instant,
}

/// A cheap, cloneable handle to the running engine.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

impl Engine {
    /// Starts the engine: loads tokens from `vault` (failing clearly when it cannot be reached),
    /// then brings back what `store` saved: channels, projects and sessions.
    pub async fn open(
        config: Config,
        vault: Arc<dyn TokenVault>,
        store: Store,
    ) -> Result<Self, EngineError> {
        let tokens = TokenService::open(vault)
            .await
            .map_err(EngineError::Tokens)?;
        let engine = Self(Arc::new(Inner {
            hub: Hub::new(config.history.clone(), store.clone()),
            projects: Projects::load(store.clone()),
            config,
            tokens,
            connections: Connections::default(),
            sessions: Sessions::default(),
            started: Instant::now(),
        }));
        engine.sessions().restore(&engine, store.sessions());
        engine.announce_store_problems(store.problems());
        Ok(engine)
    }

    /// Announces `store.updated` on the owner's channel whenever saving breaks or works again,
    /// so every window can say that history is not being saved. The task ends with the engine.
    fn announce_store_problems(&self, mut problems: watch::Receiver<Option<String>>) {
        let engine = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            while problems.changed().await.is_ok() {
                let Some(inner) = engine.upgrade() else {
                    return;
                };
                let problem = problems.borrow_and_update().clone();
                Self(inner).announce("store.updated", &json!({ "problem": problem }));
            }
        });
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn hub(&self) -> &Hub {
        &self.0.hub
    }

    pub fn tokens(&self) -> &TokenService {
        &self.0.tokens
    }

    pub fn connections(&self) -> &Connections {
        &self.0.connections
    }

    pub fn projects(&self) -> &Projects {
        &self.0.projects
    }

    pub fn sessions(&self) -> &Sessions {
        &self.0.sessions
    }

    pub fn store(&self) -> &Store {
        self.0.hub.store()
    }

    /// Stops every session (and its `claude` process group), waits for them, then commits
    /// what is left to save and closes the store.
    pub async fn shutdown(&self) {
        self.0.sessions.shutdown().await;
        self.store().close().await;
    }

    pub fn uptime(&self) -> Duration {
        self.0.started.elapsed()
    }

    /// The owner's own channel, where account-wide changes are announced.
    pub fn user_channel() -> ChannelName {
        // OWNER is a constant of valid channel-id characters.
        ChannelName::new(ChannelKind::User, OWNER)
            .unwrap_or_else(|| unreachable!("OWNER is a valid channel id"))
    }

    /// Runs one RPC method; every transport ends here.
    pub async fn dispatch(
        &self,
        caller: &Caller,
        method: &str,
        params: Option<Value>,
    ) -> Result<Value, RpcError> {
        rpc::dispatch(self, caller, method, params).await
    }

    /// Publishes an event on the owner's channel. A failure to encode is logged, not raised:
    /// the change it describes has already happened.
    pub fn announce(&self, event: &str, data: &impl Serialize) {
        if let Err(error) = self.hub().publish(&Self::user_channel(), event, data) {
            tracing::error!(%error, event, "could not publish an event");
        }
    }
}
