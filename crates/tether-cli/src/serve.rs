//! `tether serve`: the engine on a TCP port and on the local control socket until SIGINT or SIGTERM.

use std::io::Write;

use anyhow::Context;
use tether_engine::Config;
use tether_server::launch::launch;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    // Watched before the listening line, so a signal right after it stops the engine cleanly.
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
    let launched = launch(config).await?;
    let address = launched.address();
    println!("listening on ws://{address}");
    let lan = launched.engine().lan().status();
    if let (Some(url), Some(fingerprint)) = (lan.url, lan.fingerprint) {
        println!("serving the LAN on {url} (certificate {fingerprint})");
    }
    std::io::stdout().flush()?;
    tracing::info!(%address, data_dir = %data_dir.display(), "serving");

    let stop = CancellationToken::new();
    let signals = async {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!(signal = "SIGINT", "shutting down"),
            _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "shutting down"),
            () = stop.cancelled() => return,
        }
        stop.cancel();
    };
    let (served, ()) = tokio::join!(launched.serve(stop.clone()), signals);
    served.context("the server failed")?;
    tracing::info!("stopped");
    Ok(())
}
