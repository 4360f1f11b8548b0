//! Tether's engine: everything the desktop app and the headless `tether` binary share. No Tauri here.

pub mod auth;
pub mod clock;
pub mod config;
pub mod connections;
pub mod data_dir;
pub mod engine;
pub mod hub;
pub mod lan;
pub mod lan_switch;
pub mod launch;
pub mod logging;
pub mod metrics;
pub mod peer_address;
pub mod projects;
pub mod protocol;
pub mod qr;
pub mod rpc;
pub mod server;
pub mod store;
pub mod supervisor;

pub use config::Config;
pub use engine::Engine;

/// This build's version, as reported in `welcome` and `system.info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
