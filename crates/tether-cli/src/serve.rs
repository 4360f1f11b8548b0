//! `tether serve`: the engine on a TCP port and on the local control socket until SIGINT or SIGTERM.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use tether_core::auth::KeyringVault;
use tether_core::{Config, Engine, server};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let vault = Arc::new(KeyringVault::new(&config.keyring_service));
    let (bind, port, data_dir) = (config.bind, config.port, config.data_dir.clone());
    let engine = Engine::open(config, vault).await?;
    let listener = TcpListener::bind((bind, port))
        .await
        .with_context(|| format!("cannot listen on {bind}:{port}"))?;
    let control = server::bind_local(&data_dir).context("cannot open the control socket")?;
    let address = listener.local_addr()?;
    println!("listening on ws://{address}");
    std::io::stdout().flush()?;
    tracing::info!(%address, data_dir = %data_dir.display(), "serving");

    let stop = CancellationToken::new();
    let network = async {
        let served = server::serve(listener, engine.clone(), stop.cancelled()).await;
        stop.cancel();
        served
    };
    let local = server::serve_local(control, engine.clone(), stop.cancelled());
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
    let (served, (), ()) = tokio::join!(network, local, signals);
    let _ = std::fs::remove_file(server::control_socket_path(&data_dir));
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
