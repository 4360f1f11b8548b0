//! `tether devices …`: through the running engine when there is one (so revoking closes live
//! connections at once), otherwise against the data directory and the keyring directly.

use anyhow::bail;
use serde::Deserialize;
use serde_json::json;
use tether_engine::Config;
use tether_protocol::clock::utc;

use crate::args::DevicesAction;
use crate::control::call;

#[derive(Debug, Deserialize)]
struct Device {
    id: String,
    name: String,
    paired_at: u64,
    last_seen: Option<u64>,
    last_address: Option<String>,
    #[serde(default)]
    online: bool,
}

pub async fn run(config: &Config, action: DevicesAction) -> anyhow::Result<()> {
    let (method, params) = match &action {
        DevicesAction::Add { name, machine } => (
            "devices.create",
            json!({ "name": name, "machine": machine }),
        ),
        DevicesAction::List { .. } => ("devices.list", json!({})),
        DevicesAction::Rename { id, name } => ("devices.rename", json!({ "id": id, "name": name })),
        DevicesAction::Revoke { id } => ("devices.revoke", json!({ "id": id })),
    };
    let mut result = match call(config, method, params).await? {
        Ok(result) => result,
        Err(error) => bail!("{}", error.message),
    };
    match action {
        DevicesAction::Add { .. } => {
            let device: Device = serde_json::from_value(result["device"].take())?;
            eprintln!(
                "Added device {} ({:?}). Copy its token now: it is never shown again.",
                device.id, device.name
            );
            println!("{}", result["token"].as_str().unwrap_or_default());
        }
        DevicesAction::List { json: true } => {
            println!("{}", serde_json::to_string_pretty(&result)?)
        }
        DevicesAction::List { json: false } => print_table(serde_json::from_value(result)?),
        DevicesAction::Rename { .. } => {
            let device: Device = serde_json::from_value(result)?;
            println!("Device {} is now called {:?}.", device.id, device.name);
        }
        DevicesAction::Revoke { .. } => {
            let device: Device = serde_json::from_value(result)?;
            println!(
                "Revoked device {} ({:?}); its connections were closed.",
                device.id, device.name
            );
        }
    }
    Ok(())
}

fn print_table(devices: Vec<Device>) {
    if devices.is_empty() {
        println!(
            "No devices. Pair one with `tether pair`, or add one with `tether devices add --name NAME`."
        );
        return;
    }
    println!(
        "{:<10} {:<24} {:<17} {:<17} {:<16} ONLINE",
        "ID", "NAME", "PAIRED (UTC)", "LAST SEEN (UTC)", "LAST ADDRESS"
    );
    for device in devices {
        println!(
            "{:<10} {:<24} {:<17} {:<17} {:<16} {}",
            device.id,
            device.name,
            utc(device.paired_at),
            device.last_seen.map_or_else(|| "never".to_owned(), utc),
            device.last_address.as_deref().unwrap_or("-"),
            if device.online { "yes" } else { "no" },
        )
    }
}
