//! The engine: sessions and everything around them, with no listener of its own. Whoever
//! serves (tether-server) owns the sockets and hands each connection's frames to `rpc` and
//! the `hub`.

pub mod auth;
pub mod config;
pub mod connections;
pub mod data_dir;
pub mod engine;
pub mod hub;
pub mod lan_switch;
pub mod logging;
pub mod metrics;
pub mod peer_address;
pub mod projects;
pub mod qr;
pub mod rpc;
pub mod supervisor;

pub use config::Config;
pub use engine::Engine;

/// This build's version, as reported in `welcome` and `system.info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
