//! `tether agent pair` and `tether agent run`: this computer as one of a hub's machines.
//! Pairing keeps the hub's address in the store and the machine's token in the keyring; the
//! agent then dials out to the hub and runs `claude` there for the hub's sessions.

mod link;
mod pair;

use std::sync::Arc;

use anyhow::{Context, anyhow};
use serde::{Deserialize, Serialize};
use tether_engine::Config;
use tether_engine::auth::{KeyringVault, SecretVault};
use tether_engine::machines::Agent;
use tether_server::launch::launch_local;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

use crate::args::AgentAction;
use crate::target::Target;

/// The store setting that names the hub.
const HUB_SETTING: &str = "agent.hub";
/// The keyring account of the machine's token.
const TOKEN_ACCOUNT: &str = "agent.hub-token";

/// The hub this machine is paired with (its token is in the keyring).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Hub {
    url: String,
    fingerprint: Option<String>,
}

impl Hub {
    fn target(&self) -> anyhow::Result<Target> {
        Target::parse(&self.url, self.fingerprint.clone())
    }
}

pub async fn run(config: Config, action: AgentAction) -> anyhow::Result<()> {
    match action {
        AgentAction::Pair {
            url,
            code,
            fingerprint,
            name,
        } => pair::run(&config, Hub { url, fingerprint }, &code, name).await,
        AgentAction::Run => serve(config).await,
    }
}

/// Runs the agent until SIGINT or SIGTERM: the engine on its control socket (so `tether
/// project add` reaches it) and the link to the hub.
async fn serve(config: Config) -> anyhow::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
    let vault = KeyringVault::new(&config.keyring_service);
    let local = launch_local(config).await?;
    let engine = local.engine().clone();
    let hub: Hub = engine
        .store()
        .setting(HUB_SETTING)?
        .map(|saved| serde_json::from_str(&saved))
        .transpose()?
        .ok_or_else(|| {
            anyhow!(
                "this computer is not paired with a hub: run `tether agent pair URL CODE` first"
            )
        })?;
    let token = tokio::task::spawn_blocking(move || vault.get(TOKEN_ACCOUNT))
        .await??
        .ok_or_else(|| anyhow!("the machine's token is gone from the keyring: pair again"))?;
    let target = hub.target()?;
    let agent = Arc::new(Agent::new(engine.clone()));
    let stop = CancellationToken::new();
    println!(
        "agent for {} ({} projects offered)",
        hub.url,
        agent.projects().len()
    );
    let signals = async {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!(signal = "SIGINT", "shutting down"),
            _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "shutting down"),
            () = stop.cancelled() => return,
        }
        stop.cancel();
    };
    let linked = async {
        let linked = link::keep(&target, &token, &agent, &stop).await;
        stop.cancel();
        linked
    };
    let ((), linked, ()) = tokio::join!(local.serve(stop.clone()), linked, signals);
    agent.shutdown().await;
    linked
}
