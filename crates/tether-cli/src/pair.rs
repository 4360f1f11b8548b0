//! `tether pair`: shows a pairing code and its QR code in the terminal, waits for a device to
//! present the code, then asks whether to let it in (with `--yes`, lets it in).

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use tether_engine::Config;

use crate::args::PairArgs;
use crate::control::{ControlClient, ask};

pub async fn run(config: &Config, args: PairArgs) -> anyhow::Result<()> {
    let Some(mut engine) = ControlClient::connect(&config.data_dir).await? else {
        bail!(
            "no engine is running with {}: start `tether serve` (or the desktop app) first",
            config.data_dir.display()
        );
    };
    engine.subscribe(&["user:owner"]).await?;
    let offer = engine
        .call("pairing.start", json!({}))
        .await?
        .map_err(|error| anyhow!("{}", error.message))?;
    show(&offer)?;
    let request = wait_for_device(&mut engine, &offer).await?;
    let name = request["name"].as_str().unwrap_or("a device");
    let address = request["address"].as_str().unwrap_or("this computer");
    let approve = args.yes || confirm(&format!("Pair \"{name}\" from {address}? [y/N] ")).await?;
    let method = if approve {
        "pairing.approve"
    } else {
        "pairing.deny"
    };
    engine
        .call(method, json!({ "request_id": request["id"] }))
        .await?
        .map_err(|error| anyhow!("{}", error.message))?;
    if approve {
        println!(
            "Paired \"{name}\". It can now drive your sessions; revoke it with `tether devices revoke`."
        );
    } else {
        println!("Declined \"{name}\".");
    }
    engine.close().await;
    Ok(())
}

/// Prints the QR code, the code and where to open it.
fn show(offer: &Value) -> anyhow::Result<()> {
    let code = offer["code"].as_str().unwrap_or_default();
    if let Some(link) = offer["link"].as_str() {
        println!("{}", tether_engine::qr::terminal(link)?);
        println!("Scan the code, or open {link}");
    }
    if let Some(fingerprint) = offer["fingerprint"].as_str() {
        println!("Certificate: {fingerprint}");
    }
    println!(
        "Pairing code: {code}  (valid for {} s, one device)",
        seconds_left(offer)
    );
    println!("Waiting for a device…");
    std::io::stdout().flush()?;
    Ok(())
}

/// The first device that presents the code, while the code lasts.
async fn wait_for_device(engine: &mut ControlClient, offer: &Value) -> anyhow::Result<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds_left(offer));
    loop {
        let event = tokio::time::timeout_at(deadline, engine.next_event())
            .await
            .map_err(|_| {
                anyhow!("the code expired before a device used it; run `tether pair` again")
            })?
            .context("lost the connection to the engine")?
            .ok_or_else(|| anyhow!("the engine closed the connection"))?;
        match event["event"].as_str() {
            Some("pairing.requested") => return Ok(event["data"].clone()),
            Some("pairing.wrong_code") => {
                let data = &event["data"];
                let from = data["address"].as_str().unwrap_or("this machine");
                match data["tries_left"].as_u64().unwrap_or(0) {
                    0 => eprintln!(
                        "{from} tried too many wrong codes and can no longer use this one."
                    ),
                    left => eprintln!(
                        "A wrong code was tried from {from} ({left} more tries allowed from there)."
                    ),
                }
            }
            Some("pairing.burned") => {
                let from = event["data"]["address"].as_str().unwrap_or("this machine");
                bail!(
                    "too many wrong codes were tried (the last from {from}), so the code no longer works; run `tether pair` again"
                )
            }
            _ => {}
        }
    }
}

fn seconds_left(offer: &Value) -> u64 {
    let now = tether_protocol::clock::unix_now();
    offer["expires_at"]
        .as_u64()
        .unwrap_or(now)
        .saturating_sub(now)
}

/// Asks a yes-or-no question on the terminal; anything but yes is no.
async fn confirm(question: &str) -> anyhow::Result<bool> {
    let answer = ask(question).await?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
