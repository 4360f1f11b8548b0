//! Logging for both shells: tracing to stderr, filtered by `TETHER_LOG`, colour only on a terminal.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Libraries whose frame-level logs would print frame payloads, tokens among them.
const QUIET: [&str; 2] = ["tungstenite=info", "tokio_tungstenite=info"];

/// Installs the global subscriber (`TETHER_LOG` takes `info`, `debug`, `tether_core=trace`, …).
pub fn init() {
    let filter = EnvFilter::try_from_env("TETHER_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let filter = QUIET
        .iter()
        .filter_map(|directive| directive.parse().ok())
        .fold(filter, EnvFilter::add_directive);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
