//! `tether keys …`: the SSH public keys allowed to sign in with `tether connect --key/--agent`.

use std::io::Read;

use anyhow::{Context, bail};
use serde_json::json;
use tether_engine::Config;

use crate::args::KeysAction;
use crate::control::call;

pub async fn run(config: &Config, action: KeysAction) -> anyhow::Result<()> {
    let (method, params) = match &action {
        KeysAction::Add { file, name } => {
            let line = if file.as_os_str() == "-" {
                let mut line = String::new();
                std::io::stdin().read_to_string(&mut line)?;
                line
            } else {
                std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?
            };
            (
                "keys.add",
                json!({ "public_key": line.trim(), "name": name }),
            )
        }
        KeysAction::List => ("keys.list", json!({})),
        KeysAction::Remove { fingerprint } => {
            ("keys.remove", json!({ "fingerprint": fingerprint }))
        }
    };
    let result = match call(config, method, params).await? {
        Ok(result) => result,
        Err(error) => bail!("{}", error.message),
    };
    match action {
        KeysAction::Add { .. } => println!(
            "Authorized {} ({}).",
            result["fingerprint"].as_str().unwrap_or_default(),
            result["name"].as_str().unwrap_or_default()
        ),
        KeysAction::List => {
            let keys = result.as_array().cloned().unwrap_or_default();
            if keys.is_empty() {
                println!(
                    "No SSH keys. Authorize one with `tether keys add ~/.ssh/id_ed25519.pub`."
                );
            }
            for key in keys {
                println!(
                    "{}  {}",
                    key["fingerprint"].as_str().unwrap_or_default(),
                    key["name"].as_str().unwrap_or_default()
                );
            }
        }
        KeysAction::Remove { .. } => println!(
            "Removed {}; its connections were closed.",
            result["fingerprint"].as_str().unwrap_or_default()
        ),
    }
    Ok(())
}
