//! `tether lan on|off|status|rotate-cert`: serving phones and tablets on the local network,
//! over TLS, and replacing its certificate.

use anyhow::bail;
use serde_json::{Value, json};
use tether_engine::Config;

use crate::args::LanAction;
use crate::control::ControlClient;

pub async fn run(config: &Config, action: LanAction) -> anyhow::Result<()> {
    let Some(mut engine) = ControlClient::connect(&config.data_dir).await? else {
        bail!(
            "no engine is running with {}: start `tether serve` first (or set lan.enabled in its settings)",
            config.data_dir.display()
        );
    };
    let (method, params) = match action {
        LanAction::On { address, port } => {
            ("lan.enable", json!({ "address": address, "port": port }))
        }
        LanAction::Off => ("lan.disable", json!({})),
        LanAction::Status => ("lan.status", json!({})),
        LanAction::RotateCert => ("lan.rotate_certificate", json!({})),
    };
    let rotated = matches!(action, LanAction::RotateCert);
    let status = engine.call(method, params).await?;
    engine.close().await;
    match status {
        Ok(status) => print(&status),
        Err(error) => bail!("{}", error.message),
    }
    if rotated {
        println!(
            "The certificate was replaced: clients that pinned the old fingerprint must pin the new one, and browsers ask to accept it again."
        );
    }
    Ok(())
}

fn print(status: &Value) {
    match (status["url"].as_str(), status["fingerprint"].as_str()) {
        (Some(url), Some(fingerprint)) => {
            println!("LAN access is on at {url}");
            println!("Certificate: {fingerprint}");
            if let Some(expires) = status["expires_at"].as_u64() {
                const DAY: u64 = 86_400;
                let left = expires.saturating_sub(tether_protocol::clock::unix_now());
                // Rounded, so it reads the same from one second to the next.
                let days = (left + DAY / 2) / DAY;
                println!(
                    "It expires in {days} days; a new one is made when LAN access starts within a month of that."
                );
            }
        }
        _ => println!("LAN access is off: only this computer can connect."),
    }
}
