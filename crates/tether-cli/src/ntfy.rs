//! `tether ntfy token` (one line of standard input, kept in the keyring; `--clear` forgets it)
//! and `tether ntfy test`: the ntfy topic `push.ntfy_url` names.

use anyhow::bail;
use serde_json::json;
use tether_engine::Config;

use crate::args::NtfyAction;
use crate::control::{ask, call};

pub async fn run(config: &Config, action: NtfyAction) -> anyhow::Result<()> {
    let (method, params) = match &action {
        NtfyAction::Token { clear: true } => ("push.ntfy_token", json!({ "token": null })),
        NtfyAction::Token { clear: false } => {
            // Never an argument: it would be in the shell's history and every process listing.
            let token = ask("The topic's access token (one line): ").await?;
            ("push.ntfy_token", json!({ "token": token.trim() }))
        }
        NtfyAction::Test => ("push.ntfy_test", json!({})),
    };
    if let Err(error) = call(config, method, params).await? {
        bail!("{}", error.message);
    }
    match action {
        NtfyAction::Token { clear: true } => println!("The ntfy access token is forgotten."),
        NtfyAction::Token { clear: false } => {
            println!("The ntfy access token is kept in the keyring.");
        }
        NtfyAction::Test => println!("The ntfy server took a test notification."),
    }
    Ok(())
}
