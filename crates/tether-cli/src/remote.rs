//! `tether remote set URL|off`, `tether remote tailscale on|off`, `tether remote status`:
//! the public URL devices reach the running engine at from anywhere.

use anyhow::bail;
use serde_json::{Value, json};
use tether_engine::Config;

use crate::args::RemoteAction;
use crate::control::ControlClient;

pub async fn run(config: &Config, action: RemoteAction) -> anyhow::Result<()> {
    let Some(mut engine) = ControlClient::connect(&config.data_dir).await? else {
        bail!(
            "no engine is running with {}: start `tether serve` first (or set remote.public_url in its settings)",
            config.data_dir.display()
        );
    };
    let (method, params) = match &action {
        RemoteAction::Set { url } if url == "off" => ("remote.set", json!({ "public_url": null })),
        RemoteAction::Set { url } => ("remote.set", json!({ "public_url": url })),
        RemoteAction::Tailscale { state } => {
            ("remote.tailscale", json!({ "enabled": state == "on" }))
        }
        RemoteAction::Status => ("remote.status", json!({})),
    };
    let status = engine.call(method, params).await?;
    engine.close().await;
    match status {
        Ok(status) => print(&status),
        Err(error) => bail!("{}", error.message),
    }
    Ok(())
}

fn print(status: &Value) {
    let Some(url) = status["public_url"].as_str() else {
        println!(
            "Remote access is off: devices reach this engine on this computer or the LAN only."
        );
        return;
    };
    let by = match status["source"].as_str() {
        Some("tailscale") => "Tailscale Serve",
        Some("settings") => "the settings file",
        _ => "the desktop",
    };
    println!("Devices reach this engine at {url} (set by {by}).");
    println!("Pairing links and QR codes carry it; `tether pair` makes one.");
}
