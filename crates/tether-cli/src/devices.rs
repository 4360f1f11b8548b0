//! `tether devices …`: through the running engine when there is one (so revoking closes live
//! connections at once), otherwise against the data directory and the keyring directly.

use anyhow::bail;
use serde::Deserialize;
use serde_json::json;
use tether_core::Config;

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
        DevicesAction::Add { name } => ("devices.create", json!({ "name": name })),
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

/// Formats Unix seconds as `YYYY-MM-DD HH:MM` in UTC (civil-from-days, proleptic Gregorian).
pub fn utc(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let minutes_of_day = (seconds % 86_400) / 60;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        minutes_of_day / 60,
        minutes_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00");
        assert_eq!(utc(1_795_314_645), "2026-11-22 02:30");
    }
}
