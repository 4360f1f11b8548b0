//! `tether token …`: through the running engine when there is one (so revocation closes live
//! connections at once), otherwise straight against the keyring.

use anyhow::bail;
use serde::Deserialize;
use serde_json::json;
use tether_core::Config;

use crate::args::TokenAction;
use crate::control::call;

#[derive(Debug, Deserialize)]
struct Token {
    id: String,
    name: String,
    created_at: u64,
    #[serde(default)]
    connections: usize,
    #[serde(default)]
    token: Option<String>,
}

pub async fn run(config: &Config, action: TokenAction) -> anyhow::Result<()> {
    let (method, params) = match &action {
        TokenAction::Create { name } => ("tokens.create", json!({ "name": name })),
        TokenAction::List { .. } => ("tokens.list", json!({})),
        TokenAction::Revoke { id } => ("tokens.revoke", json!({ "id": id })),
    };
    let result = match call(config, method, params).await? {
        Ok(result) => result,
        Err(error) => bail!("{}", error.message),
    };
    match action {
        TokenAction::Create { .. } => {
            let token: Token = serde_json::from_value(result)?;
            eprintln!(
                "Created token {} ({:?}). Copy it now: it is never shown again.",
                token.id, token.name
            );
            println!("{}", token.token.unwrap_or_default());
        }
        TokenAction::List { json: true } => println!("{}", serde_json::to_string_pretty(&result)?),
        TokenAction::List { json: false } => print_table(serde_json::from_value(result)?),
        TokenAction::Revoke { .. } => {
            let token: Token = serde_json::from_value(result)?;
            println!(
                "Revoked token {} ({:?}); its connections were closed.",
                token.id, token.name
            );
        }
    }
    Ok(())
}

fn print_table(tokens: Vec<Token>) {
    if tokens.is_empty() {
        println!("No tokens. Create one with `tether token create --name NAME`.");
        return;
    }
    println!(
        "{:<10} {:<24} {:<17} CONNECTIONS",
        "ID", "NAME", "CREATED (UTC)"
    );
    for token in tokens {
        println!(
            "{:<10} {:<24} {:<17} {}",
            token.id,
            token.name,
            utc(token.created_at),
            token.connections
        );
    }
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM` in UTC (civil-from-days, proleptic Gregorian).
fn utc(seconds: u64) -> String {
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
