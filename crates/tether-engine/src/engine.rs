//! The engine handle: the one value the shells hold, wiring config, hub, devices and connections.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::auth::pairing::Pairing;
use crate::auth::ssh::SshKeys;
use crate::auth::{AddressLimiter, Caller, Devices, OWNER, SecretVault, VaultError};
use crate::config::Config;
use crate::connections::{Connections, Registration};
use crate::files::FileIndexes;
use crate::hub::{Closer, Hub};
use crate::lan_switch::{LanSwitch, NoLan};
use crate::machines::Machines;
use crate::metrics::Metrics;
use crate::projects::Projects;
use crate::push::Push;
use crate::remote::{PublicUrl, Remote};
use crate::rpc;
use crate::supervisor::sessions::Sessions;
use crate::transcripts::{self, Transcripts};
use tether_protocol::events::{AccountEvent, StoreUpdated};
use tether_protocol::{
    ChannelKind, ChannelName, CloseReason, RemoteSource, RemoteStatus, RpcError,
};
use tether_store::Store;

/// The engine failed to start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    // The cause is in the message, not a `source()`, so error chains print it once.
    #[error("cannot load paired devices: {0}")]
    Devices(VaultError),
}

struct Inner {
    config: Config,
    hub: Hub,
    vault: Arc<dyn SecretVault>,
    devices: Devices,
    pairing: Pairing,
    ssh_keys: SshKeys,
    /// Pairing attempts per address.
    attempts: AddressLimiter,
    /// SSH sign-in challenges per address.
    challenges: AddressLimiter,
    /// Answers from notifications per address (a budget of their own, so taps and guesses
    /// there spend nothing of pairing's).
    answer_attempts: AddressLimiter,
    /// LAN access, once whoever serves has installed its handle.
    lan: OnceLock<Arc<dyn LanSwitch>>,
    /// Where the loopback listener serves, once it does.
    local_address: OnceLock<SocketAddr>,
    /// The public URL a proxy serves that listener at.
    remote: Remote,
    /// Devices' push subscriptions.
    push: Push,
    connections: Connections,
    metrics: Metrics,
    projects: Projects,
    sessions: Sessions,
    transcripts: Transcripts,
    /// Each project's file names, for `@` mentions.
    file_indexes: Arc<FileIndexes>,
    /// Remote machines' links and the runs on them.
    machines: Machines,
    started: Instant,
}

/// A cheap, cloneable handle to the running engine.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

/// A handle that does not keep the engine alive, for its own background work.
#[derive(Clone)]
pub struct WeakEngine(Weak<Inner>);

impl WeakEngine {
    pub fn upgrade(&self) -> Option<Engine> {
        self.0.upgrade().map(Engine)
    }
}

impl Engine {
    /// Starts the engine: loads the paired devices' token hashes from `vault` (failing
    /// clearly when it cannot be reached), then brings back what `store` saved: channels,
    /// projects, sessions and authorized SSH keys.
    pub async fn open(
        config: Config,
        vault: Arc<dyn SecretVault>,
        store: Store,
    ) -> Result<Self, EngineError> {
        let devices = Devices::open(Arc::clone(&vault), store.clone())
            .await
            .map_err(EngineError::Devices)?;
        let transcripts = Transcripts::new(&config.claude);
        let push = Push::load(Arc::clone(&vault), store.clone());
        let engine = Self(Arc::new(Inner {
            hub: Hub::new(config.history.clone(), store.clone()),
            projects: Projects::load(store.clone()),
            pairing: Pairing::new(config.pairing.clone()),
            ssh_keys: SshKeys::load(store.clone()),
            attempts: AddressLimiter::new(config.pairing.attempts_per_minute),
            challenges: AddressLimiter::new(config.pairing.attempts_per_minute),
            answer_attempts: AddressLimiter::new(config.pairing.attempts_per_minute),
            lan: OnceLock::new(),
            local_address: OnceLock::new(),
            remote: Remote::load(&config.remote, store.clone()),
            push,
            config,
            vault,
            devices,
            connections: Connections::default(),
            metrics: Metrics::default(),
            sessions: Sessions::default(),
            file_indexes: Arc::default(),
            machines: Machines::default(),
            transcripts,
            started: Instant::now(),
        }));
        engine
            .sessions()
            .restore(&engine, store.loaded("sessions", store.sessions()));
        engine.announce_store_problems(store.problems());
        tokio::spawn(transcripts::keep_indexed(engine.downgrade()));
        match crate::push::client(engine.config().push.extra_ca_file.as_deref()) {
            Ok(client) => crate::push::start(&engine, client),
            Err(error) => tracing::warn!(%error, "push notifications are off"),
        }
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
                Self(inner).announce(&AccountEvent::StoreUpdated(StoreUpdated { problem }));
            }
        });
    }

    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine(Arc::downgrade(&self.0))
    }

    /// Claude Code's own sessions, from its transcripts.
    pub fn transcripts(&self) -> &Transcripts {
        &self.0.transcripts
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// Remote machines' links and the runs on them.
    pub fn machines(&self) -> &Machines {
        &self.0.machines
    }

    pub fn hub(&self) -> &Hub {
        &self.0.hub
    }

    pub fn devices(&self) -> &Devices {
        &self.0.devices
    }

    pub fn pairing(&self) -> &Pairing {
        &self.0.pairing
    }

    pub fn ssh_keys(&self) -> &SshKeys {
        &self.0.ssh_keys
    }

    /// Pairing attempts per address.
    pub fn attempts(&self) -> &AddressLimiter {
        &self.0.attempts
    }

    /// SSH sign-in challenges per address.
    pub fn challenges(&self) -> &AddressLimiter {
        &self.0.challenges
    }

    /// Answers from notifications (`POST /api/push/answer`) per address.
    pub fn answer_attempts(&self) -> &AddressLimiter {
        &self.0.answer_attempts
    }

    /// LAN access: whoever serves the network owns its listener and installs this handle.
    pub fn lan(&self) -> &dyn LanSwitch {
        match self.0.lan.get() {
            Some(lan) => lan.as_ref(),
            None => &NoLan,
        }
    }

    /// Installs the handle to LAN access; the first one installed stays.
    pub fn install_lan(&self, lan: impl FnOnce() -> Arc<dyn LanSwitch>) {
        self.0.lan.get_or_init(lan);
    }

    /// Where secrets are kept: the OS keyring.
    pub fn vault(&self) -> Arc<dyn SecretVault> {
        Arc::clone(&self.0.vault)
    }

    /// Registers a live connection of `caller`, which came through the public URL with origin
    /// `through` if it did, so that revoking the caller (or turning that URL off) closes it.
    /// A change between the handshake and this call found nothing to close: it is looked for
    /// again here.
    pub fn register_connection(
        &self,
        caller: &Caller,
        closer: &Closer,
        through: Option<String>,
    ) -> Registration {
        let origin = through.clone();
        let registration = self
            .connections()
            .register(caller.clone(), closer.clone(), through);
        // Read once registered: a change from now on finds this connection to close.
        let current = self.remote().current().url;
        let withdrawn =
            origin.is_some_and(|origin| current.as_ref().map(PublicUrl::origin) != Some(&origin));
        if !self.still_signed_in(caller) {
            closer.close(CloseReason::TokenRevoked);
        } else if withdrawn {
            closer.close(CloseReason::AccessClosed);
        }
        registration
    }

    /// Devices' push subscriptions, and the key to send with.
    pub fn push(&self) -> &Push {
        &self.0.push
    }

    /// The public URL devices reach this engine at from anywhere.
    pub fn remote(&self) -> &Remote {
        &self.0.remote
    }

    /// Puts `url` (none: off) in force as the public URL, set by `source`, saved before it
    /// answers; the connections that came through the one it replaces close (4004), and every
    /// client is told.
    pub async fn set_public_url(
        &self,
        url: Option<PublicUrl>,
        source: RemoteSource,
    ) -> RemoteStatus {
        let replaced = self.remote().set(url.clone(), source);
        if let Err(problem) = self.store().flush().await {
            tracing::warn!(%problem, "the public URL is in force but could not be saved");
        }
        if let Some(old) = replaced.url.filter(|old| Some(old) != url.as_ref()) {
            let closed = self.connections().close_through(old.origin());
            tracing::info!(
                closed,
                "the public URL changed; connections through the old one closed"
            );
        }
        let status = self.remote().current().status();
        self.announce(&AccountEvent::RemoteUpdated(status.clone()));
        status
    }

    /// Whether the device or key a caller signed in with is still allowed in.
    fn still_signed_in(&self, caller: &Caller) -> bool {
        match caller {
            Caller::Local => true,
            Caller::Device { id, .. } | Caller::Machine { id, .. } => self.devices().contains(id),
            Caller::Key { fingerprint, .. } => self.ssh_keys().contains(fingerprint),
        }
    }

    /// Where the loopback listener serves, once it does.
    pub fn local_address(&self) -> Option<SocketAddr> {
        self.0.local_address.get().copied()
    }

    /// Records where the loopback listener serves (the first listener wins).
    pub fn set_local_address(&self, address: SocketAddr) {
        let _ = self.0.local_address.set(address);
    }

    /// The URL a device opens to pair: the public URL when set, else the LAN listener's when
    /// it runs, else the loopback one.
    pub fn pairing_url(&self) -> Option<String> {
        let public = self.remote().current().url.map(|url| url.to_string());
        public.or_else(|| self.lan().status().url).or_else(|| {
            self.0
                .local_address
                .get()
                .map(|address| format!("http://{address}/"))
        })
    }

    pub fn connections(&self) -> &Connections {
        &self.0.connections
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub fn projects(&self) -> &Projects {
        &self.0.projects
    }

    pub fn file_indexes(&self) -> &Arc<FileIndexes> {
        &self.0.file_indexes
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
        self.lan().disable().await;
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

    /// Publishes an event on the owner's channel.
    pub fn announce(&self, event: &AccountEvent) {
        self.hub().publish(&Self::user_channel(), event);
    }
}
