//! `tether agent pair URL CODE`: presents the desktop's pairing code as a machine, waits for
//! the desktop user to approve, then keeps the token in the keyring and the hub's address in
//! the store.

use std::io::Write;

use anyhow::{Context, anyhow, bail};
use serde_json::json;
use tether_engine::Config;
use tether_engine::auth::{KeyringVault, SecretVault};
use tether_engine::data_dir::DataDir;
use tether_store::{Row, Store};

use super::{HUB_SETTING, Hub, TOKEN_ACCOUNT};

pub async fn run(
    config: &Config,
    hub: Hub,
    code: &str,
    name: Option<String>,
) -> anyhow::Result<()> {
    // Claimed first: pairing while this computer's agent runs would race its store.
    let data_dir = DataDir::claim(&config.data_dir)
        .context("stop `tether agent run` (or any engine using this data directory) first")?;
    let target = hub.target()?;
    let name = name.unwrap_or_else(tether_engine::machines::hostname);
    eprintln!(
        "Asking {} to add this computer as {name:?}; approve it on the desktop…",
        hub.url
    );
    let _ = std::io::stderr().flush();
    let body = json!({ "code": code, "name": name, "machine": true });
    let paired = target.post("/api/pair", Some(&body)).await?;
    let token = paired["token"]
        .as_str()
        .ok_or_else(|| anyhow!("the hub answered without a token"))?
        .to_owned();
    let id = paired["device"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if paired["device"]["machine"] != true {
        bail!("the hub paired this computer as a device, not a machine: it is too old for agents");
    }
    let vault = KeyringVault::new(&config.keyring_service);
    tokio::task::spawn_blocking(move || vault.set(TOKEN_ACCOUNT, &token))
        .await?
        .context("cannot keep the machine's token in the keyring")?;
    let store = Store::open(data_dir.path(), config.store.clone());
    store.save(Row::Setting {
        key: HUB_SETTING.to_owned(),
        value: Some(serde_json::to_string(&hub)?),
    });
    let saved = store.flush().await;
    store.close().await;
    saved.map_err(|problem| anyhow!("cannot save the hub's address: {problem}"))?;
    println!(
        "paired with {} as machine {id}; start it with `tether agent run`",
        hub.url
    );
    Ok(())
}
