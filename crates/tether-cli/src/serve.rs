//! `tether serve`: the engine on a TCP port and on the local control socket until SIGINT or SIGTERM.

use std::io::Write;

use anyhow::Context;
use tether_core::Config;
use tether_core::launch::launch;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let launched = launch(config).await?;
    let address = launched.address();
    println!("listening on ws://{address}");
    std::io::stdout().flush()?;
    tracing::info!(%address, data_dir = %data_dir.display(), "serving");

    let stop = CancellationToken::new();
    let signals = async {
        tokio::select! {
            received = shutdown_signal() => match received {
                Ok(name) => tracing::info!(signal = name, "shutting down"),
                Err(error) => tracing::error!(%error, "cannot watch for signals; shutting down"),
            },
            () = stop.cancelled() => return,
        }
        stop.cancel();
    };
    let (served, ()) = tokio::join!(launched.serve(stop.clone()), signals);
    served.context("the server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Waits for SIGINT or SIGTERM and names the one that came.
async fn shutdown_signal() -> std::io::Result<&'static str> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(tokio::select! {
        _ = interrupt.recv() => "SIGINT",
        _ = terminate.recv() => "SIGTERM",
    })
}
